"""GPU-style weight quantization, measured on a CPU: GPTQ (gptqmodel), bitsandbytes, and AWQ's idea.

The model is the workbook's Gemma 3 270M stand-in: transformers loads its GGUF into a real
`Gemma3ForCausalLM` (dequantizing it), and `prepare_hf_model()` saves that once in safetensors.
Quantized checkpoints are cached under `<cache>/quantize_hf/`, keyed on everything that shapes them
(source weights, calibration text, settings, library version): a second run reuses them, a fresh
machine really quantizes. Nothing is loaded or imported heavily at import time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from .embedded import GEMMA_ALIAS, embedded_model_info, prepare_gemma_model, prepare_tiny_mistral
from .model_files import cache_subdir, seed_rows
from .paths import cache_dir, data_dir

MB = 1e6
HF_MODEL = "standin-gemma-3-270m-hf"
CALIBRATION_FILE = "python_reference.txt"
BNB_KINDS = ("int8", "nf4", "fp4", "nf4-dq")
BNB_LABELS = {"int8": "bnb int8", "nf4": "bnb nf4", "fp4": "bnb fp4", "nf4-dq": "bnb nf4 + double quant"}
BASE_LABEL = "BF16 (unquantized)"


# --- environment -----------------------------------------------------------------------------------

def import_gptqmodel() -> Any:
    """Import gptqmodel with the environment it needs on a small CPU, protecting the reader's HF cache.

    gptqmodel's tokenizer helper sets HF_HOME to a temporary folder when none is set; pinning the
    standard locations first keeps the reader's Hugging Face cache where it was.
    """
    from huggingface_hub import constants

    os.environ.setdefault("HF_HOME", constants.HF_HOME)
    os.environ.setdefault("HF_HUB_CACHE", constants.HF_HUB_CACHE)
    os.environ.setdefault("HF_MODULES_CACHE", os.path.join(constants.HF_HOME, "modules"))
    # On 2 cores gptqmodel defaults to 1 CPU worker, and loading then fails with "Virtual pool
    # 'model_loader:cpu' requests 2 workers but parent 'cpu' only has 1".
    os.environ.setdefault("GPTQMODEL_CPU_WORKERS", str(max(2, ((os.cpu_count() or 1) + 1) // 2)))
    os.environ.setdefault("LOGBAR_DISABLE_NOTEBOOK_DETECTION", "1")  # plain text logs, which we capture
    try:
        with _captured(None):  # its import prints a banner and probes optional kernels
            import gptqmodel
    except ImportError as exc:  # pragma: no cover - the workbook's requirements install it
        raise ImportError("gptqmodel is not installed: `pip install gptqmodel==7.6.0` (CPU needs g++ and ninja).") from exc
    return gptqmodel


class _Sink:
    """A write-only stream for captured output; once finished it drops writes instead of raising.

    Libraries sometimes create logging handlers while their output is captured; those handlers keep
    this object, so it must stay writable after the capture ends.
    """

    def __init__(self, path: Path | None):
        self._file = path.open("a", encoding="utf-8") if path else None

    def write(self, text: str) -> int:
        if self._file is not None:
            self._file.write(text)
        return len(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def isatty(self) -> bool:
        return False

    def finish(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@contextlib.contextmanager
def _captured(log_path: Path | None) -> Iterator[None]:
    """Send a library's console chatter (progress redraws, INFO tables, warnings) to a log file, or nowhere."""
    sink = _Sink(log_path)
    previous = logging.root.manager.disable
    try:
        logging.disable(logging.WARNING)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        logging.disable(previous)
        sink.finish()


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No per-tensor progress bars or load reports from transformers while the helper loads models."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(level)


@contextlib.contextmanager
def _bnb_quiet() -> Iterator[None]:
    """Silence bitsandbytes' int8 warning, which repeats on every layer of every forward pass."""
    chatty = logging.getLogger("bitsandbytes")
    level = chatty.level
    chatty.setLevel(logging.ERROR)
    try:
        yield
    finally:
        chatty.setLevel(level)


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _quantize_target(method: str, source: Path, bits: int, group_size: int, n_samples: int,
                     seq_len: int) -> tuple[dict, Path]:
    """The inputs that define a quantized checkpoint, and the cache folder keyed on them."""
    from importlib.metadata import version

    inputs = {"method": method, "bits": bits, "group_size": group_size, "n_samples": n_samples, "seq_len": seq_len,
              "source": _source_id(source), "calibration": _sha256_text(calibration_text()),
              "gptqmodel": version("gptqmodel")}
    return inputs, cache_subdir("quantize_hf") / f"{source.name}-{method}-w{bits}g{group_size}-{_key(inputs)}"


