"""Retrieval quality and what shows it: recall@k and MRR, similarity heatmaps, ranked tables, metric bars."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .documents import Question
from .retrieval import Hit, normalise, search

# ---------------------------------------------------------------- tables and plots

def plot_similarity(matrix: np.ndarray, labels: Sequence[str], ax: Any = None):
    """A labelled heatmap of a similarity matrix, values written in the cells; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6.5))
    image = ax.imshow(matrix, vmin=min(0.0, float(matrix.min())), vmax=1, cmap="viridis")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="black" if matrix[i, j] > 0.6 else "white")
    ax.set_xlabel("sentence")
    ax.set_ylabel("sentence")
    ax.figure.colorbar(image, ax=ax, label="cosine similarity")
    return ax


def rank_by_similarity(query: np.ndarray, vectors: np.ndarray, texts: Sequence[str]):
    """A DataFrame of `texts` sorted by cosine similarity to `query` (rank 1 = closest)."""
    import pandas as pd

    scores = normalise(np.asarray(vectors, dtype=np.float64)) @ normalise(np.asarray(query, dtype=np.float64))
    order = np.argsort(-scores, kind="stable")
    return pd.DataFrame({"rank": range(1, len(order) + 1), "score": scores[order].round(3),
                         "text": [texts[i] for i in order]}).set_index("rank")


def hits_table(hits: Sequence[Hit], width: int = 70):
    """The hits as a small DataFrame (rank, chunk, score, start of the text)."""
    import pandas as pd

    return pd.DataFrame([{"rank": h.rank, "chunk": h.chunk_id, "score": round(h.score, 3),
                          "text": h.text[:width] + ("…" if len(h.text) > width else "")} for h in hits]).set_index("rank")


# ---------------------------------------------------------------- retrieval quality

def recall_at_k(rankings: Sequence[Sequence[str]], gold: Sequence[str], k: int) -> float:
    """Share of questions whose labelled document is among the top `k` retrieved ids."""
    if len(rankings) != len(gold) or not gold:
        raise ValueError(f"Need one ranking per labelled question; got {len(rankings)} rankings for {len(gold)} labels.")
    return sum(g in list(r)[:k] for r, g in zip(rankings, gold)) / len(gold)


def mean_reciprocal_rank(rankings: Sequence[Sequence[str]], gold: Sequence[str]) -> float:
    """Mean over questions of 1/rank of the first correct id (0 when it was not retrieved)."""
    if len(rankings) != len(gold) or not gold:
        raise ValueError(f"Need one ranking per labelled question; got {len(rankings)} rankings for {len(gold)} labels.")
    total = 0.0
    for ranking, g in zip(rankings, gold):
        ranking = list(ranking)
        total += 1 / (ranking.index(g) + 1) if g in ranking else 0.0
    return total / len(gold)


def retrieval_metrics(rankings: Sequence[Sequence[str]], gold: Sequence[str], ks: Sequence[int] = (1, 3, 5)) -> dict[str, float]:
    """recall@k for each k, and MRR, in one dict."""
    metrics = {f"recall@{k}": recall_at_k(rankings, gold, k) for k in ks}
    metrics["MRR"] = mean_reciprocal_rank(rankings, gold)
    return metrics


def evaluate_retrieval(store: Any, name: str, question_vectors: np.ndarray, questions: Sequence[Question],
                       k: int = 5) -> tuple[dict[str, float], list[list[str]]]:
    """Retrieve `k` chunks per question and score them against the labels; returns (metrics, doc-id rankings)."""
    rankings = [[h.doc_id for h in search(store, name, v, k)] for v in question_vectors]
    return retrieval_metrics(rankings, [q.doc_id for q in questions], ks=tuple(i for i in (1, 3, 5) if i <= k)), rankings


def plot_metrics(metrics: dict[str, float], threshold: tuple[str, float] | None = None, ax: Any = None):
    """A bar chart of retrieval metrics (0 to 1), with an optional threshold line; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    names, values = list(metrics), list(metrics.values())
    bars = ax.bar(names, values, color="#4c72b0")
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values])
    if threshold is not None:
        ax.axhline(threshold[1], color="#c44e52", linestyle="--", label=f"threshold for {threshold[0]}: {threshold[1]:.2f}")
        ax.legend(loc="upper left")
    ax.set_ylim(0, 1.25)
    ax.set_xlabel("metric")
    ax.set_ylabel("score (0 to 1)")
    return ax
