"""The models the stand-in Ollama API lists, and Ollama's model names and tags.

`OllamaModels` holds the embedded models plus those made with `/api/create`, `/api/copy` or `/api/pull`
(and answers `/v1` requests naming them, as Ollama's OpenAI layer does); `base_name` and `TAG` read
`name:latest` as `name`; `LIBRARY_TAGS` are the Ollama library tags a pull maps to an embedded file;
`TEMPLATES` the prompt templates `/api/show` reports. The routes are in `ollama_api`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .ollama_convert import now_iso, options_to_llama

TAG = ":latest"
# Ollama library tags whose model *is* one of the embedded files: pulling one makes it a name of that file.
# (Ollama's `all-minilm` is sentence-transformers' all-MiniLM-L6-v2, the embedding stand-in itself.)
LIBRARY_TAGS = {"all-minilm": "embed", "all-minilm:l6-v2": "embed", "all-minilm:latest": "embed"}
# The fields Ollama's OpenAI layer reads, per route (ollama/ollama openai/openai.go: ChatCompletionRequest,
# CompletionRequest, EmbedRequest); it ignores every other field, so a request never fails on one.
OPENAI_FIELDS = {
    "/v1/chat/completions": {"model", "messages", "stream", "stream_options", "max_tokens", "seed", "stop", "temperature",
                             "frequency_penalty", "presence_penalty", "top_p", "response_format", "tools", "reasoning",
                             "reasoning_effort"},
    "/v1/completions": {"model", "prompt", "frequency_penalty", "max_tokens", "presence_penalty", "seed", "stop", "stream",
                        "stream_options", "temperature", "top_p", "suffix"},
    "/v1/embeddings": {"model", "input", "dimensions", "encoding_format"},
}
# What /api/show reports as a chat model's prompt template (Ollama's Go-template notation), by chat format.
TEMPLATES = {
    "workbook-gemma": "<start_of_turn>user\n{{ .Prompt }}<end_of_turn>\n<start_of_turn>model\n",
    "workbook-chatml": "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
                       "<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n",
}


def base_name(model: str) -> str:
    """`name:latest` and `name` are the same model, as in Ollama."""
    return model[: -len(TAG)] if model.endswith(TAG) else model


class OllamaModels:
    """The models this API lists: the embedded ones plus those made with `/api/create`."""

    def __init__(self, chat_alias: str, embed_alias: str, files: dict[str, Path], infos: dict[str, dict[str, Any]],
                 metadata: dict[str, str], n_ctx: int, embed_dimension: int):
        self.chat_alias = chat_alias
        self.embed_alias = embed_alias
        self.files = files
        self.infos = infos
        self.metadata = metadata
        self.n_ctx = n_ctx
        self.embed_dimension = embed_dimension
        self.created: dict[str, dict[str, Any]] = {}  # name -> {"from", "system", "parameters"}
        self.modified = now_iso()

    def names(self) -> list[str]:
        return [self.chat_alias, self.embed_alias, *self.created]

    def resolve(self, model: str) -> tuple[str, dict[str, Any]]:
        """(underlying embedded model, created-model settings) for a requested name."""
        name = base_name(model or "")
        if name in (self.chat_alias, self.embed_alias):
            return name, {}
        if name in self.created:
            spec = self.created[name]
            root, parent = self.resolve(spec["from"])
            return root, {**parent, **{k: v for k, v in spec.items() if v}}
        raise LookupError(f'model "{model}" not found, try pulling it first (this stand-in serves: '
                          f'{", ".join(n + TAG for n in self.names())})')

    def as_openai(self, payload: dict[str, Any], path: str) -> dict[str, Any] | None:
        """A `/v1` request naming a model made here with create, copy or pull, rewritten for the model it comes
        from (its SYSTEM prompt and PARAMETERs applied, as Ollama's OpenAI layer does); None for other names.

        Fields Ollama's OpenAI layer does not read are dropped, as Ollama's JSON decoding drops them:
        `tool_choice`, `parallel_tool_calls`, Mistral's `random_seed` and `safe_prompt`, and so on."""
        name = payload.get("model")
        if not isinstance(name, str) or base_name(name) not in self.created:
            return None
        root, spec = self.resolve(name)
        known = OPENAI_FIELDS.get(path)
        out = {**{k: v for k, v in payload.items() if known is None or k in known}, "model": root}
        if path.endswith("chat/completions") and isinstance(out.get("messages"), list):
            if spec.get("system") and not any(isinstance(m, dict) and m.get("role") == "system" for m in out["messages"]):
                out["messages"] = [{"role": "system", "content": spec["system"]}, *out["messages"]]
            for key, value in options_to_llama(spec.get("parameters")).items():
                out.setdefault(key, value)
        return out

    def openai_cards(self, card: Callable[[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
        """`/v1/models` entries for the models made here, as Ollama lists them (`name:latest`)."""
        return [card(name + TAG, self.resolve(name)[0]) for name in self.created]

    def naming_problem(self, name: str, parent: Any) -> str | None:
        """Why a model `name` may not be made from `parent` (create, copy), or None.

        Built-in names are taken, and a model may not be made from itself or from a model made
        from it: resolving such a loop would never end.
        """
        if not name:
            return "a model name is required"
        if not isinstance(parent, str) or not parent:
            return "the model to start from is required (from / source)"
        if name in (self.chat_alias, self.embed_alias):
            return f"{name} is built in; choose another name"
        ancestor: str | None = base_name(parent)
        while ancestor is not None:
            if ancestor == name:
                return f"{name} cannot be made from {parent}: a model may not come from itself"
            ancestor = self.created.get(ancestor, {}).get("from")
            ancestor = base_name(ancestor) if ancestor else None
        return None

    def digest(self, name: str) -> str:
        root, _ = self.resolve(name)
        info = self.infos[root]
        if info.get("adapter_sha256"):  # base model + adapter: a digest of both, as Ollama digests its layers
            return hashlib.sha256((info["sha256"] + info["adapter_sha256"]).encode()).hexdigest()
        return info["sha256"]

    def details(self, name: str) -> dict[str, Any]:
        root, _ = self.resolve(name)
        if root == self.chat_alias:
            params = int(self.metadata.get("general.parameter_count", 0) or self.infos[root].get("parameters", 0))
            family = self.metadata.get("general.architecture", "llama")
            return {"parent_model": "", "format": "gguf", "family": family, "families": [family],
                    "parameter_size": f"{params / 1e6:.0f}M" if params else "",
                    "quantization_level": self.infos[root].get("quantization", "")}
        return {"parent_model": "", "format": "safetensors", "family": "bert", "families": ["bert"],
                "parameter_size": "23M", "quantization_level": "F32"}

    def size(self, name: str) -> int:
        root, _ = self.resolve(name)
        path = self.files[root]
        return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    def listing(self, name: str) -> dict[str, Any]:
        return {"name": name + TAG, "model": name + TAG, "modified_at": self.modified, "size": self.size(name),
                "digest": self.digest(name), "details": self.details(name)}