def _source_id(source: Path) -> str:
    """What identifies a source checkpoint's weights: its recorded sha256 or manifest, else path, size and time."""
    for marker in (".source-sha256", ".manifest.json"):
        if (source / marker).exists():
            return _sha256_text((source / marker).read_text())
    files = sorted(source.glob("*.safetensors"))
    return _sha256_text(json.dumps([[str(f), f.stat().st_size, f.stat().st_mtime] for f in files]))


def _key(inputs: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:12]


def weights_bytes(folder: Path, pattern: str = "*.safetensors") -> int:
    """Bytes of a checkpoint's weight files (`*.safetensors`, or `pattern`), the size on disk that matters."""
    files = list(Path(folder).glob(pattern))
    if not files:
        raise FileNotFoundError(f"No {pattern} in {folder}; prepare, quantize or save the model there first.")
    return sum(f.stat().st_size for f in files)


# --- the stand-in in Hugging Face form -------------------------------------------------------------

def prepare_hf_model(progress: bool = True) -> Path:
    """The chat stand-in as a transformers checkpoint (BF16 safetensors), converted once from its GGUF.

    transformers dequantizes the GGUF's Q4_K_M tensors while loading (about a minute on 2 cores); the
    result is saved under the cache folder with the GGUF's sha256, so later calls return at once.
    """
    gguf = prepare_gemma_model(progress)
    source_sha = embedded_model_info()[GEMMA_ALIAS]["sha256"]
    folder = cache_dir() / HF_MODEL
    marker = folder / ".source-sha256"
    if marker.exists() and marker.read_text() == source_sha and (folder / "model.safetensors").exists():
        return folder

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with contextlib.nullcontext() if progress else _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # float32 is the dtype transformers' GGUF loader works in; the BF16 cast comes after dequantizing.
        model: Any = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    model = model.to(torch.bfloat16)
    # The weights are plain tensors now; drop the GGUF loader's marks so transformers will save them.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    terms = gguf.parent / "GEMMA_TERMS.html"
    if terms.exists():
        shutil.copy2(terms, partial / terms.name)
    (partial / ".source-sha256").write_text(source_sha)
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return folder


def load_tokenizer(folder: Path | None = None) -> Any:
    """The stand-in's tokenizer (Gemma 3, 262,144 tokens) from the prepared checkpoint."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder or prepare_hf_model(progress=False))


def load_base_model(folder: Path | None = None) -> Any:
    """The unquantized stand-in in BF16 on the CPU, in eval mode."""
    import torch
    from transformers import AutoModelForCausalLM

    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=torch.bfloat16)
    return model.eval()


def parameter_split(model: Any) -> dict[str, int]:
    """Parameters in the decoder's linear layers (what GPTQ/AWQ/bitsandbytes quantize) and everything else."""
    import torch

    linear = sum(m.weight.numel() for name, m in model.named_modules()
                 if isinstance(m, torch.nn.Linear) and name != "lm_head")
    total = sum(p.numel() for p in model.parameters())  # a tied lm_head is counted once
    return {"linear": linear, "embeddings and rest": total - linear, "total": total}


# --- text ------------------------------------------------------------------------------------------

def calibration_text() -> str:
    """The calibration text for GPTQ (`data/calibration/`, see its README for source and licence)."""
    path = data_dir() / "calibration" / CALIBRATION_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore data/calibration/ from the repository.")
    return path.read_text(encoding="utf-8")


