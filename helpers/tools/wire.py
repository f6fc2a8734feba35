"""What goes over the wire: request bodies as each client sends them, and how Mistral's and OpenAI's differ."""

from __future__ import annotations

import json
from typing import Any


class RequestLog:
    """Keeps the JSON body of every request sent through its HTTP client: what an SDK really sends."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def _record(self, request: Any) -> None:
        content = request.read()
        if content:
            self.bodies.append(json.loads(content))

    def http_client(self):
        """An HTTP client (httpx2, which both SDKs are built on) that records each request body."""
        import httpx2

        return httpx2.Client(event_hooks={"request": [self._record]}, timeout=600.0)

    def mistral(self, backend: Any):
        """A `mistralai` client for `backend` (from helpers.connect) whose requests are recorded."""
        from mistralai.client import Mistral

        return Mistral(api_key=backend.api_key or "not-needed", server_url=backend.base_url, client=self.http_client())

    def openai(self, backend: Any):
        """The backend's `openai` client (`backend.openai()`), with its requests recorded."""
        return backend.openai().copy(http_client=self.http_client())


def body_differences(mistral_body: dict[str, Any], openai_body: dict[str, Any]):
    """The request fields whose values differ between two bodies (missing shown as '-')."""
    import pandas as pd

    rows = []
    for key in sorted(set(mistral_body) | set(openai_body)):
        a, b = mistral_body.get(key, "-"), openai_body.get(key, "-")
        if a != b:
            rows.append({"field": key, "mistralai SDK": json.dumps(a) if a != "-" else a,
                         "openai client": json.dumps(b) if b != "-" else b})
    return pd.DataFrame(rows)
