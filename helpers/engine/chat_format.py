"""The prompt formats of the embedded endpoint's chat models, as the exact text llama.cpp is given.

Three formats, each named as the chat handler that serves it (`chat_handlers`):

* `workbook-gemma`: Gemma's turn format; system messages are folded into the first user turn (as
  Gemma's own template does), and tool calls and tool results in the history are rendered as text
  the model can read (`render_turns`, `gemma_prompt`);
* `workbook-chatml`: ChatML, with a real system turn (`chatml_prompt`), for the default chat
  stand-in: SmolLM2-135M-Instruct with the workbook's own LoRA adapter, which is trained on prompts
  rendered by `prompt_text` below, so it sees exactly the text it was trained on;
* `workbook-mistral-v3`: Mistral's own instruct format, for models fine-tuned on it (notebook 10):
  `mistral_v3_text` renders the conversation with `mistral-common`, the same function the training
  examples were built with, so a served model sees the prompt format it was trained on.

`prompt_text` is the one entry point (the endpoint's checks, the handlers and the assistant's
training data all call it), with a small render cache. The tool schemas' grammars live in
`tool_grammar`, the llama-cpp-python handlers in `chat_handlers`; this module imports neither.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

HANDLER_NAME = "workbook-gemma"
CHATML_HANDLER = "workbook-chatml"
MISTRAL_V3_HANDLER = "workbook-mistral-v3"
CHAT_FORMATS = (HANDLER_NAME, CHATML_HANDLER, MISTRAL_V3_HANDLER)
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
# Mistral's BOS/EOS written as the Gemma stand-in's own special tokens, so its tokenizer reads them as such.
STANDIN_SPECIALS = {"<s>": "<bos>", "</s>": "<eos>"}
TURN = {"user": "<start_of_turn>user\n", "assistant": "<start_of_turn>model\n"}
END_OF_TURN = "<end_of_turn>\n"

Message = dict[str, Any]


def text_of(content: Any) -> str:
    """Message content as plain text (strings, or lists of text parts as the SDKs send them)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, dict):
            parts.append(str(part.get("text", "")))
        else:
            parts.append(str(part))
    return "".join(parts)


def tool_instructions(tools: list[dict[str, Any]], choice: Any, parallel: bool = False) -> str:
    """The system text that tells the model which tools exist and how to call one."""
    listing = json.dumps([t["function"] for t in tools], ensure_ascii=False)
    how = 'To call a tool, reply with JSON: {"name": <tool name>, "arguments": {...}}.'
    if parallel:
        how = 'To call tools, reply with a JSON list of calls: [{"name": <tool name>, "arguments": {...}}, ...].'
    if choice == "auto":
        how += ' To answer without a tool, reply with JSON: {"answer": <your answer>}.'
    return f"[AVAILABLE_TOOLS] {listing} [/AVAILABLE_TOOLS]\n{how}"


def response_schema(response_format: Any) -> dict[str, Any] | None:
    """The JSON schema a `response_format` carries, in the API's shape
    (`{"type": "json_schema", "json_schema": {"schema": ...}}`) or the one the endpoint hands the handler
    (`{"type": "json_object", "schema": ...}`); None when it carries none."""
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema", spec.get("schema_definition"))
    else:
        schema = response_format.get("schema")
    return schema if isinstance(schema, dict) else None


def json_instruction(response_format: Any) -> str:
    """The system line that tells the workbook assistant a request is in JSON mode ("" when it is not).

    The grammar still enforces the JSON; this line lets the model know it is wanted, so a plain request
    keeps a plain answer. A schema is written out after it (`response_schema` reads both shapes).
    """
    if not isinstance(response_format, dict) or response_format.get("type") not in ("json_object", "json_schema"):
        return ""
    schema = response_schema(response_format)
    shape = "array" if schema and schema.get("type") == "array" else "object"
    line = f"Reply with one JSON {shape} and nothing else."
    if schema:
        line += " It follows this JSON schema: " + json.dumps(schema, ensure_ascii=False)
    return line


def render_turns(messages: list[Message], extra_system: str = "") -> list[tuple[str, str]]:
    """Turn an API message list into (role, text) turns the Gemma format can express."""
    system = [text_of(m.get("content")) for m in messages if m.get("role") == "system"]
    if extra_system:
        system.append(extra_system)
    turns: list[tuple[str, str]] = []
    for m in messages:
        role = m.get("role")
        if role == "system":
            continue
        if role == "tool":
            result = {"name": m.get("name"), "tool_call_id": m.get("tool_call_id"), "content": text_of(m.get("content"))}
            turns.append(("user", "[TOOL_RESULTS] " + json.dumps(result, ensure_ascii=False)))
        elif role == "assistant":
            text = text_of(m.get("content"))
            calls = [
                {"name": c["function"]["name"], "arguments": c["function"].get("arguments")}
                for c in (m.get("tool_calls") or [])
            ]
            if calls:
                text = (text + " " if text else "") + "[TOOL_CALLS] " + json.dumps(calls, ensure_ascii=False)
            turns.append(("assistant", text))
        else:
            turns.append(("user", text_of(m.get("content"))))
    if system:
        preface = "\n\n".join(s for s in system if s)
        first_user = next((i for i, (r, _) in enumerate(turns) if r == "user"), None)
        if first_user is None:
            turns.insert(0, ("user", preface))
        else:
            turns[first_user] = ("user", preface + "\n\n" + turns[first_user][1])
    return turns


def gemma_prompt(turns: list[tuple[str, str]]) -> str:
    """Gemma's turn format, ending with an open model turn."""
    body = "".join(TURN[role] + text + END_OF_TURN for role, text in turns)
    return body + TURN["assistant"]


