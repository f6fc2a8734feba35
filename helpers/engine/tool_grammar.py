"""Tools and JSON output as llama.cpp grammars, for the embedded endpoint's chat handlers.

Tool use is grammar-constrained generation: the request's tool schemas become one JSON schema
(`name` + `arguments` per tool, plus a plain-answer branch, `ANSWER_SCHEMA`, for "auto"), which
llama-cpp-python converts to GBNF once per distinct schema (`schema_grammar`). The endpoint checks
every constrained request before generation starts (`check_tool_schemas`, `grammar_check`): a
grammar llama.cpp cannot parse would otherwise crash the server at the first sampled token.

Used by `chat_handlers` and the endpoint's checks; llama_cpp is imported lazily, inside functions.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

MAX_PARALLEL_CALLS = 4

# The plain-answer branch of a reply when tools are offered: {"answer": "..."}.
ANSWER_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
                                 "additionalProperties": False}


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
