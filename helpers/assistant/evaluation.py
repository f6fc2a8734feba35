"""Scoring the assistant: the held-out requests asked through the SDK, each reply checked, and the tables and plot.

`evaluate(client, model, records)` asks any backend the held-out requests through the SDK and scores
every reply with the checks the record names (`check_reply`); `summary`, `plot_summary` and
`recorded_scores` are notebook 09's tables and plot.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import chat_format
from .data import KINDS, assistant_dir, load_records

REPLY_TOKENS = {"code": 256, "arith": 160}  # evaluation caps per kind; every other kind gets 128


@dataclass
class Reply:
    """What a backend answered: text, or tool calls as (name, arguments dict)."""

    content: str
    tool_calls: list[tuple[str, Any]]


def ask(client: Any, model: str, record: dict[str, Any], *, max_tokens: int | None = None) -> Reply:
    """Send a held-out request through the mistralai SDK (temperature 0) and read the reply."""
    kwargs: dict[str, Any] = {"model": model, "messages": record["messages"], "temperature": 0}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    if record.get("tools"):
        kwargs["tools"] = record["tools"]
        kwargs["tool_choice"] = record.get("tool_choice") or "auto"
    if record.get("response_format"):
        kwargs["response_format"] = record["response_format"]
    message = client.chat.complete(**kwargs).choices[0].message
    calls = []
    for call in message.tool_calls or []:
        arguments = call.function.arguments
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError:
                pass
        calls.append((call.function.name, arguments))
    return Reply(chat_format.text_of(message.content), calls)


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().strip("\"'`").rstrip(".!").strip().lower()


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return True
    if isinstance(want, bool) or isinstance(got, bool):
        return got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(want, str):
        return _norm(got) == _norm(want)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(_same(g, w) for g, w in zip(got, want))
    if isinstance(want, dict) and isinstance(got, dict):
        return all(k in got and _same(got[k], v) for k, v in want.items())
    return got == want


def _json_object(text: str) -> Any:
    fenced = re.search(r"```(?:json)?\s*\n(.*?)```", text, re.S)
    try:
        return json.loads(fenced.group(1) if fenced else text, strict=False)
    except json.JSONDecodeError:
        return None


def check_one(spec: dict[str, Any], reply: Reply) -> tuple[bool, str]:
    """One check from a held-out record's `expect` list: (passed, why not)."""
    from ..bench import extract_code, extract_number, run_code_tests

    (name, want), = spec.items()
    text = reply.content
    low = text.lower()
    if name == "tool_call":
        if len(reply.tool_calls) != 1:
            return False, f"{len(reply.tool_calls)} tool calls"
        called, arguments = reply.tool_calls[0]
        if called != want["name"]:
            return False, f"called {called}"
        if not isinstance(arguments, dict) or not _same(arguments, want.get("arguments") or {}):
            return False, f"arguments {arguments}"
        return True, ""
    if reply.tool_calls and name != "no_tool_call":
        return False, f"called {reply.tool_calls[0][0]} instead of answering"
    if name == "no_tool_call":
        return (not reply.tool_calls), "called a tool"
    if name == "contains":
        missing = [w for w in want if w.lower() not in low]
        return not missing, f"missing {missing}"
    if name == "contains_any":
        return any(w.lower() in low for w in want), f"none of {want}"
    if name == "excludes":
        found = [w for w in want if w.lower() in low]
        return not found, f"contains {found}"
    if name == "equals":
        return _norm(text) == _norm(want), f"{text[:40]!r}, expected {want!r}"
    if name == "number":
        got = extract_number(text)
        return got is not None and math.isclose(got, float(want), abs_tol=1e-6), f"number {got}"
    if name == "json":
        data = _json_object(text)
        if not isinstance(data, dict):
            return False, "not a JSON object"
        wrong = [k for k, v in want.items() if k not in data or not _same(data[k], v)]
        return not wrong, f"keys {wrong}"
    if name == "python":
        program = extract_code(text, "", want["entry_point"])
        test = "def check(candidate):\n" + textwrap.indent(want["tests"], "    ") + "\n"
        result = run_code_tests(program, test, want["entry_point"])
        return result.passed, str(result)
    if name == "max_words":
        return len(text.split()) <= want, f"{len(text.split())} words"
    if name == "lines":
        lines = [line for line in text.splitlines() if line.strip()]
        return len(lines) == want, f"{len(lines)} lines"
    raise ValueError(f"Unknown check {name!r}")


def check_reply(record: dict[str, Any], reply: Reply) -> tuple[bool, str]:
    """All of a record's checks: (passed, the first failure's reason)."""
    for spec in record["expect"]:
        ok, why = check_one(spec, reply)
        if not ok:
            return False, f"{next(iter(spec))}: {why}"
    return True, ""


