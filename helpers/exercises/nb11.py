"""Exercises for notebook 11 (Beyond chat: moderation, OCR, batch, conversations)."""

from __future__ import annotations

import json
from typing import Any

from ..chat import load_prices
from .core import Exercise

# ------------------------------------------------------------------ q1: one line of a batch input file
Q1_QUESTION = "What is a GGUF file?"


def _check_batch_line(answer: Any) -> str | None:
    if not callable(answer):
        return "give a function: `def batch_line(custom_id, question): ...` that returns one line as a dict."
    line = answer("q7", Q1_QUESTION)
    if not isinstance(line, dict):
        return f"batch_line returned {type(line).__name__}; return a dict (the notebook turns it into one JSONL line)."
    try:
        json.dumps(line)
    except TypeError as exc:
        return f"the line must be plain JSON (dicts, lists, strings, numbers): {exc}."
    if set(line) != {"custom_id", "body"}:
        return f"a line has exactly two keys, custom_id and body; yours has {sorted(line)}."
    if line["custom_id"] != "q7":
        return f"custom_id should be the id you were given ('q7'), as a string; got {line['custom_id']!r}."
    body = line["body"]
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return "body is the request body of one chat call: a dict with `messages` (a list) in it."
    if body["messages"] != [{"role": "user", "content": Q1_QUESTION}]:
        return (f"messages should be one user message carrying the question: "
                f"[{{'role': 'user', 'content': {Q1_QUESTION!r}}}]; got {body['messages']!r}.")
    limit = body.get("max_tokens")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 200:
        return "set max_tokens in the body (an integer, 1 to 200): a batch of many requests should bound each answer."
    return None


q1 = Exercise(
    "One line of a batch input file",
    _check_batch_line,
    hint="Each line is `{\"custom_id\": ..., \"body\": {...}}`; the body is what you would pass to `chat.complete` "
         "as keyword arguments, minus the model (the job names it): messages and max_tokens.",
    solution="""
def batch_line(custom_id, question):
    return {"custom_id": custom_id,
            "body": {"messages": [{"role": "user", "content": question}], "max_tokens": 64}}""",
    explanation="The custom_id is how you match answers to questions: the output file is not guaranteed to keep the "
                "input's order.",
)

# ------------------------------------------------------------------ q2: your own thresholds on category scores
SCORES = {"sexual": 0.002, "hate_and_discrimination": 0.04, "violence_and_threats": 0.31, "dangerous_and_criminal_content": 0.12,
          "selfharm": 0.001, "health": 0.47, "financial": 0.02, "law": 0.09, "pii": 0.66}
THRESHOLDS = {"violence_and_threats": 0.25, "health": 0.8}  # stricter or looser than the default
DEFAULT_THRESHOLD = 0.5


def _flagged() -> list[str]:
    return sorted(c for c, s in SCORES.items() if s >= THRESHOLDS.get(c, DEFAULT_THRESHOLD))


def _check_flagged(answer: Any) -> str | None:
    if isinstance(answer, (set, tuple)):
        answer = list(answer)
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        return "give a list of category names (strings)."
    got, expected = sorted(answer), _flagged()
    if got == expected:
        return None
    if got == sorted(c for c, s in SCORES.items() if s >= DEFAULT_THRESHOLD):
        return "that is every score over 0.5: use THRESHOLDS where it names a category, the default only elsewhere."
    if "health" in got:
        return "health scores 0.47, under its own threshold of 0.8: it is not flagged."
    missing = [c for c in expected if c not in got]
    return f"not yet: {', '.join(missing) or 'some of these'} should {'be in' if missing else 'not be in'} the list."


q2 = Exercise(
    "Your own thresholds on category scores",
    _check_flagged,
    hint="For each (category, score) in SCORES: the threshold is THRESHOLDS.get(category, DEFAULT_THRESHOLD); keep the "
         "category when score >= threshold.",
    solution="answer = sorted(c for c, s in nb11.SCORES.items() if s >= nb11.THRESHOLDS.get(c, nb11.DEFAULT_THRESHOLD))",
    explanation="`categories` in a moderation result applies Mistral's thresholds; `category_scores` lets you apply "
                "your own, per category, to fit your application.",
)

# ------------------------------------------------------------------ q3: what a batch saves
Q3_MODEL, Q3_PROMPT, Q3_COMPLETION, Q3_REQUESTS = "mistral-small-latest", 400, 150, 20_000


def _saving() -> float:
    prices = load_prices()
    return prices[Q3_MODEL].cost(Q3_PROMPT, Q3_COMPLETION) * Q3_REQUESTS * prices.batch_discount


def _check_saving(answer: Any) -> str | None:
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return "give the saving in dollars, as a number."
    expected = _saving()
    if abs(answer - expected) <= 1e-6 + 1e-6 * expected:
        return None
    if abs(answer - 2 * expected) <= 1e-6 * expected + 1e-6:
        return "that is the cost one by one; the saving is the discount's share of it."
    if abs(answer - expected / Q3_REQUESTS) <= 1e-9:
        return f"that is the saving on one request; the job holds {Q3_REQUESTS:,}."
    return (f"${answer:.4g} is not it: price one request with prices['{Q3_MODEL}'].cost(prompt, completion), multiply by the "
            "number of requests, then by prices.batch_discount.")


q3 = Exercise(
    "What a batch saves",
    _check_saving,
    hint="`prices = helpers.chat.load_prices()`; `prices[model].cost(prompt_tokens, completion_tokens)` is one request; "
         "`prices.batch_discount` is the share the Batch API takes off.",
    solution="""prices = load_prices()
answer = prices[nb11.Q3_MODEL].cost(nb11.Q3_PROMPT, nb11.Q3_COMPLETION) * nb11.Q3_REQUESTS * prices.batch_discount""",
    explanation="Half price for work that can wait: a batch job may take hours on La Plateforme (you set timeout_hours).",
)
