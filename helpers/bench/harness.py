"""The harness: few-shot prompts, one greedy request per item, the score of each reply, and the summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .code_check import check_completion
from .items import LETTERS, extract_choice, extract_number, load_items, numbers_match


# -------------------------------------------------------------------------------------- prompts
def mcq_prompt(item: dict[str, Any]) -> str:
    options = "\n".join(f"{letter}. {choice}" for letter, choice in zip(LETTERS, item["choices"]))
    return f"Question: {item['question']}\n{options}\nAnswer with the letter only."


def arithmetic_prompt(item: dict[str, Any]) -> str:
    return f"Question: {item['question']}\nWork it out, then end with '#### <number>'."


def code_prompt(item: dict[str, Any]) -> str:
    return f"Complete this Python function. Reply with the whole function in a ```python block.\n\n{item['prompt']}"


def _shot_answer(task: str, item: dict[str, Any]) -> str:
    if task == "mcq":
        return item["answer"]
    if task == "arithmetic":
        return f"{item['solution']}\n#### {item['answer']:g}"
    return f"```python\n{item['prompt']}{item['canonical_solution']}```"


PROMPTS: dict[str, Callable[[dict[str, Any]], str]] = {"mcq": mcq_prompt, "arithmetic": arithmetic_prompt,
                                                       "code": code_prompt}


def few_shot_messages(task: str, item: dict[str, Any], shots: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """A chat conversation: each solved example as a user/assistant pair, then the item to answer."""
    messages = []
    for shot in shots:
        messages += [{"role": "user", "content": PROMPTS[task](shot)},
                     {"role": "assistant", "content": _shot_answer(task, shot)}]
    return [*messages, {"role": "user", "content": PROMPTS[task](item)}]


# -------------------------------------------------------------------------------------- harness
@dataclass(frozen=True)
class TaskSpec:
    """How one task is asked and scored."""

    name: str
    title: str
    benchmark: str  # the public benchmark it imitates
    metric: str
    chance: float  # accuracy of guessing, as a fraction
    max_tokens: int
    stop: tuple[str, ...]


SPECS = {
    "mcq": TaskSpec("mcq", "multiple choice (knowledge)", "MMLU", "accuracy", 0.25, 3, ("\n",)),
    "arithmetic": TaskSpec("arithmetic", "arithmetic word problems", "GSM8K", "exact match", 0.0, 64,
                           ("\n\n", "\nQuestion")),
    "code": TaskSpec("code", "code generation", "HumanEval", "pass@1", 0.0, 150, ("\n```",)),
}


def ask(client: Any, model: str, messages: list[dict[str, str]], spec: TaskSpec, *, seed: int = 0) -> Any:
    """One greedy request: temperature 0, a fixed seed, a short answer, the task's stop sequences."""
    return client.chat.complete(model=model, messages=messages, temperature=0, random_seed=seed,
                                max_tokens=spec.max_tokens, stop=list(spec.stop))


def score(task: str, item: dict[str, Any], reply: str) -> dict[str, Any]:
    """Extract the answer from a reply and score it: the row's answer, correctness and reason."""
    if task == "mcq":
        got = extract_choice(reply, item["choices"])
        return {"expected": item["answer"], "extracted": got, "correct": got == item["answer"],
                "reason": "" if got else "no letter found"}
    if task == "arithmetic":
        number = extract_number(reply)
        return {"expected": f"{item['answer']:g}", "extracted": None if number is None else f"{number:g}",
                "correct": numbers_match(number, item["answer"]), "reason": "" if number is not None else "no number found"}
    result = check_completion(item, reply)
    return {"expected": "tests pass", "extracted": result.status, "correct": result.passed, "reason": result.reason}


def run_task(client: Any, model: str, task: str, items: Sequence[dict[str, Any]] | None = None, *,
             shots: Sequence[dict[str, Any]] | None = None, limit: int | None = None,
             progress: bool = True, seed: int = 0, max_tokens: int | None = None) -> pd.DataFrame:
    """Ask the backend every item of `task` few-shot and score the replies: one row per item.

    Columns: id, expected, extracted (the scored answer), correct, reason, reply (the raw text),
    model (the name the backend says answered) and seconds. `max_tokens` overrides the task's.
    """
    from dataclasses import replace

    from tqdm.auto import tqdm

    if task not in SPECS:
        raise ValueError(f"Unknown task {task!r}; choose one of {', '.join(SPECS)}")
    spec = SPECS[task] if max_tokens is None else replace(SPECS[task], max_tokens=max_tokens)
    items = list(items if items is not None else load_items(task))[:limit]
    shots = list(shots if shots is not None else load_items(task, "fewshot"))
    rows = []
    for item in tqdm(items, desc=spec.title, disable=not progress):
        started = time.perf_counter()
        response = ask(client, model, few_shot_messages(task, item, shots), spec, seed=seed)
        reply = response.choices[0].message.content or ""
        rows.append({"id": item["id"], **score(task, item, reply), "reply": reply.strip(),
                     "model": response.model, "seconds": round(time.perf_counter() - started, 2)})
    return pd.DataFrame(rows).set_index("id")


def accuracy_table(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per task: items, correct, accuracy, the chance level and the benchmark it imitates."""
    rows = []
    for task, table in results.items():
        spec = SPECS[task]
        rows.append({"task": task, "imitates": spec.benchmark, "metric": spec.metric, "items": len(table),
                     "correct": int(table["correct"].sum()), "accuracy": float(table["correct"].mean()),
                     "chance": spec.chance})
    return pd.DataFrame(rows).set_index("task")


def plot_accuracy(summary: pd.DataFrame, ax: Any = None, *, label: str = "") -> Any:
    """Accuracy per task as bars, each with its chance level drawn as a dashed line."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    xs = range(len(summary))
    ax.bar(xs, summary["accuracy"] * 100, color="tab:blue", label=label or "measured")
    for x, (_, row) in zip(xs, summary.iterrows()):
        ax.hlines(row["chance"] * 100, x - 0.4, x + 0.4, colors="tab:red", linestyles="--",
                  label="chance (guessing)" if x == 0 else None)
        ax.text(x, row["accuracy"] * 100 + 2, f"{row['correct']}/{row['items']}", ha="center")
    ax.set_xticks(list(xs), [f"{t}\n({r['metric']})" for t, r in summary.iterrows()])
    ax.set(ylabel="% correct", ylim=(0, 105), title="The workbook's items, asked few-shot")
    ax.legend()
    return ax
