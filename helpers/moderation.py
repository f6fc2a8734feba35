"""Moderation: Mistral's nine categories, the workbook's labelled examples, and a classifier trained on them.

    model = helpers.catalog.resolve("mistral-moderation-2603", bk.name)  # the stand-in's name offline
    examples = load_examples("heldout")                        # data/moderation/heldout.jsonl
    response = bk.client.classifiers.moderate(model=model, inputs=[e.text for e in examples[:3]])
    moderation_table(response, [e.text for e in examples[:3]])  # one row per text, one column per category
    results = moderate_texts(bk.client, model, [e.text for e in examples])  # one API pass
    precision_recall(examples, results)                        # per-category precision, recall, F1

The embedded endpoint serves `standin-moderation-minilm`: one logistic regression per category over
all-MiniLM-L6-v2 vectors, trained on `data/moderation/train.jsonl` (written for the workbook, CC0-1.0) with
per-category thresholds chosen by 5-fold cross-validation on the training set. It is a teaching stand-in,
far weaker than Mistral's own moderation model; `data/moderation/README.md` says what it misses.

    python -m helpers.moderation train      # writes data/moderation/classifier.json (seconds)
    python -m helpers.moderation evaluate   # held-out precision/recall/F1, writes data/moderation/heldout_scores.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .engine.embedded import EMBED_ALIAS, prepare_embedding_model
from .engine.moderation_model import (
    CATEGORIES,
    MODEL_ID,
    Classifier,
    classifier_path,
    load_classifier,
    score_texts,
)
from .paths import data_dir

SEED = 0
FOLDS = 5
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # inverse regularisation strengths tried per category
TRAIN_COMMAND = "python -m helpers.moderation train"


def moderation_dir() -> Path:
    """`data/moderation/`: the examples, the classifier and its held-out scores."""
    return data_dir() / "moderation"


@dataclass(frozen=True)
class Example:
    """A text and the moderation categories it belongs to (none for a benign text)."""

    text: str
    labels: tuple[str, ...] = field(default=())


def load_examples(split: str = "train") -> list[Example]:
    """`data/moderation/{split}.jsonl` ("train" or "heldout")."""
    rows = [json.loads(line) for line in (moderation_dir() / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for row in rows:
        unknown = set(row["labels"]) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"{split}.jsonl: unknown categories {sorted(unknown)} for {row['text']!r}")
        out.append(Example(row["text"], tuple(row["labels"])))
    return out


def label_matrix(examples: Sequence[Example]) -> np.ndarray:
    """(examples, categories) 0/1 matrix of the examples' labels."""
    return np.array([[int(c in e.labels) for c in CATEGORIES] for e in examples], dtype=np.int64)


@cache
def _embedder() -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(prepare_embedding_model(progress=False)), device="cpu")


def embed_locally(texts: list[str]) -> np.ndarray:
    """Unit-length all-MiniLM-L6-v2 vectors, computed in this process (as the embedded endpoint does)."""
    return np.asarray(_embedder().encode(texts, normalize_embeddings=True, batch_size=64))


