"""What the endpoint's own routes beyond chat share: `EndpointContext`, and the list of those routes.

The routes for La Plateforme's APIs beyond chat and embeddings (files and batch jobs, conversations,
moderation, OCR) each live in their own module with a `build_router(context) -> APIRouter`. They reach
the models the way a client does: `EndpointContext.call` sends a request through the whole endpoint
(the same checks, the same handlers, the same errors) in-process, without a socket.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# engine modules with a `build_router(context)`: each serves one of La Plateforme's APIs beyond chat
ROUTE_MODULES: tuple[str, ...] = ("batch_api", "conversations_api", "moderation_api", "ocr_api")


@dataclass
class EndpointContext:
    """What a route module may use: the state folder, the served models, the embedder, the endpoint itself."""

    state_dir: Path  # files, jobs and conversations that outlive the process (`helpers.paths.state_dir`)
    chat_models: tuple[str, ...]  # served chat model ids; the first is the default
    embed: Callable[[list[str]], Any]  # texts -> unit-length vectors (numpy), the embedding stand-in
    api_key: str | None = None  # sent on in-process calls when the endpoint asks for one
    app: Any = field(default=None, repr=False)  # the whole endpoint (MistralCompat), set once it is built
    # awaited once the server has started (the batch queue resumes jobs a restart interrupted)
    startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list, repr=False)

    @property
    def default_chat(self) -> str:
        return self.chat_models[0]

    async def call(self, method: str, path: str, json: Any = None) -> Any:
        """Send one request through the whole endpoint in-process and return the `httpx.Response`."""
        import httpx

        headers = {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=None) as client:
            return await client.request(method, path, json=json, headers=headers)


def routers(context: EndpointContext) -> list[Any]:
    """The APIRouter of every module in `ROUTE_MODULES`, built on `context`."""
    return [importlib.import_module(f"{__package__}.{name}").build_router(context) for name in ROUTE_MODULES]
