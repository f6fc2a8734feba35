"""The Conversations API (beta) on the embedded endpoint, through the unmodified mistralai client.

Every turn is answered by the real stand-in chat model; refusals and bad input come back as La Plateforme's
error shape with a 4xx and a message that names the problem.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import httpx
import pytest
from mistralai.client.errors import HTTPValidationError, MistralError, SDKError
from mistralai.client.types import UNSET

from helpers.engine.embedded import CHAT_ALIAS, GEMMA_ALIAS
from helpers.engine.serving import LocalEndpoint, free_port

SHORT = {"max_tokens": 24, "temperature": 0}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 30}},
                       "required": ["city"]},
    },
}
WEATHER_ROW = {"temperature_c": 18, "sky": "cloudy", "source": "synthetic test row"}


def error_of(exc: MistralError) -> dict:
    """The error body La Plateforme's shape promises: object, message, type."""
    body = json.loads(exc.body)
    assert body["object"] == "error" and body["type"] and body["message"]
    return body


def refused(call, status: int, *words: str) -> dict:
    """Run `call`, expect an API error with `status` whose message holds each of `words`."""
    with pytest.raises((SDKError, HTTPValidationError)) as info:
        call()
    assert info.value.status_code == status, info.value.body
    body = error_of(info.value)
    for word in words:
        assert word.lower() in body["message"].lower(), body["message"]
    return body


def test_start_append_and_read_back(sdk):
    first = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Say hello in French.", instructions="You are terse.",
                                         completion_args=SHORT, name="greetings", metadata={"topic": "hello"})
    cid = first.conversation_id
    assert cid.startswith("conv_") and first.object == "conversation.response"
    [answer] = first.outputs
    assert answer.type == "message.output" and answer.content.strip() and answer.model == CHAT_ALIAS
    assert 0 < first.usage.prompt_tokens and 0 < first.usage.completion_tokens <= SHORT["max_tokens"]
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens

    second = sdk.beta.conversations.append(conversation_id=cid, inputs="And in Spanish?")
    assert second.conversation_id == cid and second.outputs[0].content.strip()
    # the second turn's prompt holds the first turn: the conversation is really carried over
    assert second.usage.prompt_tokens > first.usage.prompt_tokens + first.usage.completion_tokens

    history = sdk.beta.conversations.get_history(conversation_id=cid)
    assert [e.type for e in history.entries] == ["message.input", "message.output"] * 2
    assert [e.content for e in history.entries[::2]] == ["Say hello in French.", "And in Spanish?"]
    assert [history.entries[1].id, history.entries[3].id] == [answer.id, second.outputs[0].id]
    assert len({e.id for e in history.entries}) == 4 and all(e.created_at for e in history.entries)

    messages = sdk.beta.conversations.get_messages(conversation_id=cid)
    assert [m.id for m in messages.messages] == [e.id for e in history.entries]

    card = sdk.beta.conversations.get(conversation_id=cid)
    assert (card.id, card.model, card.instructions, card.name) == (cid, CHAT_ALIAS, "You are terse.", "greetings")
    assert card.completion_args.max_tokens == SHORT["max_tokens"] and card.updated_at > card.created_at
    listed = sdk.beta.conversations.list()
    assert cid in [c.id for c in listed]
    assert [c.id for c in sdk.beta.conversations.list(metadata={"topic": "hello"})] == [cid]


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_a_function_tool_round_trip_by_hand(sdk):
    ask = "What is the weather in Paris?"
    first = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs=ask, tools=[WEATHER_TOOL],
                                         completion_args={**SHORT, "max_tokens": 60, "tool_choice": "any"})
    [call] = first.outputs
    assert call.type == "function.call" and call.name == "get_weather" and call.tool_call_id
    assert "city" in json.loads(call.arguments)
    result = json.dumps({"city": "Paris", **WEATHER_ROW})
    final = sdk.beta.conversations.append(
        conversation_id=first.conversation_id, completion_args={"max_tokens": 40, "tool_choice": "none"},
        inputs=[{"type": "function.result", "tool_call_id": call.tool_call_id, "result": result}])
    [answer] = final.outputs
    assert answer.type == "message.output" and answer.content.strip()
    assert final.usage.prompt_tokens > first.usage.prompt_tokens  # the call and its result were read
    entries = sdk.beta.conversations.get_history(conversation_id=first.conversation_id).entries
    assert [e.type for e in entries] == ["message.input", "function.call", "function.result", "message.output"]
    assert entries[2].tool_call_id == call.tool_call_id and entries[2].result == result


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_run_async_calls_the_registered_function(sdk):
    from mistralai.extra.run.context import RunContext

    calls: list[str] = []

    def get_weather(city: str) -> str:
        """Current weather for a city.

        Args:
            city: The city's name.
        """
        calls.append(city)
        return json.dumps({"city": city, **WEATHER_ROW})

    async def run():
        run_ctx = RunContext(model=CHAT_ALIAS)
        run_ctx.register_func(get_weather)
        return await sdk.beta.conversations.run_async(run_ctx=run_ctx, inputs="What is the weather in Lyon?",
                                                      completion_args={"max_tokens": 60, "temperature": 0})

    result = asyncio.run(asyncio.wait_for(run(), 300))
    assert calls and "lyon" in calls[0].lower()
    types = [e.type for e in result.output_entries]
    assert types[:2] == ["function.call", "function.result"] and types[-1] == "message.output"
    assert result.output_entries[-1].content.strip()
    history = sdk.beta.conversations.get_history(conversation_id=result.conversation_id).entries
    assert [e.type for e in history][:3] == ["message.input", "function.call", "function.result"]
    assert json.loads(history[2].result)["city"] == calls[0]


