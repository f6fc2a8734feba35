"""Documents, questions and chunks: load `data/rag/`, count tokens, split text into embeddable chunks.

Token counts use the embedded stand-in's WordPiece tokenizer (all-MiniLM-L6-v2, 256 tokens per
input), read from its `tokenizer.json`: no model is loaded. A chunk that fits that limit is far
below mistral-embed's 8,192-token limit, so the same chunks work on every backend.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..paths import data_dir

SPECIAL_TOKENS = 2  # [CLS] and [SEP]: the embedding endpoint counts them in every input
STANDIN_LIMIT = 256  # all-MiniLM-L6-v2's max_seq_length; the endpoint rejects longer inputs


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

    from ..engine.embedded import prepare_embedding_model

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


# ---------------------------------------------------------------- chunk sizes

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
