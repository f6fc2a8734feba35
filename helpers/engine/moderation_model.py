"""The moderation stand-in at serve time: nine logistic regressions over the embedding stand-in's vectors.

`data/moderation/classifier.json` holds one weight vector, bias and threshold per category of Mistral's
moderation API (`python -m helpers.moderation train` writes it from `data/moderation/train.jsonl`). A text's
score for a category is `sigmoid(w · v + b)`, where `v` is the text's unit-length all-MiniLM-L6-v2 vector;
the category is flagged when the score reaches the category's threshold.

The classifier was trained on short texts (a sentence or two), and a sentence vector is a mean over all of a
text's word pieces, so one threat inside a long benign text barely moves it. A text is therefore scored per
passage: its sentences packed, in order, into passages of at most 64 word pieces (a longer sentence is cut into
64-piece windows), and the text keeps each category's highest passage score. The embedding model would read
256 word pieces ([CLS] and [SEP] included) and silently drop the rest; no passage comes near that. Texts over
`MAX_INPUT_TOKENS` are refused. A conversation is scored on its last turn: the last message's passages, and,
when there is an earlier turn, the two last turns rendered `role: text` one per line (the end of them that fits
the embedder's window), so that an answer is also judged with the question it answers.

Only numpy and the `tokenizers` library are needed here; the endpoint passes its own embedding function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..paths import data_dir
from .embedded import EMBED_ALIAS, prepare_embedding_model

MODEL_ID = "standin-moderation-minilm"
# Mistral's moderation categories (the moderation API of mistral-moderation-2603 answers these; the SDK's ModerationLlmv1CategoryThresholds)
CATEGORIES: tuple[str, ...] = ("sexual", "hate_and_discrimination", "violence_and_threats",
                               "dangerous_and_criminal_content", "selfharm", "health", "financial", "law", "pii")
WINDOW_TOKENS = 254  # word pieces the embedder reads: its 256 minus [CLS] and [SEP]
PASSAGE_TOKENS = 64  # word pieces per scored passage: about the length of the training texts
MAX_INPUT_TOKENS = 8192  # per input text or conversation: 33 chunks at most


def classifier_path() -> Path:
    """`data/moderation/classifier.json`."""
    return data_dir() / "moderation" / "classifier.json"


@dataclass(frozen=True)
class Classifier:
    """One logistic regression per category over unit-length embedding vectors."""

    categories: tuple[str, ...]
    weights: np.ndarray  # (categories, dimension)
    biases: np.ndarray  # (categories,)
    thresholds: np.ndarray  # (categories,): flagged when score >= threshold
    embedding_model: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Classifier:
        """The classifier described by `classifier.json`'s content."""
        categories = tuple(data["categories"])
        weights = np.asarray([data["weights"][c] for c in categories], dtype=np.float64)
        biases = np.asarray([data["biases"][c] for c in categories], dtype=np.float64)
        thresholds = np.asarray([data["thresholds"][c] for c in categories], dtype=np.float64)
        if weights.ndim != 2 or weights.shape[0] != len(categories):
            raise ValueError("classifier.json: one weight vector per category expected")
        return cls(categories, weights, biases, thresholds, str(data["embedding_model"]))

    def score_matrix(self, vectors: Any) -> np.ndarray:
        """(texts, categories) probabilities for unit-length `vectors` (texts, dimension)."""
        matrix = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        if matrix.shape[1] != self.weights.shape[1]:
            raise ValueError(f"expected {self.weights.shape[1]}-dim vectors, got {matrix.shape[1]}")
        logits = matrix @ self.weights.T + self.biases
        return 1.0 / (1.0 + np.exp(-logits))

    def scores(self, vectors: Any) -> list[dict[str, float]]:
        """Each vector's score per category."""
        return [dict(zip(self.categories, (float(p) for p in row))) for row in self.score_matrix(vectors)]

    def flags(self, scores: dict[str, float]) -> dict[str, bool]:
        """Which categories `scores` flags (score at or above the category's threshold)."""
        return {c: bool(scores[c] >= t) for c, t in zip(self.categories, self.thresholds)}


@cache
def load_classifier(path: Path | None = None) -> Classifier:
    """The committed classifier (`classifier_path()`), read once per path."""
    return Classifier.from_json(json.loads((path or classifier_path()).read_text()))


def scores(vectors: Any) -> list[dict[str, float]]:
    """Each unit-length vector's score per category, by the committed classifier."""
    return load_classifier().scores(vectors)


