"""The unmodified ollama client against the embedded endpoint's Ollama API."""

from __future__ import annotations

import json

import ollama
import pytest

from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS, embedded_model_info
from helpers.engine.serving import free_port
from helpers.errors import BackendUnreachable, ModelNotFound, explain

GREEDY = {"temperature": 0, "num_predict": 12}


@pytest.fixture(scope="module")
def client(endpoint):
    return ollama.Client(host=endpoint.base_url)


def get_weather(city: str, unit: str) -> str:
    """Get the current weather for a city.

    Args:
      city: The city name
      unit: celsius or fahrenheit
    """
    return f"22 degrees {unit} in {city}"


def test_version_list_show_ps(client, endpoint):
    import httpx

    assert "standin" in httpx.get(endpoint.base_url + "/api/version").json()["version"]
    names = [m.model for m in client.list().models]
    assert names[:2] == [f"{CHAT_ALIAS}:latest", f"{EMBED_ALIAS}:latest"]
    first = client.list().models[0]
    info = embedded_model_info()[CHAT_ALIAS]
    assert len(first.digest) == 64 and first.digest not in (info["sha256"], info["adapter_sha256"])  # base + adapter
    assert first.details.quantization_level == "Q4_1" and first.details.parameter_size == "135M"
    shown = client.show(CHAT_ALIAS)
    assert shown.modelinfo["general.architecture"] == "llama" and "tools" in shown.capabilities
    assert "Stand-in" in shown.modelfile and shown.details.family == "llama" and "<|im_start|>" in shown.template
    assert {m.model for m in client.ps().models} == {f"{CHAT_ALIAS}:latest", f"{EMBED_ALIAS}:latest"}


def test_chat_and_its_stream_agree(client):
    ask = [{"role": "user", "content": "Write a long paragraph about the history of Paris."}]
    whole = client.chat(model=CHAT_ALIAS, messages=ask, options=GREEDY)
    assert whole.done and whole.eval_count == 12 and whole.prompt_eval_count > 3 and whole.done_reason == "length"
    parts = list(client.chat(model=f"{CHAT_ALIAS}:latest", messages=ask, options=GREEDY, stream=True))
    assert len(parts) > 3 and parts[-1].done and not any(p.done for p in parts[:-1])
    assert "".join(p.message.content for p in parts) == whole.message.content
    assert parts[-1].prompt_eval_count == whole.prompt_eval_count and parts[-1].eval_count == whole.eval_count


def test_generate_stream_and_json_format(client):
    pieces = list(client.generate(model=CHAT_ALIAS, prompt="1, 2, 3, 4,", options=GREEDY, stream=True))
    assert any(ch.isdigit() for ch in "".join(p.response for p in pieces))
    schema = {"type": "object", "properties": {"city": {"type": "string", "maxLength": 20}}, "required": ["city"],
              "additionalProperties": False}
    reply = client.generate(model=CHAT_ALIAS, prompt="A French city as JSON:", format=schema, options={"temperature": 0})
    assert isinstance(json.loads(reply.response)["city"], str)


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_tool_calls_have_dict_arguments_from_a_python_function(client):
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    reply = client.chat(model=CHAT_ALIAS, messages=ask, tools=[get_weather], options={"temperature": 0})
    # Greedy, the stand-in calls the tool for this question: a text answer here would leave the call path untested.
    assert reply.message.tool_calls, f"expected a get_weather call, got text: {reply.message.content!r}"
    call = reply.message.tool_calls[0]
    assert call.function.name == "get_weather" and isinstance(call.function.arguments, dict)
    assert set(call.function.arguments) == {"city", "unit"} and call.function.arguments["city"] == "Paris"
    result = get_weather(**call.function.arguments)
    called = [*ask, reply.message]  # the call goes back as Ollama sends it: arguments as a dict
    follow = client.chat(model=CHAT_ALIAS, options=GREEDY, messages=[
        *called, {"role": "tool", "tool_name": "get_weather", "content": result}])
    assert follow.message.content.strip()
    without_result = client.chat(model=CHAT_ALIAS, options={"temperature": 0, "num_predict": 1}, messages=called)
    assert follow.prompt_eval_count > without_result.prompt_eval_count, "the tool's result must reach the model's prompt"
    streamed = list(client.chat(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Weather in Oslo?"}],
                                tools=[get_weather], options={"temperature": 0}, stream=True))
    assert streamed[-1].done and not any(part.done for part in streamed[:-1])
    calls = [c for part in streamed for c in part.message.tool_calls or []]
    assert [(c.function.name, c.function.arguments.get("city")) for c in calls] == [("get_weather", "Oslo")]
    assert isinstance(calls[0].function.arguments, dict)


def test_embed_and_legacy_embeddings(client):
    vectors = client.embed(model=EMBED_ALIAS, input=["threat intelligence", "malware report", "apple pie"]).embeddings
    assert [len(v) for v in vectors] == [384, 384, 384]
    dot = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731
    assert dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2])
    assert len(client.embeddings(model=EMBED_ALIAS, prompt="hello").embedding) == 384
    with pytest.raises(ollama.ResponseError, match="256 tokens"):
        client.embed(model=EMBED_ALIAS, input="word " * 400, truncate=False)


def test_pull_streams_real_progress_and_refuses_what_it_cannot_fetch(client):
    steps = list(client.pull(CHAT_ALIAS, stream=True))
    progress = [s for s in steps if s.total]
    assert progress[-1].completed == progress[-1].total and len(progress) > 3
    assert [s.status for s in steps][-3:] == ["verifying sha256 digest", "writing manifest", "success"]
    with pytest.raises(ollama.ResponseError) as info:
        client.pull("mistral")
    assert isinstance(explain(info.value, backend="Ollama"), ModelNotFound)


