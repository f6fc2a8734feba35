"""GPTQ with gptqmodel: quantize the stand-in, load the checkpoint, look inside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .checkpoints import Checkpoint, _finished, _quantize, _quantize_target
from .environment import _captured, _quiet_transformers, import_gptqmodel
from .measuring import calibration_samples
from .standin import load_tokenizer, prepare_hf_model

# --- GPTQ with gptqmodel ---------------------------------------------------------------------------

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

    The torch kernel wraps each layer's `dequantize_weight` in `torch.compile` when it loads. On a CPU the
    first forward pass then spends its time compiling: measured on 2 cores for the stand-in's 126 layers,
    a 512-token perplexity pass took 17.5 s compiled against 3.8 s eager, with the same perplexity, and
    reading the weights back 9.0 s against 0.9 s. The layers are given back their eager method.
    """
    gptqmodel = import_gptqmodel()
    path = checkpoint.path if isinstance(checkpoint, Checkpoint) else Path(checkpoint)
    with _captured(None), _quiet_transformers():
        wrapped = gptqmodel.GPTQModel.load(str(path), backend=getattr(gptqmodel.BACKEND, backend), device="cpu")
    for module in wrapped.model.modules():
        if "dequantize_weight" in vars(module):  # the compiled wrapper set on the instance hides the class's method
            del module.dequantize_weight
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
