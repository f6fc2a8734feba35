"""Answers with citations: the numbered-sources prompt, the `cited_answer` schema, resolving citations, SDK errors."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .retrieval import Hit

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