def test_create_show_chat_delete_a_modelfile_model(client):
    client.create(model="analyst", from_=CHAT_ALIAS, system="You are a terse security analyst.",
                  parameters={"temperature": 0, "num_predict": 4})
    try:
        assert "analyst:latest" in [m.model for m in client.list().models]
        modelfile = client.show("analyst").modelfile
        assert 'SYSTEM """You are a terse security analyst."""' in modelfile and "PARAMETER num_predict 4" in modelfile
        plain = client.chat(model=CHAT_ALIAS, messages=[{"role": "user", "content": "hi"}], options={"num_predict": 4})
        tuned = client.chat(model="analyst", messages=[{"role": "user", "content": "hi"}])
        assert tuned.eval_count == 4 and tuned.prompt_eval_count > plain.prompt_eval_count  # system prompt applied
    finally:
        client.delete("analyst")
    assert "analyst:latest" not in [m.model for m in client.list().models]


def test_unknown_model_and_refused_connection_get_clear_fixes(client):
    with pytest.raises(ollama.ResponseError) as info:
        client.chat(model="mixtral", messages=[{"role": "user", "content": "hi"}])
    assert info.value.status_code == 404
    friendly = explain(info.value, backend="Ollama")
    assert isinstance(friendly, ModelNotFound) and "ollama pull mixtral" in str(friendly)
    with pytest.raises(ConnectionError) as refused:
        ollama.Client(host=f"http://127.0.0.1:{free_port()}").list()
    assert isinstance(explain(refused.value), BackendUnreachable) and "ollama serve" in str(explain(refused.value))


def test_async_client(client, endpoint):
    """Three chats in flight at once through AsyncClient: each gets its own answer, the one a plain call gets."""
    import asyncio
    import time

    asks = [[{"role": "user", "content": f"{n} + {n} ="}] for n in range(3)]

    async def run():
        async_client = ollama.AsyncClient(host=endpoint.base_url)

        async def one(messages):
            sent = time.perf_counter()
            reply = await async_client.chat(model=CHAT_ALIAS, messages=messages, options=GREEDY)
            return sent, time.perf_counter(), reply.message.content

        return await asyncio.gather(*(one(messages) for messages in asks))

    results = asyncio.run(run())
    sent, finished, texts = zip(*results)
    assert max(sent) < min(finished), f"the requests did not overlap: sent {sent}, finished {finished}"
    assert list(texts) == [client.chat(model=CHAT_ALIAS, messages=messages, options=GREEDY).message.content
                           for messages in asks]
    assert all(text.strip() for text in texts)


def test_tool_call_shapes_convert_both_ways():
    from helpers.engine.ollama_api import messages_to_openai, options_to_llama, tool_calls_to_ollama

    openai_calls = [{"id": "abcdefghi", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}]
    assert tool_calls_to_ollama(openai_calls) == [{"function": {"index": 0, "name": "f", "arguments": {"x": 1}}}]
    history = messages_to_openai([{"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
                                  {"role": "tool", "tool_name": "f", "content": "2"}])
    assert json.loads(history[0]["tool_calls"][0]["function"]["arguments"]) == {"x": 1}
    assert history[1] == {"role": "tool", "content": "2", "name": "f"}
    # Ollama's -1 ("until done") is bounded by the endpoint's maximum output
    assert options_to_llama({"num_predict": -1, "temperature": 0, "num_ctx": 4096}) == {"temperature": 0, "max_tokens": 4096}


def test_a_model_made_through_the_ollama_api_is_served_on_v1_too(client, sdk):
    """As on a real daemon: `ollama create` / `ollama pull` make a name the OpenAI-compatible /v1 serves."""
    client.create(model="mistral", from_=CHAT_ALIAS, system="Answer with the single word: bonjour.",
                  parameters={"num_predict": 8, "temperature": 0})
    try:
        assert client.pull("all-minilm").status == "success"  # Ollama's all-minilm is the embedding stand-in's model
        ids = [card.id for card in sdk.models.list().data]
        assert {"mistral:latest", "all-minilm:latest"} <= set(ids)
        made = sdk.chat.complete(model="mistral", messages=[{"role": "user", "content": "Hello"}])
        plain = sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Hello"}], max_tokens=8,
                                  temperature=0)
        assert made.usage.prompt_tokens > plain.usage.prompt_tokens  # the SYSTEM prompt was applied
        assert made.usage.completion_tokens <= 8  # and its num_predict
        # Ollama's OpenAI layer reads no `tool_choice` (ollama/ollama openai.go): a choice naming no offered tool is
        # refused by the endpoint's own name and ignored under an Ollama-made one, as a daemon ignores it.
        tool = {"type": "function", "function": {"name": "get_time", "description": "The time in a city.",
                                                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                                "required": ["city"]}}}
        ask = {"messages": [{"role": "user", "content": "Hello"}], "tools": [tool], "max_tokens": 4,
               "tool_choice": {"type": "function", "function": {"name": "not_offered"}}}
        with pytest.raises(Exception, match="not_offered"):
            sdk.chat.complete(model=CHAT_ALIAS, **ask)
        assert sdk.chat.complete(model="mistral", **ask).choices
        vectors = sdk.embeddings.create(model="all-minilm:latest", inputs=["a cat", "a kitten"]).data
        direct = sdk.embeddings.create(model=EMBED_ALIAS, inputs=["a cat", "a kitten"]).data
        assert [v.embedding for v in vectors] == [v.embedding for v in direct]
        with pytest.raises(ollama.ResponseError):
            client.pull("nomic-embed-text")  # a model that is not here cannot be pulled offline
    finally:
        for name in ("mistral", "all-minilm"):
            client.delete(name)
    assert "mistral:latest" not in [card.id for card in sdk.models.list().data]