def test_restart_makes_a_new_conversation_from_an_entry(sdk):
    first = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Name a colour.", completion_args=SHORT)
    sdk.beta.conversations.append(conversation_id=first.conversation_id, inputs="Name a fruit.")
    again = sdk.beta.conversations.restart(conversation_id=first.conversation_id, from_entry_id=first.outputs[0].id,
                                           inputs="Name an animal.")
    assert again.conversation_id != first.conversation_id and again.outputs[0].content.strip()
    entries = sdk.beta.conversations.get_history(conversation_id=again.conversation_id).entries
    assert [e.content for e in entries[:3]] == ["Name a colour.", first.outputs[0].content, "Name an animal."]
    assert len(sdk.beta.conversations.get_history(conversation_id=first.conversation_id).entries) == 4
    refused(lambda: sdk.beta.conversations.restart(conversation_id=first.conversation_id, from_entry_id="msg_nope",
                                                   inputs="x"), 404, "msg_nope")


def test_delete_removes_the_conversation(sdk, endpoint):
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Hi", completion_args={"max_tokens": 4})
    path = Path(os.environ["WORKBOOK_STATE"]) / "conversations" / f"{started.conversation_id}.json"
    assert json.loads(path.read_text())["id"] == started.conversation_id
    sdk.beta.conversations.delete(conversation_id=started.conversation_id)
    assert not path.exists()
    refused(lambda: sdk.beta.conversations.get(conversation_id=started.conversation_id), 404, "not found")
    refused(lambda: sdk.beta.conversations.delete(conversation_id=started.conversation_id), 404, "not found")


@pytest.mark.parametrize("call", ["get", "get_history", "get_messages", "append"])
def test_an_unknown_conversation_is_a_404(sdk, call):
    kwargs = {"inputs": "hello"} if call == "append" else {}
    refused(lambda: getattr(sdk.beta.conversations, call)(conversation_id="conv_" + "0" * 32, **kwargs), 404,
            "conv_" + "0" * 32, "not found")


def test_store_false_is_answered_and_not_kept(sdk):
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Hi", store=False, completion_args={"max_tokens": 4})
    assert started.outputs[0].type == "message.output"
    assert started.conversation_id not in [c.id for c in sdk.beta.conversations.list()]
    refused(lambda: sdk.beta.conversations.append(conversation_id=started.conversation_id, inputs="Again"), 404,
            "store=False")


@pytest.mark.parametrize("tool", [
    {"type": "web_search"}, {"type": "web_search_premium"}, {"type": "code_interpreter"}, {"type": "image_generation"},
    {"type": "document_library", "library_ids": ["lib_1"]}, {"type": "connector", "connector_id": "conn_1"},
])
def test_built_in_tools_are_la_plateforme_only(sdk, tool):
    refused(lambda: sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Hi", tools=[tool]), 400, tool["type"],
            "La Plateforme only")


def test_agent_conversations_are_la_plateforme_only(sdk):
    refused(lambda: sdk.beta.conversations.start(agent_id="ag_0123", inputs="Hi"), 400, "agent_id", "La Plateforme")


