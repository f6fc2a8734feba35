"""Models: the FP32 stand-in for LoRA, the 4-bit QLoRA base, the gradient check against a dequantized
reference, and `quiet()` for loading them without reports or banners."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..quantize_hf import prepare_hf_model
from .training import _import_peft, answer_loss

# --- models: base, QLoRA, and the gradient check ---------------------------------------------------

def load_train_model(folder: Path | None = None) -> Any:
    """The stand-in in FP32 for LoRA training on a CPU (FP32 matmuls are faster than BF16 on most CPUs).

    Loaded in FP32 directly, not cast after loading: buffers computed at construction (Gemma's
    embedding scale, sqrt(640)) would otherwise keep their BF16 rounding.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from ..quantize_hf import _quiet_transformers

    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=torch.float32)
    return model.eval()


def disable_cpu_repack(model: Any) -> int:
    """Turn off bitsandbytes' AVX512-BF16 repacking on every 4-bit layer; returns how many layers.

    On such CPUs the first no-grad forward of a Linear4bit in eval mode repacks its weight for a fast
    inference kernel that has no backward: later training forwards take that path, and gradients
    through the layer are silently lost. Call this before any forward pass.
    """
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
    return len(layers)


def load_qlora_base(folder: Path | None = None, *, fix_repack: bool = True, prepare: bool = True,
                    compute_dtype: str = "bfloat16", quantization_config: Any = None) -> Any:
    """The stand-in quantized to 4-bit NF4 with double quantization, ready for QLoRA.

    `compute_dtype` is QLoRA's BF16 by default; `"float32"` (the rest of the model in FP32 too) makes
    the gradient check exact to float rounding. A `quantization_config` (a transformers
    `BitsAndBytesConfig`) replaces the default NF4 + double quantization, and its
    `bnb_4bit_compute_dtype` then sets the compute dtype. `fix_repack` applies `disable_cpu_repack`
    (see there); `prepare` runs peft's `prepare_model_for_kbit_training` (norms in FP32, inputs that
    carry gradients) without gradient checkpointing, which would only slow a model this small.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from ..quantize_hf import _captured, _quiet_transformers, bnb_config

    if quantization_config is not None:
        config = quantization_config
        dtype = config.bnb_4bit_compute_dtype
    else:
        dtype = getattr(torch, compute_dtype)
        config = bnb_config("nf4-dq")
        config.bnb_4bit_compute_dtype = dtype
    with _captured(None), _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=dtype,
                                                     quantization_config=config, device_map="cpu")
    if fix_repack:
        disable_cpu_repack(model)
    if prepare:
        peft = _import_peft()
        model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def dequantized_reference(qmodel: Any, reference: Any) -> int:
    """Copy `qmodel`'s 4-bit linear weights, dequantized, into the same layers of a plain `reference` model.

    Call it before `qmodel` runs any forward pass. Returns the number of layers copied.
    """
    import bitsandbytes as bnb
    import torch

    from ..quantize_hf import _dequantized

    modules = dict(reference.named_modules())
    copied = 0
    for name, module in qmodel.named_modules():
        if isinstance(module, bnb.nn.Linear4bit):
            target = modules[name]
            weight = _dequantized(module)
            assert weight is not None, f"{name} is a Linear4bit layer, which always has a weight"
            with torch.no_grad():
                target.weight.copy_(weight.to(target.weight.dtype))
            copied += 1
    if not copied:
        raise ValueError("qmodel has no bitsandbytes 4-bit layers; load it with load_qlora_base().")
    return copied


def lora_gradients(model: Any, batch: dict[str, Any]) -> dict[str, Any]:
    """Gradients of the answer loss with respect to every LoRA weight (name -> FP32 tensor), in training mode."""
    model.train()
    model.zero_grad(set_to_none=True)
    answer_loss(model, batch).backward()
    grads = {name: p.grad.detach().float().clone() for name, p in model.named_parameters()
             if "lora_" in name and p.grad is not None}
    model.zero_grad(set_to_none=True)
    return grads


def gradient_difference(grads: dict[str, Any], reference: dict[str, Any]) -> pd.DataFrame:
    """Per LoRA tensor: relative difference ||g - g_ref|| / ||g_ref||; missing gradients count as 100 %."""
    rows = []
    for name, ref in reference.items():
        g = grads.get(name)
        rel = 1.0 if g is None else float((g - ref).norm() / ref.norm().clamp(min=1e-30))
        rows.append({"tensor": name.split("base_model.model.")[-1], "relative difference": rel})
    return pd.DataFrame(rows).set_index("tensor")


def randomize_lora_b(model: Any, seed: int = 0, scale: float = 0.01) -> None:
    """Give every LoRA B matrix small random values (it starts at zero, which makes A's gradient zero)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=generator) * scale)


def copy_lora(source: Any, target: Any) -> None:
    """Copy every LoRA weight from one peft model into another of the same architecture."""
    import torch

    params = dict(target.named_parameters())
    with torch.no_grad():
        for name, p in source.named_parameters():
            if "lora_" in name:
                params[name].copy_(p)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No transformers progress bars or load reports, nor bitsandbytes' repeated warnings, inside the block;
    peft is imported first, so that gptqmodel's banner (peft probes it on the first wrap) is captured too."""
    import warnings

    from ..quantize_hf import _bnb_quiet, _quiet_transformers

    _import_peft()
    with _quiet_transformers(), _bnb_quiet(), warnings.catch_warnings():
        # peft asks transformers a deprecated question on every wrap; the reader can do nothing about it.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield
