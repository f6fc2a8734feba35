"""Ollama's request and reply shapes, converted to and from the OpenAI / llama-cpp-python ones.

Part of the stand-in Ollama API (`ollama_api` holds the `/api` routes, `ollama_models` the models it
lists): Ollama `options` → llama-cpp-python sampling arguments, Ollama chat messages and tool calls ↔
OpenAI's, Ollama `format` → `response_format`, and the reply lines, JSON-lines streams, timing stats and
error bodies the routes answer with.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse, StreamingResponse

from . import endpoint_guard as guard


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def options_to_llama(options: dict[str, Any] | None) -> dict[str, Any]:
    """Ollama `options` → llama-cpp-python sampling arguments."""
    options = options or {}
    mapping = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k", "seed": "seed",
               "num_predict": "max_tokens", "stop": "stop", "repeat_penalty": "repeat_penalty",
               "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty", "min_p": "min_p"}
    out = {mapping[k]: v for k, v in options.items() if k in mapping and v is not None}
    if "max_tokens" in out:  # Ollama's -1 ("until done") and -2 ("fill the context") get this endpoint's maximum
        out["max_tokens"] = guard.ollama_num_predict(out["max_tokens"], default=256)
    return out


def messages_to_openai(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ollama chat messages (dict arguments, `tool_name`) → the OpenAI shape the chat handler reads."""
    out = []
    for i, m in enumerate(messages):
        msg: dict[str, Any] = {"role": m["role"], "content": m.get("content") or ""}
        if m.get("tool_calls"):
            msg["tool_calls"] = [
                {"id": f"call{i}x{j}", "type": "function",
                 "function": {"name": c["function"]["name"], "arguments": json.dumps(c["function"].get("arguments") or {})}}
                for j, c in enumerate(m["tool_calls"])
            ]
        if m["role"] == "tool" and m.get("tool_name"):
            msg["name"] = m["tool_name"]
        out.append(msg)
    return out


def tool_calls_to_ollama(calls: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """OpenAI tool calls (arguments as a JSON string) → Ollama's (arguments as an object)."""
    if not calls:
        return None
    return [{"function": {"index": i, "name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"] or "{}")}}
            for i, c in enumerate(calls)]


def response_format(fmt: Any) -> dict[str, Any] | None:
    """Ollama `format` ("json" or a JSON schema) → llama-cpp-python's response_format."""
    if fmt == "json":
        return {"type": "json_object"}
    if isinstance(fmt, dict):
        return {"type": "json_object", "schema": fmt}
    return None


def prompt_tokens(llama: Any, kwargs: dict[str, Any]) -> int:
    """How many tokens the chat handler's prompt takes (a stream's chunks carry no usage, Ollama's last line does)."""
    from . import chat_format, chat_handlers

    fmt = getattr(llama, "chat_format", None) or chat_format.HANDLER_NAME
    text = chat_handlers.request_prompt(fmt, kwargs, chat_handlers.PARALLEL_TOOL_CALLS.get())  # the handler's own prompt
    return len(llama.tokenize(text.encode(), add_bos=True, special=True))


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def ndjson(lines: AsyncIterator[dict[str, Any]]) -> StreamingResponse:
    async def encode():
        async for line in lines:
            yield json.dumps(line) + "\n"
    return StreamingResponse(encode(), media_type="application/x-ndjson")


def stats(started: float, usage: dict[str, int]) -> dict[str, Any]:
    total = int((time.perf_counter() - started) * 1e9)
    return {"total_duration": total, "load_duration": 0, "prompt_eval_count": usage.get("prompt_tokens", 0),
            "prompt_eval_duration": 0, "eval_count": usage.get("completion_tokens", 0), "eval_duration": total}


def reply_line(name: str, field: str, text: str, calls=None, done=False) -> dict[str, Any]:
    """One line of a reply: /api/chat's (`field` "message") or /api/generate's (`field` "response")."""
    line: dict[str, Any] = {"model": name, "created_at": now_iso()}
    if field == "message":
        line["message"] = {"role": "assistant", "content": text}
        if calls:
            line["message"]["tool_calls"] = calls
    else:
        line["response"] = text
    line["done"] = done
    return line


async def each(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item