def heldout_ids(tokenizer: Any, n_tokens: int = 512, name: str = "apache-2.0.txt") -> Any:
    """The first `n_tokens` tokens (BOS included) of a text in `data/heldout/` (notebook 07's), as a 1 x n tensor."""
    path = data_dir() / "heldout" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore data/heldout/ from the repository.")
    ids = tokenizer(path.read_text(encoding="utf-8"), return_tensors="pt")["input_ids"][:, :n_tokens]
    if ids.shape[1] < n_tokens:
        raise ValueError(f"The held-out text has only {ids.shape[1]} tokens; ask for at most that many.")
    return ids


def calibration_samples(tokenizer: Any, n_samples: int = 16, seq_len: int = 256) -> list[dict[str, list[int]]]:
    """`n_samples` consecutive windows of `seq_len` tokens of the calibration text, each starting with BOS."""
    ids = tokenizer(calibration_text(), add_special_tokens=False)["input_ids"]
    step = seq_len - 1
    if len(ids) < n_samples * step:
        raise ValueError(f"The calibration text has {len(ids)} tokens; {n_samples} x {seq_len} needs more. "
                         "Lower n_samples or seq_len.")
    bos = tokenizer.bos_token_id
    return [{"input_ids": [bos] + ids[i * step:(i + 1) * step], "attention_mask": [1] * seq_len}
            for i in range(n_samples)]


def perplexity(model: Any, ids: Any) -> float:
    """Perplexity of a causal LM on `ids` (1 x n) in one window: exp(mean negative log-likelihood)."""
    import torch

    with _bnb_quiet(), torch.inference_mode():
        loss = model(input_ids=ids, labels=ids).loss
    return float(math.exp(loss.float().item()))


def forward_seconds(model: Any, ids: Any, repeats: int = 2) -> float:
    """Best of `repeats` timed forward passes over `ids` (run after a warm-up such as `perplexity`)."""
    import torch

    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        with torch.inference_mode():
            model(input_ids=ids)
        best = min(best, time.perf_counter() - started)
    return best


def measure(label: str, model: Any, ids: Any, disk_bytes: int | None = None) -> dict[str, Any]:
    """One row of the measurement table: memory (with quantization constants), size on disk, perplexity, speed.

    Speed is the best of two 128-token forward passes after the perplexity pass has warmed the kernels up.
    """
    footprint = memory_footprint(model)  # first: on AVX512-BF16 CPUs a forward pass repacks 4-bit scales
    ppl = perplexity(model, ids)
    with _bnb_quiet():
        seconds = forward_seconds(model, ids[:, :128])
    return {"method": label, "get_memory_footprint MB": footprint["get_memory_footprint MB"],
            "memory MB": footprint["with quant constants MB"],
            "disk MB": round(disk_bytes / MB, 1) if disk_bytes else None, "perplexity": round(ppl, 3),
            "forward ms": round(seconds * 1000)}


def measurements_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The measurement rows as a table, with each perplexity also as a multiple of the BF16 model's."""
    frame = pd.DataFrame(list(rows)).set_index("method")
    if BASE_LABEL not in frame.index:
        raise KeyError(f"Measure the unquantized model first, labelled {BASE_LABEL!r}: every ratio is relative to it.")
    frame["perplexity x BF16"] = (frame["perplexity"] / frame.loc[BASE_LABEL, "perplexity"]).round(3)
    return frame


# --- GPTQ with gptqmodel ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Checkpoint:
    """A quantized checkpoint on disk, and how it was obtained this time."""

    path: Path
    reused: bool
    quantize_seconds: float  # of the run that produced it (0 if unknown)

    @property
    def size_bytes(self) -> int:
        return weights_bytes(self.path)


def _finished(folder: Path) -> Checkpoint | None:
    info = folder / "quantize_info.json"
    if info.exists() and any(folder.glob("*.safetensors")):
        return Checkpoint(folder, True, float(json.loads(info.read_text()).get("seconds", 0.0)))
    return None


