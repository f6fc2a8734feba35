"""The chat handler the embedded endpoint gives llama.cpp: prompt format, tools and JSON output.

llama-cpp-python's built-in "gemma" format drops system and tool messages, and only its
`chatml-function-calling` handler supports `tool_choice="auto"`. This handler keeps llama.cpp as
the engine and adds what the workbook's clients need:

* system messages are folded into the first user turn (as Gemma's own template does);
* tool calls and tool results in the history are rendered as text the model can read;
* tool use is grammar-constrained generation: the request's tool schemas become one JSON schema
  (`name` + `arguments` per tool, plus a plain-answer branch for "auto"), llama.cpp samples under
  that grammar, and the JSON is returned as OpenAI/Mistral `tool_calls`;
* `tool_choice` "none", "auto", "required" (Mistral's "any") and a named function all work,
  streamed or not.

The same tool and JSON logic runs in a second prompt format, `workbook-chatml` (ChatML, with a real
system turn), for the default chat stand-in: SmolLM2-135M-Instruct with the workbook's own LoRA
adapter, which is trained on prompts rendered by `prompt_text` below, so it sees exactly the text it
was trained on.

A third handler, `workbook-mistral-v3`, serves models fine-tuned on Mistral's own instruct format
(notebook 10): `mistral_v3_text` renders the conversation with `mistral-common`, the same function
the training examples were built with, so a served model sees the prompt format it was trained on.

Nothing here is imported by notebooks; the endpoint process registers it at start-up.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
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
TOOL_CALL_MAX_TOKENS = 256
MAX_PARALLEL_CALLS = 4

# The plain-answer branch of a reply when tools are offered: {"answer": "..."}.
ANSWER_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
                                 "additionalProperties": False}

# Set by the endpoint per request from the API's `parallel_tool_calls` field, which llama-cpp-python's
# request model does not carry through to the handler.
PARALLEL_TOOL_CALLS: ContextVar[bool] = ContextVar("parallel_tool_calls", default=False)

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
                choice: Any = "auto", parallel: bool = False) -> str:
    """The exact prompt text a handler of format `fmt` gives llama.cpp for this request.

    The endpoint's context check, the Ollama API's token count, the handlers and the assistant's
    training data all call this one function. A request is rendered once: the endpoint's context
    check renders it before any generation starts and the handler then reads the same text from
    a small cache keyed by the request's JSON (a `workbook-mistral-v3` rendering costs ~15 ms).
    """
    choice = choice or "auto"
    try:
        key = json.dumps([fmt, messages, tools, choice, parallel], ensure_ascii=False)
    except (TypeError, ValueError):  # not a JSON request (objects from Python code): render, do not cache
        return _render(fmt, messages, tools, choice, parallel)
    if key in _RENDERED:
        _RENDERED.move_to_end(key)
        return _RENDERED[key]
    text = _RENDERED[key] = _render(fmt, messages, tools, choice, parallel)
    while len(_RENDERED) > _RENDER_CACHE_SIZE:
        _RENDERED.popitem(last=False)
    return text


_RENDERED: OrderedDict[str, str] = OrderedDict()
_RENDER_CACHE_SIZE = 64  # more than the requests the endpoint queues (endpoint_guard.MAX_WAITING)


def _render(fmt: str, messages: list[Message], tools: list[dict[str, Any]] | None, choice: Any, parallel: bool) -> str:
    extra = tool_instructions(tools, choice, parallel) if tools and choice != "none" else ""
    if fmt == CHATML_HANDLER:
        return chatml_prompt(messages, extra)
    if fmt == MISTRAL_V3_HANDLER:
        return mistral_v3_text(messages)
    return gemma_prompt(render_turns(messages, extra))


def schema_grammar(schema: dict[str, Any]) -> str:
    """llama.cpp's GBNF for a JSON schema, converted once per distinct schema.

    The endpoint's grammar check and the handler both need it for the same request; key order is
    kept (it is the order the model writes the keys in).
    """
    return _gbnf(json.dumps(schema, ensure_ascii=False))


@lru_cache(maxsize=128)
def _gbnf(schema_json: str) -> str:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(schema_json)


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


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of an object schema that allows no extra keys, so generation ends."""
    schema = dict(schema or {"type": "object", "properties": {}})
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


