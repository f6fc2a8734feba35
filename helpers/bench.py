"""Benchmarks: published scores as data, a small offline evaluation harness, and speed measurements.

* published scores: `load_published()` reads `data/benchmarks/published_scores.json` (every
  figure with its source, setting and date); `published_table()`, `seed_vs_sources()` and
  `plot_published()` compare them with the seed article's figures;
* items: `load_items(task)` reads the workbook's own MMLU-, GSM8K- and HumanEval-style items
  (`data/benchmarks/*.jsonl`, CC0-1.0) and `validate_items()` checks them;
* extraction: `extract_choice()`, `extract_number()` and `extract_code()` turn a model's reply
  into the answer that gets scored;
* code checking: `run_code_tests()` runs a program against unit tests in a separate `python -I`
  process, in a temporary folder, with memory and CPU limits, sockets blocked and a timeout;
* the harness: `run_task(client, model, task)` asks the backend every item few-shot, greedily,
  and returns one row per item; `accuracy_table()` and `plot_accuracy()` summarise;
* speed: `measure_speed()` streams answers to prompts of growing length through the SDK and
  times them with `helpers.chat.stream_with_stats`.

Nothing here starts a server or calls a model at import time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .paths import data_dir

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

LETTERS = "ABCD"
TASKS = ("mcq", "arithmetic", "code")


def bench_dir() -> Path:
    """`data/benchmarks/`: published scores and the workbook's evaluation items."""
    return data_dir() / "benchmarks"


# ------------------------------------------------------------------------------ published scores
def load_published(path: str | Path | None = None) -> dict[str, Any]:
    """The published-scores file: benchmarks, sources, scores and the seed article's figures."""
    return json.loads(Path(path or bench_dir() / "published_scores.json").read_text(encoding="utf-8"))


def published_table(data: dict[str, Any] | None = None, *, primary_only: bool = False) -> pd.DataFrame:
    """Every published figure, one row each, with its setting, source, URL and date."""
    data = data or load_published()
    rows = []
    for s in data["scores"]:
        src = data["sources"][s["source"]]
        rows.append({"model": s["model"], "variant": s.get("variant", ""), "benchmark": s["benchmark"],
                     "score": s["score"], "setting": s["setting"], "primary": s.get("primary", False),
                     "source": src["title"], "url": src["url"], "date": src["date"],
                     "checked": s.get("checked", "")})
    table = pd.DataFrame(rows)
    return table[table["primary"]].reset_index(drop=True) if primary_only else table


def seed_vs_sources(data: dict[str, Any] | None = None) -> pd.DataFrame:
    """The seed article's figure beside the primary published one, with the difference and a note."""
    data = data or load_published()
    primary = {(s["model"], s["benchmark"]): s for s in data["scores"] if s.get("primary")}
    rows = []
    for model, figures in data["seed"]["scores"].items():
        for bench, fig in figures.items():
            pub = primary.get((model, bench))
            rows.append({
                "model": model, "benchmark": bench,
                "seed": f"{fig['score']}" + (" (Estimated)" if fig.get("estimated") else ""),
                "published": pub["score"] if pub else None,
                "setting": pub["setting"] if pub else "",
                "source": data["sources"][pub["source"]]["title"] if pub else "",
                "difference": round(fig["score"] - pub["score"], 1) if pub and pub["score"] is not None else None,
                "note": fig.get("note", ""),
            })
    return pd.DataFrame(rows)


def plot_published(data: dict[str, Any] | None = None, ax: Any = None, *, with_seed: bool = True) -> Any:
    """Grouped bars: the primary published score per model and benchmark; the seed's figures as black marks.

    A seed figure with no published counterpart (marked "Estimated" by the seed) is drawn as a hollow
    dashed bar, so it never looks like a measurement.
    """
    import matplotlib.pyplot as plt

    data = data or load_published()
    table = published_table(data, primary_only=True)
    benches = list(data["benchmarks"])
    models = list(dict.fromkeys(table["model"]))
    ax = ax or plt.subplots(figsize=(11, 4.2))[1]
    width = 0.8 / len(models)
    seed_labelled = estimate_labelled = False
    for i, model in enumerate(models):
        xs = [b + (i - (len(models) - 1) / 2) * width for b in range(len(benches))]
        sub = table[table["model"] == model].set_index("benchmark")["score"]
        values = [sub.get(b) for b in benches]
        bars = ax.bar(xs, [v if pd.notna(v) else 0 for v in values], width, label=model)
        colour = bars.patches[0].get_facecolor()
        for x, v in zip(xs, values):
            ax.text(x, (v if pd.notna(v) else 0) + 1, f"{v:g}" if pd.notna(v) else "n/a", ha="center", fontsize=7)
        seed = data["seed"]["scores"].get(model, {}) if with_seed else {}
        for x, b in zip(xs, benches):
            if b not in seed:
                continue
            if seed[b].get("estimated"):
                ax.bar(x, seed[b]["score"], width, fill=False, edgecolor=colour, linestyle="--",
                       label=None if estimate_labelled else "seed's estimate (hollow)")
                estimate_labelled = True
            else:
                ax.plot(x, seed[b]["score"], marker="_", markersize=18, markeredgewidth=2.5, color="black",
                        linestyle="none", label=None if seed_labelled else "seed's figure")
                seed_labelled = True
    ax.set_xticks(range(len(benches)), [f"{b}\n({data['benchmarks'][b]['metric']})" for b in benches])
    ax.set(ylabel="score (%)", ylim=(0, 105), title="Published scores (bars) and the seed's figures (black marks)")
    ax.legend(fontsize=8, ncols=3, loc="upper left")
    return ax


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