def call_json(calls: list[dict[str, Any]], parallel: bool = False) -> str:
    """Tool calls as the grammar has the model write them: one `{"name", "arguments"}` object, or a list."""
    as_objects = [{"name": c["name"], "arguments": c["arguments"]} for c in calls]
    return json.dumps(as_objects if parallel or len(as_objects) > 1 else as_objects[0], ensure_ascii=False)


def _parsed_arguments(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.loads(arguments)
        except json.JSONDecodeError:
            return arguments
    return arguments


def chatml_prompt(messages: list[Message], extra_system: str = "") -> str:
    """ChatML turns (`<|im_start|>role ... <|im_end|>`), ending with an open assistant turn.

    System messages (and the tool instructions) form one system turn; an earlier assistant tool call
    is written as the JSON the model itself writes for one; a tool result is a `tool` turn.
    """
    system = [text_of(m.get("content")) for m in messages if m.get("role") == "system"]
    if extra_system:
        system.append(extra_system)
    turns: list[tuple[str, str]] = []
    if any(system):
        turns.append(("system", "\n\n".join(s for s in system if s)))
    for m in messages:
        role = m.get("role")
        if role == "system":
            continue
        if role == "tool":
            result = {"name": m.get("name"), "content": text_of(m.get("content"))}
            turns.append(("tool", json.dumps(result, ensure_ascii=False)))
        elif role == "assistant":
            calls = [{"name": c["function"]["name"], "arguments": _parsed_arguments(c["function"].get("arguments"))}
                     for c in (m.get("tool_calls") or [])]
            turns.append(("assistant", call_json(calls) if calls else text_of(m.get("content"))))
        else:
            turns.append(("user", text_of(m.get("content"))))
    body = "".join(f"{IM_START}{role}\n{text}{IM_END}\n" for role, text in turns)
    return body + f"{IM_START}assistant\n"


def prompt_text(fmt: str, messages: list[Message], tools: list[dict[str, Any]] | None = None,
                choice: Any = "auto", parallel: bool = False, response_format: Any = None) -> str:
    """The exact prompt text a handler of format `fmt` gives llama.cpp for this request.

    The endpoint's context check, the Ollama API's token count, the handlers and the assistant's
    training data all call this one function. A request is rendered once: the endpoint's context
    check renders it before any generation starts and the handler then reads the same text from
    a small cache keyed by the request's JSON (a `workbook-mistral-v3` rendering costs ~15 ms).
    `response_format` adds `json_instruction`'s line to the `workbook-chatml` system turn (the other
    formats serve base or fine-tuned models that were never taught it).
    """
    choice = choice or "auto"
    try:
        key = json.dumps([fmt, messages, tools, choice, parallel, response_format], ensure_ascii=False)
    except (TypeError, ValueError):  # not a JSON request (objects from Python code): render, do not cache
        return _render(fmt, messages, tools, choice, parallel, response_format)
    if key in _RENDERED:
        _RENDERED.move_to_end(key)
        return _RENDERED[key]
    text = _RENDERED[key] = _render(fmt, messages, tools, choice, parallel, response_format)
    while len(_RENDERED) > _RENDER_CACHE_SIZE:
        _RENDERED.popitem(last=False)
    return text


_RENDERED: OrderedDict[str, str] = OrderedDict()
_RENDER_CACHE_SIZE = 64  # more than the requests the endpoint queues (endpoint_guard.MAX_WAITING)


def _render(fmt: str, messages: list[Message], tools: list[dict[str, Any]] | None, choice: Any, parallel: bool,
            response_format: Any = None) -> str:
    extra = tool_instructions(tools, choice, parallel) if tools and choice != "none" else ""
    if fmt == CHATML_HANDLER:
        return chatml_prompt(messages, "\n\n".join(t for t in (extra, json_instruction(response_format)) if t))
    if fmt == MISTRAL_V3_HANDLER:
        return mistral_v3_text(messages)
    return gemma_prompt(render_turns(messages, extra))



def _v3_pieces_to_text(pieces: list[str], control: list[bool]) -> str:
    """SentencePiece pieces back to text: `▁` is a space, `<0xNN>` a byte, control tokens stay as written."""
    import re

    out = bytearray()
    for piece, is_control in zip(pieces, control):
        if is_control:
            out += piece.encode()
        elif re.fullmatch(r"<0x[0-9A-Fa-f]{2}>", piece):
            out.append(int(piece[3:5], 16))
        else:
            out += piece.replace("\u2581", " ").encode()
    return out.decode("utf-8", errors="replace")


def mistral_v3_text(messages: list[Message], specials: dict[str, str] | None = None) -> str:
    """A conversation in Mistral's v3 instruct format, as text, rendered by `mistral-common`.

    `mistral-common` encodes the request exactly as Mistral 7B Instruct v0.3 receives it (a
    conversation that ends with the assistant's answer is validated in fine-tuning mode, one that
    ends with the user in test mode); the tokens are then written back as text, e.g.
    `<s>[INST] question[/INST] answer</s>`. `specials` renames control tokens (default
    `STANDIN_SPECIALS`: `<s>`/`</s>` become the Gemma stand-in's `<bos>`/`<eos>`); pass `{}` to keep
    Mistral's names. Training examples and the served model's prompts both come from here.
    """
    from .mistral_tokens import encode_chat

    plain = [{**m, "content": text_of(m.get("content"))} for m in messages]
    encoded = encode_chat(plain)
    control_ids = set(encoded.control.values())
    text = _v3_pieces_to_text(encoded.pieces, [t in control_ids for t in encoded.tokens])
    for name, replacement in (STANDIN_SPECIALS if specials is None else specials).items():
        text = text.replace(name, replacement)
    return text
