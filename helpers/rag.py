"""Embeddings and retrieval-augmented generation: chunk, embed, index in Qdrant, retrieve, cite, measure.

    docs = load_documents()                                   # data/rag/docs/*.md
    chunks = chunk_documents(docs, max_tokens=128, overlap=24)
    vectors = embed_texts(bk.client, bk.embed_model, [c.text for c in chunks])
    store = QdrantClient(":memory:"); create_collection(store, "docs", vectors.shape[1])
    index_chunks(store, "docs", chunks, vectors)
    hits = search(store, "docs", embed_texts(bk.client, bk.embed_model, [question])[0], k=3)

Token counts use the embedded stand-in's WordPiece tokenizer (all-MiniLM-L6-v2, 256 tokens per
input), read from its `tokenizer.json`: no model is loaded. A chunk that fits that limit is far
below mistral-embed's 8,192-token limit, so the same chunks work on every backend.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .errors import WorkbookError
from .paths import data_dir

SPECIAL_TOKENS = 2  # [CLS] and [SEP]: the embedding endpoint counts them in every input
STANDIN_LIMIT = 256  # all-MiniLM-L6-v2's max_seq_length; the endpoint rejects longer inputs


class DimensionMismatch(WorkbookError, ValueError):
    """Vectors of one size were about to be written into a collection made for another."""


@dataclass(frozen=True)
class Document:
    """One source document: its id (the file name), title and text."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough to embed; `id` is `doc_id#n`."""

    id: str
    doc_id: str
    title: str
    text: str
    n_tokens: int


@dataclass(frozen=True)
class Question:
    """A labelled retrieval question: `doc_id` names the document that answers it."""

    id: str
    question: str
    doc_id: str


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: its rank (1 = best), cosine score and payload."""

    rank: int
    score: float
    chunk_id: str
    doc_id: str
    title: str
    text: str


# ---------------------------------------------------------------- data

def rag_dir() -> Path:
    """The folder with the documents, questions and embedding-model facts."""
    return data_dir() / "rag"


def load_documents(folder: Path | None = None) -> list[Document]:
    """Every `*.md` document in `data/rag/docs/`, sorted by id; the first `# ` line is the title."""
    folder = folder or rag_dir() / "docs"
    docs = []
    for path in sorted(folder.glob("*.md")):
        lines = path.read_text(encoding="utf-8").strip().splitlines()
        if not lines or not lines[0].startswith("# "):
            raise ValueError(f"{path} must start with a '# Title' line.")
        body = "\n".join(lines[1:]).strip()
        docs.append(Document(path.stem, lines[0][2:].strip(), body))
    if not docs:
        raise FileNotFoundError(f"No *.md documents in {folder}; the workbook ships them in data/rag/docs/.")
    return docs


def load_questions(path: Path | None = None) -> list[Question]:
    """The labelled questions of `data/rag/questions.json`."""
    data = json.loads((path or rag_dir() / "questions.json").read_text(encoding="utf-8"))
    return [Question(q["id"], q["question"], q["doc"]) for q in data["questions"]]


@cache
def embedding_model_facts() -> dict[str, dict[str, Any]]:
    """Dimension and input limit of the embedding models the workbook names (`data/rag/embedding_models.json`)."""
    return json.loads((rag_dir() / "embedding_models.json").read_text(encoding="utf-8"))["models"]


def expected_dimension(model: str) -> int | None:
    """The vector size `model` produces, or None for a model the workbook has no facts about."""
    facts = embedding_model_facts().get(model)
    return None if facts is None else int(facts["dimension"])


# ---------------------------------------------------------------- tokens and chunks

@cache
def _tokenizer():
    from tokenizers import Tokenizer

    from .engine.embedded import prepare_embedding_model

    tok = Tokenizer.from_file(str(prepare_embedding_model(progress=False) / "tokenizer.json"))
    tok.no_truncation()  # the file ships with truncation at 128 and padding: we want true counts
    tok.no_padding()
    return tok


def count_tokens(text: str, *, special: bool = True) -> int:
    """Tokens in `text` as the embedding endpoint counts them ([CLS] and [SEP] included unless special=False)."""
    return len(_tokenizer().encode(text, add_special_tokens=special).ids)


def chunk_text(text: str, max_tokens: int = 128, overlap: int = 24, *, limit: int = STANDIN_LIMIT) -> list[str]:
    """Split `text` at word boundaries into chunks of at most `max_tokens` tokens ([CLS]/[SEP] included),
    each starting up to `overlap` tokens before the previous one ended."""
    if max_tokens > limit:
        raise ValueError(
            f"max_tokens={max_tokens} is over the embedding model's input limit of {limit} tokens: the endpoint "
            f"would reject those chunks. Use max_tokens <= {limit}."
        )
    budget = max_tokens - SPECIAL_TOKENS
    if budget <= 0 or not 0 <= overlap < budget:
        raise ValueError(f"Need max_tokens > {SPECIAL_TOKENS} and 0 <= overlap < max_tokens - {SPECIAL_TOKENS}; "
                         f"got max_tokens={max_tokens}, overlap={overlap}.")
    words = text.split()
    if not words:
        return []
    # WordPiece splits each whitespace-separated word on its own, so per-word counts add up exactly.
    counts = [len(e.ids) for e in _tokenizer().encode_batch(words, add_special_tokens=False)]
    chunks, start = [], 0
    while start < len(words):
        end, used = start, 0
        while end < len(words) and used + counts[end] <= budget:
            used += counts[end]
            end += 1
        if end == start:
            raise ValueError(f"The word {words[start][:40]!r} alone is {counts[start]} tokens, more than max_tokens "
                             f"allows; raise max_tokens or clean the text.")
        chunks.append(" ".join(words[start:end]))
        if end == len(words):
            break
        back, shared = end, 0
        while back - 1 > start and shared + counts[back - 1] <= overlap:
            shared += counts[back - 1]
            back -= 1
        start = back
    return chunks


def chunk_documents(docs: Sequence[Document], max_tokens: int = 128, overlap: int = 24) -> list[Chunk]:
    """Chunk every document; each chunk starts with its document's title, which helps retrieval."""
    chunks = []
    for doc in docs:
        head = f"{doc.title}: "
        room = max_tokens - count_tokens(head, special=False)
        for n, piece in enumerate(chunk_text(doc.text, room, min(overlap, room - SPECIAL_TOKENS - 1))):
            text = head + piece
            chunks.append(Chunk(f"{doc.id}#{n}", doc.id, doc.title, text, count_tokens(text)))
    return chunks


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