# ------------------------------------------------------------------------------- code execution
@dataclass
class ExecResult:
    """The outcome of running a program against its unit tests."""

    status: str  # "pass", "fail", "timeout" or "error"
    reason: str
    seconds: float

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __str__(self) -> str:
        return f"{self.status}: {self.reason}" if self.reason else self.status


# Runs first in the child: no socket can be created from Python, whatever module asks. The socket classes
# stay classes (ssl and http.client subclass them at import) but refuse to be instantiated.
_PRELUDE = '''
import socket as _socket_module, _socket

def _no_network(*args, **kwargs):
    raise PermissionError("network access is blocked in the code checker")

class _BlockedSocket(_socket_module.socket):
    def __init__(self, *args, **kwargs):
        _no_network()

class _BlockedRawSocket(_socket.socket):
    def __init__(self, *args, **kwargs):
        _no_network()

_socket_module.socket = _socket_module.SocketType = _BlockedSocket
_socket.socket = _socket.SocketType = _BlockedRawSocket
for _mod in (_socket_module, _socket):
    for _name in ("socketpair", "create_connection", "create_server", "fromfd", "getaddrinfo", "gethostbyname",
                  "gethostbyname_ex", "gethostbyaddr"):
        if hasattr(_mod, _name):
            setattr(_mod, _name, _no_network)
del _mod, _name
'''

_RUNNER = _PRELUDE + '''
import sys, traceback

def main(entry):
    namespace = {"__name__": "solution"}
    try:
        program = compile(open("solution.py", encoding="utf-8").read(), "solution.py", "exec")
    except SyntaxError as exc:
        print(f"SyntaxError: {exc.msg} (solution.py line {exc.lineno})", file=sys.stderr)
        return 3
    try:
        exec(program, namespace)
        exec(compile(open("test.py", encoding="utf-8").read(), "test.py", "exec"), namespace)
        if entry not in namespace:
            print(f"NameError: the program defines no function {entry!r}", file=sys.stderr)
            return 2
        namespace["check"](namespace[entry])
    except AssertionError as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"AssertionError: {frame.line} ({frame.filename} line {frame.lineno})", file=sys.stderr)
        return 1
    except BaseException as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    return 0

sys.exit(main(sys.argv[1]))
'''


def _limits(memory_mb: int, cpu_s: int) -> Callable[[], None] | None:
    """The child's resource limits, applied between fork and exec (None where `resource` is missing)."""
    if resource is None:  # Windows: only the timeout applies
        return None
    limits = [(resource.RLIMIT_CPU, cpu_s), (resource.RLIMIT_FSIZE, 10 * 2**20), (resource.RLIMIT_CORE, 0),
              (resource.RLIMIT_AS, memory_mb * 2**20)]

    def apply() -> None:  # runs in the forked child: no imports, no locks, only system calls
        for which, value in limits:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS; the other limits still hold
                pass

    return apply


