"""Exercises for notebook 04 · Embeddings and RAG."""

from __future__ import annotations

import math
from typing import Any

from .core import Exercise

# q1: two small vectors to compare by hand.
VEC_A = [1.0, 2.0, 2.0]
VEC_B = [2.0, 0.0, 1.0]

# q2: what a retriever returned (document ids, best first) for four questions, and the labels.
RANKINGS = [
    ["ollama", "vllm", "mixtral"],
    ["gguf-quantization", "ollama", "vllm"],
    ["codestral", "mixtral", "api-models"],
    ["vllm", "lora-finetuning", "gguf-quantization"],
]
GOLD = ["ollama", "vllm", "api-models", "mistral-embed"]


def _cosine(answer: Any) -> str | None:
    value = float(answer)
    dot = sum(a * b for a, b in zip(VEC_A, VEC_B))
    expected = dot / (math.sqrt(sum(a * a for a in VEC_A)) * math.sqrt(sum(b * b for b in VEC_B)))
    if math.isclose(value, expected, abs_tol=1e-3):
        return None
    if math.isclose(value, dot, abs_tol=1e-3):
        return (f"{value:g} is the dot product. Cosine similarity divides it by both lengths: "
                f"|a| = 3 and |b| = √5 here.")
    if value > 1 or value < -1:
        return f"{value:g} is outside [-1, 1]: a cosine similarity never is. Divide the dot product by |a|·|b|."
    return f"{value:.4f} is not it. Compute a·b = Σ aᵢbᵢ, then divide by √(Σ aᵢ²) · √(Σ bᵢ²)."


def _metrics(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return "give a dict with the keys 'recall@1', 'recall@3' and 'MRR'."
    missing = {"recall@1", "recall@3", "MRR"} - set(answer)
    if missing:
        return f"the dict lacks {sorted(missing)}."
    expected = {"recall@1": 1 / 4, "recall@3": 3 / 4, "MRR": (1 + 1 / 3 + 1 / 3 + 0) / 4}
    for key in ("recall@1", "recall@3"):
        if not math.isclose(float(answer[key]), expected[key], abs_tol=1e-3):
            return (f"{key} = {float(answer[key]):g} is not right. recall@k is the share of questions whose labelled "
                    "document appears anywhere in the first k results: count those questions, divide by 4.")
    mrr = float(answer["MRR"])
    if math.isclose(mrr, (1 + 1 / 3 + 1 / 3) / 3, abs_tol=1e-3):
        return ("MRR averages over *all* questions: the fourth question's label was never retrieved, so it "
                "contributes 0 and still counts in the denominator (4, not 3).")
    if not math.isclose(mrr, expected["MRR"], abs_tol=1e-3):
        return ("MRR is wrong. For each question take 1/rank of the first correct result (rank 1 → 1, rank 3 → 1/3, "
                "not found → 0), then average over the 4 questions.")
    return None


def _chunk_size(answer: Any) -> str | None:
    value = int(answer)
    if value == 254:
        return None
    if value > 254:
        return (f"{value} text tokens would reach the endpoint as {value + 2} tokens: every input also gets "
                "[CLS] at the start and [SEP] at the end, and the limit of 256 counts them. The request "
                "would fail with HTTP 400.")
    return (f"{value} fits, but it is not the largest. The limit is 256 tokens including the 2 special tokens "
            "the tokenizer adds to every input.")


q1 = Exercise(
    "Cosine similarity by hand",
    _cosine,
    hint="cos(a, b) = (a · b) / (|a| · |b|). Here a · b = 1·2 + 2·0 + 2·1, |a| = √(1+4+4), |b| = √(4+0+1).",
    solution="""
import math
dot = sum(x * y for x, y in zip(nb04.VEC_A, nb04.VEC_B))            # 4
norm = math.sqrt(sum(x * x for x in nb04.VEC_A)) * math.sqrt(sum(y * y for y in nb04.VEC_B))  # 3 * √5
answer = dot / norm                                                   # 0.5963
# or: rag.cosine_similarity(nb04.VEC_A, nb04.VEC_B)
""",
    explanation="4 / (3·√5) ≈ 0.596. For vectors already normalised to length 1 the division is by 1, "
    "so cosine similarity is just the dot product.",
)

q2 = Exercise(
    "recall@k and MRR from rankings",
    _metrics,
    hint="Question by question: where (1-based) does the labelled id first appear in its ranking? "
    "Ranks here are 1, 3, 3 and 'not found'.",
    solution="""
answer = {
    "recall@1": rag.recall_at_k(nb04.RANKINGS, nb04.GOLD, 1),    # 1/4: only the first question is right at rank 1
    "recall@3": rag.recall_at_k(nb04.RANKINGS, nb04.GOLD, 3),    # 3/4: the fourth label is never retrieved
    "MRR": rag.mean_reciprocal_rank(nb04.RANKINGS, nb04.GOLD),   # (1 + 1/3 + 1/3 + 0) / 4 = 0.417
}
""",
    explanation="recall@1 = 0.25, recall@3 = 0.75, MRR ≈ 0.417. Recall asks 'was it found in time?', "
    "MRR also rewards finding it early.",
)

q3 = Exercise(
    "A chunk size that respects the 256-token limit",
    _chunk_size,
    hint="Encode one chunk with special tokens and without: count_tokens(text) - count_tokens(text, special=False).",
    solution="""
extra = rag.count_tokens("any text") - rag.count_tokens("any text", special=False)   # 2: [CLS] and [SEP]
answer = 256 - extra                                                                # 254
""",
    explanation="254 text tokens + [CLS] + [SEP] = 256. chunk_text(max_tokens=...) counts the special tokens "
    "for you, so there you pass the limit itself (256), or less to leave room for a title.",
)
