"""LoRA and QLoRA fine-tuning on a CPU, and the way back to a served model.

The task is the seed article's world: label a security log line with JSON
`{"verdict": "malicious|suspicious|benign", "category": "..."}` (`data/finetune/`, see its README).
The model is the Gemma 3 270M stand-in in Hugging Face form (`quantize_hf.prepare_hf_model`).

One rendering function, `chat_format.mistral_v3_text`, writes every prompt in Mistral's v3 instruct
format with `mistral-common`: the training examples here, and the prompts the endpoint builds when
it serves the fine-tuned model (`workbook-mistral-v3` format). Training loss is computed on the
answer tokens only (prompt labels are -100), and logits only where a label exists: with a
262,144-token vocabulary, the output layer is most of the compute.

Nothing heavy is imported or loaded at import time.

A package: `from helpers import finetune as ft` and `ft.<name>` reach everything below. Each name is
defined in one module (patch it there, where it is looked up):

- `data`: the examples (`load_examples`, `categories`, `source_table`, `SPLITS`, `VERDICTS`, `INSTRUCTION`),
  their rendering (`chat_messages`, `label_json`, `render_prompt`, `render_example`), tokens and the loss
  mask (`IGNORE_INDEX`, `TrainExample`, `label_mask`, `check_specials`, `encode_example`, `encode_mistral_v3`,
  `mask_table`, `mistral_v3_pieces`).
- `training`: batches and the loss (`collate`, `answer_loss`), LoRA setup (`LORA_TARGETS`, `set_seed`,
  `lora_config`, `add_lora`, `trainable_share`, `lora_parameters`), the loop (`batches`, `training_step`,
  `train`, `TrainResult`, `LOSS_WINDOW`) and its plots (`LossPlot`, `plot_losses`).
- `evaluation`: `generate`, `parse_label`, `score`, `metrics`, `evaluate`, `compare`, `before_after`,
  `plot_before_after`.
- `qlora`: the models (`load_train_model`, `load_qlora_base`, `disable_cpu_repack`, `quiet`) and the gradient
  check (`dequantized_reference`, `lora_gradients`, `gradient_difference`, `randomize_lora_b`, `copy_lora`).
- `adapters`: save, reload, merge, export (`finetune_dir`, `folder_bytes`, `save_adapter`, `load_adapter`,
  `logits_of`, `max_logit_difference`, `export_merged`, `MERGED_NAME`, `to_gguf`) and serving the result
  (`ADAPTED_ALIAS`, `ask_served`).
- `gpu`: the GPU path on paper (`SEED_CONFIG`, `MISTRAL_7B_LAYERS`, `MISTRAL_7B_ATTENTION`,
  `mistral_7b_lora_share`, `gpu_qlora_settings`, `qlora_memory_gb`, `ACCELERATE_FSDP_CONFIG`,
  `ACCELERATE_LAUNCH`, `gpu_example_run`).

Inside the package imports go one way, with no cycle: `evaluation` and `training` import `data`; `qlora` imports
`training`; `adapters` imports `data`, `training` and `qlora`; `gpu` imports `training` and `adapters`.
"""

from __future__ import annotations

from ..paths import data_dir  # tests read the dataset's folder as `ft.data_dir()`
from .adapters import (
    ADAPTED_ALIAS,
    MERGED_NAME,
    ask_served,
    export_merged,
    finetune_dir,
    folder_bytes,
    load_adapter,
    logits_of,
    max_logit_difference,
    save_adapter,
    to_gguf,
)
from .data import (
    IGNORE_INDEX,
    INSTRUCTION,
    SPLITS,
    VERDICTS,
    TrainExample,
    categories,
    chat_messages,
    check_specials,
    encode_example,
    encode_mistral_v3,
    label_json,
    label_mask,
    load_examples,
    mask_table,
    mistral_v3_pieces,
    render_example,
    render_prompt,
    source_table,
)
from .evaluation import before_after, compare, evaluate, generate, metrics, parse_label, plot_before_after, score
from .gpu import (
    ACCELERATE_FSDP_CONFIG,
    ACCELERATE_LAUNCH,
    MISTRAL_7B_ATTENTION,
    MISTRAL_7B_LAYERS,
    SEED_CONFIG,
    gpu_example_run,
    gpu_qlora_settings,
    mistral_7b_lora_share,
    qlora_memory_gb,
)
from .qlora import (
    copy_lora,
    dequantized_reference,
    disable_cpu_repack,
    gradient_difference,
    load_qlora_base,
    load_train_model,
    lora_gradients,
    quiet,
    randomize_lora_b,
)
from .training import (
    LORA_TARGETS,
    LOSS_WINDOW,
    LossPlot,
    TrainResult,
    add_lora,
    answer_loss,
    batches,
    collate,
    lora_config,
    lora_parameters,
    plot_losses,
    set_seed,
    train,
    trainable_share,
    training_step,
)

__all__ = [
    # data
    "IGNORE_INDEX", "VERDICTS", "SPLITS", "INSTRUCTION", "load_examples", "source_table", "categories", "label_json",
    "chat_messages", "render_prompt", "render_example", "TrainExample", "label_mask", "check_specials",
    "encode_example", "encode_mistral_v3", "mask_table", "mistral_v3_pieces",
    # training
    "LORA_TARGETS", "collate", "answer_loss", "set_seed", "lora_config", "add_lora", "trainable_share",
    "lora_parameters", "LossPlot", "LOSS_WINDOW", "TrainResult", "batches", "training_step", "train", "plot_losses",
    # evaluation
    "generate", "parse_label", "score", "metrics", "evaluate", "compare", "before_after", "plot_before_after",
    # qlora
    "load_train_model", "disable_cpu_repack", "load_qlora_base", "dequantized_reference", "lora_gradients",
    "gradient_difference", "randomize_lora_b", "copy_lora", "quiet",
    # adapters
    "ADAPTED_ALIAS", "MERGED_NAME", "finetune_dir", "folder_bytes", "save_adapter", "load_adapter", "logits_of",
    "max_logit_difference", "export_merged", "to_gguf", "ask_served",
    # gpu
    "SEED_CONFIG", "MISTRAL_7B_LAYERS", "MISTRAL_7B_ATTENTION", "mistral_7b_lora_share", "gpu_qlora_settings",
    "qlora_memory_gb", "ACCELERATE_FSDP_CONFIG", "ACCELERATE_LAUNCH", "gpu_example_run",
    # from helpers.paths
    "data_dir",
]
