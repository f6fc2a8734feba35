"""La Plateforme's Conversations API (beta) on the embedded endpoint: `/v1/conversations`.

Serves what `client.beta.conversations` of the mistralai SDK calls, in La Plateforme's request and response
shapes, so the unmodified client (and its `run_async` loop, which runs registered Python functions) works
offline: `start` (POST /v1/conversations), `append` (POST /v1/conversations/{id}), `restart`
(POST .../{id}/restart), `get`, `list`, `get_history`, `get_messages` and `delete`.

Each turn is real: the stored entries become a chat request (the instructions as a system message, every
`message.input`, `message.output`, `function.call` and `function.result` entry as a message) that goes
through the whole endpoint in-process (`EndpointContext.call`), so the chat route's checks and errors apply.
Function tools reach the model as chat tools; a tool call comes back as a `function.call` entry, and the
client sends its `function.result` on the next append. Conversations are files (`conversation_store`), so they
outlive the endpoint process.

What only La Plateforme can do is refused with a 4xx in its error shape, never imitated: built-in tools
(web search, code interpreter, image generation, document library, connectors), agents (`agent_id`),
and tool confirmations. Guardrails given at `start` go with every turn's chat request, where the endpoint
applies them (`guardrails`): a blocked turn is a 403 and nothing of it is kept. `start_stream`, `append_stream`
and `restart_stream` (`stream: true`) get the same turn as La Plateforme's event stream (`conversations_stream`).
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Query, Response

from .additions import EndpointContext
from .conversation_store import (
    ConversationStore,
    bad,
    chat_messages,
    conversation_card,
    new_conversation_id,
    new_entry_id,
    now,
    parse_inputs,
)

BUILT_IN_TOOLS = ("web_search", "web_search_premium", "code_interpreter", "image_generation", "document_library",
                  "connector")
COMPLETION_ARGS = ("stop", "presence_penalty", "frequency_penalty", "temperature", "top_p", "max_tokens", "random_seed",
                   "prediction", "response_format", "tool_choice", "reasoning_effort")
PLATFORME_ONLY = "runs on La Plateforme only; this offline endpoint does not imitate it"
MAX_UNSTORED = 1000  # ids of conversations started with store=False that are remembered, to say why they are gone


def error_message(response: Any) -> str:
    """The message of an error answer from the chat route, whichever shape it has."""
    try:
        body = response.json()
    except ValueError:
        return response.text or f"The chat model answered {response.status_code}."
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):
            return str(body["error"].get("message", body["error"]))
        for key in ("message", "detail", "error"):
            if body.get(key):
                return str(body[key])
    return json.dumps(body)


def refuse_platform_only(body: dict[str, Any]) -> None:
    """A 400 for each field only La Plateforme can serve."""
    if body.get("stream") not in (None, True, False):
        raise bad("stream must be true or false.", 422)
    if body.get("agent_id") is not None or body.get("agent_version") is not None:
        raise bad(f"Agent conversations (agent_id) need an agent created on La Plateforme: that {PLATFORME_ONLY}. "
                  "Start the conversation with `model=` and function tools instead.")
    if body.get("tool_confirmations"):
        raise bad(f"Tool confirmations are for La Plateforme's built-in tools: that {PLATFORME_ONLY}. Send the "
                  "result of your own function as a function.result entry.")
    if body.get("handoff_execution") not in (None, "server", "client"):
        raise bad("handoff_execution must be 'server' or 'client'.", 422)


def check_tools(tools: Any) -> list[dict[str, Any]]:
    """The function tools of a start request; a built-in tool is refused."""
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise bad("tools must be a list of tools.", 422)
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind in BUILT_IN_TOOLS:
            raise bad(f"tools[{i}]: the built-in tool {kind!r} {PLATFORME_ONLY}. Offline, give the model a function "
                      "tool (type 'function') and run it in your own code.")
        if kind != "function" or not isinstance(tool.get("function"), dict) or not tool["function"].get("name"):
            raise bad(f"tools[{i}] must be a function tool: {{'type': 'function', 'function': {{'name': ..., "
                      "'parameters': ...}}}.", 422)
    return [{"type": "function", "function": tool["function"]} for tool in tools]


def check_completion_args(args: Any) -> dict[str, Any]:
    if args is None:
        return {}
    if not isinstance(args, dict):
        raise bad("completion_args must be an object.", 422)
    unknown = sorted(set(args) - set(COMPLETION_ARGS))
    if unknown:
        raise bad(f"completion_args has unknown fields {unknown}; known: {', '.join(COMPLETION_ARGS)}.", 422)
    return {k: v for k, v in args.items() if v is not None}


def message_output(stamp: dict[str, Any], content: str, entry_id: str | None = None) -> dict[str, Any]:
    """The `message.output` entry of an answer; `stamp` holds its object, times, model and agent_id."""
    return {**stamp, "type": "message.output", "id": entry_id or new_entry_id("message.output"), "role": "assistant",
            "content": content}


def function_call(stamp: dict[str, Any], call: dict[str, Any], entry_id: str | None = None) -> dict[str, Any]:
    """The `function.call` entry of one of the chat model's tool calls (`id`, `function.name`, `function.arguments`)."""
    return {**stamp, "type": "function.call", "id": entry_id or new_entry_id("function.call"),
            "tool_call_id": call["id"], "name": call["function"]["name"],
            "arguments": call["function"].get("arguments") or "{}"}