def test_guardrails_given_at_start_apply_to_every_turn(sdk):
    """The conversation's guardrails go with each turn's chat request: a threat is blocked (403) and not kept."""
    rail = {"moderation_llm_v2": {"custom_category_thresholds": {"violence_and_threats": 0.2}, "action": "block"}}
    refused(lambda: sdk.beta.conversations.start(model=CHAT_ALIAS, guardrails=[rail], completion_args={"max_tokens": 4},
                                                 inputs="If you report me again I will find you and hurt you."),
            403, "violence_and_threats")
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Such a lovely day, isn't it?", guardrails=[rail],
                                           completion_args={"max_tokens": 4})
    refused(lambda: sdk.beta.conversations.append(conversation_id=started.conversation_id,
                                                  inputs="If you report me again I will find you and hurt you."),
            403, "violence_and_threats")
    history = sdk.beta.conversations.get_history(conversation_id=started.conversation_id)
    assert [e.type for e in history.entries] == ["message.input", "message.output"]  # the blocked turn left no trace


THREAT = "If you report me again I will find you and hurt you."
RAIL = {"moderation_llm_v2": {"custom_category_thresholds": {"violence_and_threats": 0.2}, "action": "block"}}
STARTED, DELTA, CALL, DONE = ("conversation.response.started", "message.output.delta", "function.call.delta",
                              "conversation.response.done")


def read_stream(stream) -> list:
    """Every (event, wall-clock time it arrived) of a conversation's event stream."""
    with stream:
        return [(event, time.time()) for event in stream]


