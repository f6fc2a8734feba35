"""Tools from typed functions, argument validation, the tool loop against the real endpoint, notebook 03's exercises."""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Annotated, Literal, Optional

import pytest
from pydantic import Field

from helpers import tools
from helpers.backends import Backend
from helpers.engine.embedded import CHAT_ALIAS
from helpers.exercises import nb03
from helpers.threatdb import ThreatDB
from helpers.tools import ToolArgumentError, Toolbox, ToolLoopLimit, tool_from_function

REQUEST = [
    {"role": "system", "content": "You are a security analyst's assistant. Look indicators up in the threat database."},
    {"role": "user", "content": "Check these indicators in the threat database: 203.0.113.42, login-update.example "
                                "and 198.51.100.23."},
]


class Severity(str, Enum):  # noqa: UP042 - the str + Enum pattern users write is what is tested
    LOW = "low"
    HIGH = "high"


def every_type(title: Annotated[str, Field(description="Short title", max_length=60, pattern=r"^\w+$")],
               severity: Severity, hosts: list[str], score: Annotated[float, Field(ge=0, le=10)], count: int,
               contained: bool = False, ticket: Optional[str] = None,  # noqa: UP045 (Optional is what is tested)
               channel: Literal["email", "chat"] = "email") -> dict:
    """Open an incident report.

    Longer text in a second paragraph
    stays in the description.

    Args:
        title: ignored, because Annotated already describes it.
        severity: How bad it is.
        hosts: Host names
            involved, one per entry.
        score: Risk score.
        count: How many.
        contained: Whether it is contained.
        ticket: A ticket id.
        channel: Where to notify.

    Returns:
        The report.
    """
    return {"title": title, "severity": severity, "hosts": hosts, "channel": channel}


@pytest.fixture()
def db():
    with ThreatDB.open() as database:
        yield database


def test_schema_maps_every_python_type():
    tool = tool_from_function(every_type)
    fn = tool["function"]
    assert tool["type"] == "function" and fn["name"] == "every_type"
    assert fn["description"] == "Open an incident report. Longer text in a second paragraph stays in the description."
    params = fn["parameters"]
    assert params["type"] == "object" and params["additionalProperties"] is False
    assert params["required"] == ["title", "severity", "hosts", "score", "count"]
    props = params["properties"]
    assert props["title"] == {"type": "string", "description": "Short title", "maxLength": 60, "pattern": r"^\w+$"}
    assert props["severity"] == {"type": "string", "description": "How bad it is.", "enum": ["low", "high"]}
    assert props["hosts"] == {"type": "array", "description": "Host names involved, one per entry.", "items": {"type": "string"}}
    assert props["score"] == {"type": "number", "description": "Risk score.", "minimum": 0, "maximum": 10}
    assert props["count"]["type"] == "integer" and props["contained"] == {
        "type": "boolean", "description": "Whether it is contained.", "default": False}
    assert props["ticket"]["anyOf"] == [{"type": "string"}, {"type": "null"}] and props["ticket"]["default"] is None
    assert props["channel"]["enum"] == ["email", "chat"] and props["channel"]["default"] == "email"
    text = json.dumps(tool)
    assert '"title": "' not in text.replace('"title": {', "") and "$ref" not in text and "$defs" not in text


def test_generated_tool_is_accepted_by_the_sdk_types(db):
    from mistralai.client.models import Function, Tool

    generated = tool_from_function(db.search_database)
    assert Tool(function=Function(**generated["function"])).model_dump(exclude_none=True) == generated
    assert generated["function"]["parameters"]["properties"]["indicator"]["maxLength"] == 64


def test_functions_that_cannot_become_tools_say_why():
    def no_hint(x):
        """Doc."""

    def varargs(*names: str):
        """Doc."""

    def undocumented(x: int):
        pass

    with pytest.raises(TypeError, match="'x' has no type hint"):
        tool_from_function(no_hint)
    with pytest.raises(TypeError, match=r"\*names"):
        tool_from_function(varargs)
    with pytest.raises(ValueError, match="no docstring"):
        tool_from_function(undocumented)
    with pytest.raises(TypeError, match="lambda"):
        tool_from_function(lambda x: x)
    with pytest.raises(ValueError, match="names must be unique"):
        Toolbox(every_type, every_type)


def test_docstring_parser_stops_at_the_next_section():
    description, params = tools.parse_docstring(every_type)
    assert params["hosts"] == "Host names involved, one per entry." and "Returns" not in json.dumps(params)
    assert set(params) == {"title", "severity", "hosts", "score", "count", "contained", "ticket", "channel"}
    assert description.startswith("Open an incident report.")


