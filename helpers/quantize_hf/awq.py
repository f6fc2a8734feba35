"""AWQ: the idea on real activations (RTN vs activation-aware scaling), and gptqmodel's AWQ on the tiny Mistral."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..engine.embedded import prepare_tiny_mistral
from .checkpoints import Checkpoint, _finished, _quantize, _quantize_target
from .environment import _quiet_transformers
from .measuring import calibration_samples

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