@cache
def embedding_tokenizer() -> Any:
    """The embedding stand-in's word-piece tokenizer (`tokenizers.Tokenizer`), without truncation or padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(prepare_embedding_model(progress=False) / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def token_count(text: str) -> int:
    """Word pieces in `text`, without [CLS] and [SEP]."""
    return len(embedding_tokenizer().encode(text, add_special_tokens=False).ids)


def chunks(text: str, window: int = WINDOW_TOKENS) -> list[str]:
    """`text` cut into consecutive pieces of at most `window` word pieces (the whole text when it fits)."""
    offsets = embedding_tokenizer().encode(text, add_special_tokens=False).offsets
    if len(offsets) <= window:
        return [text]
    pieces = []
    for start in range(0, len(offsets), window):
        part = offsets[start:start + window]
        end = offsets[start + window][0] if start + window < len(offsets) else len(text)
        pieces.append(text[part[0][0]:end].strip())
    return pieces


def tail(text: str, window: int = WINDOW_TOKENS) -> str:
    """The end of `text` that fits in `window` word pieces."""
    offsets = embedding_tokenizer().encode(text, add_special_tokens=False).offsets
    return text if len(offsets) <= window else text[offsets[-window][0]:]


SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def passages(text: str, limit: int = PASSAGE_TOKENS) -> list[str]:
    """`text`'s sentences packed in order into passages of at most `limit` word pieces; a longer sentence is cut
    into `limit`-piece windows. A short text is one passage, itself."""
    if token_count(text) <= limit:
        return [text]
    out: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in (s.strip() for s in SENTENCE_END.split(text)):
        if not sentence:
            continue
        size = token_count(sentence)
        if current and used + size > limit:
            out.append(" ".join(current))
            current, used = [], 0
        if size > limit:
            out.extend(chunks(sentence, limit))
            continue
        current.append(sentence)
        used += size
    if current:
        out.append(" ".join(current))
    return out


def message_text(message: dict[str, Any]) -> str:
    """A chat message's text: its string content, or its text chunks joined (images and the like skipped)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(c.get("text", "")) for c in content if isinstance(c, dict) and c.get("type", "text") == "text")
    return ""


def conversation_texts(messages: Sequence[dict[str, Any]]) -> list[str]:
    """What is embedded to score a conversation's last turn in context: the last message's passages, and the
    last two turns rendered `role: text` one per line (the end of them that fits the embedder's window)."""
    pieces = passages(message_text(messages[-1]))
    if len(messages) > 1:
        pair = "\n".join(f"{m.get('role', 'user')}: {message_text(m)}" for m in messages[-2:])
        pieces.append(tail(pair))
    return pieces


def score_texts(texts: Sequence[str], embed: Callable[[list[str]], Any],
                classifier: Classifier | None = None) -> list[dict[str, float]]:
    """Each text's score per category: the highest over its passages (`passages`), embedded in one call."""
    return score_groups([passages(t) for t in texts], embed, classifier)


def score_groups(groups: Sequence[Sequence[str]], embed: Callable[[list[str]], Any],
                 classifier: Classifier | None = None) -> list[dict[str, float]]:
    """Each group of pieces' score per category: the highest over the group's pieces."""
    model = classifier or load_classifier()
    flat = [piece for group in groups for piece in group]
    matrix = model.score_matrix(embed(flat)) if flat else np.zeros((0, len(model.categories)))
    out, start = [], 0
    for group in groups:
        best = matrix[start:start + len(group)].max(axis=0)
        start += len(group)
        out.append(dict(zip(model.categories, (float(p) for p in best))))
    return out


def results(all_scores: Sequence[dict[str, float]], classifier: Classifier | None = None) -> list[dict[str, Any]]:
    """La Plateforme's `ModerationObject` for each text's scores: `categories` (flags) and `category_scores`."""
    model = classifier or load_classifier()
    return [{"categories": model.flags(s), "category_scores": {c: round(s[c], 6) for c in model.categories}}
            for s in all_scores]


__all__ = ["CATEGORIES", "EMBED_ALIAS", "MAX_INPUT_TOKENS", "MODEL_ID", "PASSAGE_TOKENS", "WINDOW_TOKENS", "Classifier", "chunks",
           "classifier_path", "conversation_texts", "embedding_tokenizer", "load_classifier", "message_text",
           "passages", "results", "score_groups", "score_texts", "scores", "tail", "token_count"]
