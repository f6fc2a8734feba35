"""Fill-in-the-middle on a chat model: how a FIM request (`prompt`, `suffix`) becomes what the FIM stand-in reads.

SmolLM2's tokenizer has no FIM tokens (`<fim_prefix>` splits into six ordinary ones), so the workbook's
FIM stand-in (SmolLM2 with its own LoRA adapter, `data/fim/`) reads a FIM request as two chat messages:
a fixed system line, and the code with `FILL` where the middle goes. It answers with the middle only.
Training (`helpers.assistant.fim`) and the endpoint (`MistralCompat`, for `/v1/fim/completions`) both
build the messages here, so the model is served exactly what it learned.
"""

from __future__ import annotations

from typing import Any

FIM_ROUTE = "/v1/fim/completions"
FILL = "<FILL>"
SYSTEM = f"Fill in the middle: reply with only the code that replaces {FILL}."

# FIM request fields and what becomes of them in the chat request the stand-in answers
PASSED_ON = ("model", "temperature", "top_p", "max_tokens", "stream", "stop", "random_seed")
DROPPED = ("metadata", "prompt_cache_key")  # bookkeeping on La Plateforme; nothing to do here


def fim_messages(prompt: str, suffix: str | None) -> list[dict[str, str]]:
    """The chat messages for a FIM request: the system line, then the code with `FILL` at the gap."""
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"{prompt}{FILL}{suffix or ''}"}]


def request_problem(payload: dict[str, Any]) -> tuple[str, str] | None:
    """(message, field) when a FIM request cannot be served, checked with the mistralai SDK's own request model."""
    from mistralai.client.models import FIMCompletionRequest
    from pydantic import ValidationError

    try:
        FIMCompletionRequest.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return f"Invalid FIM request: {where}: {first.get('msg')}.", where
    unknown = sorted(set(payload) - set(PASSED_ON) - set(DROPPED) - {"prompt", "suffix", "min_tokens"})
    if unknown:
        return f"Unknown field(s) in a FIM request: {', '.join(unknown)}.", unknown[0]
    if payload.get("min_tokens") not in (None, 0):
        return "min_tokens is not supported here: the FIM stand-in stops when the middle is written.", "min_tokens"
    return None


def chat_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The chat request the FIM stand-in answers for a (checked) FIM request."""
    chat = {key: payload[key] for key in PASSED_ON if payload.get(key) is not None}
    chat["messages"] = fim_messages(payload["prompt"], payload.get("suffix"))
    return chat
