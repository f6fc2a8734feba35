"""Published scores as data: the file, its tables and the bar chart beside the seed article's figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .items import bench_dir


# ------------------------------------------------------------------------------ published scores
def load_published(path: str | Path | None = None) -> dict[str, Any]:
    """The published-scores file: benchmarks, sources, scores and the seed article's figures."""
    return json.loads(Path(path or bench_dir() / "published_scores.json").read_text(encoding="utf-8"))


def published_table(data: dict[str, Any] | None = None, *, primary_only: bool = False) -> pd.DataFrame:
    """Every published figure, one row each, with its setting, source, URL and date."""
    data = data or load_published()
    rows = []
    for s in data["scores"]:
        src = data["sources"][s["source"]]
        rows.append({"model": s["model"], "variant": s.get("variant", ""), "benchmark": s["benchmark"],
                     "score": s["score"], "setting": s["setting"], "primary": s.get("primary", False),
                     "source": src["title"], "url": src["url"], "date": src["date"],
                     "checked": s.get("checked", "")})
    table = pd.DataFrame(rows)
    return table[table["primary"]].reset_index(drop=True) if primary_only else table


def seed_vs_sources(data: dict[str, Any] | None = None) -> pd.DataFrame:
    """The seed article's figure beside the primary published one, with the difference and a note."""
    data = data or load_published()
    primary = {(s["model"], s["benchmark"]): s for s in data["scores"] if s.get("primary")}
    rows = []
    for model, figures in data["seed"]["scores"].items():
        for bench, fig in figures.items():
            pub = primary.get((model, bench))
            rows.append({
                "model": model, "benchmark": bench,
                "seed": f"{fig['score']}" + (" (Estimated)" if fig.get("estimated") else ""),
                "published": pub["score"] if pub else None,
                "setting": pub["setting"] if pub else "",
                "source": data["sources"][pub["source"]]["title"] if pub else "",
                "difference": round(fig["score"] - pub["score"], 1) if pub and pub["score"] is not None else None,
                "note": fig.get("note", ""),
            })
    return pd.DataFrame(rows)


def plot_published(data: dict[str, Any] | None = None, ax: Any = None, *, with_seed: bool = True) -> Any:
    """Grouped bars: the primary published score per model and benchmark; the seed's figures as black marks.

    A seed figure with no published counterpart (marked "Estimated" by the seed) is drawn as a hollow
    dashed bar, so it never looks like a measurement.
    """
    import matplotlib.pyplot as plt

    data = data or load_published()
    table = published_table(data, primary_only=True)
    benches = list(data["benchmarks"])
    models = list(dict.fromkeys(table["model"]))
    ax = ax or plt.subplots(figsize=(11, 4.2))[1]
    width = 0.8 / len(models)
    seed_labelled = estimate_labelled = False
    for i, model in enumerate(models):
        xs = [b + (i - (len(models) - 1) / 2) * width for b in range(len(benches))]
        sub = table[table["model"] == model].set_index("benchmark")["score"]
        values = [sub.get(b) for b in benches]
        bars = ax.bar(xs, [v if pd.notna(v) else 0 for v in values], width, label=model)
        colour = bars.patches[0].get_facecolor()
        for x, v in zip(xs, values):
            ax.text(x, (v if pd.notna(v) else 0) + 1, f"{v:g}" if pd.notna(v) else "n/a", ha="center", fontsize=7)
        seed = data["seed"]["scores"].get(model, {}) if with_seed else {}
        for x, b in zip(xs, benches):
            if b not in seed:
                continue
            if seed[b].get("estimated"):
                ax.bar(x, seed[b]["score"], width, fill=False, edgecolor=colour, linestyle="--",
                       label=None if estimate_labelled else "seed's estimate (hollow)")
                estimate_labelled = True
            else:
                ax.plot(x, seed[b]["score"], marker="_", markersize=18, markeredgewidth=2.5, color="black",
                        linestyle="none", label=None if seed_labelled else "seed's figure")
                seed_labelled = True
    ax.set_xticks(range(len(benches)), [f"{b}\n({data['benchmarks'][b]['metric']})" for b in benches])
    ax.set(ylabel="score (%)", ylim=(0, 105), title="Published scores (bars) and the seed's figures (black marks)")
    ax.legend(fontsize=8, ncols=3, loc="upper left")
    return ax
