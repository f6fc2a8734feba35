"""Per-layer weight error: each linear layer's weight dequantized, compared, plotted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

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