# ---------------------------------------------------------------- answers with citations

EXAMPLE = (
    "Sources:\n[1] The Larkspur SOC keeps packet captures for 90 days.\n"
    "[2] Codestral was trained on more than 80 programming languages.\n"
    "Question: How many programming languages was Codestral trained on?\n"
    '{"citations": [2], "answer": "More than 80 programming languages [2]."}'
)


def build_prompt(question: str, hits: Sequence[Hit]) -> str:
    """A prompt that numbers the retrieved chunks [1]..[k] and asks for a JSON answer citing them.

    One worked example comes first (its answer cites source [2], not [1], and ignores the unrelated
    source): an instruction-tuned model needs only the instruction, a base model follows the pattern.
    """
    sources = "\n".join(f"[{i}] {h.text}" for i, h in enumerate(hits, start=1))
    return (
        "Answer the question using only the numbered sources. Cite the sources you used by number.\n\n"
        f"{EXAMPLE}\n\nSources:\n{sources}\nQuestion: {question}\n"
    )


def citation_schema(k: int, answer_chars: int = 100) -> dict[str, Any]:
    """JSON schema of a cited answer: 1..k citation numbers (only retrieved chunks can be cited), then the answer."""
    return {
        "type": "object",
        "properties": {
            "citations": {"type": "array", "items": {"type": "integer", "enum": list(range(1, k + 1))},
                          "minItems": 1, "maxItems": k},
            "answer": {"type": "string", "maxLength": answer_chars},
        },
        "required": ["citations", "answer"],
        "additionalProperties": False,
    }


@dataclass
class CitedAnswer:
    """A generated answer, the citation numbers it gave, and the retrieved chunks they point at."""

    answer: str
    citations: list[int]
    cited: list[Hit]
    raw: str = field(repr=False, default="")
    markers: list[int] = field(default_factory=list)  # [n] markers written inside the answer text
    response: Any = field(repr=False, default=None)  # the SDK response (for bk.answered_by)


def cited_hits(citations: Sequence[int], hits: Sequence[Hit]) -> list[Hit]:
    """The retrieved chunks that citation numbers point at; raises when a number points at nothing."""
    bad = [c for c in citations if not (isinstance(c, int) and 1 <= c <= len(hits))]
    if bad:
        raise ValueError(f"The answer cites {bad}, but only sources [1]..[{len(hits)}] were given: "
                         "it cites chunks that were not retrieved. Constrain citations with citation_schema(k).")
    return [hits[c - 1] for c in dict.fromkeys(citations)]


def answer_with_citations(client: Any, model: str, question: str, hits: Sequence[Hit], *,
                          max_tokens: int = 48, answer_chars: int = 100) -> CitedAnswer:
    """Ask the chat model for a JSON answer that cites the retrieved chunks by number, and resolve the citations."""
    response = client.chat.complete(
        model=model,
        messages=[{"role": "user", "content": build_prompt(question, hits)}],
        temperature=0,
        max_tokens=max_tokens,
        response_format={"type": "json_schema", "json_schema": {
            "name": "cited_answer", "schema": citation_schema(len(hits), answer_chars), "strict": True}},
    )
    raw = response.choices[0].message.content or ""
    try:
        data = json.loads(raw, strict=False)  # strict=False: a raw newline inside the answer is tolerated
    except json.JSONDecodeError as exc:
        raise ValueError(f"The model's answer is not complete JSON ({exc}); raise max_tokens (now {max_tokens}). "
                         f"It wrote: {raw[:200]!r}") from exc
    citations = [int(c) for c in data.get("citations", [])]
    answer = str(data.get("answer", ""))
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer)]
    return CitedAnswer(answer, citations, cited_hits(citations, hits), raw, markers, response)


def sdk_error_text(exc: BaseException) -> str:
    """The server's own message inside an SDK HTTP error (its JSON `detail` or `message`), else str(exc)."""
    body = getattr(exc, "body", None)
    try:
        data = json.loads(body) if body else None
    except (TypeError, json.JSONDecodeError):
        data = None
    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, dict):
            for key in ("detail", "message"):
                if isinstance(inner.get(key), str):
                    return inner[key]
    return str(exc)


def chunk_stats(chunks: Sequence[Chunk]) -> dict[str, float]:
    """Count and token sizes of a chunk list (to check it against the model's limit)."""
    sizes = [c.n_tokens for c in chunks]
    return {"chunks": len(sizes), "min tokens": min(sizes), "mean tokens": round(sum(sizes) / len(sizes), 1),
            "max tokens": max(sizes), "documents": len({c.doc_id for c in chunks})}


def chunks_needed(n_tokens: int, chunk_tokens: int, overlap: int) -> int:
    """How many windows of `chunk_tokens` tokens, each overlapping the last by `overlap`, cover `n_tokens` tokens."""
    if n_tokens <= chunk_tokens:
        return 1
    return 1 + math.ceil((n_tokens - chunk_tokens) / (chunk_tokens - overlap))