@pytest.mark.parametrize("arguments, message", [
    ('{"indicator": "\' OR 1=1 --"}', "String should match pattern '^[A-Za-z0-9.-]{1,64}$' (got \"' OR 1=1 --\")"),
    ('{"indicator": 42}', "indicator: Input should be a valid string (got 42)"),
    ('{"ip": "203.0.113.42"}', "indicator: Field required"),
    ('{"indicator": "203.0.113.42", "limit": 5}', "limit: Extra inputs are not permitted"),
    ('{"indicator": "999.0.113.42"}', "not a well-formed indicator"),
    ('{"indicator": "' + "a" * 65 + '"}', "at most 64 characters"),
    ("not json", "not valid JSON"),
    ('["203.0.113.42"]', "must be a JSON object"),
])
def test_bad_arguments_are_refused_before_any_sql(db, arguments, message):
    toolbox = Toolbox(db.search_database)
    before = len(db.statements)
    with pytest.raises(ToolArgumentError, match=re.escape(message)):
        toolbox.call("search_database", arguments)
    assert len(db.statements) == before
    reply = toolbox.execute({"id": "abcdefghi", "function": {"name": "search_database", "arguments": arguments}})
    assert reply["tool_call_id"] == "abcdefghi" and message in json.loads(reply["content"])["error"]
    assert toolbox.executed[-1].ok is False and len(db.statements) == before


def test_unknown_tool_is_refused_with_the_offered_names(db):
    with pytest.raises(ToolArgumentError, match="not offered. Tools offered: search_database"):
        Toolbox(db.search_database).validate("drop_tables", "{}")


def test_valid_call_runs_once_and_returns_the_stored_verdict(db):
    toolbox = Toolbox(db.search_database)
    before = len(db.statements)
    assert toolbox.validate("search_database", {"indicator": "Login-Update.example"}) == {"indicator": "Login-Update.example"}
    assert len(db.statements) == before  # validating runs nothing
    result = json.loads(toolbox.call("search_database", '{"indicator": "203.0.113.42"}'))
    assert result["verdict"] == "malicious" and result["tags"] == ["c2", "botnet"]
    assert len(db.statements) == before + 1


def test_call_converts_types_and_serialises_results():
    toolbox = Toolbox(every_type)
    out = json.loads(toolbox.call("every_type", {"title": "x", "severity": "high", "hosts": ["a"], "score": 1, "count": 2}))
    assert out == {"title": "x", "severity": "high", "hosts": ["a"], "channel": "email"}  # Enum in, default filled
    with pytest.raises(ToolArgumentError, match="score: Input should be less than or equal to 10 \\(got 11\\)"):
        toolbox.call("every_type", {"title": "x", "severity": "high", "hosts": [], "score": 11, "count": 1})
    with pytest.raises(ToolArgumentError, match="count: Input should be a valid integer"):  # strict: no "2" -> 2
        toolbox.call("every_type", {"title": "x", "severity": "high", "hosts": [], "score": 1, "count": "2"})


