"""Exercises for notebook 03 · Function calling."""

from __future__ import annotations

import json
from typing import Any

from ..threatdb import ThreatDB
from ..tools import ToolArgumentError, Toolbox, tool_from_function
from .core import Exercise

# ---------------------------------------------------------------------------------------- q1
Q1_EXPECTED: dict[str, dict[str, Any]] = {
    "indicator": {"type": "string", "maxLength": 64},
    "hours": {"type": "integer", "minimum": 1, "maximum": 168},
    "reason": {"type": "string", "enum": ["malicious", "suspicious"]},
    "notify": {"type": "boolean", "default": False},
}
Q1_REQUIRED = ["indicator", "hours", "reason"]


def _q1(answer: Any) -> str | None:
    if not callable(answer):
        return "pass the function itself (`block_indicator`, no parentheses), not its result or a dict."
    try:
        tool = tool_from_function(answer)
    except (TypeError, ValueError) as exc:
        return str(exc)
    function = tool["function"]
    if function["name"] != "block_indicator":
        return f"the tool is called {function['name']!r}: name the function `block_indicator`."
    props = function["parameters"]["properties"]
    if set(props) != set(Q1_EXPECTED):
        missing, extra = set(Q1_EXPECTED) - set(props), set(props) - set(Q1_EXPECTED)
        return (f"the parameters should be exactly {', '.join(Q1_EXPECTED)}"
                + (f"; missing: {', '.join(sorted(missing))}" if missing else "")
                + (f"; not expected: {', '.join(sorted(extra))}" if extra else "") + ".")
    for name, want in Q1_EXPECTED.items():
        for key, value in want.items():
            got = props[name].get(key)
            if key == "enum" and got is not None:
                got = sorted(got)
                value = sorted(value)
            if got != value:
                hint = {
                    "maxLength": "use Annotated[str, Field(max_length=64)]",
                    "minimum": "use Annotated[int, Field(ge=1, le=168)]",
                    "maximum": "use Annotated[int, Field(ge=1, le=168)]",
                    "enum": 'use Literal["malicious", "suspicious"] (or an Enum)',
                    "default": "give it the default value False",
                    "type": "check the type hint",
                }[key]
                return f"{name}: the schema has {key}={json.dumps(got)}, expected {json.dumps(value)}; {hint}."
    required = sorted(function["parameters"].get("required", []))
    if required != sorted(Q1_REQUIRED):
        return (f"required is {required}; expected {sorted(Q1_REQUIRED)}: parameters without a default are "
                "required, parameters with one are optional.")
    if not all(props[name].get("description") for name in Q1_EXPECTED):
        undocumented = [name for name in Q1_EXPECTED if not props[name].get("description")]
        return (f"{', '.join(undocumented)} have no description: describe every parameter, in the docstring's "
                "Args: section or with Field(description=...). The model reads them to fill the arguments.")
    return None


q1 = Exercise(
    "A tool from a typed function",
    _q1,
    hint="Start from `report_incident` above. `Annotated[str, Field(max_length=64)]` gives maxLength; "
    "`Field(ge=1, le=168)` gives minimum and maximum; `Literal[...]` gives an enum; a default makes a parameter "
    "optional. Document each parameter under `Args:` in the docstring.",
    solution='''
def block_indicator(
    indicator: Annotated[str, Field(max_length=64)],
    hours: Annotated[int, Field(ge=1, le=168)],
    reason: Literal["malicious", "suspicious"],
    notify: bool = False,
) -> str:
    """Block an indicator at the firewall and DNS resolver for a number of hours.

    Args:
        indicator: The IPv4 address or domain name to block.
        hours: How long to block it, 1 to 168 hours (one week).
        reason: Why it is blocked.
        notify: Whether to page the on-call analyst.
    """
    return f"blocked {indicator} for {hours} h ({reason})"

answer = block_indicator
''',
    explanation="The signature is the single source of truth: the model's schema and the argument checks both "
    "come from it.",
)

# ---------------------------------------------------------------------------------------- q2
Q2_CANDIDATES = [
    '{"indicator": "203.0.113.42"}',
    '{"indicator": "203.0.113.42; DROP TABLE indicators"}',
    '{"indicator": 3405803818}',
    '{"indicator": "INVOICE-PORTAL.EXAMPLE"}',
    '{"ip": "198.51.100.7"}',
    '{"indicator": "256.0.113.42"}',
    '{"indicator": "d41d8cd98f00b204e9800998ecf8427e"}',
    '{"indicator": "login-update.example", "limit": 5}',
]


