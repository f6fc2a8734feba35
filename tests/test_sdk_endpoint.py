"""The unmodified mistralai SDK against the embedded endpoint, over HTTP, for every call it serves."""

from __future__ import annotations

import json

import jsonschema
import pytest
from mistralai.client.errors import SDKError

from helpers.engine.embedded import (
    CHAT_ALIAS,
    EMBED_ALIAS,
    MODERATION_ALIAS,
    OCR_ALIAS,
)
from helpers.errors import ContextTooLong, ModelNotFound, explain

INDICATOR_TOOL = {
    "type": "function",
    "function": {
        "name": "search_database",
        "description": "Search the threat database for indicators",
        "parameters": {
            "type": "object",
            "properties": {"indicator": {"type": "string", "description": "IP address, hash, or domain", "maxLength": 40}},
            "required": ["indicator"],
        },
    },
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "maxLength": 30}, "unit": {"enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}
TOOLS = [INDICATOR_TOOL, WEATHER_TOOL]
ASK = [{"role": "user", "content": "Check IP 203.0.113.7 in the threat database"}]


def _check_call(call, tools=TOOLS):
    """A tool call names one of the tools and its arguments validate against that tool's schema."""
    by_name = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
    assert call.function.name in by_name
    args = json.loads(call.function.arguments) if isinstance(call.function.arguments, str) else call.function.arguments
    jsonschema.validate(args, by_name[call.function.name])
    assert len(call.id) == 9 and call.id.isalnum()
    return args


def test_models_list_has_types_and_capabilities(sdk, served_models):
    cards = {m.id: m for m in sdk.models.list().data}
    assert set(cards) == served_models
    assert cards[MODERATION_ALIAS].capabilities.moderation and not cards[MODERATION_ALIAS].capabilities.completion_chat
    assert cards[OCR_ALIAS].capabilities.ocr and not cards[OCR_ALIAS].capabilities.moderation
    assert cards[CHAT_ALIAS].capabilities.completion_chat and cards[CHAT_ALIAS].capabilities.function_calling
    assert not cards[EMBED_ALIAS].capabilities.completion_chat
    assert cards[CHAT_ALIAS].max_context_length >= 8192
    assert "Stand-in" in cards[CHAT_ALIAS].description


def test_chat_complete_is_deterministic_at_temperature_zero(sdk):
    kwargs = dict(model=CHAT_ALIAS, messages=[{"role": "user", "content": "The capital of France is"}],
                  temperature=0, max_tokens=16, random_seed=7)
    first = sdk.chat.complete(**kwargs)
    second = sdk.chat.complete(**kwargs)
    assert first.model == CHAT_ALIAS
    assert first.choices[0].message.content.strip()
    assert first.choices[0].message.content == second.choices[0].message.content
    assert 0 < first.usage.completion_tokens <= 16
    assert first.usage.prompt_tokens > 3


def test_system_message_reaches_the_prompt(sdk):
    user = [{"role": "user", "content": "Hello"}]
    bare = sdk.chat.complete(model=CHAT_ALIAS, messages=user, max_tokens=1, temperature=0)
    with_system = sdk.chat.complete(
        model=CHAT_ALIAS, messages=[{"role": "system", "content": "You are a terse assistant for security analysts."}, *user],
        max_tokens=1, temperature=0,
    )
    assert with_system.usage.prompt_tokens >= bare.usage.prompt_tokens + 8


def test_chat_stream_yields_several_chunks(sdk):
    chunks = list(sdk.chat.stream(model=CHAT_ALIAS, messages=[{"role": "user", "content": "List three colours:"}],
                                  max_tokens=24, temperature=0))
    pieces = [c.data.choices[0].delta.content for c in chunks if c.data.choices and c.data.choices[0].delta.content]
    assert len(pieces) >= 3
    assert "".join(pieces).strip()
    assert chunks[-1].data.choices[0].finish_reason in ("stop", "length")


def test_json_object_mode_returns_json(sdk):
    # A base model follows a pattern, not an instruction: show it two examples and it closes the object.
    prompt = 'Animal facts as JSON.\ndog: {"animal": "dog", "legs": 4}\nbird: {"animal": "bird", "legs": 2}\ncat:'
    response = sdk.chat.complete(
        model=CHAT_ALIAS, messages=[{"role": "user", "content": prompt}],
        response_format={"type": "json_object"}, max_tokens=150, temperature=0,
    )
    assert response.choices[0].finish_reason == "stop"
    assert isinstance(json.loads(response.choices[0].message.content), dict)


def test_json_schema_output_validates(sdk):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 30}, "population": {"type": "integer"},
                       "coastal": {"type": "boolean"}},
        "required": ["city", "population", "coastal"],
        "additionalProperties": False,
    }
    response = sdk.chat.complete(
        model=CHAT_ALIAS, messages=[{"role": "user", "content": "Describe Marseille as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema, "strict": True}},
        max_tokens=120, temperature=0,
    )
    jsonschema.validate(json.loads(response.choices[0].message.content), schema)


def test_tool_choice_any_calls_a_tool_with_valid_arguments(sdk):
    response = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=TOOLS, tool_choice="any", temperature=0)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert len(choice.message.tool_calls) == 1
    _check_call(choice.message.tool_calls[0])


def test_tool_choice_named_function_is_obeyed(sdk):
    response = sdk.chat.complete(
        model=CHAT_ALIAS, messages=ASK, tools=TOOLS, temperature=0,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    call = response.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert _check_call(call)["unit"] in ("celsius", "fahrenheit")


def test_tool_choice_none_answers_in_text(sdk):
    response = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=TOOLS, tool_choice="none",
                                 max_tokens=20, temperature=0)
    message = response.choices[0].message
    assert not message.tool_calls
    assert message.content.strip()


def test_tool_choice_auto_returns_a_call_or_an_answer(sdk):
    response = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=TOOLS, tool_choice="auto", temperature=0)
    message = response.choices[0].message
    if message.tool_calls:
        _check_call(message.tool_calls[0])
        assert response.choices[0].finish_reason == "tool_calls"
    else:
        assert isinstance(message.content, str) and response.choices[0].finish_reason == "stop"


