"""The model's tool calls checked and run: argument validation, tool messages, `Toolbox`, and tables of calls."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import WorkbookError
from .schemas import arguments_model, tool_from_function


class ToolArgumentError(WorkbookError, ValueError):
    """The model asked for a tool with arguments the tool's schema (or its validators) refuse."""


class ToolLoopLimit(WorkbookError):
    """The model was still asking for tools when the loop reached `max_rounds`."""

    def __init__(self, message: str, messages: list[dict[str, Any]]):
        super().__init__(message)
        self.messages = messages



def call_parts(call: Any) -> tuple[str, str, str]:
    """(id, name, arguments as JSON text) of a tool call from the mistralai SDK, the openai client or a dict."""
    if isinstance(call, dict):
        function = call["function"]
        call_id, name, arguments = call.get("id"), function["name"], function.get("arguments", "{}")
    else:
        call_id, name, arguments = call.id, call.function.name, call.function.arguments
    if not isinstance(arguments, str):  # the mistralai SDK may hand back a dict
        arguments = json.dumps(arguments, ensure_ascii=False)
    return str(call_id), name, arguments


def tool_message(call: Any, content: Any) -> dict[str, Any]:
    """The message that answers one tool call: role "tool", the call's name and id, and text content."""
    call_id, name, _ = call_parts(call)
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return {"role": "tool", "name": name, "tool_call_id": call_id, "content": text}


def assistant_turn(message: Any) -> dict[str, Any]:
    """An assistant reply (SDK object or dict) as a plain message dict that keeps its tool calls."""
    if isinstance(message, dict):
        content, calls = message.get("content"), message.get("tool_calls") or []
    else:
        content, calls = message.content, message.tool_calls or []
    turn: dict[str, Any] = {"role": "assistant", "content": content if isinstance(content, str) else (content or "")}
    if calls:
        turn["tool_calls"] = [
            {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
            for cid, name, args in map(call_parts, calls)
        ]
    return turn


def _problem(error: dict[str, Any]) -> str:
    """One pydantic error as 'field: what is wrong (got value)'."""
    where = ".".join(map(str, error["loc"])) or "arguments"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] not in ("missing", "extra_forbidden", "value_error") and error["loc"]:
        message += f" (got {textwrap.shorten(repr(error['input']), 80)})"
    return f"{where}: {message}"


@dataclass
class ExecutedCall:
    """One tool call the loop received and what became of it."""

    round: int
    id: str
    name: str
    arguments: str
    ok: bool
    content: str


class Toolbox:
    """Typed Python functions offered to a model as tools; validates and runs the calls it asks for."""

    def __init__(self, *functions: Callable):
        self.functions: dict[str, Callable] = {}
        self.models: dict[str, type[BaseModel]] = {}
        self.tools: list[dict[str, Any]] = []  # what to send as `tools=`
        self.executed: list[ExecutedCall] = []  # every call run (or refused) so far
        for fn in functions:
            self.add(fn)

    def add(self, fn: Callable) -> dict[str, Any]:
        """Offer one more function; returns its generated tool declaration."""
        tool = tool_from_function(fn)
        name = tool["function"]["name"]
        if name in self.functions:
            raise ValueError(f"Two tools are called {name!r}; the model calls tools by name, so names must be unique.")
        self.functions[name], self.models[name] = fn, arguments_model(fn)
        self.tools.append(tool)
        return tool

    def schema(self, name: str) -> dict[str, Any]:
        """The parameters schema the model was given for tool `name`."""
        return next(t["function"]["parameters"] for t in self.tools if t["function"]["name"] == name)

    def validate(self, name: str, arguments: str | dict[str, Any]) -> dict[str, Any]:
        """Check a call before anything runs: known tool, a JSON object, the schema's rules, then the validators."""
        return self._checked(name, arguments).model_dump(exclude_unset=True)

    def _checked(self, name: str, arguments: str | dict[str, Any]) -> BaseModel:
        if name not in self.functions:
            raise ToolArgumentError(f"The model asked for a tool called {name!r}, which was not offered. "
                                    f"Tools offered: {', '.join(self.functions)}.")
        if isinstance(arguments, str):
            try:
                parsed = json.loads(arguments)
            except json.JSONDecodeError as exc:
                raise ToolArgumentError(f"{name}: the arguments are not valid JSON ({exc.msg} at position {exc.pos}); "
                                        "nothing was run.") from exc
        else:
            parsed = arguments
        if not isinstance(parsed, dict):
            raise ToolArgumentError(f"{name}: the arguments must be a JSON object, got {type(parsed).__name__}; "
                                    "nothing was run.")
        try:
            # strict JSON mode: "5" is not an integer and 42 is not a string, exactly as the schema says
            return self.models[name].model_validate_json(json.dumps(parsed), strict=True)
        except ValidationError as exc:
            problems = [_problem(dict(e)) for e in exc.errors()]
        raise ToolArgumentError(f"{name}: arguments refused before running - " + "; ".join(problems))

    def call(self, name: str, arguments: str | dict[str, Any]) -> str:
        """Validate, then run the function; its result as text (JSON for anything but a string)."""
        checked = self._checked(name, arguments)
        result = self.functions[name](**{k: getattr(checked, k) for k in type(checked).model_fields})
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)

    def execute(self, call: Any, round: int = 0) -> dict[str, Any]:
        """Run one tool call and return its tool message; a refused call answers with an error the model can read."""
        call_id, name, arguments = call_parts(call)
        try:
            content, ok = self.call(name, arguments), True
        except ToolArgumentError as exc:
            content, ok = json.dumps({"error": str(exc)}, ensure_ascii=False), False
        self.executed.append(ExecutedCall(round, call_id, name, arguments, ok, content))
        return tool_message(call, content)


def reply_table(replies: dict[str, Any], width: int = 60):
    """One row per labelled chat response: finish reason, the tool calls it asks for, and its text."""
    import pandas as pd

    rows = []
    for label, response in replies.items():
        choice = response.choices[0]
        calls = [f"{name}({args})" for _, name, args in map(call_parts, choice.message.tool_calls or [])]
        text = choice.message.content if isinstance(choice.message.content, str) else ""
        rows.append({"request": label, "finish_reason": choice.finish_reason, "tool calls": len(calls),
                     "calls": "; ".join(calls), "text": textwrap.shorten(text or "", width) if text else ""})
    return pd.DataFrame(rows)


def calls_table(response: Any):
    """One row per tool call in a chat response: its id, the tool's name and the arguments as sent."""
    import pandas as pd

    calls = response.choices[0].message.tool_calls or []
    return pd.DataFrame([{"id": cid, "name": name, "arguments": args} for cid, name, args in map(call_parts, calls)],
                        columns=["id", "name", "arguments"])
