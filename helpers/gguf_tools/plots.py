"""Plots and side-by-side text of a measured ladder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


# ------------------------------------------------------------------------------------------- plots
def _level_colours(levels: Sequence[str]) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    cmap = plt.get_cmap("viridis")
    return {lv: cmap(i / max(len(levels) - 1, 1)) for i, lv in enumerate(levels)}


def plot_size_vs_perplexity(measured: pd.DataFrame, ax: Any = None):
    """Perplexity (lower is better) against file size, one coloured point per level."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(6, 4))[1]
    colours = _level_colours(list(measured.index))
    for level, row in measured.iterrows():
        ax.scatter(row["size_mib"], row["perplexity"], color=colours[level], s=60, label=level, zorder=3)
    ax.set_xlabel("file size (MiB)")
    ax.set_ylabel("perplexity (lower is better)")
    ax.set_title("Size vs quality")
    ax.grid(alpha=0.3)
    ax.legend(title="level")
    return ax


def plot_speed_vs_size(measured: pd.DataFrame, ax: Any = None):
    """Generation and prompt speed relative to F16 against file size, one colour per level."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ax = ax or plt.subplots(figsize=(6, 4))[1]
    colours = _level_colours(list(measured.index))
    ref = measured.loc["F16"] if "F16" in measured.index else measured.iloc[0]
    for level, row in measured.iterrows():
        ax.scatter(row["size_mib"], row["gen_tok_s"] / ref["gen_tok_s"], color=colours[level], marker="o", s=60,
                   zorder=3)
        ax.scatter(row["size_mib"], row["prompt_tok_s"] / ref["prompt_tok_s"], color=colours[level], marker="s",
                   s=40, alpha=0.6, zorder=3)
    ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax.set_ylim(0, max(2.0, float((measured["gen_tok_s"] / ref["gen_tok_s"]).max()) * 1.15))
    ax.set_xlabel("file size (MiB)")
    ax.set_ylabel("tokens/s relative to F16 (1 thread)")
    ax.set_title("Speed vs size")
    ax.grid(alpha=0.3)
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color="grey", label="generation"),
                       Line2D([], [], marker="s", ls="", color="grey", alpha=0.6, label="prompt")], loc="lower right")
    return ax


def side_by_side(measured: pd.DataFrame, levels: Sequence[str] = ("Q8_0", "Q2_K"), width: int = 60) -> str:
    """The greedy continuations of two (or more) levels, wrapped in columns for reading."""
    import textwrap

    cols = [textwrap.wrap(" ".join(measured.loc[lv, "text"].split()), width) for lv in levels]
    height = max(len(c) for c in cols)
    lines = ["   ".join(f"{lv:<{width}}" for lv in levels), "   ".join("-" * width for _ in levels)]
    for i in range(height):
        lines.append("   ".join(f"{(c[i] if i < len(c) else ''):<{width}}" for c in cols))
    return "\n".join(line.rstrip() for line in lines)
