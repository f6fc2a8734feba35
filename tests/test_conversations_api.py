"""The Conversations API (beta) on the embedded endpoint, through the unmodified mistralai client.

Every turn is answered by the real stand-in chat model; refusals and bad input come back as La Plateforme's
error shape with a 4xx and a message that names the problem.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from mistralai.client.errors import HTTPValidationError, MistralError, SDKError

from helpers.engine.embedded import CHAT_ALIAS
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


def test_streaming_is_refused_clearly(sdk):
    refused(lambda: sdk.beta.conversations.start_stream(model=CHAT_ALIAS, inputs="Hi"), 400, "non-streamed")
    started = sdk.beta.conversations.start(model=CHAT_ALIAS, inputs="Hi", completion_args={"max_tokens": 4})
    refused(lambda: sdk.beta.conversations.append_stream(conversation_id=started.conversation_id, inputs="Hi"), 400,
            "non-streamed")


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
