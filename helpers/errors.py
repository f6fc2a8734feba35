"""Errors with the fix in the message, and a translator for the SDKs' raw HTTP errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class WorkbookError(RuntimeError):
    """Base class: something the reader can fix; the message says how."""


class ModelNotFound(WorkbookError, LookupError):
    """The backend does not serve the model that was asked for."""


class MissingKey(WorkbookError):
    """La Plateforme was chosen but MISTRAL_API_KEY is not set."""


class InvalidKey(WorkbookError):
    """The backend rejected the API key."""


class BackendUnreachable(WorkbookError, ConnectionError):
    """Nothing answered where a backend was expected."""


class ContextTooLong(WorkbookError, ValueError):
    """The prompt does not fit the model's context window."""


class BackendLacks(WorkbookError):
    """The connected backend lacks what a notebook needs (a declared capability); the message says what to do."""


HOW_TO_SET_KEY = (
    "Create a key at https://console.mistral.ai/api-keys, then set it without writing it into a notebook: "
    "`export MISTRAL_API_KEY=...` in the shell that starts JupyterLab, or in a cell: "
    "`import os, getpass; os.environ['MISTRAL_API_KEY'] = getpass.getpass()`."
)


def _message_of(body: str) -> str:
    """The human message inside an error body (Mistral, OpenAI or FastAPI shapes)."""
    try:
        data = json.loads(body)
    except (TypeError, json.JSONDecodeError):
        return body or ""
    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, dict):
            for key in ("message", "detail"):
                if inner.get(key):
                    return str(inner[key]) if not isinstance(inner[key], list) else json.dumps(inner[key])
        if isinstance(inner, str):
            return inner
    return body


# La Plateforme's, OpenAI's, vLLM's and the embedded endpoint's wordings of the same two errors.
_CONTEXT_PATTERNS = (
    re.compile(r"maximum context length (?:is|of) (\d+)"),
    re.compile(r"too large for model with (\d+) maximum context length"),
    re.compile(r"context window of (\d+)"),
)
_MODEL_PATTERN = re.compile(r"invalid model|model[^.]{0,80}(not found|does not exist|not served)|unknown model", re.I)


def explain(exc: BaseException, *, backend: Any = "the backend") -> WorkbookError | None:
    """A WorkbookError for a known SDK/HTTP failure, or None when it is not one we recognise.

    `backend` is a label, or a connected `Backend`: then a wrong-model error also lists the models
    that backend serves.
    """
    better = _explain(exc, getattr(backend, "label", backend))
    if isinstance(better, ModelNotFound) and hasattr(backend, "served_models"):
        try:
            served = sorted(set(backend.served_models()))
        except WorkbookError:
            served = []
        if served and not all(name in str(better) for name in served):
            better = ModelNotFound(f"{better} Models {backend.label} serves: {', '.join(served)}. "
                                   "Use bk.chat_model, or one of these names.")
    return better


def _explain(exc: BaseException, backend: str) -> WorkbookError | None:
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    response = getattr(exc, "response", None)
    if status is None and response is not None:  # openai / httpx errors
        status = getattr(response, "status_code", None)
        try:
            body = response.text
        except Exception:  # a streamed response has no text
            body = None
    text = _message_of(body) if body else str(exc)
    if type(exc).__name__ == "ResponseError" and hasattr(exc, "error"):  # the ollama client
        status, text = getattr(exc, "status_code", None), str(getattr(exc, "error", ""))
        if "try pulling it first" in text or "pull model manifest" in text:
            model = re.search(r'"([^"]+)"', text)
            name = model.group(1) if model else "<model>"
            return ModelNotFound(f"{backend}: {text}. Fix: run `ollama pull {name}` in a terminal (or "
                                 f"`ollama.pull('{name}')`), then run the cell again.")
    if isinstance(exc, ConnectionError) and "Failed to connect to Ollama" in str(exc):
        return BackendUnreachable(
            "Nothing answers at the Ollama address (connection refused). Start the daemon with `ollama serve`, "
            "check OLLAMA_HOST, or run `make serve-ollama` for the workbook's offline stand-in on port 11435."
        )
    if status == 401:
        return InvalidKey(
            f"{backend} rejected the API key (HTTP 401). Check that MISTRAL_API_KEY holds a current key "
            f"(the key itself is never shown). {HOW_TO_SET_KEY}"
        )
    if (status == 404 and "model" in text.lower()) or (status in (400, 422) and _MODEL_PATTERN.search(text)):
        return ModelNotFound(text)
    limit = next((m for p in _CONTEXT_PATTERNS if (m := p.search(text))), None)
    if status in (None, 400, 413, 422) and (limit or "context_length_exceeded" in (body or "")):
        n = limit.group(1) if limit else "its"
        return ContextTooLong(f"The prompt does not fit: the model's context limit is {n} tokens. {text} "
                              "Shorten the conversation or the documents, or pick a model with a longer context.")
    if "ConnectError" in type(exc).__name__ or "Connection refused" in str(exc):
        return BackendUnreachable(f"Could not reach {backend}: {exc}.")
    return None


@contextmanager
def friendly_errors(backend: Any = "the backend") -> Iterator[None]:
    """Re-raise known SDK failures as WorkbookErrors whose message says what to do.

    Pass the connected backend (`with friendly_errors(bk): ...`) to have a wrong model name
    answered with the models it serves.
    """
    try:
        yield
    except WorkbookError:
        raise
    except Exception as exc:
        better = explain(exc, backend=backend)
        if better is None:
            raise
        raise better from exc
