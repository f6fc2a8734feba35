"""The chat handlers the embedded endpoint gives llama.cpp: prompt format, tools and JSON output.

llama-cpp-python's built-in "gemma" format drops system and tool messages, and only its
`chatml-function-calling` handler supports `tool_choice="auto"`. These handlers keep llama.cpp as
the engine and add what the workbook's clients need:

* the prompt is the text `chat_format.prompt_text` renders (system and tool messages included);
* tool use is grammar-constrained generation (`tool_grammar`): the request's tool schemas become one
  JSON schema, llama.cpp samples under that grammar, and the JSON is returned as OpenAI/Mistral
  `tool_calls` (`to_tool_response`);
* `tool_choice` "none", "auto", "required" (Mistral's "any") and a named function all work,
  streamed or not.

`workbook-gemma` and `workbook-chatml` share one handler (`make_handler`); `workbook-mistral-v3`
serves models fine-tuned on Mistral's own instruct format without tools (`make_mistral_v3_handler`).

Nothing here is imported by notebooks; the endpoint process registers it at start-up (`register`).
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from .chat_format import (
    CHATML_HANDLER,
    END_OF_TURN,
    HANDLER_NAME,
    IM_END,
    MISTRAL_V3_HANDLER,
    STANDIN_SPECIALS,
    Message,
    prompt_text,
)
from .tool_grammar import ANSWER_SCHEMA, MAX_PARALLEL_CALLS, check_tool_schemas, schema_grammar, tool_call_schema

TOOL_CALL_MAX_TOKENS = 256

# Set by the endpoint per request from the API's `parallel_tool_calls` field, which llama-cpp-python's
# request model does not carry through to the handler.
PARALLEL_TOOL_CALLS: ContextVar[bool] = ContextVar("parallel_tool_calls", default=False)


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
    response_format = request.get("response_format")
    tools, choice, parallel = render_args(fmt, request.get("tools"), request.get("tool_choice"), response_format, parallel)
    return prompt_text(fmt, request.get("messages") or [], tools, choice, parallel,
                       response_format if tools is None else None)


def make_handler(fmt: str = HANDLER_NAME):
    """Build the llama-cpp-python chat completion handler for `fmt` (imports llama_cpp lazily)."""
    from llama_cpp import llama_chat_format
    from llama_cpp.llama_chat_format import ChatFormatterResponse
    from llama_cpp.llama_grammar import LlamaGrammar

    stop = IM_END if fmt == CHATML_HANDLER else END_OF_TURN.strip()

    def plain(messages, tools=None, choice: Any = "none", parallel: bool = False, response_format=None, **kwargs):
        # A JSON-mode request without tools says so in the prompt (json_instruction); with tools, the
        # schema is the tool-call grammar's and the tool instructions already ask for JSON.
        shown_format = response_format if tools is None else None

        def fmt_fn(messages, **kw):
            return ChatFormatterResponse(prompt=prompt_text(fmt, messages, tools, choice, parallel, shown_format),
                                         stop=stop)

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
        for closing in ('"}', "}"):  # cut inside the answer's string, or just after its closing quote
            try:
                partial = json.loads(text + closing)
                break
            except json.JSONDecodeError:
                continue
        else:
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
