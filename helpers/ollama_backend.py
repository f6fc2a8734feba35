"""Notebook 05's side of Ollama: find a daemon or start the stand-in, and the session around the client.

    from helpers.ollama_backend import connect_ollama
    bk = connect_ollama()          # a real Ollama daemon when one answers, else the workbook's stand-in
    bk.client.chat(model=bk.chat_model, messages=[...])

The stand-in is the embedded endpoint, which also speaks Ollama's REST API under `/api`
(`helpers.engine.ollama_api`); the banner says which one answers. The small tools around it live beside it and
are re-exported here, so notebook 05 imports everything from this module: `ollama_pull_create` (a pull with a
progress bar, Modelfile text <-> `client.create(...)` arguments) and `ollama_inspect` (stream collection, a latency
measurement, `client.list()` as a table, and the schema the `ollama` client builds from a Python function).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from . import catalog
from .backends import ollama_host, shared_endpoint
from .engine.embedded import embedded_model_info
from .engine.serving import LocalEndpoint
from .ollama_inspect import Collected, Latency, collect_stream, embedding_length, measure_latency, models_table, tool_schema
from .ollama_pull_create import (
    PullReport,
    base_tag,
    cli_command,
    create_call_text,
    modelfile_summary,
    parse_modelfile,
    pull_with_progress,
    render_modelfile,
)
from .settings import load_settings

__all__ = [
    # the connection and session, defined here
    "STANDIN_MARK", "LESSON_MODELS", "daemon_version", "plan", "daemon_name", "OllamaSession", "connect_ollama",
    # re-exported from ollama_pull_create
    "base_tag", "PullReport", "pull_with_progress", "render_modelfile", "parse_modelfile", "create_call_text",
    "modelfile_summary", "cli_command",
    # re-exported from ollama_inspect
    "Collected", "collect_stream", "embedding_length", "tool_schema", "Latency", "measure_latency", "models_table",
]

STANDIN_MARK = "standin"
# The three Ollama tags the lesson uses, as logical names in data/model_names.csv.
LESSON_MODELS = ("open-mistral-7b", "open-mixtral-8x7b", "codestral-latest")


def daemon_version(host: str, timeout: float = 0.5) -> str | None:
    """The version string of whatever answers Ollama's `/api/version` at `host`, or None."""
    try:
        response = httpx.get(host.rstrip("/") + "/api/version", timeout=timeout)
        return str(response.json()["version"]) if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def plan(backend_choice: str, version: str | None, host: str) -> tuple[str, str]:
    """Decide what answers the lesson: ("daemon" | "standin-at-host" | "start-standin", why).

    A real daemon wins unless the workbook's backend is pinned to `embedded` (as CI does);
    a stand-in already listening at OLLAMA_HOST (`make serve-ollama`) is used as it is.
    """
    if backend_choice == "embedded":
        return "start-standin", ("the workbook's backend is set to `embedded` (WORKBOOK_BACKEND or notebook 00), "
                                 "so the offline stand-in answers")
    if version is None:
        return "start-standin", f"no Ollama daemon answers at {host}, so the offline stand-in answers"
    if STANDIN_MARK in version:
        return "standin-at-host", f"the workbook's stand-in already answers at {host} (`make serve-ollama`)"
    return "daemon", f"an Ollama daemon (version {version}) answers at {host}"



def daemon_name(requested: str) -> str:
    """The Ollama tag for a workbook model name (`mistral-small-latest` -> `mistral`); `mistral` when it has none."""
    try:
        name = catalog.resolve(requested, "ollama")
    except LookupError:
        name = ""
    if not name or name in embedded_model_info():
        name = catalog.resolve(LESSON_MODELS[0], "ollama")
    return name


