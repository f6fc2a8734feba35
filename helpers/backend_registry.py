"""The backends the workbook can use, one `BackendSpec` each, in the order `auto` tries them.

`settings` (`BACKENDS`), `catalog` (`BACKEND_COLUMNS`) and `backends` (`LABELS`, `HOW_TO_START`,
`CAPABILITIES`, `WHAT_TO_DO`, `detect()`, `pick_backend()`, `connect()`) all read `SPECS`, so a new
backend is one entry here (and its column in `data/model_names.csv`). This module imports no other
helpers module at import time; a hook imports what it needs when it runs (the embedded hook starts
`backends.shared_endpoint()`, vLLM's reads `embedded.TINY_MISTRAL`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx

from .errors import HOW_TO_SET_KEY, BackendUnreachable, MissingKey

LA_PLATEFORME_URL = "https://api.mistral.ai"
OLLAMA_DEFAULT = "http://127.0.0.1:11434"


class Location(NamedTuple):
    """Where `connect()` finds a backend: its base URL, its API key ("" for none), the server started for it."""

    base_url: str
    api_key: str = ""
    server: Any = None  # a serving.LocalEndpoint this process started (Backend.close stops it), else None


class Found(NamedTuple):
    """What a probe found, for `detect()`: where it looked, whether the backend is there, one line why."""

    where: str
    available: bool
    detail: str


def openai_names(listing: dict[str, Any]) -> list[str]:
    """The model ids in an OpenAI-style `/v1/models` answer."""
    return [m["id"] for m in listing.get("data", [])]


@dataclass(frozen=True, kw_only=True)
class BackendSpec:
    """Everything the switch knows about one backend."""

    name: str  # the setting's value (`WORKBOOK_BACKEND=...`) and the key of `catalog.ModelName.names`
    label: str  # how banners and messages name it
    how_to_start: str  # appended to the message when nothing answers
    capabilities: frozenset[str]  # what it can do, as notebooks ask for it (`bk.require(...)`)
    column: str  # its column in data/model_names.csv
    locate: Callable[[], Location]  # its base URL and key from the environment; raises the error that says what to set
    probe: Callable[[float], Found]  # for detect() (the argument is a timeout in seconds); starts nothing
    what_to_do: Mapping[str, str] = field(default_factory=dict, hash=False)  # capability it lacks -> what to do
    models_path: str = "/v1/models"  # its model list, under the base URL
    read_names: Callable[[dict[str, Any]], list[str]] = openai_names  # the model names in that list
    untagged_is_latest: bool = False  # a name without a tag means `name:latest`
    pull_hint: str = ""  # added when it lacks a model; `{model}` is the model's name
    names_identify_rows: bool = True  # False when one name of its serves every row of the name map
    lists_embedding_model: bool = True  # False: its embedding model is taken on trust, not looked up in its list
    untrained: Callable[[dict[str, Any], str], bool] | None = None  # (model list, chat model) -> random weights?


def specs() -> tuple[BackendSpec, ...]:
    """Every backend, in the order `auto` tries them."""
    return SPECS


def names() -> tuple[str, ...]:
    return tuple(s.name for s in SPECS)


def spec(name: str) -> BackendSpec:
    """The backend called `name` (KeyError when there is none)."""
    for s in SPECS:
        if s.name == name:
            return s
    raise KeyError(name)


# La Plateforme: MISTRAL_API_KEY (MISTRAL_SERVER_URL points it elsewhere, e.g. at a rehearsal on this machine).
def _mistral_locate() -> Location:
    api_key = os.environ.get("MISTRAL_API_KEY", "")
    if not api_key:
        raise MissingKey(f"The Mistral API backend needs MISTRAL_API_KEY. {HOW_TO_SET_KEY}")
    return Location(os.environ.get("MISTRAL_SERVER_URL", LA_PLATEFORME_URL).rstrip("/"), api_key)


def _mistral_probe(timeout: float) -> Found:
    key = bool(os.environ.get("MISTRAL_API_KEY"))
    return Found(os.environ.get("MISTRAL_SERVER_URL", LA_PLATEFORME_URL), key,
                 "MISTRAL_API_KEY is set" if key else "MISTRAL_API_KEY is not set")


# Ollama: OLLAMA_HOST, as the ollama CLI reads it.
def ollama_host() -> str:
    """The Ollama address from OLLAMA_HOST (host, host:port or URL), default http://127.0.0.1:11434."""
    host = os.environ.get("OLLAMA_HOST", "").strip()
    if not host:
        return OLLAMA_DEFAULT
    if "://" not in host:
        host = "http://" + host
    if host.count(":") < 2:
        host += ":11434"
    return host.rstrip("/")


