"""Errors with the fix in the message, and a translator for the SDKs' raw HTTP errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager


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


def explain(exc: BaseException, *, backend: str = "the backend") -> WorkbookError | None:
    """A WorkbookError for a known SDK/HTTP failure, or None when it is not one we recognise."""
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    if status is None and getattr(exc, "response", None) is not None:  # openai / httpx errors
        status = getattr(exc.response, "status_code", None)
        try:
            body = exc.response.text
        except Exception:  # a streamed response has no text
            body = None
    text = _message_of(body) if body else str(exc)
    if type(exc).__name__ == "ResponseError" and hasattr(exc, "error"):  # the ollama client
        status, text = exc.status_code, str(exc.error)
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
    if status == 404 and ("model" in text.lower()):
        return ModelNotFound(text)
    limit = re.search(r"maximum context length is (\d+)", text) or re.search(r"context window of (\d+)", text)
    if limit or "context_length_exceeded" in (body or ""):
        n = limit.group(1) if limit else "its"
        return ContextTooLong(f"The prompt does not fit: the model's context limit is {n} tokens. {text} "
                              "Shorten the conversation or the documents, or pick a model with a longer context.")
    if "ConnectError" in type(exc).__name__ or "Connection refused" in str(exc):
        return BackendUnreachable(f"Could not reach {backend}: {exc}.")
    return None


@contextmanager
def friendly_errors(backend: str = "the backend") -> Iterator[None]:
    """Re-raise known SDK failures as WorkbookErrors whose message says what to do."""
    try:
        yield
    except WorkbookError:
        raise
    except Exception as exc:
        better = explain(exc, backend=backend)
        if better is None:
            raise
        raise better from exc