def test_tool_call_streams(sdk):
    chunks = list(sdk.chat.stream(model=CHAT_ALIAS, messages=ASK, tools=[INDICATOR_TOOL], tool_choice="any", temperature=0))
    calls = [call for c in chunks for call in (c.data.choices[0].delta.tool_calls or [])]
    assert len(calls) == 1
    _check_call(calls[0])
    assert chunks[-1].data.choices[0].finish_reason == "tool_calls"


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_tool_round_trip_reaches_a_final_answer(sdk):
    first = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=[INDICATOR_TOOL], tool_choice="any", temperature=0)
    call = first.choices[0].message.tool_calls[0]
    result = json.dumps({"indicator": "203.0.113.7", "verdict": "malicious", "source": "synthetic test row"})
    history = [
        *ASK,
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "name": call.function.name, "tool_call_id": call.id, "content": result},
    ]
    final = sdk.chat.complete(model=CHAT_ALIAS, messages=history, tools=[INDICATOR_TOOL], tool_choice="none",
                              max_tokens=30, temperature=0)
    assert final.choices[0].message.content.strip()
    assert not final.choices[0].message.tool_calls
    # The call and its result were part of the prompt the model read.
    without = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=[INDICATOR_TOOL], tool_choice="none",
                                max_tokens=1, temperature=0)
    assert final.usage.prompt_tokens > without.usage.prompt_tokens + 30


def test_embeddings_are_384_dim_and_meaningful(sdk):
    texts = ["The firewall blocked a malicious IP address.",
             "A network filter stopped traffic from a known bad host.",
             "My grandmother bakes apple pie on Sundays."]
    response = sdk.embeddings.create(model=EMBED_ALIAS, inputs=texts)
    vectors = [d.embedding for d in response.data]
    assert [len(v) for v in vectors] == [384, 384, 384]
    assert response.id and response.model == EMBED_ALIAS and response.usage.prompt_tokens > 10

    def cos(a, b):
        return sum(x * y for x, y in zip(a, b))  # vectors are unit length

    assert abs(cos(vectors[0], vectors[0]) - 1) < 1e-4
    assert cos(vectors[0], vectors[1]) > cos(vectors[0], vectors[2]) + 0.2


def test_wrong_model_name_lists_the_served_models(sdk):
    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model="mistral-large-latest", messages=ASK)
    assert info.value.status_code == 404
    assert CHAT_ALIAS in str(info.value) and EMBED_ALIAS in str(info.value)
    assert isinstance(explain(info.value), ModelNotFound)