def run_code_tests(program: str, test: str, entry_point: str, *, timeout: float = 5.0,
                   memory_mb: int = 512) -> ExecResult:
    """Run `check(entry_point)` from `test` against `program` in a separate, limited process.

    The child is `python -I` (no environment variables, no user site-packages, no current folder on
    the path) in a fresh temporary folder, with an address-space limit of `memory_mb`, a CPU-time
    limit, no core files, Python sockets replaced by a function that raises, and the whole process
    group killed after `timeout` seconds. This keeps honest mistakes (endless loops, runaway memory,
    a stray download) contained; it is not a security sandbox for hostile code.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workbook-code-") as tmp:
        folder = Path(tmp)
        (folder / "solution.py").write_text(program, encoding="utf-8")
        (folder / "test.py").write_text(test, encoding="utf-8")
        (folder / "runner.py").write_text(_RUNNER, encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-I", "runner.py", entry_point], cwd=folder, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
            preexec_fn=_limits(memory_mb, max(1, int(timeout) + 1)), start_new_session=True,
        )
        try:
            _, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return ExecResult("timeout", f"killed after {timeout:g} s", time.perf_counter() - started)
    seconds = time.perf_counter() - started
    last = (err.strip().splitlines() or [""])[-1]
    code = child.returncode
    if code == 0:
        return ExecResult("pass", "", seconds)
    if code == 1:
        return ExecResult("fail", last, seconds)
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return ExecResult("timeout", f"CPU time limit ({signal.Signals(-code).name})", seconds)
    return ExecResult("error", last or f"exit status {code}", seconds)


def check_completion(task: dict[str, Any], reply: str, *, timeout: float = 5.0) -> ExecResult:
    """Extract the program from a model's reply to a code task and run the task's tests on it."""
    program = extract_code(reply, task["prompt"], task["entry_point"])
    return run_code_tests(program, task["test"], task["entry_point"], timeout=timeout)


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


# ---------------------------------------------------------------------------------------- speed
def filler_prompt(words: int) -> str:
    """A prompt of `words` words from the Apache-2.0 licence text (repeated if needed)."""
    from .gguf_tools import heldout_text

    source = heldout_text().split()
    text = (source * (words // len(source) + 1))[:words]
    return "Summarise this text in one sentence:\n\n" + " ".join(text)


def measure_speed(client: Any, model: str, word_counts: Sequence[int] = (40, 200, 750, 1500), *,
                  max_tokens: int = 32, progress: bool = True) -> pd.DataFrame:
    """Time to first token and tokens/s, streamed through the SDK, for prompts of growing length.

    Each length is sent twice: once without streaming and `max_tokens=1` to read the prompt's token
    count from `usage` (a stream does not always report it), then streamed and timed with
    `helpers.chat.stream_with_stats`.
    """
    from tqdm.auto import tqdm

    from .chat import stream_with_stats

    rows = []
    for words in tqdm(word_counts, desc="prompt lengths", disable=not progress):
        messages = [{"role": "user", "content": filler_prompt(words)}]
        counted = client.chat.complete(model=model, messages=messages, max_tokens=1, temperature=0)
        stats = stream_with_stats(client, model, messages, max_tokens=max_tokens, temperature=0)
        rows.append({"prompt tokens": counted.usage.prompt_tokens, "time to first token (s)": stats.ttft_s,
                     "tokens/s": stats.tokens_per_s, "completion tokens": stats.completion_tokens,
                     "total (s)": stats.total_s})
    return pd.DataFrame(rows).set_index("prompt tokens")


def plot_speed(tables: dict[str, pd.DataFrame], reference: dict[str, Any] | None = None) -> Any:
    """Time to first token and tokens/s against prompt length, one line per backend.

    `reference` (from `helpers.vllm_server.cloud_reference`) is drawn as dotted lines, labelled as
    recorded, not measured here.
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, table in tables.items():
        left.plot(table.index, table["time to first token (s)"], marker="o", label=name)
        right.plot(table.index, table["tokens/s"], marker="o", label=name)
    if reference:
        tag = f"La Plateforme ({reference['label']})"
        left.axhline(reference["time_to_first_token_s"], color="grey", linestyle=":", label=tag)
        right.axhline(reference["output_tokens_per_s"], color="grey", linestyle=":", label=tag)
    left.set(xlabel="prompt tokens", ylabel="seconds", title="Time to first token grows with the prompt")
    right.set(xlabel="prompt tokens", ylabel="tokens/s after the first", title="Generation speed")
    right.set_ylim(bottom=0)
    for ax in (left, right):
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def speed_against_cloud(bk: Any, local: pd.DataFrame, *, cloud_model: str = "mistral-small-latest",
                        **kwargs: Any) -> tuple[dict[str, pd.DataFrame], dict[str, Any] | None, str]:
    """The speed lines to plot beside `local` (measured on `bk`), and one sentence saying what they are.

    With MISTRAL_API_KEY set (and `bk` not already La Plateforme), La Plateforme is measured with the
    same prompts now. Without a key, the recorded reference figures of `data/cloud_latency.json`
    (`helpers.vllm_server.cloud_reference`) are returned instead, labelled as not measured here.
    """
    from .backends import connect
    from .vllm_server import cloud_reference

    tables = {f"{bk.name}: {bk.chat_model}": local}
    if bk.name == "mistral":
        return tables, None, "This backend is La Plateforme itself: the line above is the cloud, measured now."
    if os.environ.get("MISTRAL_API_KEY"):
        cloud = connect("mistral", cloud_model, quiet=True)
        tables[f"mistral: {cloud.chat_model}"] = measure_speed(cloud.client, cloud.chat_model, **kwargs)
        return tables, None, f"La Plateforme ({cloud.chat_model}) measured now with the same prompts."
    ref = cloud_reference(cloud_model)
    return tables, ref, (f"No MISTRAL_API_KEY: La Plateforme ({cloud_model}) is shown from recorded figures, "
                         f"~{ref['time_to_first_token_s']} s to first token and ~{ref['output_tokens_per_s']} "
                         f"tokens/s ({ref['label']}; {ref['source']}, {ref['as_of']}).")