def _ollama_probe(timeout: float) -> Found:
    host = ollama_host()
    try:
        version = httpx.get(host + "/api/version", timeout=timeout).json().get("version", "?")
        return Found(host, True, f"answers (version {version})")
    except (httpx.HTTPError, ValueError):
        return Found(host, False, "nothing answers")


def _ollama_names(listing: dict[str, Any]) -> list[str]:
    return [m["name"] for m in listing.get("models", [])] + [m["model"] for m in listing.get("models", [])]


# vLLM: VLLM_BASE_URL (and VLLM_API_KEY when the server demands one).
VLLM_HOW_TO_START = (
    "Start one with `python -m vllm.entrypoints.openai.api_server --model mistralai/Mistral-7B-Instruct-v0.3 "
    "--tokenizer-mode mistral --port 8000` and set VLLM_BASE_URL=http://127.0.0.1:8000/v1."
)


def vllm_base() -> str:
    base = os.environ.get("VLLM_BASE_URL", "").strip().rstrip("/")
    return base[:-3] if base.endswith("/v1") else base


def _vllm_locate() -> Location:
    base_url = vllm_base()
    if not base_url:
        raise BackendUnreachable(f"VLLM_BASE_URL is not set. {VLLM_HOW_TO_START}")
    return Location(base_url, os.environ.get("VLLM_API_KEY", ""))


def _vllm_probe(timeout: float) -> Found:
    base = vllm_base()
    if not base:
        return Found("-", False, "VLLM_BASE_URL is not set")
    try:
        ok = httpx.get(base + "/v1/models", timeout=timeout).status_code == 200
        return Found(base, ok, "answers" if ok else "does not answer /v1/models")
    except httpx.HTTPError:
        return Found(base, False, "nothing answers")


def serves_tiny_mistral(listing: dict[str, Any], model: str) -> bool:
    """Whether a vLLM model list answers `model` with the workbook's tiny Mistral (`root` names the folder it loaded)."""
    from .engine.embedded import TINY_MISTRAL

    return any(c.get("id") == model and str(c.get("root", "")).rstrip("/").endswith(TINY_MISTRAL)
               for c in listing.get("data", []))


# The embedded endpoint: started on demand, one per Python process.
def _embedded_locate() -> Location:
    from .backends import shared_endpoint

    server = shared_endpoint()
    return Location(server.base_url, "", server)


def _embedded_probe(timeout: float) -> Found:
    return Found("127.0.0.1 (started on demand)", True, "always available offline")


# Capabilities as notebooks ask for them. A notebook names what it needs in its metadata (`workbook.requires`)
# and checks it in its first cell with `bk.require(...)`; the backend matrix (`helpers.workshop.backend_matrix`) skips a
# notebook on a backend that lacks it, with the reason.

# La Plateforme's APIs beyond chat that the embedded endpoint also serves, each with what to do where it is missing
BEYOND_CHAT: dict[str, str] = {
    "moderation": "Ollama and vLLM have no moderation API; run on the embedded default (WORKBOOK_BACKEND=embedded) or "
                  "La Plateforme",
    "ocr": "Ollama and vLLM have no OCR API; run on the embedded default or La Plateforme",
    "batch": "Ollama and vLLM have no Files or Batch API; run on the embedded default or La Plateforme",
    "conversations": "Ollama and vLLM have no Conversations API; run on the embedded default or La Plateforme",
    "guardrails": "Ollama and vLLM apply no guardrails; run on the embedded default or La Plateforme",
    "fim": "fill-in-the-middle is not served through this backend here; run on the embedded default (the workbook's "
           "FIM stand-in) or La Plateforme (Codestral)",
}
# ... and those only Mistral's servers answer: no engine here serves them
PLATEFORME_ONLY: dict[str, str] = {
    "reasoning": "reasoning_effort needs a reasoning model (Mistral Small 4, Medium 3.5): set MISTRAL_API_KEY",
    "vision": "image input needs a vision model (Mistral Small 4 and others): set MISTRAL_API_KEY",
    "builtin_tools": "web search, code interpreter, image generation, libraries and connectors run on Mistral's servers: "
                     "set MISTRAL_API_KEY",
}