def test_prompt_over_the_context_limit_names_the_limit(sdk, endpoint):
    limit = {m.id: m for m in sdk.models.list().data}[CHAT_ALIAS].max_context_length
    huge = "alpha " * (limit + 500)
    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": huge}], max_tokens=4)
    assert info.value.status_code == 400
    friendly = explain(info.value)
    assert isinstance(friendly, ContextTooLong)
    assert str(limit) in str(friendly)
    # Streamed, the same error arrives before the stream starts (not as an empty stream).
    with pytest.raises(SDKError) as info:
        list(sdk.chat.stream(model=CHAT_ALIAS, messages=[{"role": "user", "content": huge}], max_tokens=4))
    assert info.value.status_code == 400 and f"maximum context length is {limit}" in str(info.value)


def test_embedding_input_over_the_limit_names_the_limit(sdk):
    with pytest.raises(SDKError) as info:
        sdk.embeddings.create(model=EMBED_ALIAS, inputs=["word " * 600])
    assert info.value.status_code == 400 and "at most 256 tokens" in str(info.value)


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_parallel_tool_calls_come_as_a_list_of_valid_calls(sdk):
    ask = [{"role": "user", "content": "Check IP 203.0.113.7 in the threat database, and get the weather in Paris in celsius."}]
    response = sdk.chat.complete(model=CHAT_ALIAS, messages=ask, tools=TOOLS, tool_choice="any",
                                 parallel_tool_calls=True, temperature=0)
    calls = response.choices[0].message.tool_calls
    assert 1 <= len(calls) <= 4
    for call in calls:
        _check_call(call)
    assert len({c.id for c in calls}) == len(calls)
    streamed = list(sdk.chat.stream(model=CHAT_ALIAS, messages=ask, tools=TOOLS, tool_choice="any",
                                    parallel_tool_calls=True, temperature=0))
    deltas = [call for c in streamed for call in (c.data.choices[0].delta.tool_calls or [])]
    assert [d.function.name for d in deltas] == [c.function.name for c in calls]
    assert [d.index for d in deltas] == list(range(len(calls)))


def test_a_tool_schema_that_cannot_become_a_grammar_is_a_clear_400(sdk):
    bad = {"type": "function", "function": {"name": "lookup_domain", "parameters": {
        "type": "object", "properties": {"domain": {"type": "string", "pattern": "^(?:[a-z]+\\.)+[a-z]{2,}$"}},
        "required": ["domain"]}}}
    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=[bad], tool_choice="any")
    assert info.value.status_code == 400
    assert "lookup_domain" in str(info.value) and "cannot be turned into a grammar" in str(info.value)


IPV4 = {"type": "object", "properties": {"ip": {"type": "string", "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}$"}},
        "required": ["ip"]}
DIGITS = {"type": "object", "properties": {"v": {"type": "string", "pattern": "^(\\d{3})+$"}}, "required": ["v"]}


@pytest.mark.parametrize("schema", [IPV4, DIGITS], ids=["ipv4-pattern", "digit-escape"])
def test_a_schema_llama_cpp_cannot_parse_is_a_400_and_the_server_lives(sdk, endpoint, schema):
    import httpx

    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, response_format=fmt, max_tokens=8)
    assert info.value.status_code == 400 and "grammar parser rejected it" in str(info.value)
    tool = {"type": "function", "function": {"name": "lookup_ip", "parameters": schema}}
    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, tools=[tool], tool_choice="auto", max_tokens=8)
    assert info.value.status_code == 400 and "lookup_ip" in str(info.value)
    raw = httpx.post(endpoint.base_url + "/v1/completions", json={"model": CHAT_ALIAS, "prompt": "x", "max_tokens": 4,
                                                                  "grammar": 'root ::= "\\d"'}, timeout=30)
    assert raw.status_code == 400 and raw.json()["param"] == "grammar"
    ollama = httpx.post(endpoint.base_url + "/api/chat", json={"model": CHAT_ALIAS, "stream": False, "format": schema,
                                                                "messages": [{"role": "user", "content": "x"}]}, timeout=30)
    assert ollama.status_code == 400 and "grammar parser rejected it" in ollama.json()["error"]
    # the process survived all four: a plain request still gets an answer
    alive = sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Say hi."}], max_tokens=8)
    assert alive.choices[0].message.content


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_concurrent_streams_each_finish_whole(sdk):
    """A new request waits for the model instead of cutting the stream in flight short.

    A long stream starts alone; once its first piece has come, three more requests are sent while it is still
    streaming. Each stream, the first one too, must end as it ends when it runs alone: the same finish reason and
    the same (greedy) text.
    """
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    prompts = ["Write a long paragraph about the history of Paris.",
               *(f"Count from 1 to {n + 5}, separated by commas." for n in range(3))]

    def stream(prompt: str, first_piece: threading.Event | None = None) -> tuple[float, float, str | None, str]:
        sent, pieces, finish = time.perf_counter(), [], None
        for event in sdk.chat.stream(model=CHAT_ALIAS, max_tokens=32, temperature=0,
                                     messages=[{"role": "user", "content": prompt}]):
            choice = event.data.choices[0]
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
            if first_piece is not None:
                first_piece.set()
        return sent, time.perf_counter(), finish, "".join(pieces)

    alone = [stream(prompt)[2:] for prompt in prompts]
    assert all(finish in ("stop", "length") and text for finish, text in alone), alone
    first_piece = threading.Event()
    with ThreadPoolExecutor(len(prompts)) as pool:
        first = pool.submit(stream, prompts[0], first_piece)
        assert first_piece.wait(120), "the first stream sent nothing"
        others = [pool.submit(stream, prompt) for prompt in prompts[1:]]
        results = [first.result(), *(future.result() for future in others)]
    first_finished = results[0][1]
    assert all(sent < first_finished for sent, *_ in results[1:]), "the other requests came after the first stream ended"
    assert [result[2:] for result in results] == alone  # every stream whole: as it ends alone


