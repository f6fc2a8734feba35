"""GPU-style weight quantization, measured on a CPU: GPTQ (gptqmodel), bitsandbytes, and AWQ's idea.

The model is the workbook's Gemma 3 270M stand-in: transformers loads its GGUF into a real
`Gemma3ForCausalLM` (dequantizing it), and `prepare_hf_model()` saves that once in safetensors.
Quantized checkpoints are cached under `<cache>/quantize_hf/`, keyed on everything that shapes them
(source weights, calibration text, settings, library version): a second run reuses them, a fresh
machine really quantizes. Nothing is loaded or imported heavily at import time.

Every name below is re-exported here (`from helpers import quantize_hf as qh`; `qh.gptq_quantize`), but
each is defined, and looked up by the others, in one module:

* `environment`: `import_gptqmodel`, and the libraries' output captured or silenced (`_captured`, `_Sink`,
  `_quiet_transformers`, `_bnb_quiet`);
* `standin`: the Hugging Face stand-in, prepared in one place: `HF_MODEL`, `prepare_hf_model`, `load_tokenizer`,
  `load_base_model`, `parameter_split`;
* `measuring`: `CALIBRATION_FILE`, `BASE_LABEL`, `calibration_text`, `heldout_ids`, `calibration_samples`,
  `perplexity`, `forward_seconds`, `measure`, `measurements_table`;
* `checkpoints`: quantized checkpoints on disk, shared by GPTQ and AWQ: `weights_bytes`, `Checkpoint`, the cache
  key (`_quantize_target`, `_source_id`, `_key`, `_sha256_text`) and gptqmodel's run (`_finished`, `_quantize`);
* `gptq`: `gptq_quantize`, `gptq_quantize_all`, `load_quantized`, `transformers_gptq_check`, `checkpoint_tensors`;
* `bnb`: bitsandbytes: `MB`, `BNB_KINDS`, `BNB_LABELS`, `bnb_config`, `load_bnb`, `memory_footprint`
  (with `_quant_state_bytes`);
* `per_layer`: per-layer weight error: `_dequantized`, `repacked_layers`, `linear_weights`, `layer_errors`,
  `weight_errors`, `plot_layer_errors`, `error_by_kind`;
* `awq`: `rtn_quantize`, `capture_inputs`, `AWQ_ALPHAS`, `awq_scale_search`, `awq_demo`, `awq_quantize_tiny_mistral`;
* `decisions`: sizes and the decision table: `predicted_bytes`, `group_bits`, `nf4_bits`, `seed_table`,
  `SEED_PRECISIONS`, `SEED_MEASURED`, `measured_vs_seed`, `decision_table`, `method_keys`, `recommended`
  (the decision data is read once, by the cached `_decisions`).

To replace a function in a test, patch it in the module that calls it (e.g. `quantize_hf.gptq.prepare_hf_model`):
a patch on this package changes only the re-exported name.
"""

from .awq import AWQ_ALPHAS, awq_demo, awq_quantize_tiny_mistral, awq_scale_search, capture_inputs, rtn_quantize
from .bnb import BNB_KINDS, BNB_LABELS, MB, bnb_config, load_bnb, memory_footprint
from .checkpoints import Checkpoint, weights_bytes
from .decisions import (
    SEED_MEASURED,
    SEED_PRECISIONS,
    decision_table,
    group_bits,
    measured_vs_seed,
    method_keys,
    nf4_bits,
    predicted_bytes,
    recommended,
    seed_table,
)
from .environment import _bnb_quiet as _bnb_quiet
from .environment import _captured as _captured
from .environment import _quiet_transformers as _quiet_transformers
from .environment import import_gptqmodel
from .gptq import checkpoint_tensors, gptq_quantize, gptq_quantize_all, load_quantized, transformers_gptq_check
from .measuring import (
    BASE_LABEL,
    CALIBRATION_FILE,
    calibration_samples,
    calibration_text,
    forward_seconds,
    heldout_ids,
    measure,
    measurements_table,
    perplexity,
)
from .per_layer import _dequantized as _dequantized
from .per_layer import error_by_kind, layer_errors, linear_weights, plot_layer_errors, repacked_layers, weight_errors
from .standin import HF_MODEL, load_base_model, load_tokenizer, parameter_split, prepare_hf_model

__all__ = [
    # environment
    "import_gptqmodel",
    # standin
    "HF_MODEL", "prepare_hf_model", "load_tokenizer", "load_base_model", "parameter_split",
    # measuring
    "CALIBRATION_FILE", "BASE_LABEL", "calibration_text", "heldout_ids", "calibration_samples", "perplexity",
    "forward_seconds", "measure", "measurements_table",
    # checkpoints
    "weights_bytes", "Checkpoint",
    # gptq
    "gptq_quantize", "gptq_quantize_all", "load_quantized", "transformers_gptq_check", "checkpoint_tensors",
    # bnb
    "MB", "BNB_KINDS", "BNB_LABELS", "bnb_config", "load_bnb", "memory_footprint",
    # per_layer
    "repacked_layers", "linear_weights", "layer_errors", "weight_errors", "plot_layer_errors", "error_by_kind",
    # awq
    "rtn_quantize", "capture_inputs", "AWQ_ALPHAS", "awq_scale_search", "awq_demo", "awq_quantize_tiny_mistral",
    # decisions
    "predicted_bytes", "group_bits", "nf4_bits", "seed_table", "SEED_PRECISIONS", "SEED_MEASURED",
    "measured_vs_seed", "decision_table", "method_keys", "recommended",
]
