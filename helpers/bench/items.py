"""The workbook's evaluation items and the extraction of an answer from a model's reply.

`load_items(task)` reads the MMLU-, GSM8K- and HumanEval-style items (`data/benchmarks/*.jsonl`, CC0-1.0) and
`validate_items()` checks them; `extract_choice()`, `extract_number()` and `extract_code()` turn a reply into
the answer that gets scored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..paths import data_dir

LETTERS = "ABCD"
TASKS = ("mcq", "arithmetic", "code")


def bench_dir() -> Path:
    """`data/benchmarks/`: published scores and the workbook's evaluation items."""
    return data_dir() / "benchmarks"



# ---------------------------------------------------------------------------------------- items
def load_items(task: str, split: str = "test", path: str | Path | None = None) -> list[dict[str, Any]]:
    """The items of one task ("mcq", "arithmetic" or "code") and split ("test" or "fewshot")."""
    if task not in TASKS:
        raise ValueError(f"Unknown task {task!r}; choose one of {', '.join(TASKS)}")
    path = Path(path or bench_dir() / f"{task}.jsonl")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i for i in items if i.get("split") == split]


def validate_items(task: str, items: Sequence[dict[str, Any]]) -> list[str]:
    """Problems found in a task's items (an empty list when they are valid)."""
    problems = []
    ids = [i.get("id") for i in items]
    if len(set(ids)) != len(ids):
        problems.append(f"{task}: duplicate ids")
    for item in items:
        where = f"{task}/{item.get('id')}"
        if task == "mcq":
            if len(item.get("choices", [])) != 4 or item.get("answer") not in tuple(LETTERS):  # "AB" is not a letter
                problems.append(f"{where}: needs 4 choices and an answer in A-D")
            elif len(set(item["choices"])) != 4:
                problems.append(f"{where}: choices repeat")
        elif task == "arithmetic":
            if not isinstance(item.get("answer"), (int, float)):
                problems.append(f"{where}: the answer must be a number")
            elif extract_number(item.get("solution", "")) != float(item["answer"]):
                problems.append(f"{where}: the worked solution does not end in the answer")
        elif task == "code":
            for key in ("prompt", "entry_point", "canonical_solution", "test"):
                if not item.get(key):
                    problems.append(f"{where}: missing {key}")
    return problems


# ----------------------------------------------------------------------------------- extraction
# A letter counts when it is in brackets, followed by ")" "." ":" or the end, or an upper-case word on its own.
_LETTER = r"(?:\(([A-Da-d])\)|([A-Da-d])(?=[.:,)\]]|\s*$)|([A-D])\b)"
_EXPLICIT_CHOICE = re.compile(r"(?i:answer\s*(?:is|:|=)?\s*:?\s*)" + _LETTER)
_LEADING_CHOICE = re.compile(r"^\W*?" + _LETTER)
_MARKED_CHOICE = re.compile(r"\(([A-D])\)|\b([A-D])[).:](?:\s|$)")


def extract_choice(text: str, choices: Sequence[str] | None = None) -> str | None:
    """The letter (A-D) a reply picks, or None.

    Understands "B", "(B)", "b) ...", "B. Paris", "Answer: B" and "The answer is (b)"; with
    `choices`, a reply that starts with one option's text counts as that option.
    """
    text = (text or "").strip()
    if not text:
        return None
    for pattern in (_EXPLICIT_CHOICE, _LEADING_CHOICE):
        m = pattern.search(text)
        if m:
            return next(g for g in m.groups() if g).upper()
    if choices:
        for letter, choice in zip(LETTERS, choices):
            if text.lower().startswith(choice.lower()):
                return letter
    m = _MARKED_CHOICE.search(text)
    if m:
        return (m.group(1) or m.group(2)).upper()
    return None


_NUMBER = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?"
_FINAL_MARKS = (re.compile(rf"####\s*\$?\s*({_NUMBER})"),
                re.compile(rf"answer\s*(?:is|:|=)\s*:?\s*\$?\s*({_NUMBER})", re.I))


def extract_number(text: str) -> float | None:
    """The final numeric answer in a reply, or None.

    "#### 42" wins, then "the answer is 42" / "Answer: 42", then the last number in the text.
    Thousands separators and a leading "$" are dropped: "$1,495.00" → 1495.0.
    """
    text = text or ""
    hashes, stated = (pattern.findall(text) for pattern in _FINAL_MARKS)
    if hashes:  # the first "####" line ends the worked answer; anything after it is run-on text
        return float(hashes[0].replace(",", ""))
    if stated:
        return float(stated[-1].replace(",", ""))
    numbers = re.findall(_NUMBER, text)
    return float(numbers[-1].replace(",", "")) if numbers else None


def numbers_match(predicted: float | None, expected: float, tolerance: float = 1e-6) -> bool:
    """Exact match of a final number (with a float tolerance)."""
    return predicted is not None and abs(predicted - float(expected)) <= tolerance


_FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)(?:```|\Z)", re.S | re.I)


def extract_code(text: str, prompt: str, entry_point: str) -> str:
    """The program to test: the first fenced block of a reply (or the raw reply).

    A reply that defines `entry_point` itself is used as it is; a reply that only continues the
    function body is appended to the prompt, as HumanEval completions are.
    """
    m = _FENCE.search(text or "")
    code = m.group(1) if m else (text or "")
    if re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, re.M):
        imports = "".join(line + "\n" for line in prompt.splitlines() if line.startswith(("import ", "from ")))
        return imports + code
    return prompt + code
