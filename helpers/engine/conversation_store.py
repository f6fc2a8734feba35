"""Conversations of the Conversations API (`conversations_api`) as files, and their entries as chat messages.

A conversation is one JSON file under `<state>/conversations/<conv_id>.json`: its settings (model,
instructions, function tools, completion arguments, name, description, metadata), its timestamps and every
entry in order (`message.input`, `message.output`, `function.call`, `function.result`), each in the shape
the mistralai SDK's entry models read. Files are written atomically (a temporary file, then a rename), so a
conversation survives a restart of the endpoint and a crash never leaves half a file.

`parse_inputs` checks a request's `inputs` against the entries so far (a `function.result` must answer a
waiting `function.call`) and makes them entries; `chat_messages` turns entries into the messages of a chat
request, which is how each turn reaches the chat model.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException

from .file_store import write_json

CONVERSATION_ID = re.compile(r"conv_[0-9a-f]{32}")
# entry id prefixes by entry type
INPUT_TYPES = ("message.input", "message.output", "function.call", "function.result")  # what a client may send
ENTRY_PREFIX = {"message.input": "msg", "message.output": "msg", "function.call": "fc", "function.result": "fr"}


def now() -> str:
    """The current UTC time in ISO 8601, as La Plateforme writes its timestamps."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def new_conversation_id() -> str:
    return "conv_" + uuid.uuid4().hex


def new_entry_id(entry_type: str) -> str:
    return f"{ENTRY_PREFIX.get(entry_type, 'ent')}_{uuid.uuid4().hex}"


def bad(message: str, status: int = 400) -> HTTPException:
    """An error answer: the endpoint's handlers send it in La Plateforme's error shape."""
    return HTTPException(status, detail=message)


class ConversationStore:
    """One JSON file per conversation under `root`."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, conversation_id: str) -> Path | None:
        """The conversation's file, or None for an id that no conversation can have."""
        if not CONVERSATION_ID.fullmatch(conversation_id):
            return None
        return self.root / f"{conversation_id}.json"

    def load(self, conversation_id: str) -> dict[str, Any] | None:
        path = self.path(conversation_id)
        if path is None or not path.is_file():
            return None
        try:
            record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record

    def save(self, record: dict[str, Any]) -> None:
        """Write the conversation atomically: readers see the old file or the new one, never a part."""
        path = self.path(record["id"])
        if path is None:
            raise ValueError(f"Not a conversation id: {record['id']!r}")
        write_json(path, record)  # whole or not at all, as the file store writes

    def delete(self, conversation_id: str) -> bool:
        path = self.path(conversation_id)
        if path is None or not path.is_file():
            return False
        path.unlink(missing_ok=True)
        return True

    def all(self) -> list[dict[str, Any]]:
        """Every stored conversation, newest first."""
        if not self.root.is_dir():
            return []
        records = [r for p in self.root.glob("conv_*.json") if (r := self.load(p.stem)) is not None]
        return sorted(records, key=lambda r: r["created_at"], reverse=True)


def conversation_card(record: dict[str, Any]) -> dict[str, Any]:
    """The conversation as `GET /v1/conversations/{id}` shows it (the SDK's `ModelConversation`)."""
    keys = ("id", "object", "model", "instructions", "tools", "completion_args", "name", "description", "metadata",
            "created_at", "updated_at")
    return {k: record.get(k) for k in keys}


def _arguments(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _content(value: Any) -> Any:
    """Entry content as chat content: a string, or chunks (text and image_url chunks pass as they are)."""
    return value if isinstance(value, str) else [dict(chunk) for chunk in value]


def chat_messages(instructions: str | None, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat messages for `entries`: the instructions as a system message, then one message per entry,
    with a `message.output` and the `function.call` entries right after it merged into one assistant message."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": instructions}] if instructions else []
    names = {e["tool_call_id"]: e["name"] for e in entries if e["type"] == "function.call"}
    for entry in entries:
        kind = entry["type"]
        if kind == "message.input":
            messages.append({"role": entry.get("role", "user"), "content": _content(entry["content"])})
        elif kind == "message.output":
            messages.append({"role": "assistant", "content": _content(entry["content"])})
        elif kind == "function.call":
            call = {"id": entry["tool_call_id"], "type": "function",
                    "function": {"name": entry["name"], "arguments": _arguments(entry["arguments"])}}
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function.result":
            messages.append({"role": "tool", "tool_call_id": entry["tool_call_id"],
                             "name": names.get(entry["tool_call_id"], ""), "content": entry["result"]})
    return messages


