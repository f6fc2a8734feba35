"""GGUF in practice: convert a Hugging Face model, read a GGUF file, quantize it, and measure each level.

* conversion runs llama.cpp's own `convert_hf_to_gguf.py` (prepared by `helpers.engine.llama_sources`)
  with this environment's Python;
* reading uses the `gguf` package's `GGUFReader`: all metadata for `gguf_metadata`, and the tensor
  list alone (`helpers.model_files.gguf_tensor_index`, cached) everywhere else;
* quantization calls `llama_cpp.llama_model_quantize`, the C function behind `llama-quantize`;
* measurements (load time, prompt and generation speed, perplexity) use llama.cpp through
  llama-cpp-python, one thread by default.

Converted and quantized files are cached under `<cache>/gguf/`, keyed by their source's hash, so a
second run reuses them; a fresh machine produces them. Nothing is loaded at import.

Every name below is re-exported here (`from helpers import gguf_tools as gg`; `gg.quantize_ladder`), but
each is defined, and looked up by the others, in one module:

* `files`: `MIB`, `sha256_file`, `gguf_cache` (the `<cache>/gguf` folder), `file_mib`, `bits_per_weight`;
* `conversion`: llama.cpp's converter: `CONVERTER_OUTTYPES`, `convert_hf_to_gguf`;
* `reading`: GGUF metadata and tensors: `gguf_metadata`, `gguf_tensors`, `tensor_index`, `parameter_count`,
  `type_mix`, `tensor_spans`, `compare_tensor_bytes`, `type_mix_by_level`;
* `llama_runtime`: llama.cpp through llama-cpp-python: `quiet_llama` (its log lines), `llama_model`, and
  the batch decoding the measurements share (`_Batch`, `_decode`, `_clear`, `_decode_all`);
* `logits`: tokens and logits against the originals: `gguf_tokens`, `mistral_common_tokens`, `compare_logits`;
* `quantization`: the ladder: `LEVELS`, `LADDER`, `QuantizeReport`, `quantize`, `quantize_ladder`, `ladder_files`;
* `measurement`: benchmarks per level: `perplexity`, `greedy_generate`, `LevelMeasurement`, `measure_level`,
  `eval_tokens_for`, `measure_ladder`, `results_table`, `best_under_budget`, `size_falls_with_bits`;
* `seed`: the seed article's table and recipe: `heldout_text`, `seed_table`, `seed_recipe`, `seed_vs_measured`;
* `plots`: `plot_size_vs_perplexity`, `plot_speed_vs_size`, `side_by_side`.

To replace a function in a test, patch it in the module that calls it (e.g. `gguf_tools.quantization.quiet_llama`):
a patch on this package changes only the re-exported name.
"""

from .conversion import CONVERTER_OUTTYPES, convert_hf_to_gguf
from .files import MIB, bits_per_weight, file_mib, gguf_cache, sha256_file
from .llama_runtime import llama_model, quiet_llama
from .logits import compare_logits, gguf_tokens, mistral_common_tokens
from .measurement import (
    LevelMeasurement,
    best_under_budget,
    eval_tokens_for,
    greedy_generate,
    measure_ladder,
    measure_level,
    perplexity,
    results_table,
    size_falls_with_bits,
)
from .plots import plot_size_vs_perplexity, plot_speed_vs_size, side_by_side
from .quantization import LADDER, LEVELS, QuantizeReport, ladder_files, quantize, quantize_ladder
from .reading import (
    compare_tensor_bytes,
    gguf_metadata,
    gguf_tensors,
    parameter_count,
    tensor_index,
    tensor_spans,
    type_mix,
    type_mix_by_level,
)
from .seed import heldout_text, seed_recipe, seed_table, seed_vs_measured

__all__ = [
    # files
    "MIB", "sha256_file", "gguf_cache", "file_mib", "bits_per_weight",
    # conversion
    "CONVERTER_OUTTYPES", "convert_hf_to_gguf",
    # reading
    "gguf_metadata", "gguf_tensors", "tensor_index", "parameter_count", "type_mix", "tensor_spans",
    "compare_tensor_bytes", "type_mix_by_level",
    # llama_runtime
    "quiet_llama", "llama_model",
    # logits
    "gguf_tokens", "mistral_common_tokens", "compare_logits",
    # quantization
    "LEVELS", "LADDER", "QuantizeReport", "quantize", "quantize_ladder", "ladder_files",
    # measurement
    "perplexity", "greedy_generate", "LevelMeasurement", "measure_level", "eval_tokens_for", "measure_ladder",
    "results_table", "best_under_budget", "size_falls_with_bits",
    # seed
    "heldout_text", "seed_table", "seed_recipe", "seed_vs_measured",
    # plots
    "plot_size_vs_perplexity", "plot_speed_vs_size", "side_by_side",
]
