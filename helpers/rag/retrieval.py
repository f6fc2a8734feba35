"""Embeddings and the vector index: embed texts, compare vectors, store chunks in Qdrant and search them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import WorkbookError
from .documents import Chunk


class DimensionMismatch(WorkbookError, ValueError):
    """Vectors of one size were about to be written into a collection made for another."""


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: its rank (1 = best), cosine score and payload."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    title: str
    text: str


# ---------------------------------------------------------------- embeddings

def embed_texts(client: Any, model: str, texts: Sequence[str], *, batch_size: int = 16,
                progress: bool = True, desc: str = "embedding") -> np.ndarray:
    """Embed `texts` through the SDK's `embeddings.create` in batches (tqdm bar); rows are normalised to length 1."""
    from tqdm.auto import tqdm

    texts = list(texts)
    if not texts:
        raise ValueError("Nothing to embed: pass at least one text.")
    rows: list[list[float]] = []
    batches = range(0, len(texts), batch_size)
    for start in tqdm(batches, desc=desc, unit="batch", disable=not progress):
        response = client.embeddings.create(model=model, inputs=texts[start:start + batch_size])
        rows.extend(d.embedding for d in sorted(response.data, key=lambda d: d.index))
    vectors = np.asarray(rows, dtype=np.float32)
    return normalise(vectors)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to length 1 (then the dot product is the cosine similarity)."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("A zero vector has no direction and cannot be normalised; check the embedding call.")
    return vectors / norms


def cosine_similarity(a: Sequence[float], b: Sequence[float]) -> float:
    """dot(a, b) / (|a| |b|): 1 for the same direction, 0 for unrelated, -1 for opposite."""
    u, v = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if u.shape != v.shape:
        raise DimensionMismatch(f"Cannot compare a {u.shape[-1]}-dim vector with a {v.shape[-1]}-dim one: "
                                "embed both texts with the same model.")
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def similarity_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row with every other row."""
    unit = normalise(np.asarray(vectors, dtype=np.float64))
    return unit @ unit.T


# ---------------------------------------------------------------- the vector database (Qdrant)

def create_collection(store: Any, name: str, dimension: int) -> None:
    """(Re)create a cosine-distance Qdrant collection for `dimension`-sized vectors."""
    from qdrant_client import models

    if store.collection_exists(name):
        store.delete_collection(name)
    store.create_collection(name, vectors_config=models.VectorParams(size=dimension, distance=models.Distance.COSINE))


def collection_dimension(store: Any, name: str) -> int:
    """The vector size a collection was created for."""
    return int(store.get_collection(name).config.params.vectors.size)


def check_dimension(store: Any, name: str, vectors: np.ndarray, model: str | None = None) -> None:
    """Raise DimensionMismatch, naming both sizes and the fix, when `vectors` do not fit collection `name`."""
    expected = collection_dimension(store, name)
    got = int(np.asarray(vectors).shape[-1])
    if got == expected:
        return
    source = f" from {model}" if model else ""
    raise DimensionMismatch(
        f"Collection {name!r} holds {expected}-dim vectors, but these vectors{source} are {got}-dim. "
        f"A collection stores one size only, and vectors from different models are not comparable anyway. Fix: "
        f"re-create the collection with the model's dimension (create_collection(store, {name!r}, {got})) and "
        f"re-embed every document and query with that one model, or switch back to the model that filled it."
    )


def index_chunks(store: Any, name: str, chunks: Sequence[Chunk], vectors: np.ndarray, model: str | None = None) -> int:
    """Check the dimension, then upsert one point per chunk (payload: ids, title, text); returns the count."""
    from qdrant_client import models

    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors: embed exactly the chunks you index.")
    check_dimension(store, name, vectors, model)
    points = [models.PointStruct(id=i, vector=v.tolist(), payload={"chunk_id": c.id, "doc_id": c.doc_id,
                                                                   "title": c.title, "text": c.text})
              for i, (c, v) in enumerate(zip(chunks, vectors))]
    store.upsert(name, points=points, wait=True)
    return len(points)


def search(store: Any, name: str, query_vector: np.ndarray, k: int = 3) -> list[Hit]:
    """The `k` chunks closest to `query_vector` by cosine similarity, best first."""
    check_dimension(store, name, np.asarray(query_vector)[None, :])
    result = store.query_points(name, query=np.asarray(query_vector).tolist(), limit=k, with_payload=True)
    return [Hit(rank, float(p.score), p.payload["chunk_id"], p.payload["doc_id"], p.payload["title"], p.payload["text"])
            for rank, p in enumerate(result.points, start=1)]
