"""Tokens under the hood: how a Mistral model sees a chat request, via `mistral-common`.

`mistral-common` ships the real Mistral tokenizers; encoding a request with it gives the exact
token ids a Mistral model receives, control tokens (`[INST]`, `[AVAILABLE_TOOLS]`, `[TOOL_CALLS]`,
…) included. No model is needed, so this runs offline whatever the backend.
"""

from __future__ import annotations

from .engine.mistral_tokens import (  # noqa: F401  (the encoding lives with the engine, which renders prompts with it)
    TOKENIZER_VERSIONS,
    Encoded,
    control_token_ids,
    encode_chat,
    mistral_tokenizer,
)


def tokens_per_character(text: str, version: str = "v3") -> float:
    """How many tokens the tokenizer spends per character of plain text."""
    inner = mistral_tokenizer(version).instruct_tokenizer.tokenizer
    return len(inner.encode(text, bos=False, eos=False)) / max(1, len(text))
