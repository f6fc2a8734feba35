"""Streamed turns of the Conversations API (`conversations_api`): `start_stream`, `append_stream`, `restart_stream`.

A request with `stream: true` is answered with La Plateforme's server-sent events, each `event: <type>` and
`data: <json>`, in this order:

* `conversation.response.started`, with the conversation's id;
* the outputs as the chat model writes them: `message.output.delta` events whose `content` pieces, joined, are
  the answer (one per chunk of the model's own stream, token by token), and a `function.call.delta` event for
  each tool call (the endpoint decides a tool call whole, so one event carries its whole `arguments`). Each output
  has its own `output_index`; its events carry its entry's `id`, `model` and `role`, and `agent_id` is absent;
* `conversation.response.done`, with the turn's usage; or `conversation.response.error` if the model fails
  part-way (then nothing of the turn is kept).

The turn's chat request is the one a non-streamed turn sends, with `stream: true`, and goes through the whole
endpoint in-process, as `EndpointContext.call` sends it, but handed to the ASGI app directly (`ChatStream`):
httpx's ASGI transport returns a response only once the app has finished it. So every error of the chat route
(a guardrail's 403, a context-length 400) comes before any event, as the same 4xx answer a non-streamed turn
gets, and nothing is kept.

What is kept, and when: the entries are saved as a non-streamed turn's are (`Conversations.keep`) once the model
has finished the whole answer, just before `conversation.response.done`. A client that disconnects before then
stops the generation at its next token, and nothing of the turn is saved: the conversation stays as it was
before the request, as after a refused turn. A stored output's `id` is its events' id and its `created_at` that
of its first event, which is what the SDK rebuilds from the events (`run_stream_async`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from fastapi import Response

from . import chat_handlers
from . import endpoint_guard as guard
from .conversation_store import bad, new_entry_id, now
from .conversations_api import error_message, function_call, message_output, usage_of

if TYPE_CHECKING:
    from .conversations_api import Conversations

CHAT_ROUTE = "/v1/chat/completions"
RUNNING: set[asyncio.Task[None]] = set()  # chat requests in flight, held until they end (the loop keeps weak refs)


class ChatStream:
    """One chat request with `stream: true` sent through the whole endpoint in-process, read as it is written.

    The request goes to the ASGI app with a `send` that queues each message of the answer, so its chunks arrive
    one by one; `close` tells the app its client has gone, which stops the generation at its next token.
    """

    def __init__(self, app: Any, body: dict[str, Any], api_key: str | None = None):
        self.app, self.api_key = app, api_key
        self.payload: bytes | None = json.dumps(body).encode()
        self.messages: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.gone = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def receive(self) -> dict[str, Any]:
        """The request body once; then nothing until `close`, which reads as the client's disconnect."""
        if self.payload is not None:
            body, self.payload = self.payload, None
            return {"type": "http.request", "body": body, "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        await self.messages.put(message)

    async def open(self) -> httpx.Response | None:
        """Send the request; None once the answer has started with a 200, else the whole error answer."""
        headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                   (b"content-length", str(len(self.payload or b"")).encode())]
        if self.api_key:
            headers.append((b"authorization", f"Bearer {self.api_key}".encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                 "path": CHAT_ROUTE, "raw_path": CHAT_ROUTE.encode(), "root_path": "", "query_string": b"",
                 "headers": headers, "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 0)}
        self.task = asyncio.create_task(self.app(scope, self.receive, self.send))
        RUNNING.add(self.task)
        self.task.add_done_callback(RUNNING.discard)
        self.task.add_done_callback(lambda _: self.messages.put_nowait(None))
        start = await self.messages.get()
        if start is None:
            return httpx.Response(502, text=f"The chat route ended without an answer: {self.failure()}")
        if start["type"] == "http.response.start" and start["status"] == 200:
            return None
        body = b""
        while (message := await self.messages.get()) is not None:
            body += message.get("body", b"")
        return httpx.Response(start.get("status", 502), content=body, headers=dict(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])))

    def failure(self) -> str:
        """Why the app's run ended, once it has."""
        error = self.task.exception() if self.task is not None and self.task.done() and not self.task.cancelled() else None
        return f"{type(error).__name__}: {error}" if error else "no reason given"

    async def chunks(self) -> AsyncIterator[dict[str, Any]]:
        """The answer's chunks (`chat.completion.chunk` objects) up to `[DONE]`; a RuntimeError if it ends before."""
        buffer = b""
        while (message := await self.messages.get()) is not None:
            buffer += message.get("body", b"") if message["type"] == "http.response.body" else b""
            *events, buffer = re.split(rb"\r?\n\r?\n", buffer)
            for event in events:
                for line in event.splitlines():
                    if not line.startswith(b"data:"):
                        continue  # `: ping` comments and other fields
                    data = line[5:].strip()
                    if data == b"[DONE]":
                        return
                    yield json.loads(data)
        raise RuntimeError(f"The chat model's stream ended before its end ([DONE]): {self.failure()}")

    def close(self) -> None:
        self.gone.set()


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class EventStream(Response):
    """A response of server-sent events from `events`, which stops them when the client disconnects.

    `close` runs once the stream is over, whether it ended, failed or its client left.
    """

    media_type = "text/event-stream"

    def __init__(self, events: AsyncGenerator[tuple[str, dict[str, Any]], None], close: Callable[[], None]):
        self.status_code, self.background = 200, None
        self.init_headers({"cache-control": "no-cache"})  # as StreamingResponse does: no body, no content-length
        self.events, self.close = events, close

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            async with anyio.create_task_group() as group:
                async def listen() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(listen)
                await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
                async for event, data in self.events:
                    await send({"type": "http.response.body", "body": sse(event, data), "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                group.cancel_scope.cancel()
        finally:
            self.close()
            await self.events.aclose()  # a client that left mid-answer leaves it suspended at an event


@dataclass
class Output:
    """One output entry of a streamed turn, as its events build it: the answer's text, or one tool call."""

    index: int  # its `output_index`
    id: str
    created_at: str  # its first event's
    pieces: list[str] = field(default_factory=list)  # the answer's text, chunk by chunk
    call: dict[str, Any] | None = None  # the tool call (`id`, `function.name`, `function.arguments`)

    def entry(self, model: str, done: str) -> dict[str, Any]:
        stamp = {"object": "entry", "created_at": self.created_at, "completed_at": done, "model": model, "agent_id": None}
        if self.call is None:
            return message_output(stamp, "".join(self.pieces), self.id)
        return function_call(stamp, self.call, self.id)


class StreamedTurn:
    """One streamed turn: its chat stream read into La Plateforme's events, and its entries once it is whole."""

    def __init__(self, conversations: Conversations, record: dict[str, Any], new: list[dict[str, Any]],
                 body: dict[str, Any], store: bool):
        self.conversations, self.record, self.new, self.body, self.store = conversations, record, new, body, store
        self.chat = ChatStream(conversations.context.app, {**body, "stream": True}, conversations.context.api_key)
        self.model: str = record["model"]
        self.outputs: list[Output] = []
        self.text: Output | None = None
        self.calls: dict[int, Output] = {}  # by the tool call's index in the chat stream

    def output(self, kind: str, stamp: str) -> Output:
        made = Output(len(self.outputs), new_entry_id(kind), stamp)
        self.outputs.append(made)
        return made

    def read(self, chunk: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The events of one chunk of the chat stream."""
        self.model = chunk.get("model") or self.model
        delta = (chunk.get("choices") or [{}])[0].get("delta") or {}
        events, stamp = [], now()
        if delta.get("content"):
            self.text = self.text or self.output("message.output", stamp)
            self.text.pieces.append(delta["content"])
            events.append(("message.output.delta", {
                "type": "message.output.delta", "id": self.text.id, "created_at": stamp, "output_index": self.text.index,
                "content_index": 0, "model": self.model, "role": "assistant", "content": delta["content"]}))
        for part in delta.get("tool_calls") or []:
            slot = self.calls.get(part.get("index", len(self.calls)))
            if slot is None:
                slot = self.calls[part.get("index", len(self.calls))] = self.output("function.call", stamp)
                slot.call = {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
            call, function = slot.call or {}, part.get("function") or {}
            call["id"] = call["id"] or part.get("id") or ""
            call["function"]["name"] = call["function"]["name"] or function.get("name") or ""
            call["function"]["arguments"] += function.get("arguments") or ""
            events.append(("function.call.delta", {
                "type": "function.call.delta", "id": slot.id, "created_at": stamp, "output_index": slot.index,
                "model": self.model, "tool_call_id": call["id"], "name": call["function"]["name"],
                "arguments": function.get("arguments") or ""}))
        return events

    async def events(self) -> AsyncGenerator[tuple[str, dict[str, Any]], None]:
        """started, the deltas as the model writes them, then done (the entries saved) or error (nothing saved)."""
        yield "conversation.response.started", {"type": "conversation.response.started",
                                                "conversation_id": self.record["id"], "created_at": now()}
        usage = None
        try:
            async for chunk in self.chat.chunks():
                usage = chunk.get("usage") or usage
                for event in self.read(chunk):
                    yield event
        except Exception as exc:  # the model failed part-way: the client is told, nothing is kept
            yield "conversation.response.error", {"type": "conversation.response.error", "created_at": now(),
                                                  "message": f"The chat model failed during the answer: {exc}", "code": 500}
            return
        if not self.outputs:  # an empty answer is kept as an empty message, as a non-streamed turn keeps it
            self.text = self.output("message.output", now())
            yield "message.output.delta", {"type": "message.output.delta", "id": self.text.id, "content": "",
                                           "created_at": self.text.created_at, "output_index": 0, "content_index": 0,
                                           "model": self.model, "role": "assistant"}
        text = self.text.pieces if self.text is not None else []
        counted = usage_of(usage) if usage else await asyncio.to_thread(self.count, "".join(text), len(text))
        done = now()
        self.conversations.keep(self.record, self.new, [o.entry(self.model, done) for o in self.outputs], self.store)
        yield "conversation.response.done", {"type": "conversation.response.done", "created_at": done, "usage": counted}

    def count(self, text: str, pieces: int) -> dict[str, int]:
        """The usage of an answer whose stream sent none (llama-cpp-python's streams do not), counted as the endpoint
        counts a prompt against its context: the rendered prompt's tokens, and the answer's tokens after it.
        Without the endpoint's counter (a model it cannot render), the answer's pieces stand for its tokens."""
        from .endpoint_checks import normalise_chat_request

        app = self.conversations.context.app
        model = getattr(app, "aliases", {}).get(self.body["model"], self.body["model"])
        counter, fmt = getattr(app, "count_tokens", None), getattr(app, "formats", {}).get(model)
        try:
            served = guard.as_served(normalise_chat_request({k: v for k, v in self.body.items() if k != "guardrails"}))
            prompt = chat_handlers.request_prompt(fmt, served) if counter is not None and fmt is not None else None
        except ValueError:  # a request the endpoint served but cannot render here
            prompt = None
        if prompt is None or counter is None:
            return {"prompt_tokens": 0, "completion_tokens": pieces, "total_tokens": pieces}
        n_prompt = counter(model, prompt)
        n_answer = counter(model, prompt + text) - n_prompt
        return {"prompt_tokens": n_prompt, "completion_tokens": n_answer, "total_tokens": n_prompt + n_answer}


async def open_turn(conversations: Conversations, record: dict[str, Any], new: list[dict[str, Any]],
                    completion_args: dict[str, Any], store: bool, release: Callable[[], None] | None) -> Response:
    """The turn's event stream, once the chat model has started answering; the chat route's error (4xx, as a
    non-streamed turn gets it) if it refuses. `release` is called when the stream is over."""
    turn = StreamedTurn(conversations, record, new, conversations.chat_body(record, new, completion_args), store)
    refused = await turn.chat.open()
    if refused is not None:
        raise bad(error_message(refused), refused.status_code if refused.status_code < 500 else 502)

    def close() -> None:
        turn.chat.close()
        if release is not None:
            release()

    return EventStream(turn.events(), close)
