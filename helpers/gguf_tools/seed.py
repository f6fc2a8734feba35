"""The seed article's table and recipe, the held-out text, and the seed's claims beside this machine's measurements."""

from __future__ import annotations

import pandas as pd

from ..model_files import seed_quantization_data, seed_rows
from ..paths import data_dir


# ------------------------------------------------------------------------------------ seed's table
def heldout_text(name: str = "apache-2.0.txt") -> str:
    """The held-out evaluation text from `data/heldout/` (see its README for source and licence)."""
    path = data_dir() / "heldout" / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore data/heldout/ from the repository.")
    return path.read_text(encoding="utf-8")


def seed_table() -> pd.DataFrame:
    """The seed article's static quantization table for Mistral 7B, as data (`data/seed_quantization_table.json`)."""
    return seed_rows()


def seed_recipe() -> pd.DataFrame:
    """The seed's manual llama.cpp commands, what each is today, and the Python call used here."""
    raw = seed_quantization_data()["manual_recipe"]["steps"]
    return pd.DataFrame(raw).rename(columns={"seed": "seed (2023-era llama.cpp)", "today": "today",
                                             "here": "Python API used here"})


def seed_vs_measured(measured: pd.DataFrame, n_params_7b: float = 7.25e9) -> pd.DataFrame:
    """The seed's 7B claims beside llama.cpp's published bits per weight and this machine's measurements.

    Sizes are compared as ratios to FP16 so a 7B and a 270M model can share a table; the 7B size
    from llama.cpp's table is `n_params_7b` x bits per weight (from `data/quant_formats.json`).
    """
    from ..sizing import precisions

    seed, known = seed_table(), precisions()
    ref = measured.loc["F16"]
    rows = []
    for method, level, key in (("FP16", "F16", "fp16"), ("GGUF Q4_K_M", "Q4_K_M", "gguf-q4_k_m"),
                               ("GGUF Q2_K", "Q2_K", "gguf-q2_k")):
        s, m, bits = seed.loc[method], measured.loc[level], known[key]["bits_linear"]
        rows.append({
            "level": level,
            "seed: 7B size": f"~{s['size_gb']:g} GB",
            "seed: implied bits/weight": round(s["size_gb"] * 1e9 * 8 / n_params_7b, 2),
            "llama.cpp table: bits/weight": bits,
            "llama.cpp table: 7B size": f"{n_params_7b * bits / 8 / 1e9:.2f} GB",
            "measured here: bits/weight (270M)": round(m["bits_per_weight"], 2),
            "seed: size vs FP16": round(s["size_gb"] / seed.loc["FP16", "size_gb"], 2),
            "measured here: size vs F16": round(m["size_mib"] / ref["size_mib"], 2),
            "seed: speed vs FP16": f"{s['speed_x']}x",
            "measured here: generation vs F16 (CPU)": f"{m['gen_tok_s'] / ref['gen_tok_s']:.2f}x",
            "seed: quality": f"{s['quality_pct']:g} %",
            "measured here: perplexity vs F16": f"{m['perplexity'] / ref['perplexity'] - 1:+.1%}",
        })
    return pd.DataFrame(rows).set_index("level").T
