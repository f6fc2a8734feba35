"""Calibration and held-out text, perplexity, forward time, and the measurement table."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..paths import data_dir
from .bnb import MB, memory_footprint
from .environment import _bnb_quiet

CALIBRATION_FILE = "python_reference.txt"
BASE_LABEL = "BF16 (unquantized)"


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
