"""La Plateforme's moderation API on the embedded endpoint: `/v1/moderations` and `/v1/chat/moderations`.

Both answer Mistral's `ModerationResponse`, `{"id", "model", "results": [{"categories", "category_scores"}]}`,
one result per input, with the nine categories of mistral-moderation-2603's moderation API. The model is
`standin-moderation-minilm` (`moderation_model`): logistic regressions over the embedding stand-in's vectors.

* `/v1/moderations` takes `{"model", "input": str | [str]}` (the mistralai SDK's `classifiers.moderate`
  sends `input`; `inputs` is read too). Each text is scored per passage of at most 64 word pieces (its
  sentences packed in order), keeping each category's highest score; a text over 8,192 word pieces is refused
  (400).
* `/v1/chat/moderations` takes `{"model", "input": [message, ...] | [[message, ...], ...]}`
  (`classifiers.moderate_chat`): one conversation, or several. La Plateforme scores a conversation's last
  turn in its context; here the last message is scored by passage, and also the last two turns together,
  rendered `role: text` one per line (so an answer is judged with the question it answers).

Embedding runs in a worker thread (`run_in_threadpool`), off the event loop. Errors are `HTTPException`s,
which the endpoint's handlers shape as La Plateforme's errors: 404 for another model, 422 for a malformed
input, 400 for an over-long one.
"""

from __future__ import annotations

import uuid
from typing import Any

from .additions import EndpointContext
from .moderation_model import (
    MAX_INPUT_TOKENS,
    MODEL_ID,
    conversation_texts,
    message_text,
    passages,
    results,
    score_groups,
    token_count,
)

ROLES = ("system", "user", "assistant", "tool")


def check_model(model: Any, aliases: dict[str, str] | None = None) -> None:
    """404 unless `model` is the moderation model this endpoint serves, or a further name for it (`--alias`, as
    `mistral-moderation-2603` is when the endpoint rehearses La Plateforme)."""
    from fastapi import HTTPException

    if model != MODEL_ID and (aliases or {}).get(model) != MODEL_ID:
        raise HTTPException(404, detail=f"Invalid model: {model!r} is not a moderation model served here. "
                                        f"This endpoint's moderation model is {MODEL_ID}.")


def text_inputs(value: Any) -> list[str]:
    """The texts of a `/v1/moderations` request's `input`: a non-empty string or a non-empty list of them (else 422)."""
    from fastapi import HTTPException

    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts:
        raise HTTPException(422, detail="Send `input`: a string or a non-empty list of strings.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise HTTPException(422, detail=f"Input {i} is {type(text).__name__}, not a string; "
                                            "`input` is a string or a list of strings.")
        if not text.strip():
            raise HTTPException(422, detail=f"Input {i} is empty; send text to moderate.")
    return texts


def conversations(value: Any) -> list[list[dict[str, Any]]]:
    """The conversations of a `/v1/chat/moderations` request's `input` (else 422): a list of messages, or a list
    of such lists, each message with a known `role` and the last one of each with some text."""
    from fastapi import HTTPException

    if not isinstance(value, list) or not value:
        raise HTTPException(422, detail="Send `input`: a conversation (a non-empty list of messages) "
                                        "or a list of conversations.")
    chats = value if all(isinstance(v, list) for v in value) else [value]
    for n, chat in enumerate(chats):
        where = f"conversation {n}" if len(chats) > 1 else "the conversation"
        if not chat:
            raise HTTPException(422, detail=f"In {where}: no messages.")
        for i, message in enumerate(chat):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise HTTPException(422, detail=f"In {where}, message {i}: expected an object with `role` "
                                                f"one of {', '.join(ROLES)}.")
            content = message.get("content")
            if content is not None and not isinstance(content, str | list):
                raise HTTPException(422, detail=f"In {where}, message {i}: `content` must be a string or a list "
                                                "of content chunks.")
        if not message_text(chat[-1]).strip():
            raise HTTPException(422, detail=f"In {where}: the last message has no text to moderate.")
    return chats


def check_length(sizes: list[int], what: str) -> None:
    """400 when an input is over `MAX_INPUT_TOKENS` word pieces; `what` names input `{i}` in the message."""
    from fastapi import HTTPException

    for i, size in enumerate(sizes):
        if size > MAX_INPUT_TOKENS:
            raise HTTPException(400, detail=f"{what.format(i=i)} is {size} tokens; {MODEL_ID} reads at most "
                                            f"{MAX_INPUT_TOKENS} tokens per text (scored in 64-token passages). "
                                            "Split it first.")


def response(scored: list[dict[str, float]]) -> dict[str, Any]:
    """La Plateforme's `ModerationResponse` for each input's scores."""
    return {"id": "mod-" + uuid.uuid4().hex, "model": MODEL_ID, "results": results(scored)}


def build_router(context: EndpointContext) -> Any:
    """The two moderation routes, scoring with `context.embed`."""
    from fastapi import APIRouter, Body
    from starlette.concurrency import run_in_threadpool

    router = APIRouter()

    @router.post("/v1/moderations")
    async def moderations(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        check_model(body.get("model"), getattr(context.app, "aliases", None))
        texts = text_inputs(body.get("input", body.get("inputs")))

        def score() -> list[dict[str, float]]:
            check_length([token_count(t) for t in texts], "Input {i}")
            return score_groups([passages(t) for t in texts], context.embed)

        return response(await run_in_threadpool(score))

    @router.post("/v1/chat/moderations")
    async def chat_moderations(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        check_model(body.get("model"), getattr(context.app, "aliases", None))
        chats = conversations(body.get("input", body.get("inputs")))

        def score() -> list[dict[str, float]]:
            check_length([token_count(message_text(chat[-1])) for chat in chats], "The last message of conversation {i}")
            return score_groups([conversation_texts(chat) for chat in chats], context.embed)

        return response(await run_in_threadpool(score))

    return router