def q2_truth() -> list[int]:
    """Indices of the candidates that pass validation (the checker's reference)."""
    with ThreatDB.open() as db:
        toolbox = Toolbox(db.search_database)
        accepted = []
        for i, arguments in enumerate(Q2_CANDIDATES):
            try:
                toolbox.validate("search_database", arguments)
                accepted.append(i)
            except ToolArgumentError:
                pass
        return accepted


def _q2(answer: Any) -> str | None:
    got = sorted(int(i) for i in answer)
    truth = q2_truth()
    if got == truth:
        return None
    wrongly_in = sorted(set(got) - set(truth))
    wrongly_out = sorted(set(truth) - set(got))
    parts = []
    if wrongly_in:
        parts.append(f"{', '.join(map(str, wrongly_in))} would be refused (run toolbox.validate on "
                     f"{Q2_CANDIDATES[wrongly_in[0]]} and read the message)")
    if wrongly_out:
        parts.append(f"{', '.join(map(str, wrongly_out))} would pass (e.g. {Q2_CANDIDATES[wrongly_out[0]]})")
    return "; ".join(parts) + "."


q2 = Exercise(
    "Which arguments get through?",
    _q2,
    hint="Loop over nb03.Q2_CANDIDATES with enumerate; call toolbox.validate('search_database', arguments) in a "
    "try block and keep the index when no ToolArgumentError is raised. Predict first, then check.",
    solution='''
answer = []
for i, arguments in enumerate(nb03.Q2_CANDIDATES):
    try:
        toolbox.validate("search_database", arguments)
        answer.append(i)
    except tools.ToolArgumentError as exc:
        print(i, exc)
''',
    explanation="Upper-case letters are allowed (the lookup lower-cases them); an out-of-range octet, a number "
    "instead of a string, an unknown key and anything with spaces or quotes are refused before any SQL runs.",
)

# ---------------------------------------------------------------------------------------- q3
Q3_CALL: dict[str, Any] = {
    "id": "Xy7Qp2Lm9",
    "type": "function",
    "function": {"name": "search_database", "arguments": '{"indicator": "198.51.100.23"}'},
}


def _q3(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return "the tool message is a dict: {'role': ..., 'name': ..., 'tool_call_id': ..., 'content': ...}."
    if answer.get("role") != "tool":
        return f"role is {answer.get('role')!r}; a tool result goes back with role 'tool' (not 'function' or 'user')."
    if answer.get("tool_call_id") != Q3_CALL["id"]:
        return (f"tool_call_id is {answer.get('tool_call_id')!r}; it must be the id of the call it answers, "
                f"{Q3_CALL['id']!r}, so the model can pair each result with its call.")
    if answer.get("name") != Q3_CALL["function"]["name"]:
        return f"name is {answer.get('name')!r}; Mistral's API wants the tool's name, 'search_database'."
    content = answer.get("content")
    if not isinstance(content, str):
        return f"content is a {type(content).__name__}; it must be text: json.dumps(...) a dict, or pass the tool's string."
    with ThreatDB.open() as db:
        expected = json.loads(db.search_database("198.51.100.23"))
    try:
        got = json.loads(content)
    except json.JSONDecodeError:
        return "content is not the tool's JSON result: run the tool with the call's arguments and pass what it returns."
    if got != expected:
        return (f"content says {got!r}, but the database returns {expected!r} for this call: run the tool "
                "(toolbox.call(name, arguments)) rather than writing the result by hand.")
    return None


q3 = Exercise(
    "The tool message for a call",
    _q3,
    hint="Run the call with `toolbox.call(call['function']['name'], call['function']['arguments'])`, then build "
    "{'role': 'tool', 'name': ..., 'tool_call_id': ..., 'content': ...} from the call's name and id.",
    solution='''
call = nb03.Q3_CALL
content = toolbox.call(call["function"]["name"], call["function"]["arguments"])
answer = {"role": "tool", "name": call["function"]["name"], "tool_call_id": call["id"], "content": content}
# tools.tool_message(call, content) builds the same dict
''',
    explanation="One tool message per call, each carrying its call's id: that is how a parallel reply's results "
    "find their way back.",
)

