"""The backend switch: one call hands a notebook a ready client and the right model names.

    bk = helpers.connect()                      # chosen by settings / environment, else embedded
    bk.client.chat.complete(model=bk.chat_model, messages=[...])

Order when the choice is "auto": La Plateforme when MISTRAL_API_KEY is set, Ollama when
OLLAMA_HOST (or localhost:11434) answers, vLLM when VLLM_BASE_URL is set, otherwise the embedded
endpoint (stand-in models on 127.0.0.1). `WORKBOOK_BACKEND` / `WORKBOOK_MODEL` override the
settings file that notebook 00 writes.

Every backend is reached through the same `mistralai` client (`Mistral(server_url=...)`); Ollama
and vLLM speak the OpenAI chat API that the client's chat calls use. What differs per backend (where
it is, how to probe it, its model list, what it can do) is its `BackendSpec` in `backend_registry`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from . import backend_registry, catalog
from .backend_registry import ollama_host as ollama_host  # notebook 05's ollama_backend reads it here
from .engine.embedded import embedded_model_info
from .engine.serving import LocalEndpoint
from .errors import HOW_TO_SET_KEY, BackendLacks, BackendUnreachable, InvalidKey, ModelNotFound
from .settings import load_settings

# The registry's tables by backend, in its order (each backend's own entry is its `BackendSpec`).
LABELS = {s.name: s.label for s in backend_registry.specs()}
HOW_TO_START = {s.name: s.how_to_start for s in backend_registry.specs()}
CAPABILITIES: dict[str, frozenset[str]] = {s.name: s.capabilities for s in backend_registry.specs()}
WHAT_TO_DO = {  # capability -> backend -> what to do when a notebook needs it there
    need: {s.name: s.what_to_do[need] for s in backend_registry.specs() if need in s.what_to_do}
    for need in dict.fromkeys(need for s in backend_registry.specs() for need in s.what_to_do)
}

# The embedded endpoints this process started, keyed by the extra models they serve (() for the plain one).
# This module owns them: `shared_endpoint` starts them, `Backend.close` stops them, and `serving` stops any left
# at exit.
_endpoints: dict[tuple[tuple[str, str], ...], LocalEndpoint] = {}


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
        return backend_registry.spec(self.name).label

    @property
    def rehearsal(self) -> bool:
        """La Plateforme's API played by a local endpoint (MISTRAL_SERVER_URL on this machine): a dress rehearsal."""
        return self.name == "mistral" and httpx.URL(self.base_url).host in ("127.0.0.1", "localhost", "::1")

    @property
    def standin(self) -> bool:
        return self.name == "embedded"

    @property
    def capabilities(self) -> frozenset[str]:
        """What this backend can do (its spec's `capabilities`), less embeddings when it serves no embedding model."""
        caps = backend_registry.spec(self.name).capabilities
        caps = caps if self.embed_model else caps - {"embeddings"}
        if self.rehearsal:  # a local endpoint plays La Plateforme: what only Mistral's servers do is not there
            caps = caps - set(backend_registry.PLATEFORME_ONLY)
        return caps - {"answers"} if self.untrained else caps

    def lacks(self, *needs: str) -> str | None:
        """One line saying what this backend lacks of `needs` and what to do, or None when it has them all."""
        missing = [need for need in needs if need not in self.capabilities]
        if not missing:
            return None
        fixes = [self.what_to_do(need) for need in missing]
        return f"{self.label} lacks {', '.join(missing)} for this notebook: {'; '.join(fixes)}."

    def what_to_do(self, need: str) -> str:
        """What to do when this backend lacks `need` (its spec's advice, else: another backend)."""
        return backend_registry.spec(self.name).what_to_do.get(need, "run this notebook on another backend")

    def runs_here(self, need: str) -> bool:
        """True when this backend has `need`; otherwise print the one line `lacks` gives and return False.

        For a notebook section that only some backends can run: `if bk.runs_here("ocr"): ...`.
        """
        if (why := self.lacks(need)) is None:
            return True
        print(f"Skipped here. {why}")
        return False

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
        if self.standin and self.server is not None and model in self.server.extra_models:
            return f"{model} - a STAND-IN served from your file {Path(self.server.extra_models[model]).name}, not a Mistral model"
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
        if self.server is not None:
            self.server.stop()
            for key in [k for k, server in _endpoints.items() if server is self.server]:
                del _endpoints[key]

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def detect(timeout: float = 0.5) -> list[Probe]:
    """Look for every backend without starting anything."""
    return [Probe(s.name, *s.probe(timeout)) for s in backend_registry.specs()]


def pick_backend(probes: list[Probe]) -> str:
    """The first available backend in the documented order (the registry's)."""
    found = {p.backend: p for p in probes}
    return next(s.name for s in backend_registry.specs() if s.name in found and found[s.name].available)


def served_models(backend: str, base_url: str, api_key: str = "") -> list[str]:
    """Model names the backend serves right now (raises BackendUnreachable / InvalidKey)."""
    return _names(backend, model_list(backend, base_url, api_key))