def stored(endpoint, conversation_id: str) -> list[dict]:
    """The conversation's entries as the endpoint keeps them (raw JSON, every field)."""
    response = httpx.get(f"{endpoint.base_url}/v1/conversations/{conversation_id}/history", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def comparable(entries: list[dict]) -> list[dict]:
    """Entries with what two runs of the same turns cannot share (ids, times, tool call ids) reduced to its type."""
    varying = ("id", "created_at", "completed_at", "tool_call_id")
    return [{k: type(v).__name__ if k in varying else v for k, v in e.items()} for e in entries]


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_streamed_turns_are_kept_as_the_same_turns_unstreamed(sdk, endpoint):
    """start_stream, append_stream and restart_stream: started, the answer token by token, done; the entries kept
    are those of the same turns non-streamed (temperature 0: the same answers), and the usage is theirs."""
    ask, args = "Write two sentences about the sea.", {"max_tokens": 40, "temperature": 0}
    events = read_stream(sdk.beta.conversations.start_stream(model=CHAT_ALIAS, inputs=ask, instructions="You are terse.",
                                                             completion_args=args))
    whole = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs=ask, instructions="You are terse.", completion_args=args)
    kinds = [e.event for e, _ in events]
    assert kinds[0] == STARTED and kinds[-1] == DONE and set(kinds[1:-1]) == {DELTA} and len(kinds) > 4
    cid = events[0][0].data.conversation_id
    assert cid.startswith("conv_") and cid != whole.conversation_id
    deltas = [e.data for e, _ in events[1:-1]]
    assert {(d.id, d.output_index, d.content_index, d.role, d.model) for d in deltas} == {
        (deltas[0].id, 0, 0, "assistant", CHAT_ALIAS)}
    assert all(d.agent_id == UNSET for d in deltas)  # absent, as La Plateforme sends a model's events
    # the answer streams as it is generated: the first piece arrived long before the last token (done follows it),
    # where a buffered answer would arrive in one go at the end
    started, first, done = events[0][1], events[1][1], events[-1][1]
    assert done - first > (done - started) / 2, (started, first, done)
    entries = stored(endpoint, cid)
    assert [e["type"] for e in entries] == ["message.input", "message.output"]
    assert (entries[1]["id"], entries[1]["content"]) == (deltas[0].id, "".join(d.content for d in deltas))
    assert entries[1]["content"] == whole.outputs[0].content
    assert comparable(entries) == comparable(stored(endpoint, whole.conversation_id))
    assert entries[1]["created_at"] == deltas[0].created_at.isoformat().replace("+00:00", "Z") < entries[1]["completed_at"]
    assert events[-1][0].data.usage == whole.usage

    events = read_stream(sdk.beta.conversations.append_stream(conversation_id=cid, inputs="And about the sky?"))
    again = sdk.beta.conversations.append(conversation_id=whole.conversation_id, inputs="And about the sky?")
    assert [e.event for e, _ in events][:2] == [STARTED, DELTA] and events[0][0].data.conversation_id == cid
    assert events[-1][0].data.usage == again.usage  # the second prompt holds the first turn, as unstreamed
    first, entries = entries, stored(endpoint, cid)
    assert entries[:2] == first and len(entries) == 4
    assert entries[3]["content"] == "".join(e.data.content for e, _ in events[1:-1]) == again.outputs[0].content
    assert comparable(entries) == comparable(stored(endpoint, whole.conversation_id))

    events = read_stream(sdk.beta.conversations.restart_stream(conversation_id=cid, from_entry_id=entries[1]["id"],
                                                               inputs="Now about the wind."))
    branch = events[0][0].data.conversation_id
    assert branch not in (cid, whole.conversation_id) and [e.event for e, _ in events][-1] == DONE
    restarted = stored(endpoint, branch)
    assert restarted[:2] == entries[:2] and [e["content"] for e in restarted[2:]] == [
        "Now about the wind.", "".join(e.data.content for e, _ in events[1:-1])]
    assert len(stored(endpoint, cid)) == 4  # the source conversation is left as it was


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_a_streamed_function_call_is_kept_as_unstreamed(sdk, endpoint):
    ask, args = "What is the weather in Paris?", {**SHORT, "max_tokens": 60, "tool_choice": "any"}
    events = read_stream(sdk.beta.conversations.start_stream(model=CHAT_ALIAS, inputs=ask, tools=[WEATHER_TOOL],
                                                             completion_args=args))
    assert [e.event for e, _ in events] == [STARTED, CALL, DONE]
    call = events[1][0].data
    assert call.name == "get_weather" and call.tool_call_id and call.output_index == 0 and call.model == CHAT_ALIAS
    assert "city" in json.loads(call.arguments)
    whole = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs=ask, tools=[WEATHER_TOOL], completion_args=args)
    cid = events[0][0].data.conversation_id
    entries = stored(endpoint, cid)
    assert [e["type"] for e in entries] == ["message.input", "function.call"]
    assert (entries[1]["id"], entries[1]["tool_call_id"], entries[1]["arguments"]) == (call.id, call.tool_call_id,
                                                                                       call.arguments)
    assert comparable(entries) == comparable(stored(endpoint, whole.conversation_id))
    assert events[-1][0].data.usage == whole.usage

    result = json.dumps({"city": "Paris", **WEATHER_ROW})
    events = read_stream(sdk.beta.conversations.append_stream(
        conversation_id=cid, completion_args={"max_tokens": 40, "tool_choice": "none"},
        inputs=[{"type": "function.result", "tool_call_id": call.tool_call_id, "result": result}]))
    assert [e.event for e, _ in events][:2] == [STARTED, DELTA] and events[-1][0].event == DONE
    entries = stored(endpoint, cid)
    assert [e["type"] for e in entries] == ["message.input", "function.call", "function.result", "message.output"]
    assert entries[3]["content"] == "".join(e.data.content for e, _ in events[1:-1]) and entries[3]["content"].strip()