@dataclass
class OllamaSession:
    """A ready `ollama.Client` with the names to use, on a real daemon or on the stand-in."""

    host: str
    client: Any
    standin: bool
    chat_model: str
    embed_model: str
    requested: str
    version: str
    reason: str
    server: LocalEndpoint | None = field(repr=False, default=None)

    @property
    def label(self) -> str:
        if self.standin:
            return "the workbook's Ollama stand-in (embedded endpoint, not an Ollama daemon)"
        return f"Ollama {self.version}"

    def describe_model(self, model: str) -> str:
        """The model name, marked as a stand-in when it is one."""
        model = base_tag(model)
        info = embedded_model_info().get(model)
        if self.standin and info:
            return f"{model} - a STAND-IN ({info['description']}), not a Mistral model"
        return model

    def banner(self) -> str:
        lines = [f"Ollama API: {self.label} at {self.host}", f"  why: {self.reason}",
                 f"  chat model: {self.describe_model(self.chat_model)}"]
        if self.standin:
            lines[-1] += f" | a real daemon would serve `{daemon_name(self.requested)}`"
        lines.append(f"  embeddings model: {self.describe_model(self.embed_model)}")
        return "\n".join(lines)

    def answered_by(self, response: Any) -> str:
        """One line naming the server and the model that produced `response` (ollama or openai)."""
        model = getattr(response, "model", None) or self.chat_model
        return f"Answered by {self.label}, model {self.describe_model(model)}"

    def pulled(self) -> list[str]:
        """The model names the server lists right now (`ollama list`), without `:latest`."""
        return [base_tag(m.model or "") for m in self.client.list().models]

    def lesson_tags(self) -> list[str]:
        """The Ollama tags this lesson is about (`mistral`, `mixtral`, `codestral`), from data/model_names.csv."""
        return [catalog.resolve(name, "ollama") for name in LESSON_MODELS]

    def model_for(self, tag: str) -> str:
        """The model to call for an Ollama tag: the tag when it is pulled here, else the chat model (said so)."""
        tag = catalog.resolve(tag, "ollama")
        if base_tag(tag) in self.pulled():
            return tag
        where = "the stand-in serves no Mistral model" if self.standin else f"`{tag}` is not pulled on this daemon"
        print(f"{tag}: {where}; these cells use {base_tag(self.chat_model)} instead "
              f"(on a real daemon: `ollama pull {tag}`).")
        return self.chat_model

    def missing_tag(self) -> str:
        """A real Ollama tag that is not pulled here (for the 'model not found' lesson)."""
        here = set(self.pulled())
        candidates = [*self.lesson_tags()[1:], "mixtral:8x22b", "mistral-large"]
        return next((t for t in candidates if base_tag(t) not in here), "mistral:7b-instruct-v0.3-never-pulled")

    def tag_table(self):
        """The lesson's three tags: what each is, whether it is pulled here, and which model answers for it."""
        import pandas as pd

        here = set(self.pulled())
        rows = []
        for logical in LESSON_MODELS:
            tag = catalog.resolve(logical, "ollama")
            row = catalog.find(logical)
            present = base_tag(tag) in here
            rows.append((tag, row.note if row else "", f"ollama pull {tag}", "yes" if present else "no",
                         tag if present else base_tag(self.chat_model)))
        return pd.DataFrame(rows, columns=["Ollama tag", "what it is", "CLI", "pulled here", "answers in this notebook"])

    def async_client(self):
        """An `ollama.AsyncClient` for the same server."""
        import ollama

        return ollama.AsyncClient(host=self.host)

    def openai(self):
        """An `openai.OpenAI` client on the server's OpenAI-compatible API (`host + "/v1"`)."""
        from openai import OpenAI

        return OpenAI(base_url=self.host + "/v1", api_key="ollama")  # Ollama ignores the key; the client wants one

    def close(self) -> None:
        """Stop the stand-in if this session started it (a daemon or `make serve-ollama` is left running)."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> OllamaSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pick_embed_model(client: Any, chat_model: str) -> str:
    """On a real daemon: the first pulled model that says it embeds, else the chat model."""
    for m in client.list().models[:20]:
        try:
            if "embedding" in (client.show(m.model).capabilities or []):
                return base_tag(m.model)
        except Exception:  # a model the daemon cannot describe is simply skipped
            continue
    return chat_model


def connect_ollama(model: str | None = None, *, backend: str | None = None, quiet: bool = False,
                   timeout: float = 0.5) -> OllamaSession:
    """A ready `ollama.Client`: a real daemon when one answers, else the stand-in (started here); prints a banner."""
    import ollama

    settings = load_settings()
    requested = model or settings.model
    choice = backend or settings.backend
    host = ollama_host()
    version = None if choice == "embedded" else daemon_version(host, timeout)
    decision, reason = plan(choice, version, host)
    server = None
    if decision == "start-standin":
        server = shared_endpoint()
        host = server.base_url
        version = daemon_version(host, 5.0) or "?"
    standin = decision != "daemon"
    client = ollama.Client(host=host)
    if standin:
        chat_model = catalog.resolve(requested, "embedded")
        embed_model = catalog.default_embedding_model("embedded") or chat_model
    else:
        chat_model = daemon_name(requested)
        embed_model = _pick_embed_model(client, chat_model)
    session = OllamaSession(host, client, standin, chat_model, embed_model, requested, str(version), reason, server)
    if not quiet:
        print(session.banner())
    return session

