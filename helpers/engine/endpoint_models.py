"""What the embedded endpoint serves: its chat models, their settings and their model cards.

Three chat models are built in (`builtin_chat_models`, the default first); `--chat-model ALIAS=PATH` and
`--chat-format ALIAS=FORMAT` add further ones (`parse_assignments`, `extra_chat_settings`,
`extra_model_info`), and `--alias NAME=MODEL` answers further names with served models (`alias_cards`).
`model_card` is the `/v1/models` entry both the OpenAI and the Mistral clients parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import chat_format
from . import endpoint_guard as guard
from .embedded import (
    CHAT_ALIAS,
    EMBED_ALIAS,
    FIM_ALIAS,
    GEMMA_ALIAS,
    SMOLLM_ALIAS,
    assistant_adapter,
    embedded_model_info,
    fim_adapter,
    prepare_gemma_model,
    prepare_smollm_model,
)


def model_card(model_id: str, info: dict[str, Any], max_context: int) -> dict[str, Any]:
    """A model entry that both the OpenAI and the Mistral clients can parse."""
    chat = info["kind"] == "chat"
    generates = chat or info["kind"] == "fim"  # llama.cpp models: chat, and the fill-in-the-middle stand-in
    # beyond chat and embeddings: the moderation classifier and the OCR engine (no token context of their own)
    context = {"max_context_length": max_context} if max_context else {}
    return {
        "id": model_id,
        "object": "model",
        "created": 0,
        "owned_by": "mistral-workbook (stand-in)",
        "type": "base",
        "name": model_id,
        "description": info.get("card_description")
        or f"Stand-in, not a Mistral model: {info['description']}. Stands in for {info['stands_in_for']}.",
        **context,
        # This endpoint's output limits (La Plateforme's cards have no such fields; clients ignore them).
        **({"max_output_tokens": guard.MAX_OUTPUT_TOKENS, "default_max_tokens": guard.DEFAULT_MAX_TOKENS} if generates else {}),
        "aliases": [],
        "capabilities": {
            "completion_chat": chat,
            "completion_fim": info["kind"] == "fim",
            "function_calling": chat,
            "fine_tuning": False,
            "vision": False,
            "classification": info["kind"] == "moderation",
            "moderation": info["kind"] == "moderation",
            "ocr": info["kind"] == "ocr",
        },
    }


def parse_assignments(items: list[str] | None, what: str) -> dict[str, str]:
    """`["ALIAS=VALUE", ...]` (the `--chat-model`/`--chat-format` options) as a dict, with a clear error."""
    out: dict[str, str] = {}
    for item in items or []:
        alias, sep, value = item.partition("=")
        if not sep or not alias.strip() or not value.strip():
            raise ValueError(f"{what} must look like ALIAS={what.split()[-1].upper()}, got {item!r}.")
        out[alias.strip()] = value.strip()
    return out


def extra_chat_settings(extra_models: dict[str, str], chat_formats: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Check extra chat models (alias -> GGUF path) and their formats; alias -> {"path", "format"}.

    Raises ValueError naming the problem: a missing file, an alias already taken, an unknown format,
    or a format given for an alias that is not served.
    """
    taken = {CHAT_ALIAS, SMOLLM_ALIAS, GEMMA_ALIAS, FIM_ALIAS, EMBED_ALIAS}
    out: dict[str, dict[str, Any]] = {}
    for alias, path in extra_models.items():
        file = Path(path).expanduser()
        if alias in taken:
            raise ValueError(f"Alias {alias!r} is already served by the endpoint; choose another name for {file.name}.")
        if not file.is_file():
            raise ValueError(f"Chat model file for {alias!r} not found: {file}. Pass the path of a .gguf file.")
        fmt = chat_formats.get(alias, chat_format.HANDLER_NAME)
        if fmt not in chat_format.CHAT_FORMATS:
            raise ValueError(f"Unknown chat format {fmt!r} for {alias!r}; choose one of {', '.join(chat_format.CHAT_FORMATS)}.")
        out[alias] = {"path": file.resolve(), "format": fmt}
    unknown = set(chat_formats) - set(extra_models)
    if unknown:
        raise ValueError(f"--chat-format given for {', '.join(sorted(unknown))}, which no --chat-model serves.")
    return out


def extra_model_info(alias: str, path: Path, fmt: str) -> dict[str, Any]:
    """The model-card facts of an extra chat model (it stands in for nothing unless its name says so)."""
    standin = "stand-in" in alias or alias.startswith("standin")
    what = "Stand-in, not a Mistral model" if standin else "Local model"
    return {"kind": "chat", "description": f"{what}: served from {path.name} in the {fmt} prompt format",
            "stands_in_for": "nothing (an extra chat model)", "card_description": f"{what}: served from {path.name} "
            f"in the {fmt} prompt format."}


def builtin_chat_models() -> dict[str, dict[str, Any]]:
    """The built-in llama.cpp models, alias -> {"path", "format", "lora"}; the default comes first.

    The FIM stand-in is among them (llama.cpp serves it as a chat model); its card's kind is `fim`, and
    `MistralCompat` lets only `/v1/fim/completions` reach it."""
    info = embedded_model_info()
    smollm = prepare_smollm_model(progress=False)
    return {
        CHAT_ALIAS: {"path": smollm, "format": info[CHAT_ALIAS]["chat_format"], "lora": str(assistant_adapter())},
        SMOLLM_ALIAS: {"path": smollm, "format": info[SMOLLM_ALIAS]["chat_format"]},
        GEMMA_ALIAS: {"path": prepare_gemma_model(progress=False), "format": info[GEMMA_ALIAS]["chat_format"]},
        FIM_ALIAS: {"path": smollm, "format": info[FIM_ALIAS]["chat_format"], "lora": str(fim_adapter())},
    }


def alias_cards(aliases: dict[str, str], cards: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Model cards for further names of served models (`--alias NAME=MODEL`); ValueError for a name already taken
    or a model not served. The card says which stand-in answers under the name."""
    out = {}
    for name, target in aliases.items():
        if name in cards:
            raise ValueError(f"--alias {name}={target}: {name!r} is already a model served here.")
        if target not in cards:
            raise ValueError(f"--alias {name}={target}: {target!r} is not served here; choose one of {', '.join(cards)}.")
        out[name] = {**cards[target], "id": name, "name": name,
                     "description": f"{name} answered here by the stand-in {target}, not by Mistral. "
                                    f"{cards[target]['description']}"}
    return out
