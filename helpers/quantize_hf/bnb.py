"""bitsandbytes: configs, the stand-in quantized while loading, and memory with the quantization constants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .environment import _captured, _quiet_transformers
from .standin import prepare_hf_model

MB = 1e6
BNB_KINDS = ("int8", "nf4", "fp4", "nf4-dq")
BNB_LABELS = {"int8": "bnb int8", "nf4": "bnb nf4", "fp4": "bnb fp4", "nf4-dq": "bnb nf4 + double quant"}


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
