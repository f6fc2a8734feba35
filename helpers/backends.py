"""The backend switch: one call hands a notebook a ready client and the right model names.

    bk = helpers.connect()                      # chosen by settings / environment, else embedded
    bk.client.chat.complete(model=bk.chat_model, messages=[...])

Order when the choice is "auto": La Plateforme when MISTRAL_API_KEY is set, Ollama when
OLLAMA_HOST (or localhost:11434) answers, vLLM when VLLM_BASE_URL is set, otherwise the embedded
endpoint (stand-in models on 127.0.0.1). `WORKBOOK_BACKEND` / `WORKBOOK_MODEL` override the
settings file that notebook 00 writes.

Every backend is reached through the same `mistralai` client (`Mistral(server_url=...)`); Ollama
and vLLM speak the OpenAI chat API that the client's chat calls use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import catalog
from .embedded import embedded_model_info
from .errors import HOW_TO_SET_KEY, BackendLacks, BackendUnreachable, InvalidKey, MissingKey, ModelNotFound
from .serving import LocalEndpoint
from .settings import load_settings

LA_PLATEFORME_URL = "https://api.mistral.ai"
OLLAMA_DEFAULT = "http://127.0.0.1:11434"
LABELS = {
    "mistral": "La Plateforme (Mistral API)",
    "ollama": "Ollama",
    "vllm": "vLLM",
    "embedded": "embedded endpoint (llama.cpp + sentence-transformers on 127.0.0.1)",
}
HOW_TO_START = {
    "mistral": HOW_TO_SET_KEY,
    "ollama": "Install Ollama from https://ollama.com, run `ollama serve` and `ollama pull mistral`, "
    "or point OLLAMA_HOST at a running daemon.",
    "vllm": "Start one with `python -m vllm.entrypoints.openai.api_server --model mistralai/Mistral-7B-Instruct-v0.3 "
    "--tokenizer-mode mistral --port 8000` and set VLLM_BASE_URL=http://127.0.0.1:8000/v1.",
    "embedded": "Run `make lab` (or `make models`) once so the embedded models are prepared.",
}
# What each backend can do, as the notebooks ask for it. A notebook names what it needs in its metadata
# (`workbook.requires`) and checks it in its first cell with `bk.require(...)`; the backend matrix
# (`helpers.backend_matrix`) skips a notebook on a backend that lacks it, with the reason.
CAPABILITIES: dict[str, frozenset[str]] = {
    # chat, tools, `tool_choice` and `parallel_tool_calls` honoured, JSON mode / schema, embeddings (mistral-embed),
    # a 400 naming the limit for an over-long prompt, and answers from a model trained to follow instructions
    "mistral": frozenset({"chat", "tools", "tool_choice", "json_schema", "embeddings", "context_error", "answers"}),
    # Ollama's OpenAI layer reads no tool_choice / parallel_tool_calls (ollama/ollama openai/openai.go) and truncates
    # an over-long prompt without an error; embeddings once an embedding model is pulled
    "ollama": frozenset({"chat", "tools", "json_schema", "embeddings", "answers"}),
    # one model per vLLM server: a chat server serves no embeddings; no answers when it serves the untrained tiny Mistral
    "vllm": frozenset({"chat", "tools", "tool_choice", "json_schema", "context_error", "answers"}),
    "embedded": frozenset({"chat", "tools", "tool_choice", "json_schema", "embeddings", "context_error", "answers"}),
}
WHAT_TO_DO = {
    "answers": {
        "vllm": "this vLLM server runs the workbook's tiny Mistral, whose weights are random (right mechanics, noise for "
                "answers); serve a real Mistral (see notebook 06) or run on the embedded default (WORKBOOK_BACKEND=embedded)",
    },
    "embeddings": {
        "ollama": "`ollama pull all-minilm`, then run the notebook again",
        "vllm": "a vLLM server serves one model; run this notebook on the embedded default (WORKBOOK_BACKEND=embedded), "
                "Ollama or La Plateforme",
    },
}

_shared_endpoint: LocalEndpoint | None = None


@dataclass
class Probe:
    """What `detect()` found for one backend."""

    backend: str
    where: str
    available: bool
    detail: str


@dataclass
class Backend:
    """A connected backend: a ready `mistralai` client plus the names to use with it."""

    name: str
    base_url: str
    client: Any
    chat_model: str
    embed_model: str | None
    requested: str
    api_key: str = field(repr=False, default="")
    server: LocalEndpoint | None = field(repr=False, default=None)
    untrained: bool = False  # a vLLM server running the workbook's tiny Mistral (random weights)

    @property
    def label(self) -> str:
        if self.rehearsal:
            return "La Plateforme REHEARSAL (a local endpoint answering with stand-in models, not Mistral's servers)"
        return LABELS[self.name]

    @property
    def rehearsal(self) -> bool:
        """La Plateforme's API played by a local endpoint (MISTRAL_SERVER_URL on this machine): a dress rehearsal."""
        return self.name == "mistral" and httpx.URL(self.base_url).host in ("127.0.0.1", "localhost", "::1")

    @property
    def standin(self) -> bool:
        return self.name == "embedded"

    @property
    def capabilities(self) -> frozenset[str]:
        """What this backend can do (`CAPABILITIES`), less embeddings when it serves no embedding model."""
        caps = CAPABILITIES[self.name]
        caps = caps if self.embed_model else caps - {"embeddings"}
        return caps - {"answers"} if self.untrained else caps

    def lacks(self, *needs: str) -> str | None:
        """One line saying what this backend lacks of `needs` and what to do, or None when it has them all."""
        missing = [need for need in needs if need not in self.capabilities]
        if not missing:
            return None
        fixes = [WHAT_TO_DO.get(need, {}).get(self.name, "run this notebook on another backend") for need in missing]
        return f"{self.label} lacks {', '.join(missing)} for this notebook: {'; '.join(fixes)}."

    def require(self, *needs: str) -> None:
        """Raise BackendLacks (one line: what is missing, what to do) unless this backend has every one of `needs`."""
        if (why := self.lacks(*needs)) is not None:
            raise BackendLacks(why)

    def describe_model(self, model: str | None = None) -> str:
        model = model or self.chat_model
        if self.rehearsal:
            return f"{model} - in this rehearsal a STAND-IN answers for it, not a Mistral model"
        if self.untrained and model == self.chat_model:
            return f"{model} - served by a STAND-IN: the workbook's tiny Mistral, random weights, not this model"
        if self.standin and model in embedded_model_info():
            info = embedded_model_info()[model]
            return f"{model} - a STAND-IN ({info['description']}), not a Mistral model"
        return model

    def banner(self) -> str:
        asked = f" (asked for {self.requested})" if self.requested != self.chat_model else ""
        return f"Backend: {self.label} at {self.base_url} | chat model: {self.describe_model()}{asked}"

    def answered_by(self, response: Any) -> str:
        """One line naming the backend and the model that actually produced `response`."""
        model = getattr(response, "model", None) or getattr(getattr(response, "data", None), "model", None)
        return f"Answered by {self.label}, model {self.describe_model(model or self.chat_model)}"

    def openai(self):
        """An `openai.OpenAI` client for the same backend (its `/v1` API)."""
        from openai import OpenAI

        return OpenAI(api_key=self.api_key or "not-needed", base_url=self.base_url.rstrip("/") + "/v1")

    def served_models(self) -> list[str]:
        return served_models(self.name, self.base_url, self.api_key)

    def close(self) -> None:
        """Stop the embedded endpoint if this backend started it (others are left running)."""
        global _shared_endpoint
        if self.server is not None:
            self.server.stop()
            if _shared_endpoint is self.server:
                _shared_endpoint = None

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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