def _quantize(method: str, source: Path, inputs: dict[str, Any], samples: list[dict[str, list[int]]],
              folder: Path, backend: str | None = None, config: Any = None) -> Checkpoint:
    gptqmodel = import_gptqmodel()
    if (done := _finished(folder)) is not None:
        return done
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if config is None:
        config_class = gptqmodel.GPTQConfig if method == "gptq" else gptqmodel.AWQConfig
        config = config_class(bits=inputs["bits"], group_size=inputs["group_size"], offload_to_disk=False)
    started = time.perf_counter()
    with _captured(partial / "quantize.log"), _quiet_transformers():
        model = gptqmodel.GPTQModel.load(str(source), config)
        kwargs = {"backend": getattr(gptqmodel.BACKEND, backend)} if backend else {}
        model.quantize(samples, batch_size=8, **kwargs)
        model.save(str(partial))
    seconds = time.perf_counter() - started
    (partial / "quantize_info.json").write_text(json.dumps({**inputs, "seconds": round(seconds, 1)}, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return Checkpoint(folder, False, seconds)


def gptq_quantize(config: Any, n_samples: int = 16, seq_len: int = 256, source: Path | None = None) -> Checkpoint:
    """GPTQ-quantize the stand-in's linear layers with gptqmodel on the CPU (cached on all its inputs).

    `config` is a `gptqmodel.GPTQConfig` (its `bits` and `group_size` are used as given), or just a bit width.
    The work is gptqmodel's three calls: `GPTQModel.load(source, config)`, `model.quantize(calibration)`
    and `model.save(folder)`. Calibration: `n_samples` windows of `seq_len` tokens from `data/calibration/`.
    Embeddings and the (tied) output head stay BF16, as in every GPTQ checkpoint.
    """
    if isinstance(config, int):
        config = import_gptqmodel().GPTQConfig(bits=config, group_size=128, offload_to_disk=False)
    bits, group_size = int(config.bits), int(config.group_size)
    if bits not in (2, 3, 4, 8):
        raise ValueError(f"GPTQ supports 2, 3, 4 or 8 bits, not {bits}.")
    source = source or prepare_hf_model(progress=False)
    inputs, folder = _quantize_target("gptq", source, bits, group_size, n_samples, seq_len)
    if (done := _finished(folder)) is not None:
        return done
    samples = calibration_samples(load_tokenizer(source), n_samples, seq_len)
    return _quantize("gptq", source, inputs, samples, folder, config=config)


def load_quantized(checkpoint: Checkpoint | Path, backend: str = "AUTO") -> Any:
    """Load a GPTQ or AWQ checkpoint with gptqmodel on the CPU; returns the transformers model inside.

    `backend="AUTO"` lets gptqmodel pick its fastest CPU kernel; `"TORCH"` keeps the plain torch
    kernel, whose layers can hand back their dequantized weights (`dequantize_weight()`).
    """
    gptqmodel = import_gptqmodel()
    path = checkpoint.path if isinstance(checkpoint, Checkpoint) else Path(checkpoint)
    with _captured(None), _quiet_transformers():
        wrapped = gptqmodel.GPTQModel.load(str(path), backend=getattr(gptqmodel.BACKEND, backend), device="cpu")
    return wrapped.model.eval()


def transformers_gptq_check(checkpoint: Checkpoint | Path) -> str:
    """Try transformers' own loader on a GPTQ checkpoint; say what happened (it needs optimum and gptqmodel)."""
    from transformers import AutoModelForCausalLM

    path = checkpoint.path if isinstance(checkpoint, Checkpoint) else Path(checkpoint)
    import_gptqmodel()
    try:
        with _captured(None), _quiet_transformers():
            model = AutoModelForCausalLM.from_pretrained(path, device_map="cpu")
    except ImportError as exc:
        return f"transformers could not load it: ImportError: {exc}"
    return f"transformers loaded it as {type(model).__name__} with {type(model.model.layers[0].self_attn.q_proj).__name__} layers"


def checkpoint_tensors(checkpoint: Checkpoint | Path, layer: str = "model.layers.0.self_attn.q_proj") -> pd.DataFrame:
    """The tensors one quantized linear layer is stored as: name, dtype and shape."""
    from safetensors import safe_open

    path = checkpoint.path if isinstance(checkpoint, Checkpoint) else Path(checkpoint)
    rows = []
    for file in sorted(path.glob("*.safetensors")):
        with safe_open(str(file), "pt") as f:
            names = f.keys()  # a safetensors handle, not a dict
            for name in names:
                if name.startswith(layer + "."):
                    t = f.get_slice(name)
                    rows.append({"tensor": name[len(layer) + 1:], "dtype": t.get_dtype(), "shape": tuple(t.get_shape())})
    if not rows:
        raise KeyError(f"No tensors named {layer}.* in {path}; pass a linear layer's full name.")
    return pd.DataFrame(rows).set_index("tensor")


# --- bitsandbytes ----------------------------------------------------------------------------------

def bnb_config(kind: str) -> Any:
    """A transformers `BitsAndBytesConfig` for `int8`, `nf4`, `fp4` or `nf4-dq` (NF4 + double quantization)."""
    import torch
    from transformers import BitsAndBytesConfig

    if kind == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    if kind in ("nf4", "fp4", "nf4-dq"):
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=kind[:3],
                                  bnb_4bit_use_double_quant=kind.endswith("-dq"),
                                  bnb_4bit_compute_dtype=torch.bfloat16)
    raise ValueError(f"Unknown bitsandbytes kind {kind!r}; choose one of {', '.join(BNB_KINDS)}.")


def load_bnb(kind: Any, folder: Path | None = None) -> Any:
    """The stand-in quantized by bitsandbytes while loading (on the CPU; nothing is written to disk).

    `kind` is a transformers `BitsAndBytesConfig`, or one of `BNB_KINDS` for the matching `bnb_config`.
    """
    import torch
    from transformers import AutoModelForCausalLM

    config = bnb_config(kind) if isinstance(kind, str) else kind
    with _captured(None), _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=torch.bfloat16,
                                                     quantization_config=config, device_map="cpu")
    return model.eval()