def tool_call_schema(tools: list[dict[str, Any]], choice: Any, parallel: bool = False) -> dict[str, Any]:
    """One JSON schema covering the calls the model may make under `choice`.

    With `parallel`, the calls come as a list of one to MAX_PARALLEL_CALLS items (a named choice
    always gives one call).
    """
    if isinstance(choice, dict):
        wanted = choice.get("function", {}).get("name")
        chosen = [t for t in tools if t["function"]["name"] == wanted]
        if not chosen:
            names = ", ".join(t["function"]["name"] for t in tools)
            raise ValueError(f"tool_choice names {wanted!r}, which is not among the tools sent: {names}")
    else:
        chosen = tools
    branches: list[dict[str, Any]] = [
        {
            "type": "object",
            "properties": {
                "name": {"const": t["function"]["name"]},
                "arguments": _strict(t["function"].get("parameters") or {}),
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in chosen
    ]
    call = branches[0] if len(branches) == 1 else {"anyOf": branches}
    if parallel and not isinstance(choice, dict):
        call = {"type": "array", "items": call, "minItems": 1, "maxItems": MAX_PARALLEL_CALLS}
    if choice != "auto":
        return call
    options = [call] if parallel else branches
    return {"anyOf": [*options, ANSWER_SCHEMA]}


def check_tool_schemas(tools: list[dict[str, Any]], choice: Any, parallel: bool = False) -> None:
    """Raise ValueError naming the problem when the tools' schemas cannot become a grammar.

    llama-cpp-python would otherwise fall back to free-form JSON silently (for example on a
    `pattern` with a non-capturing group), and the reply could not be read as a tool call.
    """
    schema = tool_call_schema(tools, choice, parallel)
    try:
        schema_grammar(schema)
    except Exception as exc:  # the converter raises plain Exceptions with the reason
        names = ", ".join(t["function"]["name"] for t in tools)
        raise ValueError(
            f"The tool schemas ({names}) cannot be turned into a grammar for constrained generation: {exc}. "
            "Simplify the offending keyword (for example a `pattern` with `(?:...)` groups or nested repeats)."
        ) from exc


def grammar_problem(vocab: Any, gbnf: str, root: str = "root") -> str | None:
    """Why llama.cpp's own grammar parser rejects `gbnf` (None when it accepts it).

    llama-cpp-python's JSON-schema converter writes grammars that llama.cpp cannot always parse (for
    example `\\d` escapes from a `pattern`); llama.cpp then hands back no sampler, and generating with
    it crashes the server. Building the sampler here, on the model's vocabulary, asks the engine itself.
    """
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), root.encode("utf-8"))
    if not sampler:
        return "llama.cpp's grammar parser rejected it"
    llama_cpp.llama_sampler_free(sampler)
    return None


def grammar_check(vocab: Any, *, response_format: Any = None, tools: list[dict[str, Any]] | None = None,
                  choice: Any = "auto", parallel: bool = False, grammar: Any = None) -> tuple[str, str] | None:
    """(message, parameter) when a request's constrained output cannot be generated, else None.

    Covers the three ways a request constrains output: a `response_format` JSON schema, tool schemas
    (compiled into one grammar as the handler does) and a raw GBNF `grammar`. Each is converted as the
    handler would convert it, then parsed by llama.cpp itself (`grammar_problem`).
    """
    grammars: list[tuple[str, str, str]] = []  # (parameter, what, gbnf)
    if isinstance(response_format, dict) and response_format.get("type") == "json_object" and "schema" in response_format:
        try:
            grammars.append(("response_format", "The response_format schema",
                             schema_grammar(response_format["schema"])))
        except Exception as exc:  # the converter raises plain Exceptions with the reason
            return (f"The response_format schema cannot be turned into a grammar for constrained generation: {exc}. "
                    "Simplify the offending keyword.", "response_format")
    if tools and choice != "none":
        names = ", ".join(str(t.get("function", {}).get("name")) for t in tools)
        try:
            schema = tool_call_schema(tools, "any" if choice == "required" else choice, parallel)
            grammars.append(("tools", f"The tool schemas ({names})", schema_grammar(schema)))
        except ValueError:
            raise
        except Exception as exc:
            return (f"The tool schemas ({names}) cannot be turned into a grammar for constrained generation: {exc}.",
                    "tools")
    if grammar is not None:
        if not isinstance(grammar, str) or not grammar.strip():
            return ("`grammar` must be a non-empty GBNF string.", "grammar")
        grammars.append(("grammar", "The grammar", grammar))
    for param, what, gbnf in grammars:
        if (why := grammar_problem(vocab, gbnf)):
            hint = ("for example a `pattern` with `\\d` or `\\.` escapes (write [0-9] and [.]) or a repeat "
                    "bound in the thousands" if param != "grammar" else "check it against llama.cpp's GBNF syntax")
            return f"{what} cannot be used for constrained generation: {why} ({hint}).", param
    return None