def test_tool_message_and_assistant_turn_shapes():
    call = {"id": "Xy7Qp2Lm9", "type": "function", "function": {"name": "f", "arguments": {"a": 1}}}
    assert tools.tool_message(call, {"ok": True}) == {"role": "tool", "name": "f", "tool_call_id": "Xy7Qp2Lm9",
                                                      "content": '{"ok": true}'}
    turn = tools.assistant_turn({"role": "assistant", "content": None, "tool_calls": [call]})
    assert turn == {"role": "assistant", "content": "", "tool_calls": [
        {"id": "Xy7Qp2Lm9", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]}


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_loop_runs_every_call_of_a_parallel_reply_then_answers(sdk, db):
    toolbox = Toolbox(db.search_database)
    result = tools.run_tool_loop(sdk, CHAT_ALIAS, REQUEST, toolbox, max_rounds=3, tool_choice="any", then_choice="none",
                                 parallel_tool_calls=True, temperature=0, answer_max_tokens=16)
    assert result.rounds == 2 and result.answer == result.messages[-1]["content"]
    roles = [m["role"] for m in result.messages]
    n = len(result.calls)
    assert 1 <= n <= 4 and roles == ["system", "user", "assistant"] + ["tool"] * n + ["assistant"]
    asked = [c["id"] for c in result.messages[2]["tool_calls"]]
    assert asked == [m["tool_call_id"] for m in result.messages[3:3 + n]] == [c.id for c in toolbox.executed]
    assert all(re.fullmatch("[A-Za-z0-9]{9}", i) for i in asked)
    assert len(result.table()) == n + 1 and REQUEST[1]["role"] == "user" and len(REQUEST) == 2  # input not mutated


def test_loop_guard_stops_before_running_more_calls(sdk, db):
    toolbox = Toolbox(db.search_database)
    with pytest.raises(ToolLoopLimit, match=r"max_rounds=1\) the model still asked for tools \(search_database\)") as info:
        tools.run_tool_loop(sdk, CHAT_ALIAS, REQUEST, toolbox, max_rounds=1, tool_choice="any",
                            parallel_tool_calls=False, temperature=0)
    assert toolbox.executed == [] and info.value.messages == REQUEST
    with pytest.raises(ValueError, match="at least 1"):
        tools.run_tool_loop(sdk, CHAT_ALIAS, REQUEST, toolbox, max_rounds=0)


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_request_log_shows_what_each_sdk_sends(endpoint, sdk, db):
    backend = Backend("embedded", endpoint.base_url, sdk, CHAT_ALIAS, None, CHAT_ALIAS)
    toolbox = Toolbox(db.search_database)
    log = tools.RequestLog()
    m = log.mistral(backend).chat.complete(model=CHAT_ALIAS, messages=REQUEST, tools=toolbox.tools, tool_choice="any",
                                           temperature=0, parallel_tool_calls=False)
    o = log.openai(backend).chat.completions.create(model=CHAT_ALIAS, messages=REQUEST, tools=toolbox.tools,
                                                    tool_choice="required", temperature=0)
    mistral_body, openai_body = log.bodies
    assert mistral_body["tools"] == openai_body["tools"] == toolbox.tools
    assert (mistral_body["tool_choice"], openai_body["tool_choice"]) == ("any", "required")
    diff = tools.body_differences(mistral_body, openai_body)
    assert "tool_choice" in set(diff["field"]) and "tools" not in set(diff["field"])
    for reply in (m, o):
        call = reply.choices[0].message.tool_calls[0]
        assert re.fullmatch("[A-Za-z0-9]{9}", call.id) and isinstance(call.function.arguments, str)
    table = tools.reply_table({"m": m, "o": o})
    assert list(table["tool calls"]) == [1, 1] and table["calls"][0].startswith("search_database(")
    calls = tools.calls_table(m)
    assert list(calls.columns) == ["id", "name", "arguments"] and calls["name"].tolist() == ["search_database"]
    assert json.loads(calls["arguments"][0])["indicator"]


def test_exercise_q1_schema_from_a_typed_function(capsys):
    def block_indicator(indicator: Annotated[str, Field(max_length=64)], hours: Annotated[int, Field(ge=1, le=168)],
                        reason: Literal["malicious", "suspicious"], notify: bool = False) -> str:
        """Block it.

        Args:
            indicator: What.
            hours: How long.
            reason: Why.
            notify: Page someone.
        """
        return ""

    assert nb03.q1.check(block_indicator)

    def block_indicator(indicator: str, hours: int, reason: str, notify: bool = False) -> str:
        """Block it.

        Args:
            indicator: What.
            hours: How long.
            reason: Why.
            notify: Page someone.
        """
        return ""

    assert "maxLength" in nb03.q1.check(block_indicator).message
    assert "pass the function itself" in nb03.q1.check(block_indicator("x", 1, "y")).message
    assert not nb03.q1.check(...)
    nb03.q1.hint()
    nb03.q1.solution()
    assert "Field(ge=1, le=168)" in capsys.readouterr().out


def test_exercise_q2_which_arguments_pass():
    assert nb03.q2_truth() == [0, 3, 6]
    assert nb03.q2.check([6, 3, 0])
    assert "would be refused" in nb03.q2.check([0, 1, 3, 6]).message
    assert "would pass" in nb03.q2.check([0]).message


def test_exercise_q3_tool_message(db):
    call = nb03.Q3_CALL
    content = Toolbox(db.search_database).call("search_database", call["function"]["arguments"])
    right = {"role": "tool", "name": "search_database", "tool_call_id": call["id"], "content": content}
    assert nb03.q3.check(right) and nb03.q3.check(tools.tool_message(call, content))
    assert "tool_call_id" in nb03.q3.check(dict(right, tool_call_id="call_1")).message
    assert "must be text" in nb03.q3.check(dict(right, content=json.loads(content))).message
    assert "role 'tool'" in nb03.q3.check(dict(right, role="function")).message
    assert "run the tool" in nb03.q3.check(dict(right, content='{"verdict": "benign"}')).message