def usage_of(usage: dict[str, Any] | None) -> dict[str, int]:
    """The chat usage's three token counts, as La Plateforme's conversation usage gives them."""
    return {k: int((usage or {}).get(k) or 0) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}


class Conversations:
    """The conversations of one endpoint process: its store, one lock per conversation, the turns."""

    def __init__(self, context: EndpointContext):
        self.context = context
        self.store = ConversationStore(context.state_dir / "conversations")
        self.locks: dict[str, asyncio.Lock] = {}
        self.unstored: OrderedDict[str, None] = OrderedDict()

    def lock(self, conversation_id: str) -> asyncio.Lock:
        return self.locks.setdefault(conversation_id, asyncio.Lock())

    def get(self, conversation_id: str) -> dict[str, Any]:
        record = self.store.load(conversation_id)
        if record is not None:
            return record
        if conversation_id in self.unstored:
            raise bad(f"Conversation {conversation_id} was started with store=False, so it was not kept and cannot be "
                      "read or continued. Start it with store=True (the default) to continue it.", 404)
        raise bad(f"Conversation {conversation_id!r} not found.", 404)

    def forget(self, conversation_id: str) -> None:
        self.unstored[conversation_id] = None
        while len(self.unstored) > MAX_UNSTORED:
            self.unstored.popitem(last=False)

    def chat_body(self, record: dict[str, Any], new: list[dict[str, Any]],
                  completion_args: dict[str, Any]) -> dict[str, Any]:
        """The chat request for the next entries after `record`'s entries and `new`."""
        body: dict[str, Any] = {"model": record["model"],
                                "messages": chat_messages(record.get("instructions"), [*record["entries"], *new]),
                                **{**record.get("completion_args", {}), **completion_args}}
        if record.get("tools"):
            body["tools"] = record["tools"]
        if record.get("guardrails"):
            body["guardrails"] = record["guardrails"]
        return body

    async def turn(self, record: dict[str, Any], new: list[dict[str, Any]],
                   completion_args: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Ask the chat model for the next entries after `record`'s entries and `new`: (outputs, usage)."""
        started = now()
        response = await self.context.call("POST", "/v1/chat/completions", self.chat_body(record, new, completion_args))
        if response.status_code != 200:
            raise bad(error_message(response), response.status_code if response.status_code < 500 else 502)
        data = response.json()
        message, done = data["choices"][0]["message"], now()
        model = data.get("model") or record["model"]
        stamp = {"object": "entry", "created_at": started, "completed_at": done, "model": model, "agent_id": None}
        calls = message.get("tool_calls") or []
        outputs = [message_output(stamp, message.get("content") or "")] if message.get("content") or not calls else []
        outputs += [function_call(stamp, call) for call in calls]
        return outputs, usage_of(data.get("usage"))

    def keep(self, record: dict[str, Any], new: list[dict[str, Any]], outputs: list[dict[str, Any]], store: bool) -> None:
        """Save a finished turn's entries when `store`; otherwise remember that the conversation was not kept."""
        if store:
            record["entries"] = [*record["entries"], *new, *outputs]
            record["updated_at"] = now()
            self.store.save(record)
        elif self.store.path(record["id"]) is None or not self.store.load(record["id"]):
            self.forget(record["id"])  # never stored: a later call learns why it is gone

    async def run(self, record: dict[str, Any], new: list[dict[str, Any]], completion_args: dict[str, Any],
                  store: bool) -> dict[str, Any]:
        """One turn: the answer in La Plateforme's `conversation.response` shape; the entries kept when `store`."""
        outputs, usage = await self.turn(record, new, completion_args)
        self.keep(record, new, outputs, store)
        return {"object": "conversation.response", "conversation_id": record["id"], "outputs": outputs, "usage": usage}

    async def answer(self, record: dict[str, Any], new: list[dict[str, Any]], completion_args: dict[str, Any],
                     body: dict[str, Any], release: Callable[[], None] | None = None) -> dict[str, Any] | Response:
        """The turn as the request asks for it: streamed (`stream: true`) or whole.

        `release` (the conversation's lock) is called once the turn is over; a streamed turn is over when its
        event stream ends, so it takes `release` with it.
        """
        store = body.get("store") is not False
        try:
            if body.get("stream"):
                from .conversations_stream import open_turn  # it builds on this module's entries

                streamed = await open_turn(self, record, new, completion_args, store, release)
                release = None  # the event stream releases it when it ends
                return streamed
            return await self.run(record, new, completion_args, store)
        finally:
            if release is not None:
                release()


def new_record(body: dict[str, Any], model: str, tools: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    stamp = now()
    return {"id": new_conversation_id(), "object": "conversation", "model": model, "instructions": body.get("instructions"),
            "tools": tools, "completion_args": args, "name": body.get("name"), "description": body.get("description"),
            "metadata": body.get("metadata"), "guardrails": body.get("guardrails"), "created_at": stamp,
            "updated_at": stamp, "entries": []}


def build_router(context: EndpointContext) -> APIRouter:
    """The `/v1/conversations` routes, on conversations kept under `context.state_dir`."""
    router = APIRouter()
    conversations = Conversations(context)

    @router.post("/v1/conversations", response_model=None)
    async def start(body: dict[str, Any] = Body(...)) -> dict[str, Any] | Response:
        refuse_platform_only(body)
        model = body.get("model")
        if not model or not isinstance(model, str):
            raise bad(f"Send `model`: one of the served chat models ({', '.join(context.chat_models)}).")
        tools, args = check_tools(body.get("tools")), check_completion_args(body.get("completion_args"))
        record = new_record(body, model, tools, args)
        new = parse_inputs(body.get("inputs"), [])
        return await conversations.answer(record, new, {}, body)

    @router.get("/v1/conversations")
    async def list_conversations(page: int = Query(0, ge=0), page_size: int = Query(100, ge=1, le=1000),
                                 metadata: str | None = Query(None)) -> list[dict[str, Any]]:
        wanted: Any = {}
        if metadata:
            try:
                wanted = json.loads(metadata)
            except ValueError:
                raise bad("metadata must be a JSON object.", 422) from None
        if not isinstance(wanted, dict):
            wanted = {}  # JSON null, or the SDK's placeholder string for an unset filter: no filter
        records = [r for r in conversations.store.all()
                   if all((r.get("metadata") or {}).get(k) == v for k, v in wanted.items())]
        return [conversation_card(r) for r in records[page * page_size:(page + 1) * page_size]]

    @router.get("/v1/conversations/{conversation_id}")
    async def get(conversation_id: str) -> dict[str, Any]:
        return conversation_card(conversations.get(conversation_id))

    @router.delete("/v1/conversations/{conversation_id}", status_code=204)
    async def delete(conversation_id: str) -> Response:
        async with conversations.lock(conversation_id):
            conversations.get(conversation_id)
            conversations.store.delete(conversation_id)
        return Response(status_code=204)

    @router.post("/v1/conversations/{conversation_id}", response_model=None)
    async def append(conversation_id: str, body: dict[str, Any] = Body(...)) -> dict[str, Any] | Response:
        refuse_platform_only(body)
        args = check_completion_args(body.get("completion_args"))
        lock = conversations.lock(conversation_id)
        await lock.acquire()  # held until the turn is over: `answer` releases it
        try:
            record = conversations.get(conversation_id)
            new = parse_inputs(body.get("inputs"), record["entries"])
        except BaseException:
            lock.release()
            raise
        return await conversations.answer(record, new, args, body, lock.release)

    @router.post("/v1/conversations/{conversation_id}/restart", response_model=None)
    async def restart(conversation_id: str, body: dict[str, Any] = Body(...)) -> dict[str, Any] | Response:
        refuse_platform_only(body)
        args = check_completion_args(body.get("completion_args"))
        source = conversations.get(conversation_id)
        ids = [e["id"] for e in source["entries"]]
        if body.get("from_entry_id") not in ids:
            raise bad(f"No entry {body.get('from_entry_id')!r} in conversation {conversation_id}; "
                      "get_history() lists its entry ids.", 404)
        kept = source["entries"][: ids.index(body["from_entry_id"]) + 1]
        record = {**new_record(source, source["model"], source.get("tools") or [], source.get("completion_args") or {}),
                  "entries": kept}
        if body.get("metadata") is not None:
            record["metadata"] = body["metadata"]
        new = parse_inputs(body.get("inputs"), kept, required=kept[-1]["type"] not in ("message.input", "function.result"))
        return await conversations.answer(record, new, args, body)

    @router.get("/v1/conversations/{conversation_id}/history")
    async def history(conversation_id: str) -> dict[str, Any]:
        record = conversations.get(conversation_id)
        return {"object": "conversation.history", "conversation_id": conversation_id, "entries": record["entries"]}

    @router.get("/v1/conversations/{conversation_id}/messages")
    async def messages(conversation_id: str) -> dict[str, Any]:
        record = conversations.get(conversation_id)
        kept = [e for e in record["entries"] if e["type"] in ("message.input", "message.output")]
        return {"object": "conversation.messages", "conversation_id": conversation_id, "messages": kept}

    return router
