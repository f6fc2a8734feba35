"""GPTQ with gptqmodel: quantize the stand-in, load the checkpoint, look inside it."""

from __future__ import annotations

from collections.abc import Mapping
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
    source = source or prepare_hf_model(progress=False)
    config, inputs, folder = _gptq_target(config, n_samples, seq_len, source)
    if (done := _finished(folder)) is not None:
        return done
    samples = calibration_samples(load_tokenizer(source), n_samples, seq_len)
    return _quantize("gptq", source, inputs, samples, folder, config=config)


def _gptq_target(config: Any, n_samples: int, seq_len: int, source: Path) -> tuple[Any, dict[str, Any], Path]:
    """The `GPTQConfig` for `config` (a config or a bit width), checked, with its cache inputs and folder."""
    if isinstance(config, int):
        config = import_gptqmodel().GPTQConfig(bits=config, group_size=128, offload_to_disk=False)
    bits, group_size = int(config.bits), int(config.group_size)
    if bits not in (2, 3, 4, 8):
        raise ValueError(f"GPTQ supports 2, 3, 4 or 8 bits, not {bits}.")
    inputs, folder = _quantize_target("gptq", source, bits, group_size, n_samples, seq_len)
    return config, inputs, folder


_WORKER = """
import pickle, sys
from pathlib import Path
import torch
from helpers.quantize_hf.gptq import gptq_quantize
config, n_samples, seq_len, source, threads = pickle.loads(Path(sys.argv[1]).read_bytes())
torch.set_num_threads(threads)
gptq_quantize(config, n_samples=n_samples, seq_len=seq_len, source=source)
"""


def gptq_quantize_all(configs: Mapping[int, Any], n_samples: int = 16, seq_len: int = 256,
                      source: Path | None = None, *, processes: int | None = None,
                      progress: bool = True) -> dict[int, Checkpoint]:
    """`gptq_quantize` for several configs (bit width -> `GPTQConfig`), the ones not cached side by side.

    GPTQ walks each layer's weight columns one at a time in a Python loop, so one run keeps about one
    core busy: on 2 cores a 4-bit run of the stand-in used 124 % CPU. Each config not in the cache
    therefore runs in its own Python process (up to `processes` at once, by default one per core), on
    its share of the torch threads. Measured on 2 cores within the same hour, 16 windows of 256 tokens,
    4-bit and 3-bit: 198 s one after the other (`processes=1`), 123 s side by side; 125 s with two torch
    threads per process instead of one. Fewer threads change the rounding of the sums, so the checkpoints
    differ a little from a one-process run's (the same sizes; a similar perplexity at 4 bits).
    A worker's output goes to a log shown if it fails; an error or an interrupt stops the other workers,
    and a worker stops if this process dies. Returns bit width -> Checkpoint, in the order of `configs`.
    """
    import os
    import pickle
    import subprocess
    import sys
    import tempfile
    import time

    from tqdm.auto import tqdm

    from ..engine.serving import _die_with_parent

    source = source or prepare_hf_model(progress=False)
    done: dict[int, Checkpoint] = {}
    todo: dict[int, tuple[Any, Path]] = {}
    for bits, given in configs.items():
        config, _, folder = _gptq_target(given, n_samples, seq_len, source)
        if (cached := _finished(folder)) is not None:
            done[bits] = cached
        else:
            todo[bits] = (config, folder)
    cores = os.cpu_count() or 1
    at_once = max(1, min(len(todo), processes or cores))
    threads = max(1, cores // at_once)
    waiting = list(todo.items())
    running: dict[int, tuple[subprocess.Popen, Path, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, tqdm(total=len(configs), initial=len(done), desc="GPTQ",
                                                    disable=not progress) as bar:
        try:
            while waiting or running:
                while waiting and len(running) < at_once:
                    bits, (config, folder) = waiting.pop(0)
                    job = Path(tmp) / f"gptq-{bits}.pickle"
                    job.write_bytes(pickle.dumps((config, n_samples, seq_len, source, threads)))
                    log = (Path(tmp) / f"gptq-{bits}.log").open("w")
                    proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(job)], stdout=log,
                                            stderr=subprocess.STDOUT, env={**os.environ, "TQDM_DISABLE": "1"},
                                            preexec_fn=_die_with_parent)  # no orphan if this kernel dies
                    running[bits] = (proc, folder, log)
                for bits, (proc, folder, log) in list(running.items()):
                    if proc.poll() is None:
                        continue
                    log.close()
                    del running[bits]
                    finished = _finished(folder)
                    if proc.returncode != 0 or finished is None:
                        tail = (Path(tmp) / f"gptq-{bits}.log").read_text(errors="replace")[-1500:]
                        raise RuntimeError(f"GPTQ {bits}-bit failed in its worker process (exit {proc.returncode}):\n"
                                           f"{tail}")
                    done[bits] = Checkpoint(finished.path, False, finished.quantize_seconds)
                    bar.update(1)
                time.sleep(0.5)
        finally:
            for proc, _, log in running.values():  # an error or an interrupt stops the other workers too
                proc.kill()
                proc.wait()
                log.close()
    return {bits: done[bits] for bits in configs}


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