# ---- training ---------------------------------------------------------------------------------------------


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(threshold, F1) maximising F1 of `p >= threshold` over 0.05..0.95; ties go to the middle of the best run."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1s = np.array([f1_of(y, p >= t) for t in grid])
    best = np.flatnonzero(f1s == f1s.max())
    return float(grid[best[len(best) // 2]]), float(f1s.max())


def f1_of(y: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of boolean predictions against 0/1 labels (0 when nothing is predicted or labelled)."""
    tp = int(np.sum(predicted & (y == 1)))
    denominator = int(np.sum(predicted)) + int(np.sum(y == 1))
    return 2 * tp / denominator if denominator else 0.0


def fit_category(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """One category's logistic regression: C and threshold chosen from out-of-fold probabilities, then refit on all.

    Each C in `C_GRID` gets 5-fold (stratified, seeded) out-of-fold probabilities; the C with the best
    out-of-fold F1 (at its best threshold) wins, and its threshold is kept. Held-out data plays no part.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    best: dict[str, Any] | None = None
    for c in C_GRID:
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=SEED)
        p = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
        threshold, f1 = best_threshold(y, p)
        if best is None or f1 > best["cv_f1"] + 1e-12:
            best = {"C": c, "threshold": threshold, "cv_f1": round(f1, 4)}
    assert best is not None
    final = LogisticRegression(C=best["C"], class_weight="balanced", max_iter=5000, random_state=SEED).fit(x, y)
    return {**best, "weights": [round(float(w), 7) for w in final.coef_[0]], "bias": round(float(final.intercept_[0]), 7)}


def train(examples: Sequence[Example] | None = None, path: Path | None = None) -> dict[str, Any]:
    """Train the nine classifiers on `examples` (the training set by default) and write `classifier.json`."""
    import sklearn

    started = time.perf_counter()
    examples = list(examples or load_examples("train"))
    x = embed_locally([e.text for e in examples])
    y = label_matrix(examples)
    fitted = {c: fit_category(x, y[:, i]) for i, c in enumerate(CATEGORIES)}
    data = {
        "model": MODEL_ID,
        "about": "One logistic regression per moderation category over unit-length sentence vectors; "
                 "score = sigmoid(weights . vector + bias), flagged when score >= threshold.",
        "embedding_model": f"{EMBED_ALIAS} (sentence-transformers/all-MiniLM-L6-v2, normalised, 384-dim)",
        "dimension": int(x.shape[1]),
        "categories": list(CATEGORIES),
        "thresholds": {c: f["threshold"] for c, f in fitted.items()},
        "biases": {c: f["bias"] for c, f in fitted.items()},
        "regularisation_C": {c: f["C"] for c, f in fitted.items()},
        "cross_validated_f1": {c: f["cv_f1"] for c, f in fitted.items()},
        "training": {
            "data": "data/moderation/train.jsonl",
            "examples": len(examples),
            "positives": {c: int(y[:, i].sum()) for i, c in enumerate(CATEGORIES)},
            "method": f"scikit-learn {sklearn.__version__} LogisticRegression(class_weight='balanced', lbfgs), "
                      f"C from {list(C_GRID)} and threshold from {FOLDS}-fold stratified out-of-fold F1 "
                      f"(seed {SEED}) on the training set only",
            "trained_on": dt.date.today().isoformat(),
            "command": TRAIN_COMMAND,
            "seconds": round(time.perf_counter() - started, 1),
        },
        "licence": "CC0-1.0",
        "weights": {c: f["weights"] for c, f in fitted.items()},
    }
    target = path or classifier_path()
    target.write_text(json.dumps(data, indent=1) + "\n")
    load_classifier.cache_clear()
    return data


# ---- evaluation ---------------------------------------------------------------------------------------------


def metrics_table(labels: np.ndarray, flags: np.ndarray) -> list[dict[str, Any]]:
    """Per-category precision, recall, F1 and support of 0/1 `flags` against 0/1 `labels` (examples, categories)."""
    rows = []
    for i, c in enumerate(CATEGORIES):
        y, f = labels[:, i] == 1, flags[:, i] == 1
        tp, fp, fn = int(np.sum(y & f)), int(np.sum(~y & f)), int(np.sum(y & ~f))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"category": c, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                     "support": int(y.sum()), "flagged": int(f.sum())})
    return rows


def summary(labels: np.ndarray, flags: np.ndarray) -> dict[str, Any]:
    """Per-category metrics, their macro averages, and how often a benign text (no label) is flagged at all."""
    rows = metrics_table(labels, flags)
    benign = labels.sum(axis=1) == 0
    return {
        "per_category": rows,
        "macro": {k: round(float(np.mean([r[k] for r in rows])), 4) for k in ("precision", "recall", "f1")},
        "benign_examples": int(benign.sum()),
        "benign_flagged_rate": round(float(flags[benign].any(axis=1).mean()), 4) if benign.any() else 0.0,
        "exact_match_rate": round(float((labels == flags).all(axis=1).mean()), 4),
    }


def evaluate(examples: Sequence[Example] | None = None, classifier: Classifier | None = None,
             path: Path | None = None) -> dict[str, Any]:
    """Score the held-out examples in-process (the way the endpoint scores), print and write `heldout_scores.json`."""
    examples = list(examples or load_examples("heldout"))
    model = classifier or load_classifier()
    all_scores = score_texts([e.text for e in examples], embed_locally, model)
    flags = np.array([[int(model.flags(s)[c]) for c in CATEGORIES] for s in all_scores])
    result = {
        "model": MODEL_ID,
        "data": "data/moderation/heldout.jsonl",
        "command": "python -m helpers.moderation evaluate",
        **summary(label_matrix(examples), flags),
        "examples": [{"text": e.text, "labels": list(e.labels),
                      "flagged": [c for c in CATEGORIES if model.flags(s)[c]],
                      "scores": {c: round(s[c], 4) for c in CATEGORIES}} for e, s in zip(examples, all_scores)],
    }
    (path or moderation_dir() / "heldout_scores.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return result


def format_summary(result: dict[str, Any]) -> str:
    """The evaluation as a plain-text table."""
    lines = [f"{'category':32} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'flagged':>8}"]
    for r in result["per_category"]:
        lines.append(f"{r['category']:32} {r['precision']:9.3f} {r['recall']:7.3f} {r['f1']:6.3f} "
                     f"{r['support']:8d} {r['flagged']:8d}")
    m = result["macro"]
    lines.append(f"{'macro':32} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f}")
    lines.append(f"benign texts flagged: {result['benign_flagged_rate']:.1%} of {result['benign_examples']}; "
                 f"exact label-set matches: {result['exact_match_rate']:.1%}")
    return "\n".join(lines)


# ---- through the API (notebook 11) ----------------------------------------------------------------------------


def _batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def moderate_texts(client: Any, model: str, texts: Sequence[str], batch: int = 32) -> list[Any]:
    """`client.classifiers.moderate` over `texts` in batches: one `ModerationObject` per text."""
    out: list[Any] = []
    for part in _batches(list(texts), batch):
        out.extend(client.classifiers.moderate(model=model, inputs=list(part)).results)
    return out


def moderation_table(response: Any, texts: Sequence[str] | None = None) -> Any:
    """A `ModerationResponse` (or its `results`) as a DataFrame: one row per input, each category's score,
    and `flagged`, the categories over their thresholds."""
    import pandas as pd

    results = getattr(response, "results", response)
    rows = []
    for i, r in enumerate(results):
        row: dict[str, Any] = {"text": texts[i]} if texts is not None else {}
        row.update({c: round(float((r.category_scores or {}).get(c, 0.0)), 3) for c in CATEGORIES})
        row["flagged"] = ", ".join(c for c, on in (r.categories or {}).items() if on) or "-"
        rows.append(row)
    return pd.DataFrame(rows)


def precision_recall(examples: Sequence[Example], results: Sequence[Any]) -> Any:
    """Score moderation `results` (one per example, from `moderate_texts`) against the examples' labels: a
    DataFrame with one row per category (precision, recall, f1, support, flagged) and a last `macro` row."""
    import pandas as pd

    flags = np.array([[int(bool((r.categories or {}).get(c, False))) for c in CATEGORIES] for r in results])
    result = summary(label_matrix(examples), flags)
    table = pd.DataFrame(result["per_category"]).set_index("category")
    table.loc["macro"] = [result["macro"]["precision"], result["macro"]["recall"], result["macro"]["f1"],
                          int(table["support"].sum()), int(table["flagged"].sum())]
    return table


def mistakes(examples: Sequence[Example], results: Sequence[Any]) -> Any:
    """The examples whose flagged categories (in `results`, one per example) differ from their labels."""
    import pandas as pd

    rows = []
    for e, r in zip(examples, results, strict=True):
        flagged = tuple(c for c in CATEGORIES if (r.categories or {}).get(c))
        if set(flagged) != set(e.labels):
            rows.append({"text": e.text, "labels": ", ".join(e.labels) or "-", "flagged": ", ".join(flagged) or "-"})
    return pd.DataFrame(rows, columns=["text", "labels", "flagged"])


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m helpers.moderation train|evaluate`."""
    parser = argparse.ArgumentParser(prog="python -m helpers.moderation", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("train", "evaluate"))
    args = parser.parse_args(argv)
    if args.command == "train":
        data = train()
        print(f"trained {len(CATEGORIES)} classifiers on {data['training']['examples']} examples in "
              f"{data['training']['seconds']} s -> {classifier_path()}")
        for c in CATEGORIES:
            print(f"  {c:32} C={data['regularisation_C'][c]:<5} threshold={data['thresholds'][c]:.2f} "
                  f"cv F1={data['cross_validated_f1'][c]:.3f}")
    else:
        print(format_summary(evaluate()))
        print(f"-> {moderation_dir() / 'heldout_scores.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
