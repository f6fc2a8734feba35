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

A package: `from helpers import bench` and `bench.<name>` reach everything below. Each name is defined in one
module (patch it there, where it is looked up):

- `items`: the items (`LETTERS`, `TASKS`, `bench_dir`, `load_items`, `validate_items`) and the extraction of an
  answer from a reply (`extract_choice`, `extract_number`, `numbers_match`, `extract_code`).
- `code_check`: the code checker (`ExecResult`, `run_code_tests`, `check_completion`).
- `harness`: prompts (`mcq_prompt`, `arithmetic_prompt`, `code_prompt`, `PROMPTS`, `few_shot_messages`), the
  run over the items (`TaskSpec`, `SPECS`, `ask`, `score`, `run_task`) and its summary (`accuracy_table`,
  `plot_accuracy`).
- `published`: published scores (`load_published`, `published_table`, `seed_vs_sources`, `plot_published`).
- `speed`: latency and the cloud's figures (`filler_prompt`, `measure_speed`, `plot_speed`, `speed_against_cloud`).

Inside the package imports go one way, with no cycle: `published` and `code_check` import `items`; `harness`
imports `items` and `code_check`; `speed` imports none of them.
"""

from __future__ import annotations

from .code_check import ExecResult, check_completion, run_code_tests
from .harness import (
    PROMPTS,
    SPECS,
    TaskSpec,
    accuracy_table,
    arithmetic_prompt,
    ask,
    code_prompt,
    few_shot_messages,
    mcq_prompt,
    plot_accuracy,
    run_task,
    score,
)
from .items import (
    LETTERS,
    TASKS,
    bench_dir,
    extract_choice,
    extract_code,
    extract_number,
    load_items,
    numbers_match,
    validate_items,
)
from .published import load_published, plot_published, published_table, seed_vs_sources
from .speed import filler_prompt, measure_speed, plot_speed, speed_against_cloud

__all__ = [
    # items
    "LETTERS", "TASKS", "bench_dir", "load_items", "validate_items", "extract_choice", "extract_number",
    "numbers_match", "extract_code",
    # code_check
    "ExecResult", "run_code_tests", "check_completion",
    # harness
    "mcq_prompt", "arithmetic_prompt", "code_prompt", "PROMPTS", "few_shot_messages", "TaskSpec", "SPECS", "ask",
    "score", "run_task", "accuracy_table", "plot_accuracy",
    # published
    "load_published", "published_table", "seed_vs_sources", "plot_published",
    # speed
    "filler_prompt", "measure_speed", "plot_speed", "speed_against_cloud",
]
