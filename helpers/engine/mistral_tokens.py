"""The real Mistral encoding of a chat request, via `mistral-common`, shared by the endpoint and the lessons.

`encode_chat` gives the exact token ids a Mistral model receives, control tokens (`[INST]`,
`[AVAILABLE_TOOLS]`, `[TOOL_CALLS]`, …) included. The endpoint renders its `workbook-mistral-v3`
prompts with it (`chat_format.mistral_v3_text`), notebook 10 its training examples, and notebooks 01
and 03 show it (`helpers.tokens` re-exports it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

TOKENIZER_VERSIONS = ("v1", "v2", "v3", "v7")


@cache
def mistral_tokenizer(version: str = "v3", finetuning: bool = False):
    """A MistralTokenizer (v3 is Mistral 7B Instruct v0.3's: 32,768 tokens, SentencePiece).

    `finetuning=True` validates requests in fine-tuning mode, where a conversation may end with
    the assistant's answer (a training example).
    """
    from mistral_common.protocol.instruct.validator import ValidationMode
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    if version not in TOKENIZER_VERSIONS:
        raise ValueError(f"Unknown tokenizer version {version!r}; choose one of {', '.join(TOKENIZER_VERSIONS)}")
    tokenizer = getattr(MistralTokenizer, version)()
    if finetuning:
        validator = type(tokenizer._chat_completion_request_validator)  # noqa: SLF001
        tokenizer._chat_completion_request_validator = validator(mode=ValidationMode.finetuning)  # noqa: SLF001
    return tokenizer


@dataclass
class Encoded:
    """A request as tokens: ids, the text form with control tokens, and each token's piece."""

    tokens: list[int]
    text: str
    pieces: list[str]
    control: dict[str, int]

    @property
    def control_tokens(self) -> list[tuple[int, str]]:
        """(position, name) of every control token in the sequence."""
        names = {v: k for k, v in self.control.items()}
        return [(i, names[t]) for i, t in enumerate(self.tokens) if t in names]

    def table(self, limit: int | None = None) -> pd.DataFrame:
        """Position, id and piece of each token (control tokens flagged)."""
        import pandas as pd

        ids = set(self.control.values())
        rows = [(i, t, p, t in ids) for i, (t, p) in enumerate(zip(self.tokens, self.pieces))]
        return pd.DataFrame(rows[:limit], columns=["position", "id", "piece", "control"])


def _messages(messages: list[dict[str, Any]]):
    from mistral_common.protocol.instruct.messages import AssistantMessage, SystemMessage, ToolMessage, UserMessage
    from mistral_common.protocol.instruct.tool_calls import FunctionCall, ToolCall

    out: list[Any] = []
    for m in messages:
        role = m["role"]
        if role == "system":
            out.append(SystemMessage(content=m["content"]))
        elif role == "user":
            out.append(UserMessage(content=m["content"]))
        elif role == "tool":
            out.append(ToolMessage(content=m["content"], tool_call_id=m.get("tool_call_id"), name=m.get("name")))
        elif role == "assistant":
            calls = [
                ToolCall(id=c.get("id", "null"), function=FunctionCall(
                    name=c["function"]["name"],
                    arguments=c["function"]["arguments"] if isinstance(c["function"]["arguments"], str)
                    else json.dumps(c["function"]["arguments"])))
                for c in m.get("tool_calls") or []
            ]
            out.append(AssistantMessage(content=m.get("content") or None, tool_calls=calls or None))
        else:
            raise ValueError(f"Unknown role {role!r} (expected system, user, assistant or tool)")
    return out


def encode_chat(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                version: str = "v3") -> Encoded:
    """Encode an API-style chat request exactly as a Mistral model would receive it.

    A conversation that ends with an assistant turn (a training example) is encoded in
    mistral-common's fine-tuning validation mode; otherwise in test mode, ready for generation.
    """
    from mistral_common.protocol.instruct.request import ChatCompletionRequest
    from mistral_common.protocol.instruct.tool_calls import Function, Tool

    finetuning = bool(messages) and messages[-1]["role"] == "assistant"
    tokenizer = mistral_tokenizer(version, finetuning)
    tool_objs = [Tool(function=Function(**t["function"])) for t in tools or []]
    request = ChatCompletionRequest(messages=_messages(messages), tools=tool_objs or None)
    encoded = tokenizer.encode_chat_completion(request)
    inner = tokenizer.instruct_tokenizer.tokenizer
    pieces = [inner.id_to_piece(t) for t in encoded.tokens]
    from mistral_common.tokens.tokenizers.base import SpecialTokenPolicy

    text = inner.decode(encoded.tokens, special_token_policy=SpecialTokenPolicy.KEEP)
    return Encoded(encoded.tokens, text, pieces, control_token_ids(version))


@cache
def control_token_ids(version: str = "v3") -> dict[str, int]:
    """Names and ids of the control tokens of a tokenizer version ([INST], [/INST], …)."""
    inner = mistral_tokenizer(version).instruct_tokenizer.tokenizer
    names = ["<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
             "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]"]
    found = {}
    for name in names:
        try:
            token = inner.get_special_token(name)
        except Exception:  # not in this version
            continue
        if token != inner.unk_id:
            found[name] = token
    return found