SPECS: tuple[BackendSpec, ...] = (
    BackendSpec(
        name="mistral",
        label="La Plateforme (Mistral API)",
        how_to_start=HOW_TO_SET_KEY,
        # chat, tools, `tool_choice` and `parallel_tool_calls` honoured, JSON mode / schema, embeddings (mistral-embed),
        # a 400 naming the limit for an over-long prompt, and answers from a model trained to follow instructions
        # beyond chat (notebook 11): moderation, OCR, files + batch jobs, conversations, and what only Mistral's
        # servers do: reasoning (`reasoning_effort`), image input, built-in tools; fill-in-the-middle (Codestral)
        capabilities=frozenset({"chat", "tools", "tool_choice", "json_schema", "embeddings", "context_error", "answers",
                                *BEYOND_CHAT, *PLATEFORME_ONLY}),
        # a rehearsal (MISTRAL_SERVER_URL on this machine) is the embedded endpoint playing La Plateforme
        what_to_do={need: "a rehearsal is answered by the embedded endpoint, which has no engine for it: unset "
                          "MISTRAL_SERVER_URL to reach Mistral's servers" for need in PLATEFORME_ONLY},
        column="mistral",
        locate=_mistral_locate,
        probe=_mistral_probe,
        lists_embedding_model=False,
    ),
    BackendSpec(
        name="ollama",
        label="Ollama",
        how_to_start="Install Ollama from https://ollama.com, run `ollama serve` and `ollama pull mistral`, "
        "or point OLLAMA_HOST at a running daemon.",
        # Ollama's OpenAI layer reads no tool_choice / parallel_tool_calls (ollama/ollama openai/openai.go) and truncates
        # an over-long prompt without an error; embeddings once an embedding model is pulled
        capabilities=frozenset({"chat", "tools", "json_schema", "embeddings", "answers"}),
        column="ollama",
        locate=lambda: Location(ollama_host()),
        probe=_ollama_probe,
        what_to_do={"embeddings": "`ollama pull all-minilm`, then run the notebook again", **BEYOND_CHAT, **PLATEFORME_ONLY},
        models_path="/api/tags",
        read_names=_ollama_names,
        untagged_is_latest=True,  # as `ollama pull` does
        pull_hint="Pull it with `ollama pull {model}`.",
    ),
    BackendSpec(
        name="vllm",
        label="vLLM",
        how_to_start=VLLM_HOW_TO_START,
        # one model per vLLM server: a chat server serves no embeddings; no answers when it serves the untrained tiny Mistral
        capabilities=frozenset({"chat", "tools", "tool_choice", "json_schema", "context_error", "answers"}),
        column="vllm",
        locate=_vllm_locate,
        probe=_vllm_probe,
        what_to_do={
            "answers": "this vLLM server runs the workbook's tiny Mistral, whose weights are random (right mechanics, noise "
                       "for answers); serve a real Mistral (see notebook 06) or run on the embedded default "
                       "(WORKBOOK_BACKEND=embedded)",
            "embeddings": "a vLLM server serves one model; run this notebook on the embedded default "
                          "(WORKBOOK_BACKEND=embedded), Ollama or La Plateforme",
            **BEYOND_CHAT, **PLATEFORME_ONLY,
        },
        untrained=serves_tiny_mistral,
    ),
    BackendSpec(
        name="embedded",
        label="embedded endpoint (llama.cpp + sentence-transformers on 127.0.0.1)",
        how_to_start="Run `make lab` (or `make models`) once so the embedded models are prepared.",
        # beyond chat: a moderation classifier (also behind guardrails on chat), an OCR engine, a batch queue,
        # conversation state of its own and a fill-in-the-middle stand-in
        capabilities=frozenset({"chat", "tools", "tool_choice", "json_schema", "embeddings", "context_error", "answers",
                                *BEYOND_CHAT}),
        what_to_do={need: PLATEFORME_ONLY[need] for need in PLATEFORME_ONLY},
        column="embedded",
        locate=_embedded_locate,
        probe=_embedded_probe,
        names_identify_rows=False,  # the stand-in's alias serves every row, so it identifies none of them
    ),
)