GUARDRAIL = {"block_on_error": True, "moderation_llm_v2": {"custom_category_thresholds": {"violence_and_threats": 0.2},
                                                           "ignore_other_categories": False, "action": "block"}}


def test_guardrails_block_a_threat_and_let_a_greeting_through(sdk):
    """Guardrails on chat are applied by the moderation classifier before the model sees the request: a threat is
    blocked with a 403 naming the category, a greeting is answered."""
    from mistralai.client import errors

    reply = sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Such a lovely day, isn't it?"}],
                              max_tokens=4, guardrails=[GUARDRAIL])
    assert reply.choices[0].message.content
    with pytest.raises(errors.SDKError) as caught:
        sdk.chat.complete(model=CHAT_ALIAS, max_tokens=4, guardrails=[GUARDRAIL],
                          messages=[{"role": "user", "content": "If you report me again I will find you and hurt you."}])
    assert caught.value.status_code == 403 and "violence_and_threats" in caught.value.body
    # the same threat with the category left to others and ignored is not blocked: the thresholds decide
    lenient = {"moderation_llm_v2": {"custom_category_thresholds": {"sexual": 0.5}, "ignore_other_categories": True,
                                     "action": "block"}}
    assert sdk.chat.complete(model=CHAT_ALIAS, max_tokens=4, guardrails=[lenient],
                             messages=[{"role": "user", "content": "If you report me again I will find you and hurt you."}])
    # action "none" reports nothing and blocks nothing
    report_only = {"moderation_llm_v2": {**GUARDRAIL["moderation_llm_v2"], "action": "none"}}
    assert sdk.chat.complete(model=CHAT_ALIAS, max_tokens=4, guardrails=[report_only],
                             messages=[{"role": "user", "content": "If you report me again I will find you and hurt you."}])


@pytest.mark.parametrize("rail, says", [
    ({"moderation_llm_v2": {"custom_category_thresholds": {"jailbreaking": 0.3}, "action": "block"}}, "jailbreaking"),
    ({"moderation_llm_v2": {"custom_category_thresholds": {"violence": 0.3}}}, "unknown category"),
    ({"moderation_llm_v2": {"custom_category_thresholds": {"pii": 3}}}, "from 0 to 1"),
    ({"moderation_llm_v2": {"action": "shout"}}, "'block' or 'none'"),
    ({"moderation_llm_v2": {"model_name": "my-moderator"}}, "not a moderation model served here"),
    ({"moderation_llm_v3": {}}, "unknown field"),
    ("block everything", "must be an object"),
])
def test_malformed_guardrails_get_a_400_that_names_the_problem(endpoint, rail, says):
    """Bad guardrails never reach the model and never pass silently (raw HTTP: the SDK would refuse some shapes)."""
    import httpx

    body = {"model": CHAT_ALIAS, "max_tokens": 4, "messages": [{"role": "user", "content": "hi"}], "guardrails": [rail]}
    answer = httpx.post(endpoint.base_url + "/v1/chat/completions", json=body, timeout=60)
    assert answer.status_code == 400, answer.text
    assert answer.json()["param"] == "guardrails" and says in answer.json()["message"]