def _vllm_base() -> str:
    base = os.environ.get("VLLM_BASE_URL", "").strip().rstrip("/")
    return base[:-3] if base.endswith("/v1") else base


def detect(timeout: float = 0.5) -> list[Probe]:
    """Look for every backend without starting anything."""
    probes = []
    key = bool(os.environ.get("MISTRAL_API_KEY"))
    probes.append(Probe("mistral", os.environ.get("MISTRAL_SERVER_URL", LA_PLATEFORME_URL), key,
                        "MISTRAL_API_KEY is set" if key else "MISTRAL_API_KEY is not set"))
    host = ollama_host()
    try:
        version = httpx.get(host + "/api/version", timeout=timeout).json().get("version", "?")
        probes.append(Probe("ollama", host, True, f"answers (version {version})"))
    except (httpx.HTTPError, ValueError):
        probes.append(Probe("ollama", host, False, "nothing answers"))
    base = _vllm_base()
    if base:
        try:
            ok = httpx.get(base + "/v1/models", timeout=timeout).status_code == 200
            probes.append(Probe("vllm", base, ok, "answers" if ok else "does not answer /v1/models"))
        except httpx.HTTPError:
            probes.append(Probe("vllm", base, False, "nothing answers"))
    else:
        probes.append(Probe("vllm", "-", False, "VLLM_BASE_URL is not set"))
    probes.append(Probe("embedded", "127.0.0.1 (started on demand)", True, "always available offline"))
    return probes


def pick_backend(probes: list[Probe]) -> str:
    """The first available backend in the documented order."""
    order = ["mistral", "ollama", "vllm", "embedded"]
    found = {p.backend: p for p in probes}
    return next(b for b in order if found[b].available)


def served_models(backend: str, base_url: str, api_key: str = "") -> list[str]:
    """Model names the backend serves right now (raises BackendUnreachable / InvalidKey)."""
    return _names(backend, model_list(backend, base_url, api_key))