def model_list(backend: str, base_url: str, api_key: str = "") -> dict[str, Any]:
    """The backend's model list as it answers it (`/api/tags` on Ollama, `/v1/models` elsewhere)."""
    spec = backend_registry.spec(backend)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = base_url + spec.models_path
    try:
        response = httpx.get(url, headers=headers, timeout=15.0)
    except httpx.HTTPError as exc:
        raise BackendUnreachable(
            f"Tried {spec.label} at {base_url}: {type(exc).__name__}: {exc}. {spec.how_to_start}"
        ) from exc
    if response.status_code == 401:
        raise InvalidKey(
            f"{spec.label} at {base_url} rejected the API key (HTTP 401); the key is not shown. {HOW_TO_SET_KEY}"
        )
    if response.status_code != 200:
        raise BackendUnreachable(f"{spec.label} at {url} answered HTTP {response.status_code}. {spec.how_to_start}")
    return response.json()


def _names(backend: str, listing: dict[str, Any]) -> list[str]:
    return backend_registry.spec(backend).read_names(listing)


def _is_served(backend: str, model: str, served: list[str]) -> bool:
    """Whether `model` is among `served`; on Ollama a name without a tag means `:latest`, as `ollama pull` does."""
    return model in served or (backend_registry.spec(backend).untagged_is_latest and f"{model}:latest" in served)


def _check_model(backend: str, model: str, served: list[str], requested: str) -> None:
    if _is_served(backend, model, served):
        return
    spec = backend_registry.spec(backend)
    fix = " " + spec.pull_hint.format(model=model) if spec.pull_hint else ""
    raise ModelNotFound(
        f"{spec.label} does not serve {model!r} (asked for {requested!r}).{fix} Models it serves: "
        f"{', '.join(sorted(set(served))) or '(none)'}. Names the workbook maps across backends: "
        f"{', '.join(catalog.logical_names())}."
    )


def shared_endpoint(extra_models: Mapping[str, str | Path] | None = None,
                    chat_formats: Mapping[str, str] | None = None) -> LocalEndpoint:
    """The embedded endpoint for this Python process, started on first use.

    With `extra_models` (alias -> chat GGUF file, and `chat_formats` for their prompt formats), the endpoint
    that serves those beside the default models: one per distinct set, started on first use, so a
    notebook that serves a model of its own never builds an endpoint itself.
    """
    key = tuple(sorted((alias, str(Path(path).resolve())) for alias, path in (extra_models or {}).items()))
    key += tuple(sorted((f"format:{alias}", fmt) for alias, fmt in (chat_formats or {}).items()))
    endpoint = _endpoints.get(key)
    if endpoint is None or not endpoint.running:
        endpoint = LocalEndpoint(extra_models=extra_models, chat_formats=chat_formats,
                                 say=print if not key else (lambda _: None))
        endpoint.start()
        _endpoints[key] = endpoint
    return endpoint


def connect(backend: str | None = None, model: str | None = None, *, quiet: bool = False,
            extra_models: Mapping[str, str | Path] | None = None,
            chat_formats: Mapping[str, str] | None = None) -> Backend:
    """Connect to the chosen backend and return a ready client with model names; print a banner.

    `extra_models` (alias -> chat GGUF file) serves files of your own beside the stand-ins, on the embedded
    endpoint only (`chat_formats` gives an alias its prompt format, e.g. `workbook-mistral-v3`): e.g.
    `connect("embedded", "my-model", extra_models={"my-model": path})` for a model you fine-tuned.
    """
    from mistralai.client import Mistral

    settings = load_settings()
    choice = backend or settings.backend
    requested = model or settings.model
    if choice == "auto":
        choice = pick_backend(detect())
    if choice not in backend_registry.names():
        raise ValueError(f"Unknown backend {choice!r}; choose one of: auto, {', '.join(backend_registry.names())}")

    spec = backend_registry.spec(choice)
    if extra_models:
        if choice != "embedded":
            raise ValueError(f"extra_models are served by the workbook's embedded endpoint, not by {spec.label}: "
                             f"connect('embedded', ..., extra_models=...) for them, and keep {choice!r} for the rest.")
        server = shared_endpoint(extra_models, chat_formats)
        base_url, api_key = server.base_url, ""
    else:
        base_url, api_key, server = spec.locate()  # raises what to set when the environment lacks it

    try:
        chat_model = catalog.resolve(requested, choice)
    except LookupError as exc:
        raise ModelNotFound(str(exc)) from exc
    listing = model_list(choice, base_url, api_key)
    served = _names(choice, listing)
    _check_model(choice, chat_model, served, requested)
    embed_model = catalog.default_embedding_model(choice)
    if embed_model is not None and spec.lists_embedding_model and not _is_served(choice, embed_model, served):
        embed_model = None

    client = Mistral(api_key=api_key or "not-needed", server_url=base_url)
    result = Backend(choice, base_url, client, chat_model, embed_model, requested, api_key=api_key, server=server,
                     untrained=spec.untrained is not None and spec.untrained(listing, chat_model))
    if not quiet:
        print(result.banner())
    return result
