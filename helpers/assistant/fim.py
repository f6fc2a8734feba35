"""The fill-in-the-middle stand-in: SmolLM2 with a second adapter of the workbook's, trained on `data/fim/`.

Codestral fills the gap between a `prompt` and a `suffix` (`client.fim.complete`). SmolLM2 has no FIM
tokens, so the stand-in reads the request as chat messages (`helpers.engine.fim_format`) and was trained
here on cuts of short Python functions the workbook wrote (`scripts/fim_data/`, `make fim-data`):

* `load_cases(split)` reads `data/fim/train.jsonl` or `heldout.jsonl`; `as_record(case)` is a training
  record in the assistant's format, so `train_adapter` trains it unchanged (`make fim`);
* `evaluate_fim(client, model, cases)` asks any backend for each held-out middle through the mistralai
  SDK and runs the filled function's tests in a separate, limited process (`make fim-eval`);
  `recorded_scores()` reads what that command last measured.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..engine import fim_format
from ..paths import data_dir
from .training import TrainSettings

FIM_ADAPTER_FILE = "workbook-fim-lora.gguf"
FIM_SETTINGS = TrainSettings(epochs=2.0, kind_epochs={}, seed=20261203)
FIM_MAX_TOKENS = 96  # a held-out middle is one line; room for a model that writes more


def fim_dir() -> Path:
    return data_dir() / "fim"


def load_cases(split: str = "train") -> list[dict[str, Any]]:
    """The training examples (`train`) or the held-out cases (`heldout`) of `data/fim/`."""
    if split not in ("train", "heldout"):
        raise ValueError(f"Unknown split {split!r}; choose train or heldout.")
    text = (fim_dir() / f"{split}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def recorded_scores() -> dict[str, Any]:
    """The last `make fim-eval` (`data/fim/heldout_scores.json`): pass rate over every held-out case, and each result."""
    return json.loads((fim_dir() / "heldout_scores.json").read_text(encoding="utf-8"))


def as_record(case: dict[str, Any]) -> dict[str, Any]:
    """A FIM example as a chat training record: the messages the endpoint builds, and the middle as the answer."""
    messages = fim_format.fim_messages(case["prompt"], case["suffix"])
    return {"id": case["id"], "kind": "fim", "messages": [*messages, {"role": "assistant", "content": case["middle"]}]}


def fill(client: Any, model: str, case: dict[str, Any], max_tokens: int = FIM_MAX_TOKENS, *,
         via_chat: bool = False) -> str:
    """The middle a backend writes for a case, through `client.fim.complete` (temperature 0).

    `via_chat=True` sends the same messages the endpoint builds to `client.chat.complete` instead: how a
    chat model without the FIM adapter (SmolLM2 as shipped) is measured on the very same prompt.
    """
    if via_chat:
        response = client.chat.complete(model=model, messages=fim_format.fim_messages(case["prompt"], case["suffix"]),
                                        temperature=0, max_tokens=max_tokens)
    else:
        response = client.fim.complete(model=model, prompt=case["prompt"], suffix=case["suffix"], temperature=0,
                                       max_tokens=max_tokens)
    content = response.choices[0].message.content
    return content if isinstance(content, str) else ""


def evaluate_fim(client: Any, model: str, cases: Sequence[dict[str, Any]] | None = None, *,
                 progress: bool = True, via_chat: bool = False) -> Any:
    """Fill every held-out case and run its function's tests: a DataFrame (id, function, passed, exact, why, middle)."""
    import pandas as pd
    from tqdm.auto import tqdm

    from ..bench import run_code_tests

    rows = []
    for case in tqdm(cases if cases is not None else load_cases("heldout"), desc=f"filling middles ({model})",
                     disable=not progress):
        started = time.perf_counter()
        middle = fill(client, model, case, via_chat=via_chat)
        seconds = time.perf_counter() - started
        result = run_code_tests(case["prompt"] + middle + case["suffix"], case["test"], case["entry_point"])
        rows.append({"id": case["id"], "function": case["function"], "passed": result.status == "pass",
                     "exact": middle.strip() == case["middle"].strip(), "why": result.reason, "middle": middle,
                     "expected": case["middle"], "seconds": round(seconds, 2)})
    return pd.DataFrame(rows)