def model_list(backend: str, base_url: str, api_key: str = "") -> dict[str, Any]:
    """The backend's model list as it answers it (`/api/tags` on Ollama, `/v1/models` elsewhere)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url + ("/api/tags" if backend == "ollama" else "/v1/models")
    try:
        response = httpx.get(url, headers=headers, timeout=15.0)
    except httpx.HTTPError as exc:
        raise BackendUnreachable(
            f"Tried {LABELS[backend]} at {base_url}: {type(exc).__name__}: {exc}. {HOW_TO_START[backend]}"
        ) from exc
    if response.status_code == 401:
        raise InvalidKey(
            f"{LABELS[backend]} at {base_url} rejected the API key (HTTP 401); the key is not shown. {HOW_TO_SET_KEY}"
        )
    if response.status_code != 200:
        raise BackendUnreachable(f"{LABELS[backend]} at {url} answered HTTP {response.status_code}. {HOW_TO_START[backend]}")
    return response.json()


def _names(backend: str, listing: dict[str, Any]) -> list[str]:
    if backend == "ollama":
        return [m["name"] for m in listing.get("models", [])] + [m["model"] for m in listing.get("models", [])]
    return [m["id"] for m in listing.get("data", [])]


def _serves_tiny_mistral(listing: dict[str, Any], model: str) -> bool:
    """Whether a vLLM model list answers `model` with the workbook's tiny Mistral (`root` names the folder it loaded)."""
    from .embedded import TINY_MISTRAL

    return any(c.get("id") == model and str(c.get("root", "")).rstrip("/").endswith(TINY_MISTRAL)
               for c in listing.get("data", []))


def _is_served(backend: str, model: str, served: list[str]) -> bool:
    """Whether `model` is among `served`; on Ollama a name without a tag means `:latest`, as `ollama pull` does."""
    return model in served or (backend == "ollama" and f"{model}:latest" in served)


def _check_model(backend: str, model: str, served: list[str], requested: str) -> None:
    if _is_served(backend, model, served):
        return
    fix = f" Pull it with `ollama pull {model}`." if backend == "ollama" else ""
    raise ModelNotFound(
        f"{LABELS[backend]} does not serve {model!r} (asked for {requested!r}).{fix} Models it serves: "
        f"{', '.join(sorted(set(served))) or '(none)'}. Names the workbook maps across backends: "
        f"{', '.join(catalog.logical_names())}."
    )


def shared_endpoint() -> LocalEndpoint:
    """The embedded endpoint for this Python process, started on first use."""
    global _shared_endpoint
    if _shared_endpoint is None or not _shared_endpoint.running:
        endpoint = LocalEndpoint()
        endpoint.start()
        _shared_endpoint = endpoint
    return _shared_endpoint


def connect(backend: str | None = None, model: str | None = None, *, quiet: bool = False) -> Backend:
    """Connect to the chosen backend and return a ready client with model names; print a banner."""
    from mistralai.client import Mistral

    settings = load_settings()
    choice = backend or settings.backend
    requested = model or settings.model
    if choice == "auto":
        choice = pick_backend(detect())
    if choice not in LABELS:
        raise ValueError(f"Unknown backend {choice!r}; choose one of: auto, {', '.join(LABELS)}")

    server = None
    api_key = ""
    if choice == "mistral":
        api_key = os.environ.get("MISTRAL_API_KEY", "")
        if not api_key:
            raise MissingKey(f"The Mistral API backend needs MISTRAL_API_KEY. {HOW_TO_SET_KEY}")
        base_url = os.environ.get("MISTRAL_SERVER_URL", LA_PLATEFORME_URL).rstrip("/")
    elif choice == "ollama":
        base_url = ollama_host()
    elif choice == "vllm":
        base_url = _vllm_base()
        if not base_url:
            raise BackendUnreachable(f"VLLM_BASE_URL is not set. {HOW_TO_START['vllm']}")
        api_key = os.environ.get("VLLM_API_KEY", "")
    else:
        server = shared_endpoint()
        base_url = server.base_url

    try:
        chat_model = catalog.resolve(requested, choice)
    except LookupError as exc:
        raise ModelNotFound(str(exc)) from exc
    listing = model_list(choice, base_url, api_key)
    served = _names(choice, listing)
    _check_model(choice, chat_model, served, requested)
    embed_model = catalog.default_embedding_model(choice)
    if embed_model is not None and choice != "mistral" and not _is_served(choice, embed_model, served):
        embed_model = None

    client = Mistral(api_key=api_key or "not-needed", server_url=base_url)
    result = Backend(choice, base_url, client, chat_model, embed_model, requested, api_key=api_key, server=server,
                     untrained=choice == "vllm" and _serves_tiny_mistral(listing, chat_model))
    if not quiet:
        print(result.banner())
    return result
