"""Sizes from bits per weight, the seed article's table beside the measurements, and the method per hardware."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd

from ..model_files import seed_rows
from ..paths import data_dir
from .measuring import BASE_LABEL

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
    from ..sizing import weight_bytes

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