def pending_calls(entries: list[dict[str, Any]]) -> list[str]:
    """The tool_call_ids of `function.call` entries that have no `function.result` yet."""
    answered = {e["tool_call_id"] for e in entries if e["type"] == "function.result"}
    return [e["tool_call_id"] for e in entries if e["type"] == "function.call" and e["tool_call_id"] not in answered]


def parse_inputs(inputs: Any, entries: list[dict[str, Any]], *, required: bool = True) -> list[dict[str, Any]]:
    """The request's `inputs` as new entries, checked against the conversation's `entries` so far."""
    if inputs is None or inputs == "" or inputs == []:
        if required:
            raise bad("inputs is empty: send a string (a user message) or a list of entries.")
        return []
    if isinstance(inputs, str):
        if not inputs.strip():
            raise bad("inputs is empty: send a string (a user message) or a list of entries.")
        inputs = [{"type": "message.input", "role": "user", "content": inputs}]
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise bad("inputs must be a string or a list of entries (objects).", 422)
    parsed: list[dict[str, Any]] = []
    for i, item in enumerate(inputs):
        kind = item.get("type") or ("function.result" if "tool_call_id" in item and "result" in item else "message.input")
        if kind not in INPUT_TYPES:
            raise bad(f"inputs[{i}]: {kind!r} entries are made by La Plateforme's agents and built-in tools and are not "
                      f"served here; send {', '.join(INPUT_TYPES)} entries.")
        entry: dict[str, Any] = {"object": "entry", "type": kind, "created_at": now(), "completed_at": None,
                                 "id": new_entry_id(kind)}
        if kind in ("message.input", "message.output"):
            content, role = item.get("content"), item.get("role", "user" if kind == "message.input" else "assistant")
            if not content or not isinstance(content, (str, list)) or (
                    isinstance(content, list) and not all(isinstance(c, dict) for c in content)):
                raise bad(f"inputs[{i}]: a message needs non-empty `content` (a string or a list of chunks).")
            if kind == "message.input" and role not in ("user", "assistant"):
                raise bad(f"inputs[{i}]: role must be 'user' or 'assistant'.", 422)
            if item.get("prefix"):
                raise bad(f"inputs[{i}]: prefix messages are not served by the Conversations API here; use chat.complete.")
            entry.update(role=role, content=content)
            if kind == "message.input":
                entry["prefix"] = False
        elif kind == "function.call":
            if not item.get("tool_call_id") or not item.get("name"):
                raise bad(f"inputs[{i}]: a function.call entry needs `tool_call_id` and `name`.", 422)
            entry.update(tool_call_id=item["tool_call_id"], name=item["name"], arguments=item.get("arguments", {}))
        else:
            if not isinstance(item.get("result"), str) or not item.get("tool_call_id"):
                raise bad(f"inputs[{i}]: a function.result entry needs `tool_call_id` and `result` (a string).", 422)
            if item["tool_call_id"] not in pending_calls([*entries, *parsed]):
                raise bad(f"inputs[{i}]: no function.call with tool_call_id {item['tool_call_id']!r} is waiting for a "
                          "result in this conversation. Send the tool_call_id of the function.call entry it answers.")
            entry.update(tool_call_id=item["tool_call_id"], result=item["result"])
        parsed.append(entry)
    waiting = pending_calls([*entries, *parsed])
    if waiting and any(e["type"] == "message.input" for e in parsed):
        raise bad(f"The function call(s) {', '.join(waiting)} are waiting for their result: send a function.result entry "
                  "for each (its tool_call_id and result) before new messages.")
    return parsed