def evaluate(client: Any, model: str, records: Sequence[dict[str, Any]] | None = None, *, progress: bool = True,
             max_tokens: int | None = None) -> Any:
    """Ask `model` every held-out request and score it; one row per record (a pandas DataFrame).

    Replies are capped at `max_tokens`, by default `REPLY_TOKENS` of the record's kind: enough for any
    right answer, and a model that never stops (a base model) cannot hold the run up.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    rows = []
    for record in tqdm(records if records is not None else load_records("heldout"), desc=f"held-out set on {model}",
                       disable=not progress):
        started = time.perf_counter()
        try:
            reply = ask(client, model, record, max_tokens=max_tokens or REPLY_TOKENS.get(record["kind"], 128))
        except Exception as exc:  # an HTTP error is a failed item, not a failed evaluation
            reply, error = Reply("", []), f"error: {type(exc).__name__}: {str(exc)[:120]}"
        else:
            error = ""
        ok, why = (False, error) if error else check_reply(record, reply)
        shown = reply.content or ("; ".join(f"{n}({json.dumps(a, ensure_ascii=False)})" for n, a in reply.tool_calls))
        rows.append({"id": record["id"], "kind": record["kind"], "passed": ok, "why": why, "reply": shown,
                     "seconds": round(time.perf_counter() - started, 2)})
    return pd.DataFrame(rows)


def summary(results: dict[str, Any]) -> Any:
    """Per-kind pass rates (%) for each model's results, with an overall row."""
    import pandas as pd

    table = pd.DataFrame({name: df.groupby("kind")["passed"].mean() * 100 for name, df in results.items()})
    table = table.reindex([k for k in KINDS if k in table.index])
    table.loc["overall"] = [df["passed"].mean() * 100 for df in results.values()]
    counts = next(iter(results.values())).groupby("kind").size()
    table.insert(0, "items", [*(int(counts[k]) for k in table.index[:-1]), int(counts.sum())])
    return table.round(1)


def stratified(records: Sequence[dict[str, Any]], per_kind: int, seed: int = 0) -> list[dict[str, Any]]:
    """`per_kind` records of every kind, drawn with a fixed seed (a quick, balanced sample of the held-out set)."""
    import random

    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for kind in KINDS:
        pool = [r for r in records if r["kind"] == kind]
        out += rng.sample(pool, min(per_kind, len(pool)))
    return out


def comparison_targets(bk: Any) -> dict[str, tuple[Any, str]]:
    """What to compare, label -> (client, model): on the embedded default the three chat stand-ins (base Gemma,
    SmolLM2 as shipped, SmolLM2 + the workbook's adapter); elsewhere the backend's own chat model. With
    `MISTRAL_API_KEY` set, La Plateforme's model joins the comparison."""
    import os

    from ..engine.embedded import CHAT_ALIAS, GEMMA_ALIAS, SMOLLM_ALIAS

    if bk.standin:
        targets = {f"{name}": (bk.client, name) for name in (GEMMA_ALIAS, SMOLLM_ALIAS, CHAT_ALIAS)}
    else:
        targets = {f"{bk.name}: {bk.chat_model}": (bk.client, bk.chat_model)}
    if os.environ.get("MISTRAL_API_KEY") and bk.name != "mistral":
        from ..backends import connect

        cloud = connect("mistral", quiet=True)
        targets[f"mistral: {cloud.chat_model}"] = (cloud.client, cloud.chat_model)
    return targets


def plot_summary(table: Any, ax: Any = None) -> Any:
    """Grouped bars: pass rate per kind (and overall) for each model in a `summary` table."""
    import matplotlib.pyplot as plt

    models = [c for c in table.columns if c != "items"]
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 3.6))
    width = 0.8 / max(1, len(models))
    for i, model in enumerate(models):
        xs = [x + (i - (len(models) - 1) / 2) * width for x in range(len(table))]
        ax.bar(xs, table[model], width, label=model)
    ax.set_xticks(range(len(table)), [f"{k}\n({n})" for k, n in zip(table.index, table["items"])])
    ax.set_ylabel("passed (%)")
    ax.set_ylim(0, 105)
    ax.axhline(80, color="grey", linestyle=":", linewidth=1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Held-out instruction set: share of requests whose reply passes its checks")
    return ax


def recorded_scores(path: Path | None = None) -> tuple[Any, dict[str, Any]]:
    """The full held-out table `make assistant-eval` recorded (a DataFrame) and its facts (date, machine, models)."""
    import pandas as pd

    data = json.loads((path or assistant_dir() / "heldout_scores.json").read_text())
    return pd.DataFrame(data["table"]).set_index("kind"), {k: v for k, v in data.items() if k != "table"}