def test_each_streamed_output_has_its_own_index_and_entry():
    """A chat stream with text and two tool calls, the first split over two chunks (as OpenAI-style streams may send
    one), gives three outputs: each has its own output_index and id, in its events and in its kept entry."""
    from types import SimpleNamespace

    from helpers.engine.conversations_stream import StreamedTurn

    conversations = SimpleNamespace(context=SimpleNamespace(app=None, api_key=None))
    turn = StreamedTurn(conversations, {"id": "conv_" + "1" * 32, "model": "m", "entries": []}, [], {"model": "m"}, True)
    parts = [{"role": "assistant", "content": ""}, {"content": "Let me check."},
             {"tool_calls": [{"index": 0, "id": "abcDEF123", "function": {"name": "get_weather", "arguments": '{"city": '}}]},
             {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}},
                             {"index": 1, "id": "ghiJKL456", "function": {"name": "get_time", "arguments": "{}"}}]}]
    events = [event for delta in parts for event in turn.read({"model": "m", "choices": [{"index": 0, "delta": delta}]})]
    assert [(kind, data["output_index"]) for kind, data in events] == [(DELTA, 0), (CALL, 1), (CALL, 1), (CALL, 2)]
    assert [(d["tool_call_id"], d["name"], d["arguments"]) for _, d in events[1:]] == [
        ("abcDEF123", "get_weather", '{"city": '), ("abcDEF123", "get_weather", '"Paris"}'), ("ghiJKL456", "get_time", "{}")]
    ids = [events[0][1]["id"], events[1][1]["id"], events[3][1]["id"]]
    assert len(set(ids)) == 3 and events[2][1]["id"] == ids[1]
    entries = [output.entry("m", "2026-01-01T00:00:00Z") for output in turn.outputs]
    assert [(e["type"], e["id"]) for e in entries] == list(zip(["message.output", "function.call", "function.call"], ids))
    assert (entries[0]["content"], entries[1]["arguments"], entries[2]["tool_call_id"]) == (
        "Let me check.", '{"city": "Paris"}', "ghiJKL456")


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_run_stream_async_rebuilds_the_stored_entries(endpoint):
    """The SDK's own streaming loop: it runs the function between two streamed turns and rebuilds each output from
    its events (by output_index), which gives the entries the endpoint kept, ids included."""
    from mistralai.client import Mistral
    from mistralai.extra.run.context import RunContext
    from mistralai.extra.run.result import RunResult

    calls: list[str] = []

    def get_weather(city: str) -> str:
        """Current weather for a city.

        Args:
            city: The city's name.
        """
        calls.append(city)
        return json.dumps({"city": city, **WEATHER_ROW})

    async def run():
        run_ctx = RunContext(model=CHAT_ALIAS)
        run_ctx.register_func(get_weather)
        sdk = Mistral(api_key="local", server_url=endpoint.base_url)  # its async connections belong to this loop
        stream = await sdk.beta.conversations.run_stream_async(
            run_ctx=run_ctx, inputs="What is the weather in Lyon?", completion_args={"max_tokens": 60, "temperature": 0})
        return [item async for item in stream]

    items = asyncio.run(asyncio.wait_for(run(), 300))
    result = items[-1]
    assert isinstance(result, RunResult) and calls and "lyon" in calls[0].lower()
    assert [e.type for e in result.output_entries][:2] == ["function.call", "function.result"]
    assert result.output_entries[-1].type == "message.output" and result.output_entries[-1].content.strip()
    entries = stored(endpoint, result.conversation_id)
    assert [e["type"] for e in entries] == ["message.input", *[e.type for e in result.output_entries]]
    outputs = [(e["id"], e.get("content"), e.get("arguments")) for e in entries if e["type"] != "function.result"][1:]
    assert outputs == [(e.id, getattr(e, "content", None), getattr(e, "arguments", None))
                       for e in result.output_entries if e.type != "function.result"]


def test_a_blocked_streamed_turn_is_a_403_before_any_event(sdk, endpoint):
    """Guardrails given at start apply to streamed turns: the 403 of a non-streamed turn, and nothing kept."""
    before = {c.id for c in sdk.beta.conversations.list(page_size=1000)}
    refused(lambda: sdk.beta.conversations.start_stream(model=CHAT_ALIAS, guardrails=[RAIL], inputs=THREAT,
                                                        completion_args={"max_tokens": 4}), 403, "violence_and_threats")
    assert {c.id for c in sdk.beta.conversations.list(page_size=1000)} == before
    events = read_stream(sdk.beta.conversations.start_stream(model=CHAT_ALIAS, guardrails=[RAIL], inputs="Such a lovely "
                                                             "day, isn't it?", completion_args={"max_tokens": 4}))
    cid = events[0][0].data.conversation_id
    kept = stored(endpoint, cid)
    body = refused(lambda: sdk.beta.conversations.append_stream(conversation_id=cid, inputs=THREAT), 403,
                   "violence_and_threats")
    plain = refused(lambda: sdk.beta.conversations.append(conversation_id=cid, inputs=THREAT), 403, "violence_and_threats")
    assert body == plain  # the same error as unstreamed
    assert stored(endpoint, cid) == kept and [e["type"] for e in kept] == ["message.input", "message.output"]
    refused(lambda: sdk.beta.conversations.append_stream(conversation_id="conv_" + "0" * 32, inputs="Hi"), 404,
            "not found")


