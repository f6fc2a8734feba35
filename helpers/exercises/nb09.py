"""Exercises for notebook 09 (Benchmarks)."""

from __future__ import annotations

import pandas as pd

from .core import Exercise

# ------------------------------------------------------------------ q1: a letter extractor
# (reply, the letter a grader should read, why the case matters)
LETTER_CASES = [
    ("B", "B", "a bare letter"),
    ("(C)", "C", "a letter in brackets"),
    ("Answer: D", "D", "'Answer: D'"),
    ("b) Paris", "B", "a lower-case letter followed by ')' (return upper case)"),
    ("The answer is (a).", "A", "'The answer is (a).'"),
    ("I am not sure.", None, "a reply with no choice in it (return None)"),
    ("The answer is a dog.", None, "the article 'a' is not choice A (return None)"),
]


def _check_extractor(answer) -> str | None:
    if not callable(answer):
        return "give a function: `def answer(text): ...` that returns 'A'-'D' or None."
    for reply, expected, what in LETTER_CASES:
        try:
            got = answer(reply)
        except Exception as exc:  # the reader's function crashed on this case
            return f"your function raised {type(exc).__name__} on {reply!r} ({what})."
        if got != expected:
            if isinstance(got, str) and expected and got.upper() == expected:
                return f"on {reply!r} it returned {got!r}: return the letter in upper case, {expected!r}."
            return f"on {reply!r} ({what}) it returned {got!r}, expected {expected!r}."
    return None


q1 = Exercise(
    "A letter extractor",
    _check_extractor,
    hint="A standalone A-D is not enough: `re.search(r'\\b([abcd])\\b', text, re.I)` reads 'The answer is a dog.' as "
         "choice A. Accept a letter at the very start of the reply (alone, or followed by ')', '.' or a space), or "
         "right after 'answer is' / 'answer:' when nothing but ')' or punctuation follows it; upper-case it and "
         "return None otherwise.",
    solution="""
import re
def answer(text):
    m = re.search(r"^\\s*\\(?([abcd])\\)?(?:[.):\\s]|$)|answer\\s*(?:is|:)\\s*\\(?([abcd])(?=\\)|\\s*$|[.,;:])", text, re.I)
    return (m.group(1) or m.group(2)).upper() if m else None
# or: answer = bench.extract_choice""",
    explanation="A grader's extractor decides the score as much as the model does: a strict one marks right answers "
                "wrong, a loose one reads 'a dog' as choice A. Pin it with cases like these before you trust a number.",
)

# ------------------------------------------------------------------ q2: pass@1 from results
SAMPLES = pd.DataFrame({
    "task": ["add", "add", "add", "add", "sort", "sort", "parse", "parse", "parse", "parse"],
    "status": ["pass", "pass", "pass", "pass", "timeout", "pass", "error", "fail", "fail", "pass"],
})


def _pass_at_1() -> float:
    return float((SAMPLES["status"] == "pass").groupby(SAMPLES["task"]).mean().mean())


def _check_pass_at_1(answer) -> str | None:
    if not isinstance(answer, (int, float)):
        return "give a number between 0 and 1."
    expected = _pass_at_1()
    if abs(answer - expected) < 1e-6:
        return None
    if abs(answer * 100 - expected * 100) > 1 and abs(answer - expected * 100) < 1e-6:
        return "give a fraction between 0 and 1, not a percentage."
    if abs(answer - (SAMPLES["status"] == "pass").mean()) < 1e-6:
        return ("that is the share of all samples that passed. pass@1 is estimated per task (passed / samples for "
                "that task), then averaged over tasks, so a task with many samples does not count more.")
    if abs(answer - (SAMPLES["status"] != "fail").mean()) < 1e-6 or abs(
            answer - (SAMPLES["status"].isin(["pass", "timeout", "error"])).groupby(SAMPLES["task"]).mean().mean()) < 1e-6:
        return "only 'pass' counts: a timeout or an error is a failed sample too."
    return f"{answer:.3g} is not it. Per task: the fraction of its samples with status 'pass'; then the mean over tasks."


q2 = Exercise(
    "pass@1 from a results table",
    _check_pass_at_1,
    hint="`samples` has several samples per task. Make a boolean column `status == 'pass'`, take its mean per "
         "task (`groupby('task')`), then the mean of those per-task values.",
    solution="answer = (samples.status == 'pass').groupby(samples.task).mean().mean()   # (4/4 + 1/2 + 1/4) / 3 ≈ 0.583",
    explanation="HumanEval's pass@1 is the chance that one sample for a task passes, averaged over tasks. With n "
                "samples and c passes per task the unbiased estimate is c/n; the overall share of passing samples "
                "(0.6 here) over-weights tasks that happened to get more samples.",
)

# ------------------------------------------------------------------ q3: which setting a claim is about
SETTINGS = ("0-shot, pass@1", "5-shot", "8-shot, maj@8", "8-shot, chain of thought, maj@1 (instruct model)")


def _check_setting(answer) -> str | None:
    if not isinstance(answer, str):
        return f"give the setting as a string, one of: {', '.join(repr(s) for s in SETTINGS)}."
    text = answer.strip()
    if text == "8-shot, maj@8":
        return None
    if text == "5-shot":
        return "5-shot is the MMLU setting. Look at the GSM8K row of the Mistral 7B paper in `published`."
    if "chain of thought" in text:
        return "that is the setting of Llama 3 8B's GSM8K figure (an instruct model). The claim is about Mistral 7B."
    if "pass@1" in text:
        return "pass@1 is how code benchmarks count. GSM8K is scored by the final number."
    return f"{answer!r} is not a setting in the table; filter `published` for Mistral 7B, GSM8K and the paper's source."


q3 = Exercise(
    "Which setting a number belongs to",
    _check_setting,
    hint="Filter `published` for model 'Mistral 7B', benchmark 'GSM8K' and the primary row, and read its `setting`.",
    solution="""answer = published.query("model == 'Mistral 7B' and benchmark == 'GSM8K' and primary").setting.item()""",
    explanation="maj@8 samples eight answers and takes the majority vote: 52.2 with maj@8 and a single greedy answer "
                "are different measurements. Comparing numbers from different settings (shots, maj@k, base vs "
                "instruct) is the most common benchmark mistake, and the seed's table gives no settings at all.",
)
