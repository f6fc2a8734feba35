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

A package: `from helpers import rag` and `rag.<name>` reach everything below. Each name is defined in one
module (patch it there, where it is looked up):

- `documents`: the data (`rag_dir`, `Document`, `Question`, `load_documents`, `load_questions`,
  `embedding_model_facts`, `expected_dimension`), token counts and chunks (`SPECIAL_TOKENS`, `STANDIN_LIMIT`,
  `count_tokens`, `Chunk`, `chunk_text`, `chunk_documents`, `chunk_stats`, `chunks_needed`).
- `retrieval`: embeddings (`embed_texts`, `normalise`, `cosine_similarity`, `similarity_matrix`) and the Qdrant
  index (`DimensionMismatch`, `Hit`, `create_collection`, `collection_dimension`, `check_dimension`,
  `index_chunks`, `search`).
- `answers`: answers with citations (`EXAMPLE`, `build_prompt`, `citation_schema`, `CitedAnswer`, `cited_hits`,
  `answer_with_citations`) and the server's message in an SDK error (`sdk_error_text`).
- `evaluation`: retrieval quality (`recall_at_k`, `mean_reciprocal_rank`, `retrieval_metrics`,
  `evaluate_retrieval`), tables and plots (`plot_similarity`, `rank_by_similarity`, `hits_table`, `plot_metrics`).

Inside the package imports go one way, with no cycle: `retrieval` imports `documents`; `answers` imports
`retrieval`; `evaluation` imports `documents` and `retrieval`.
"""

from __future__ import annotations

from .answers import (
    EXAMPLE,
    CitedAnswer,
    answer_with_citations,
    build_prompt,
    citation_schema,
    cited_hits,
    sdk_error_text,
)
from .documents import (
    SPECIAL_TOKENS,
    STANDIN_LIMIT,
    Chunk,
    Document,
    Question,
    chunk_documents,
    chunk_stats,
    chunk_text,
    chunks_needed,
    count_tokens,
    embedding_model_facts,
    expected_dimension,
    load_documents,
    load_questions,
    rag_dir,
)
from .evaluation import (
    evaluate_retrieval,
    hits_table,
    mean_reciprocal_rank,
    plot_metrics,
    plot_similarity,
    rank_by_similarity,
    recall_at_k,
    retrieval_metrics,
)
from .retrieval import (
    DimensionMismatch,
    Hit,
    check_dimension,
    collection_dimension,
    cosine_similarity,
    create_collection,
    embed_texts,
    index_chunks,
    normalise,
    search,
    similarity_matrix,
)

__all__ = [
    # documents
    "SPECIAL_TOKENS", "STANDIN_LIMIT", "Document", "Chunk", "Question", "rag_dir", "load_documents", "load_questions",
    "embedding_model_facts", "expected_dimension", "count_tokens", "chunk_text", "chunk_documents", "chunk_stats",
    "chunks_needed",
    # retrieval
    "DimensionMismatch", "Hit", "embed_texts", "normalise", "cosine_similarity", "similarity_matrix",
    "create_collection", "collection_dimension", "check_dimension", "index_chunks", "search",
    # answers
    "EXAMPLE", "build_prompt", "citation_schema", "CitedAnswer", "cited_hits", "answer_with_citations",
    "sdk_error_text",
    # evaluation
    "recall_at_k", "mean_reciprocal_rank", "retrieval_metrics", "evaluate_retrieval", "plot_similarity",
    "rank_by_similarity", "hits_table", "plot_metrics",
]