def _quant_state_bytes(module: Any) -> int:
    """Bytes of the quantization constants bitsandbytes keeps outside parameters and buffers."""
    weight = getattr(module, "weight", None)
    state = getattr(weight, "quant_state", None)
    if state is not None:  # 4-bit: absmax per block (+ the nested state with double quantization)
        total = state.absmax.numel() * state.absmax.element_size() + state.code.numel() * state.code.element_size()
        if getattr(state, "state2", None) is not None:
            s2 = state.state2
            total += s2.absmax.numel() * s2.absmax.element_size() + s2.code.numel() * s2.code.element_size()
        return int(total)
    scb = getattr(weight, "SCB", None)  # int8: one FP32 scale per output row
    return int(scb.numel() * scb.element_size()) if scb is not None else 0


def memory_footprint(model: Any) -> dict[str, float]:
    """`get_memory_footprint()` in MB, and the same plus the quantization constants it does not count."""
    reported = model.get_memory_footprint()
    extra = sum(_quant_state_bytes(m) for m in model.modules())
    return {"get_memory_footprint MB": round(reported / MB, 2), "with quant constants MB": round((reported + extra) / MB, 2)}


# --- per-layer error -------------------------------------------------------------------------------

def _dequantized(module: Any) -> Any | None:
    """A linear layer's weight as FP32 [out, in], dequantized if need be; None if the module is not linear."""
    import torch

    if isinstance(module, torch.nn.Linear):
        weight: Any = module.weight  # bitsandbytes' parameters carry their quantization state as attributes
        if getattr(weight, "quant_state", None) is not None:  # bitsandbytes 4-bit
            import bitsandbytes.functional as F

            if getattr(weight.quant_state, "packing_format_for_cpu", False):
                raise RuntimeError(
                    "This 4-bit layer was repacked for the CPU's AVX512-BF16 kernel by a forward pass, so its bytes no "
                    "longer dequantize correctly. Read the weights before the first forward, or load the model afresh.")
            return F.dequantize_4bit(weight.data, weight.quant_state).float()
        if getattr(weight, "SCB", None) is not None and weight.dtype == torch.int8:  # bitsandbytes int8
            return weight.data.float() * weight.SCB.float()[:, None] / 127.0
        return weight.data.float()
    if hasattr(module, "dequantize_weight") and hasattr(module, "qweight"):  # gptqmodel kernels: [in, out]
        return module.dequantize_weight().float().T.contiguous()
    return None


def repacked_layers(model: Any) -> int:
    """How many bitsandbytes 4-bit layers a forward pass has repacked for the CPU kernel (the QLoRA trap)."""
    return sum(1 for m in model.modules()
               if getattr(getattr(getattr(m, "weight", None), "quant_state", None), "packing_format_for_cpu", False))