def new_tool_call_id() -> str:
    """Nine alphanumerics, the form La Plateforme uses and validates."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(9))


def as_stream(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Replay a finished chat completion as streaming chunks (role, payload, finish + usage)."""
    choice = response["choices"][0]
    message = choice["message"]
    base = {"id": response["id"], "object": "chat.completion.chunk", "created": response["created"], "model": response["model"]}
    yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    delta: dict[str, Any] = {}
    if message.get("tool_calls"):
        delta["tool_calls"] = [dict(call, index=i) for i, call in enumerate(message["tool_calls"])]
    elif message.get("content"):
        delta["content"] = message["content"]
    if delta:
        yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
    yield {
        **base,
        "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
        "usage": response.get("usage"),
    }


def render_args(fmt: str, tools: list[dict[str, Any]] | None, tool_choice: Any, response_format: Any,
                parallel: bool) -> tuple[list[dict[str, Any]] | None, Any, bool]:
    """(tools, choice, parallel) that the handler of `fmt` renders a request's prompt with.

    The one place that decides it, read by the handlers and by the endpoint's context check
    (`request_prompt`), so both count and cache the same prompt.
    """
    if fmt == MISTRAL_V3_HANDLER:
        return None, "none", False  # fine-tuned without tools: a request with tools is refused
    if not tools or tool_choice == "none":
        if tools and fmt == CHATML_HANDLER and not response_format:
            return tools, "auto", False  # the assistant answers beside tools, as it was trained (see the handler)
        return None, "none", False
    choice = tool_choice or "auto"
    return tools, "any" if choice == "required" else choice, parallel


def request_prompt(fmt: str, request: dict[str, Any], parallel: bool = False) -> str:
    """The prompt text the handler of `fmt` gives llama.cpp for a chat request (as the server hands it over)."""
    args = render_args(fmt, request.get("tools"), request.get("tool_choice"), request.get("response_format"), parallel)
    return prompt_text(fmt, request.get("messages") or [], *args)


def make_handler(fmt: str = HANDLER_NAME):
    """Build the llama-cpp-python chat completion handler for `fmt` (imports llama_cpp lazily)."""
    from llama_cpp import llama_chat_format
    from llama_cpp.llama_chat_format import ChatFormatterResponse
    from llama_cpp.llama_grammar import LlamaGrammar

    stop = IM_END if fmt == CHATML_HANDLER else END_OF_TURN.strip()

    def plain(messages, tools=None, choice: Any = "none", parallel: bool = False, response_format=None, **kwargs):
        def fmt_fn(messages, **kw):
            return ChatFormatterResponse(prompt=prompt_text(fmt, messages, tools, choice, parallel), stop=stop)

        if isinstance(response_format, dict) and response_format.get("type") == "json_object" and "schema" in response_format:
            # The schema's grammar as the endpoint's check converted it (schema_grammar): one conversion a request.
            kwargs["grammar"] = LlamaGrammar.from_string(schema_grammar(response_format["schema"]), verbose=False)
            response_format = None
        handler = llama_chat_format.chat_formatter_to_chat_completion_handler(fmt_fn)
        return handler(messages=messages, response_format=response_format, **kwargs)

    def handler(*, llama, messages, tools=None, tool_choice=None, stream=False, response_format=None, **kwargs):
        kwargs.pop("functions", None)
        kwargs.pop("function_call", None)
        # Evaluate every prompt from scratch. llama-cpp-python otherwise reuses the cached prefix of the
        # previous request, and a near-tie between two tokens can then flip: temperature 0 would depend on
        # what was asked before. Re-evaluating costs milliseconds for workbook-sized prompts.
        llama.reset()
        r_tools, choice, parallel = render_args(fmt, tools, tool_choice, response_format, PARALLEL_TOOL_CALLS.get())
        if r_tools is None:
            return plain(messages, llama=llama, stream=stream, response_format=response_format, **kwargs)
        if tool_choice == "none":
            # The workbook's assistant answers beside tools as {"answer": ...} (that is how it was trained):
            # "none" keeps the tools in view and allows only that branch, then returns the text.
            result = plain(messages, r_tools, choice, parallel, llama=llama, stream=False,
                           response_format={"type": "json_object", "schema": ANSWER_SCHEMA}, **kwargs)
            result = to_tool_response(result)
            return as_stream(result) if stream else result
        check_tool_schemas(r_tools, choice, parallel)
        schema = tool_call_schema(r_tools, choice, parallel)
        limit = TOOL_CALL_MAX_TOKENS * (MAX_PARALLEL_CALLS if parallel else 1)
        kwargs["max_tokens"] = min(kwargs.get("max_tokens") or limit, limit)
        result = plain(messages, r_tools, choice, parallel, llama=llama, stream=False,
                       response_format={"type": "json_object", "schema": schema}, **kwargs)
        result = to_tool_response(result)
        return as_stream(result) if stream else result

    return handler