def test_a_streamed_turn_left_mid_answer_is_not_kept(sdk, endpoint):
    """A client that disconnects mid-answer stops the generation, and nothing of that turn is kept."""
    started = sdk.beta.conversations.start(model=GEMMA_ALIAS, inputs="Hi", completion_args={"max_tokens": 4})
    cid, limit = started.conversation_id, 400  # the base model writes on to max_tokens
    kept = stored(endpoint, cid)
    stream = sdk.beta.conversations.append_stream(conversation_id=cid, inputs="Tell me a story.",
                                                  completion_args={"max_tokens": limit, "temperature": 0})
    with stream:
        first = [next(stream) for _ in range(6)]
    left = time.time()  # the connection is closed here, a few tokens into the answer
    assert [e.event for e in first] == [STARTED, *[DELTA] * 5]
    per_token = (first[-1].data.created_at - first[1].data.created_at).total_seconds() / 4
    more = sdk.beta.conversations.append(conversation_id=cid, inputs="Hi again", completion_args={"max_tokens": 4})
    # the next turn waited for the conversation, not for the abandoned answer's remaining tokens
    assert time.time() - left < limit * per_token / 2
    entries = stored(endpoint, cid)
    assert entries[:2] == kept and [e["type"] for e in entries] == ["message.input", "message.output"] * 2
    assert entries[2]["content"] == "Hi again" and entries[3]["id"] == more.outputs[0].id

    stream = sdk.beta.conversations.start_stream(model=GEMMA_ALIAS, inputs="Tell me a story.",
                                                 completion_args={"max_tokens": limit})
    with stream:
        new = next(stream).data.conversation_id
    sdk.beta.conversations.append(conversation_id=cid, inputs="Hi", completion_args={"max_tokens": 4})  # after it
    refused(lambda: sdk.beta.conversations.get(conversation_id=new), 404, "not found")

    events = read_stream(sdk.beta.conversations.start_stream(model=CHAT_ALIAS, inputs="Hi", store=False,
                                                             completion_args={"max_tokens": 4}))
    assert events[-1][0].event == DONE
    refused(lambda: sdk.beta.conversations.append(conversation_id=events[0][0].data.conversation_id, inputs="Again"),
            404, "store=False")


def test_bad_inputs_are_4xx_with_a_message(sdk):
    refused(lambda: sdk.beta.conversations.start(model=CHAT_ALIAS, inputs=""), 400, "inputs is empty")
    refused(lambda: sdk.beta.conversations.start(model=CHAT_ALIAS, inputs=[]), 400, "inputs is empty")
    refused(lambda: sdk.beta.conversations.start(model="no-such-model", inputs="Hi"), 404, "no-such-model", CHAT_ALIAS)
    refused(lambda: sdk.beta.conversations.start(inputs="Hi"), 400, "model")
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Hi", completion_args={"max_tokens": 4})
    cid = started.conversation_id
    refused(lambda: sdk.beta.conversations.append(conversation_id=cid, inputs="   "), 400, "inputs is empty")
    refused(lambda: sdk.beta.conversations.append(
        conversation_id=cid, inputs=[{"type": "function.result", "tool_call_id": "abc123xyz", "result": "{}"}]),
        400, "abc123xyz", "tool_call_id")
    call = {"type": "function.call", "tool_call_id": "k3Xq9TzPa", "name": "get_weather", "arguments": '{"city": "Oslo"}'}
    refused(lambda: sdk.beta.conversations.start(model=CHAT_ALIAS, tools=[WEATHER_TOOL], inputs=[
        {"type": "message.input", "role": "user", "content": "Weather in Oslo?"}, call]), 400, "k3Xq9TzPa", "waiting")
    # nothing of the refused requests was kept
    assert len(sdk.beta.conversations.get_history(conversation_id=cid).entries) == 2


@pytest.mark.slow
def test_a_conversation_survives_a_restart_of_the_endpoint(sdk):
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Remember the word 'tulip'.",
                                           completion_args={"max_tokens": 8})
    before = sdk.beta.conversations.get_history(conversation_id=started.conversation_id).entries
    from mistralai.client import Mistral

    # a second endpoint process on the same state folder (WORKBOOK_STATE, which the session fixture set)
    with LocalEndpoint(port=free_port(), say=lambda _: None) as other:
        client = Mistral(api_key="local", server_url=other.base_url)
        after = client.beta.conversations.get_history(conversation_id=started.conversation_id).entries
        assert [e.id for e in after] == [e.id for e in before]
        more = client.beta.conversations.append(conversation_id=started.conversation_id, inputs="Which word?")
        assert more.outputs[0].content.strip()
    entries = sdk.beta.conversations.get_history(conversation_id=started.conversation_id).entries
    assert len(entries) == 4 and entries[-1].id == more.outputs[0].id