def linear_weights(model: Any) -> dict[str, Any]:
    """Every decoder linear layer's weight (dequantized to FP32), keyed by module name; lm_head excluded."""
    out = {}
    for name, module in model.named_modules():
        if name == "lm_head" or not name:
            continue
        weight = _dequantized(module)
        if weight is not None:
            out[name] = weight
    return out


def layer_errors(reference: Mapping[str, Any], quantized: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Relative Frobenius error ||W_q - W|| / ||W|| per linear layer (rows) for each quantized model (columns)."""
    columns = {}
    for label, weights in quantized.items():
        missing = set(reference) - set(weights)
        if missing:
            raise KeyError(f"{label} lacks {len(missing)} layers, e.g. {min(missing)}; "
                           "pass weights from the same architecture.")
        columns[label] = {name: float((weights[name] - w).norm() / w.norm()) for name, w in reference.items()}
    frame = pd.DataFrame(columns)
    frame.index.name = "layer"
    return frame


def weight_errors(reference: Mapping[str, Any], model: Any) -> pd.Series:
    """Relative Frobenius error per linear layer of `model` against `reference` (see `layer_errors`)."""
    return layer_errors(reference, {"error": linear_weights(model)})["error"]


def plot_layer_errors(errors: pd.DataFrame, ax: Any = None) -> Any:
    """Line plot of relative weight error per linear layer, with the decoder blocks marked."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(10, 3.6))[1]
    for label in errors.columns:
        ax.plot(range(len(errors)), errors[label].to_numpy(), marker=".", linewidth=1, label=label)
    blocks = [int(n.split(".")[2]) for n in errors.index]
    starts = [i for i, b in enumerate(blocks) if i == 0 or b != blocks[i - 1]]
    for i in starts:
        ax.axvline(i - 0.5, color="0.85", linewidth=0.8, zorder=0)
    ax.set_xticks(starts[::2], [str(blocks[i]) for i in starts[::2]])
    ax.set_xlabel("decoder block (7 linear layers each: q, k, v, o, gate, up, down)")
    ax.set_ylabel("relative weight error (log scale)")
    ax.set_yscale("log")
    ax.set_title("||W_quantized - W|| / ||W|| for each linear layer")
    ax.legend(fontsize=8, ncol=2)
    return ax


def error_by_kind(errors: pd.DataFrame) -> pd.DataFrame:
    """Mean relative weight error per kind of linear layer (q_proj, ..., down_proj)."""
    kinds = [n.rsplit(".", 1)[-1] for n in errors.index]
    return errors.groupby(kinds, sort=False).mean().round(4)


# --- AWQ: the idea on real activations, and the tool on a Mistral-architecture model ----------------

def rtn_quantize(weight: Any, bits: int = 4, group_size: int = 128) -> Any:
    """Round-to-nearest, asymmetric, one scale and zero point per group of `group_size` inputs (FP32 out)."""
    import torch

    out_f, in_f = weight.shape
    if in_f % group_size:
        raise ValueError(f"in_features {in_f} is not a multiple of group_size {group_size}.")
    w = weight.float().reshape(out_f, in_f // group_size, group_size)
    lo, hi = w.amin(-1, keepdim=True), w.amax(-1, keepdim=True)
    maxq = 2**bits - 1
    scale = ((hi - lo) / maxq).clamp(min=1e-8)
    zero = torch.round(-lo / scale)
    q = torch.clamp(torch.round(w / scale) + zero, 0, maxq)
    return ((q - zero) * scale).reshape(out_f, in_f)


def capture_inputs(model: Any, names: Sequence[str], ids: Any) -> dict[str, Any]:
    """The inputs (tokens x features, FP32) that the named linear layers see when `model` reads `ids`."""
    import torch

    modules = dict(model.named_modules())
    captured: dict[str, Any] = {}
    hooks = []
    for name in names:
        if name not in modules:
            raise KeyError(f"{name} is not a module of this model; see model.named_modules().")
        hooks.append(modules[name].register_forward_hook(
            lambda _m, args, _out, name=name: captured.__setitem__(name, args[0].detach().reshape(-1, args[0].shape[-1]).float())))
    try:
        with torch.inference_mode():
            model(input_ids=ids)
    finally:
        for h in hooks:
            h.remove()
    return captured


AWQ_ALPHAS = tuple(step / 10 for step in range(11))  # the scaling exponents AWQ's grid search tries, 0 to 1


def awq_scale_search(weight: Any, inputs: Any, bits: int = 4, group_size: int = 128,
                     alphas: Sequence[float] = AWQ_ALPHAS) -> pd.DataFrame:
    """AWQ's core step on one layer: scale input channels by mean|x|^alpha before rounding, measure output error.

    Returns the relative output error ||X W_q^T - X W^T||^2 / ||X W^T||^2 for each alpha; alpha = 0 is
    plain round-to-nearest. (AWQ folds the scales into the previous operation, so they cost nothing
    at inference; it also searches a clipping range, which this sketch leaves out.)
    """
    w, x = weight.float(), inputs.float()
    reference = x @ w.T
    norm = reference.pow(2).sum()
    magnitude = x.abs().mean(0).clamp(min=1e-6)
    rows = []
    for alpha in alphas:
        s = magnitude.pow(alpha)
        s = s / (s.max() * s.min()).sqrt()
        wq = rtn_quantize(w * s, bits, group_size) / s
        rows.append({"alpha": alpha, "relative output error": float((x @ wq.T - reference).pow(2).sum() / norm)})
    return pd.DataFrame(rows).set_index("alpha")


def awq_demo(model: Any, ids: Any, layers: Sequence[str], bits: int = 4, group_size: int = 128) -> pd.DataFrame:
    """For each named linear layer: output error of plain RTN vs the best AWQ scaling, and the best alpha."""
    inputs = capture_inputs(model, layers, ids)
    modules = dict(model.named_modules())
    rows = []
    for name in layers:
        x = inputs[name]
        channel = x.abs().mean(0)
        search = awq_scale_search(modules[name].weight.data, x, bits, group_size)
        best = search["relative output error"].idxmin()
        rtn, awq = search.loc[0.0, "relative output error"], search.loc[best, "relative output error"]
        rows.append({"layer": name, "salient channel / median channel": round(float(channel.max() / channel.median()), 1),
                     "RTN output error": rtn, "AWQ output error": awq, "best alpha": best,
                     "error removed %": round(100 * (1 - awq / rtn), 1)})
    return pd.DataFrame(rows).set_index("layer")


def awq_quantize_tiny_mistral(bits: int = 4, group_size: int = 128, n_samples: int = 8, seq_len: int = 128) -> Checkpoint:
    """AWQ with gptqmodel on the CPU (its portable torch kernel) on the workbook's tiny Mistral; cached.

    The tiny Mistral has random weights, so this shows that the maintained AWQ tool runs here on
    Mistral's architecture, not what AWQ does to quality (for that, see `awq_demo`).
    """
    from transformers import AutoTokenizer

    source = prepare_tiny_mistral(progress=False)
    inputs, folder = _quantize_target("awq", source, bits, group_size, n_samples, seq_len)
    if (done := _finished(folder)) is not None:
        return done
    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(source)
    return _quantize("awq", source, inputs, calibration_samples(tokenizer, n_samples, seq_len), folder, backend="AWQ_TORCH")


# --- sizes and the decision table ------------------------------------------------------------------

def predicted_bytes(n_linear: int, n_other: int, bits_linear: float, bits_other: float = 16.0) -> float:
    """Weight bytes when the linear layers take `bits_linear` bits each and everything else `bits_other`."""
    return (n_linear * bits_linear + n_other * bits_other) / 8


def group_bits(bits: int, group_size: int = 128) -> float:
    """Bits per weight of a GPTQ/AWQ layer: the weight, plus one 16-bit scale and one `bits`-bit zero per group."""
    return bits + (16 + bits) / group_size


def nf4_bits(double_quant: bool = True, blocksize: int = 64, nested_blocksize: int = 256) -> float:
    """Bits per weight of bitsandbytes NF4: 4 bits + one absmax per block (FP32, or 8-bit + FP32 per 256 blocks)."""
    if double_quant:
        return 4 + 8 / blocksize + 32 / (blocksize * nested_blocksize)
    return 4 + 32 / blocksize


@cache
def _decisions() -> dict[str, Any]:
    return json.loads((data_dir() / "quantization_decisions.json").read_text())


def seed_table() -> pd.DataFrame:
    """The seed article's static table for Mistral 7B as it printed it: VRAM, speed, quality (notebook 07's data)."""
    return seed_rows()[["vram", "speed", "quality"]]


SEED_PRECISIONS = {"FP16": "fp16", "GPTQ 4-bit": "gptq-awq-4bit", "AWQ 4-bit": "gptq-awq-4bit",
                   "GGUF Q4_K_M": "gguf-q4_k_m", "GGUF Q2_K": "gguf-q2_k"}
SEED_MEASURED = {"FP16": BASE_LABEL, "GPTQ 4-bit": "GPTQ 4-bit g128"}


def measured_vs_seed(measured: pd.DataFrame) -> pd.DataFrame:
    """The seed's Mistral 7B rows, the 7B weight size computed from bits per weight, and this CPU's measurements.

    `measured` is `measurements_table(...)`: indexed by method, with `memory MB`, `perplexity` and `forward ms`.
    """
    from .sizing import weight_bytes

    base = measured.loc[BASE_LABEL]
    rows = []
    for method, seed in seed_table().iterrows():
        row = {"method": method, "seed: VRAM (7B)": seed["vram"],
               "computed: 7B weights GB": round(weight_bytes("Mistral 7B", SEED_PRECISIONS[method]) / 1e9, 1),
               "seed: speed": seed["speed"], "seed: quality": seed["quality"]}
        label = SEED_MEASURED.get(method)
        if label in measured.index:
            m = measured.loc[label]
            row.update({"270M: memory MB": round(m["memory MB"]), "270M: memory vs BF16": f"{m['memory MB'] / base['memory MB']:.0%}",
                        "270M: perplexity x BF16": round(m["perplexity"] / base["perplexity"], 2),
                        "270M: CPU time x BF16": round(m["forward ms"] / base["forward ms"], 1)})
        else:
            note = "notebook 07" if method.startswith("GGUF") else "not run here"
            row.update({"270M: memory MB": note, "270M: memory vs BF16": "", "270M: perplexity x BF16": "",
                        "270M: CPU time x BF16": ""})
        rows.append(row)
    return pd.DataFrame(rows).set_index("method")


def decision_table(measured: pd.DataFrame) -> pd.DataFrame:
    """For each kind of hardware: the method to reach for, the runner-up, why, and what this CPU measured for them."""
    data = _decisions()
    methods = data["methods"]
    base_ppl = measured.loc[BASE_LABEL, "perplexity"]

    def here(key: str) -> str | None:
        label = methods[key]["measured_as"]
        if label and label in measured.index:
            m = measured.loc[label]
            return f"{label}: {m['memory MB']:.0f} MB, perplexity x{m['perplexity'] / base_ppl:.2f}"
        return "GGUF: see notebook 07" if key == "gguf" else None

    rows = []
    for row in data["hardware"]:
        found = [text for text in (here(row["method"]), here(row["also"])) if text]
        rows.append({"hardware": row["hardware"], "reach for": methods[row["method"]]["label"],
                     "runner-up": methods[row["also"]]["label"], "why": row["why"],
                     "measured here (270M stand-in, CPU)": "; ".join(found) or "needs a GPU"})
    return pd.DataFrame(rows).set_index("hardware")


def method_keys() -> list[str]:
    """The method keys the decision data knows (`gguf`, `gptq`, `awq`, ...)."""
    return list(_decisions()["methods"])


def recommended(hardware_contains: str) -> tuple[str, str]:
    """(method, runner-up) keys for the first hardware row whose name contains the text (case-insensitive)."""
    for row in _decisions()["hardware"]:
        if hardware_contains.lower() in row["hardware"].lower():
            return row["method"], row["also"]
    names = "; ".join(r["hardware"] for r in _decisions()["hardware"])
    raise KeyError(f"No hardware row matches {hardware_contains!r}; rows are: {names}.")
