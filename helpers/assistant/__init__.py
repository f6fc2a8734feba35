"""The workbook's own assistant: SmolLM2-135M-Instruct with a LoRA adapter trained on `data/assistant/`.

* `render(record)` turns a training record into (prompt, answer) text with the endpoint's own
  `chat_format.prompt_text`, so the model is trained on exactly what it is served;
* `train_adapter()` trains the LoRA adapter on 2 CPU cores (seeded, with a progress bar) and writes
  it as a GGUF LoRA file with llama.cpp's own `convert_lora_to_gguf.py` (`make assistant`);
* `evaluate(client, model, records)` asks any backend the held-out requests through the SDK and
  scores every reply with the checks the record names (`check_reply`).

Run `python -m helpers.assistant train` or `python -m helpers.assistant evaluate --model NAME`.

A package: `from helpers import assistant` and `assistant.<name>` reach everything below. Each name is
defined in one module (patch it there, where it is looked up):

- `data`: the records (`KINDS`, `NOT_IN_SOURCES`, `assistant_dir`, `load_records`), their rendering
  (`target_text`, `render`), tokens and batches (`Encoded`, `encode`, `token_batches`) and the held-out set's
  separation from training (`normalised_words`, `shared_spans`, `heldout_functions`, `defined_functions`,
  `contaminated`).
- `training`: the recipe (`TrainSettings`, `KIND_EPOCHS`, `LORA_TARGETS`, `lr_at`, `training_plan`), the model
  (`smollm_hf_model`), the loop (`train_adapter`, `TrainReport`) and the adapter file (`ADAPTER_FILE`,
  `BASE_MODEL_ID`, `export_adapter`, `record_adapter`).
- `evaluation`: asking and checking (`REPLY_TOKENS`, `Reply`, `ask`, `check_one`, `check_reply`, `evaluate`) and
  notebook 09's tables and plot (`summary`, `stratified`, `comparison_targets`, `plot_summary`, `recorded_scores`).
- `__main__`: the command line (`main`; `make assistant`, `make assistant-eval`), not re-exported here: runpy
  would warn about running a module the package has already imported.

Inside the package imports go one way, with no cycle: `training` and `evaluation` import `data`; `__main__`
imports all three.
"""

from __future__ import annotations

from .data import (
    KINDS,
    NOT_IN_SOURCES,
    Encoded,
    assistant_dir,
    contaminated,
    defined_functions,
    encode,
    heldout_functions,
    load_records,
    normalised_words,
    render,
    shared_spans,
    target_text,
    token_batches,
)
from .evaluation import (
    REPLY_TOKENS,
    Reply,
    ask,
    check_one,
    check_reply,
    comparison_targets,
    evaluate,
    plot_summary,
    recorded_scores,
    stratified,
    summary,
)
from .training import (
    ADAPTER_FILE,
    BASE_MODEL_ID,
    KIND_EPOCHS,
    LORA_TARGETS,
    TrainReport,
    TrainSettings,
    export_adapter,
    lr_at,
    record_adapter,
    smollm_hf_model,
    train_adapter,
    training_plan,
)

__all__ = [
    # data
    "KINDS", "NOT_IN_SOURCES", "assistant_dir", "load_records", "target_text", "render", "Encoded", "encode",
    "token_batches", "normalised_words", "shared_spans", "heldout_functions", "defined_functions", "contaminated",
    # training
    "ADAPTER_FILE", "BASE_MODEL_ID", "KIND_EPOCHS", "LORA_TARGETS", "TrainSettings", "smollm_hf_model", "lr_at",
    "training_plan", "TrainReport", "train_adapter", "export_adapter", "record_adapter",
    # evaluation
    "REPLY_TOKENS", "Reply", "ask", "check_one", "check_reply", "evaluate", "summary", "stratified",
    "comparison_targets", "plot_summary", "recorded_scores",
]