def to_tool_response(result: dict[str, Any]) -> dict[str, Any]:
    """Turn the grammar-constrained JSON the model wrote into `tool_calls` (or a plain answer)."""
    choice = result["choices"][0]
    text = choice["message"].get("content") or ""
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        # Ran out of tokens inside the JSON: flagged as truncated. A plain answer cut short inside its string
        # is handed back as the text written so far; anything else as the JSON written so far.
        choice["finish_reason"] = "length"
        try:
            partial = json.loads(text + '"}')
        except json.JSONDecodeError:
            return result
        if isinstance(partial, dict) and set(partial) == {"answer"}:
            choice["message"] = {"role": "assistant", "content": str(partial["answer"])}
        return result
    calls = decoded if isinstance(decoded, list) else [decoded]
    if not all(isinstance(c, dict) and "name" in c and "arguments" in c for c in calls) and not (
        isinstance(decoded, dict) and "answer" in decoded
    ):
        choice["finish_reason"] = "length"  # not the shape the grammar asks for: treat as cut short
        return result
    message: dict[str, Any] = {"role": "assistant"}
    if isinstance(decoded, dict) and "answer" in decoded and "name" not in decoded:
        message["content"] = str(decoded["answer"])
        choice["finish_reason"] = "stop"
    else:
        message["content"] = ""
        message["tool_calls"] = [
            {
                "id": new_tool_call_id(),
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"], ensure_ascii=False)},
            }
            for c in calls
        ]
        choice["finish_reason"] = "tool_calls"
    choice["message"] = message
    result.setdefault("created", int(time.time()))
    return result


def make_mistral_v3_handler():
    """The handler for models fine-tuned on `mistral_v3_text` prompts (no tools; JSON mode works)."""
    from llama_cpp import llama_chat_format
    from llama_cpp.llama_chat_format import ChatFormatterResponse

    def formatter(messages: list[Message], **kwargs: Any) -> ChatFormatterResponse:
        # The rendered text already starts with BOS: tell llama.cpp not to add a second one.
        return ChatFormatterResponse(prompt=prompt_text(MISTRAL_V3_HANDLER, messages, None, "none"),
                                     stop=STANDIN_SPECIALS["</s>"], added_special=True)

    base = llama_chat_format.chat_formatter_to_chat_completion_handler(formatter)

    def handler(*, llama, messages, tools=None, tool_choice=None, **kwargs):
        if tools and tool_choice != "none":
            raise ValueError(f"This model was fine-tuned without tools ({MISTRAL_V3_HANDLER} format): "
                             "send the request without `tools`, or use the default chat model for tool calls.")
        kwargs.pop("functions", None)
        kwargs.pop("function_call", None)
        llama.reset()  # every prompt from scratch, as in the default handler: temperature 0 stays reproducible
        return base(llama=llama, messages=messages, **kwargs)

    return handler


def register() -> None:
    """Make the `workbook-gemma`, `workbook-chatml` and `workbook-mistral-v3` chat formats available to llama-cpp-python."""
    from llama_cpp import llama_chat_format

    llama_chat_format.register_chat_completion_handler(HANDLER_NAME)(make_handler(HANDLER_NAME))
    llama_chat_format.register_chat_completion_handler(CHATML_HANDLER)(make_handler(CHATML_HANDLER))
    llama_chat_format.register_chat_completion_handler(MISTRAL_V3_HANDLER)(make_mistral_v3_handler())
