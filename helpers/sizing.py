"""How much memory a model needs: weights x bits per weight, plus the KV cache, plus overhead.

Bits per weight, the KV-cache formula and the overhead rule are data (`data/quant_formats.json`,
with sources). Sizes are in GB = 10^9 bytes, the unit model cards and GPU vendors use; detected
memory, which the OS reports in GiB, is converted before comparing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from .family import ModelSpec, count_parameters, get_model, load_family
from .model_files import GGUFTensor, gguf_tensor_index
from .paths import data_dir

GIB_TO_GB = 2**30 / 1e9


@cache
def _formats() -> dict[str, Any]:
    return json.loads((data_dir() / "quant_formats.json").read_text())


def precisions() -> dict[str, dict[str, Any]]:
    """Every precision the calculator knows: key -> label, bits, where it runs, explanation, source."""
    return dict(_formats()["precisions"])


def precision_table() -> pd.DataFrame:
    """Bits per weight of each precision, with what it is and where the figure comes from."""
    rows = [{"precision": p["label"], "bits (linear layers)": p["bits_linear"], "bits (embeddings, head)": p["bits_other"],
             "runs on": p["runs_on"], "source": p["source"]} for p in precisions().values()]
    return pd.DataFrame(rows).set_index("precision")


def _precision(key: str) -> dict[str, Any]:
    table = precisions()
    if key not in table:
        raise KeyError(f"Unknown precision {key!r}; choose one of: {', '.join(table)}")
    return table[key]


def _spec(model: ModelSpec | str) -> ModelSpec:
    return model if isinstance(model, ModelSpec) else get_model(model)


def weight_bytes(model: ModelSpec | str, precision: str) -> float:
    """Bytes the weights take at a precision: linear layers and embeddings/head at their own bits."""
    spec, p = _spec(model), _precision(precision)
    if spec.raw.get("published_only"):  # no config.json catalogued: the published total, all at the linear bits
        return spec.published_total * p["bits_linear"] / 8
    n = count_parameters(spec)
    return (n.linear * p["bits_linear"] + n.embeddings * p["bits_other"]) / 8


def bytes_read_per_token(model: ModelSpec | str, precision: str) -> float:
    """Weight bytes one generated token reads: the active parameters at the precision's bits.

    Decoding is memory-bound, so tokens/s is at most memory bandwidth / this (a rough upper bound:
    it ignores the KV cache and compute).
    """
    spec, p = _spec(model), _precision(precision)
    if spec.raw.get("published_only"):
        return (spec.published_active or spec.published_total) * p["bits_linear"] / 8
    n = count_parameters(spec)
    return weight_bytes(spec, precision) * n.active / n.total


def kv_cache_bytes(model: ModelSpec | str, context_tokens: int, batch: int = 1, bytes_per_value: float | None = None) -> float:
    """KV cache: 2 (K and V) x layers x KV heads x head dim x bytes per value x tokens x batch."""
    spec = _spec(model)
    if context_tokens < 0 or batch < 1:
        raise ValueError(f"context_tokens must be >= 0 and batch >= 1 (got {context_tokens}, {batch})")
    per_value = _formats()["kv_cache"]["bytes_per_value"] if bytes_per_value is None else bytes_per_value
    return 2 * spec.layers * spec.kv_heads * spec.head_dim * per_value * context_tokens * batch


def overhead_bytes(weights: float, kv: float) -> float:
    """The stated overhead rule: a fixed runtime cost plus a fraction of weights + KV cache."""
    rule = _formats()["overhead"]
    return rule["fixed_gb"] * 1e9 + rule["fraction"] * (weights + kv)


def overhead_rule() -> str:
    return str(_formats()["overhead"]["rule"])


@dataclass(frozen=True)
class MemoryEstimate:
    """Memory a model needs for one setting, in GB (10^9 bytes)."""

    model: str
    precision: str
    context_tokens: int
    batch: int
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float

    @property
    def total_gb(self) -> float:
        return self.weights_gb + self.kv_cache_gb + self.overhead_gb

    def as_row(self) -> dict[str, Any]:
        return {"model": self.model, "precision": _precision(self.precision)["label"], "context": self.context_tokens,
                "batch": self.batch, "weights GB": round(self.weights_gb, 1), "KV cache GB": round(self.kv_cache_gb, 1),
                "overhead GB": round(self.overhead_gb, 1), "total GB": round(self.total_gb, 1)}


def estimate_memory(model: ModelSpec | str, precision: str = "fp16", context_tokens: int | None = None,
                    batch: int = 1) -> MemoryEstimate:
    """Weights + KV cache + overhead for a model at a precision, context and batch.

    `context_tokens` defaults to the model's full context; a longer one is refused with the limit.
    """
    spec = _spec(model)
    context = spec.context_tokens if context_tokens is None else int(context_tokens)
    if context > spec.context_tokens:
        raise ValueError(f"{spec.name} supports at most {spec.context_tokens:,} tokens of context; "
                         f"choose a context_tokens <= {spec.context_tokens}.")
    w, kv = weight_bytes(spec, precision), kv_cache_bytes(spec, context, batch)
    return MemoryEstimate(spec.name, precision, context, batch, w / 1e9, kv / 1e9, overhead_bytes(w, kv) / 1e9)


def memory_table(precision_keys: list[str] | None = None, context_tokens: int = 8192, batch: int = 1) -> pd.DataFrame:
    """Total GB for every family member at each precision (context capped at each model's limit)."""
    keys = precision_keys or list(precisions())
    rows = {}
    for m in load_family():
        ctx = min(context_tokens, m.context_tokens)
        rows[m.name] = {precisions()[k]["label"]: round(estimate_memory(m, k, ctx, batch).total_gb, 1) for k in keys}
    return pd.DataFrame.from_dict(rows, orient="index")


def seed_vram_table() -> pd.DataFrame:
    """The source guide's static VRAM strings beside the computed weight memory, and what its figures imply."""
    rows = []
    for m in load_family():
        seed = m.raw.get("seed", {}).get("vram", "")
        if not seed:
            continue
        n = count_parameters(m)
        fp16, q4 = weight_bytes(m, "fp16") / 1e9, weight_bytes(m, "gguf-q4_k_m") / 1e9
        row = {"model": m.name, "guide says": seed, "computed FP16 weights GB": round(fp16, 1),
               "computed Q4_K_M weights GB": round(q4, 1)}
        numbers = [float(tok.split("GB")[0]) for tok in seed.replace(",", " ").split() if tok.endswith("GB")]
        if len(numbers) == 2:
            row["guide FP16 implies bits/weight"] = round(numbers[0] * 8e9 / n.total, 1)
            row["guide FP16 ÷ active params (bytes each)"] = round(numbers[0] * 1e9 / n.active, 2)
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


# --- reading a real GGUF file: which llama.cpp types does a "Q4_K_M" file contain? ---------------

def read_gguf_tensors(path: str | Path) -> list[GGUFTensor]:
    """The tensors listed in a GGUF file's header (name, shape, llama.cpp type, bytes), without loading weights.

    Each type's bits per weight come from the `gguf` package's block sizes (`GGML_QUANT_SIZES`).
    """
    return list(gguf_tensor_index(path))


def gguf_type_mix(path: str | Path, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """Parameters and bytes per llama.cpp type in a GGUF file; tensors whose name contains an `exclude` string are left out."""
    tensors = [t for t in read_gguf_tensors(path) if not any(x in t.name for x in exclude)]
    df = pd.DataFrame([{"type": t.type_name, "tensors": 1, "parameters": t.n_elements, "MB": t.nbytes / 1e6,
                        "bits/weight": t.bits_per_weight} for t in tensors])
    mix = df.groupby(["type", "bits/weight"], as_index=False).agg({"tensors": "sum", "parameters": "sum", "MB": "sum"})
    mix["share of parameters %"] = (100 * mix["parameters"] / mix["parameters"].sum()).round(1)
    mix["MB"] = mix["MB"].round(1)
    return mix.sort_values("parameters", ascending=False).set_index("type")


def effective_bits_per_weight(path: str | Path, exclude: tuple[str, ...] = ()) -> float:
    """Average bits per weight over a GGUF file's tensors (the figure tables of 'Q4_K_M = 4.89 bpw' report)."""
    tensors = [t for t in read_gguf_tensors(path) if not any(x in t.name for x in exclude)]
    return sum(t.nbytes for t in tensors) * 8 / sum(t.n_elements for t in tensors)


def plot_memory(estimate: MemoryEstimate, available_gb: float | None = None, available_label: str = "available",
                ax=None):
    """A stacked bar of weights, KV cache and overhead, with a line at the memory available."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 2.2))
    parts = [("weights", estimate.weights_gb, "#4c72b0"), ("KV cache", estimate.kv_cache_gb, "#dd8452"),
             ("overhead", estimate.overhead_gb, "#8c8c8c")]
    left = 0.0
    for label, value, colour in parts:
        ax.barh([0], [value], left=left, color=colour, label=f"{label} {value:.1f} GB")
        left += value
    if available_gb:
        ax.axvline(available_gb, color="crimson", linestyle="--", label=f"{available_label} {available_gb:.1f} GB")
    ax.set_yticks([])
    ax.set_xlabel("GB (10⁹ bytes)")
    ax.set_xlim(0, max(left, available_gb or 0) * 1.08)
    fits = "" if not available_gb else ("  ✓ fits" if left <= available_gb else "  ✗ does not fit")
    ax.set_title(f"{estimate.model}, {_precision(estimate.precision)['label']}, {estimate.context_tokens:,} tokens "
                 f"x batch {estimate.batch}: {left:.1f} GB{fits}", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=4, fontsize=8, frameon=False)
    return ax
