"""helpers.chat: prices and costs, streaming statistics, structured output and explained errors."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Literal

import httpx2
import pytest
from mistralai.client.errors import SDKError
from mistralai.client.models import UsageInfo
from pydantic import BaseModel, Field

from helpers import chat
from helpers.backends import Backend
from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS
from helpers.errors import ContextTooLong, ModelNotFound, explain, friendly_errors
from helpers.exercises import nb02

ASK = [{"role": "system", "content": "You are a concise assistant."},
       {"role": "user", "content": "Name one use of a mixture-of-experts model."}]


# ------------------------------------------------------------------------------------ prices
def test_price_table_is_dated_sourced_and_covers_the_chapter_models():
    prices = chat.load_prices()
    assert prices.source.startswith("https://github.com/mistralai/platform-docs-public/tree/")
    assert dt.date.fromisoformat(prices.as_of) <= dt.date.today()
    assert prices.currency == "USD"
    for model in ("mistral-small-latest", "mistral-large-latest", "codestral-latest", "mistral-embed", "ministral-8b-2512"):
        assert model in prices
    assert "open-mistral-nemo" not in prices  # retired on 2026-07-31: no longer sold
    for name in prices.models():
        price = prices[name]
        assert 0 < price.input < 50 and 0 <= price.output < 100
    assert prices["mistral-embed"].kind == "embeddings" and "mistral-embed" not in prices.models("chat")
    assert "as of " + prices.as_of in prices.caption() and "change" in prices.caption()
    table = prices.table()
    assert list(table.index) == prices.models() and table.loc["codestral-latest", "input USD/M"] == prices["codestral-latest"].input


def test_costs_are_tokens_times_price_per_million():
    prices = chat.load_prices()
    large = prices["mistral-large-latest"]
    assert chat.estimate_cost(1_000_000, 0, "mistral-large-latest") == pytest.approx(large.input)
    assert chat.estimate_cost(0, 1_000_000, "mistral-large-latest") == pytest.approx(large.output)
    assert chat.estimate_cost(2_000, 1_000, "mistral-large-latest") == pytest.approx((2_000 * large.input + 1_000 * large.output) / 1e6)
    table = chat.cost_table(2_000, 1_000, ["mistral-small-latest", "mistral-large-latest"], requests=1_000)
    assert list(table.index) == ["mistral-small-latest", "mistral-large-latest"]
    one = table["this request (USD)"]
    assert table["1,000 requests (USD)"].tolist() == pytest.approx((one * 1_000).tolist())
    assert one["mistral-large-latest"] == pytest.approx(chat.estimate_cost(2_000, 1_000, "mistral-large-latest"))
    assert set(chat.cost_table(10, 10).index) == set(prices.models("chat"))


def test_unknown_model_has_no_price_and_the_error_lists_priced_models():
    with pytest.raises(chat.UnknownPrice) as info:
        chat.estimate_cost(10, 10, CHAT_ALIAS)
    assert "mistral-large-latest" in str(info.value) and "as of" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_price_file_of_the_same_shape_loads(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"source": "https://example.org", "as_of": "2020-01-01",
                                "models": [{"model": "m", "input": 2, "output": None}]}))
    prices = chat.load_prices(path)
    assert prices["m"].cost(500_000, 999) == pytest.approx(1.0)


# ------------------------------------------------------------------------- structured output
class Facts(BaseModel):
    name: str = Field(max_length=24)
    architecture: Literal["dense", "mixture-of-experts"]
    parameters_billion: int


class Outer(BaseModel):
    facts: Facts
    note: str = Field(max_length=10)


def test_json_schema_format_is_strict_everywhere():
    fmt = chat.json_schema_format(Outer)
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Outer" and fmt["json_schema"]["strict"]
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Facts"]["additionalProperties"] is False
    assert schema["$defs"]["Facts"]["properties"]["name"]["maxLength"] == 24
    assert "additionalProperties" not in Outer.model_json_schema()  # the model's own schema is untouched
    loose = chat.json_schema_format(Facts, name="facts", strict=False)
    assert loose["json_schema"]["name"] == "facts" and "additionalProperties" not in loose["json_schema"]["schema"]


def test_structured_output_validates_with_pydantic(sdk):
    response = sdk.chat.complete(
        model=CHAT_ALIAS, messages=[{"role": "user", "content": "Mixtral 8x7B is a sparse mixture-of-experts model. Its facts as JSON:"}],
        response_format=chat.json_schema_format(Facts), max_tokens=80, temperature=0,
    )
    assert response.choices[0].finish_reason == "stop"
    facts = Facts.model_validate_json(response.choices[0].message.content)
    assert facts.architecture in ("dense", "mixture-of-experts") and len(facts.name) <= 24


# --------------------------------------------------------------------------------- streaming
def test_stream_with_stats_matches_the_plain_answer(sdk):
    kwargs = dict(temperature=0, max_tokens=20)
    # llama.cpp reuses the cached prefix of the previous prompt, and a different evaluation batch can flip a
    # near-tie between two tokens even at temperature 0. Repeating the request first puts the stream and the
    # plain call in the same cache state (the whole prompt cached), where greedy decoding must agree.
    sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, **kwargs)
    stats = chat.stream_with_stats(sdk, CHAT_ALIAS, ASK, **kwargs)
    plain = sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, **kwargs)
    assert stats.text == plain.choices[0].message.content
    assert stats.chunks >= 3 and stats.events > stats.chunks  # a role-only first event and a final event
    assert stats.tokens_source == "chunks"  # llama-cpp-python's server sends no usage in the stream
    assert stats.completion_tokens == stats.chunks == plain.usage.completion_tokens
    assert 0 < stats.ttft_s < stats.total_s
    assert stats.arrivals == sorted(stats.arrivals) and stats.arrivals[0] == stats.ttft_s
    assert stats.tokens_per_s == pytest.approx(stats.completion_tokens / (stats.total_s - stats.ttft_s))
    assert stats.finish_reason in ("stop", "length")
    assert f"{stats.chunks} text chunks" in stats.summary() and "tokens/s" in stats.summary()


def test_stream_echo_prints_the_text(sdk, capsys):
    stats = chat.stream_with_stats(sdk, CHAT_ALIAS, ASK, echo=True, temperature=0, max_tokens=6)
    assert capsys.readouterr().out == stats.text + "\n"


def test_collect_stream_prefers_the_final_usage(sdk):
    # A real stream, read by collect_stream, with the final event's usage filled in as La Plateforme sends it.
    events = list(sdk.chat.stream(model=CHAT_ALIAS, messages=ASK, temperature=0, max_tokens=8))
    assert all(e.data.usage is None for e in events)
    last = events[-1].data.model_copy(update={"usage": UsageInfo(prompt_tokens=30, completion_tokens=99, total_tokens=129)})
    events[-1] = events[-1].model_copy(update={"data": last})
    stats = chat.collect_stream(events, time.perf_counter())
    assert stats.tokens_source == "usage" and stats.completion_tokens == 99 and stats.chunks == 8


def test_empty_stream_has_no_rate():
    stats = chat.collect_stream([], time.perf_counter())
    assert stats.ttft_s is None and stats.tokens_per_s is None and "no text" in stats.summary()


# ------------------------------------------------------------------------------------ errors
def _backend(endpoint, sdk) -> Backend:
    return Backend("embedded", endpoint.base_url, sdk, CHAT_ALIAS, EMBED_ALIAS, CHAT_ALIAS)


def test_wrong_model_becomes_model_not_found_listing_the_served_models(endpoint, sdk):
    with pytest.raises(ModelNotFound) as info:
        with friendly_errors(_backend(endpoint, sdk)):
            sdk.chat.complete(model="mistral-7b", messages=ASK, max_tokens=4)
    message = str(info.value)
    assert "mistral-7b" in message and CHAT_ALIAS in message and EMBED_ALIAS in message
    assert isinstance(info.value.__cause__, SDKError) and info.value.__cause__.status_code == 404


def test_context_error_names_the_limit(endpoint, sdk):
    limit = chat.context_limit(sdk, CHAT_ALIAS)
    assert limit == 8192  # SmolLM2's own context, below the endpoint's 32,768
    assert chat.context_limit(sdk, "no-such-model") is None
    with pytest.raises(ContextTooLong) as info:
        with friendly_errors(_backend(endpoint, sdk)):
            sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": chat.oversized_prompt(limit)}], max_tokens=4)
    assert f"context limit is {limit} tokens" in str(info.value)
    with pytest.raises(ValueError):
        chat.oversized_prompt(0)


def test_unrecognised_errors_pass_through():
    with pytest.raises(ZeroDivisionError):
        with friendly_errors():
            1 / 0  # noqa: B018 - the expression is the error under test


def _sdk_error(status: int, body: dict) -> SDKError:
    return SDKError("API error occurred", httpx2.Response(status, json=body), json.dumps(body))


def test_la_plateforme_error_shapes_are_recognised():
    wrong = _sdk_error(400, {"object": "error", "message": "Invalid model: mistral-7b", "type": "invalid_model", "code": "1500"})
    assert isinstance(explain(wrong), ModelNotFound)
    long = _sdk_error(400, {"object": "error", "type": "invalid_request_error", "message":
                            "Prompt contains 140000 tokens and 0 draft tokens, too large for model with 131072 maximum context length"})
    better = explain(long)
    assert isinstance(better, ContextTooLong) and "context limit is 131072 tokens" in str(better)
    other = _sdk_error(400, {"object": "error", "message": "temperature must be at most 1.5"})
    assert explain(other) is None


# --------------------------------------------------------------------------------- exercises
def test_exercise_cost_of_one_request():
    price = chat.load_prices()[nb02.Q1_MODEL]
    right = (nb02.Q1_PROMPT_TOKENS * price.input + nb02.Q1_COMPLETION_TOKENS * price.output) / 1e6
    assert nb02.q1.check(right)
    assert "million" in nb02.q1.check(right * 1e6).message
    assert "thousand" in nb02.q1.check(right * 1e3).message
    swapped = (nb02.Q1_PROMPT_TOKENS * price.output + nb02.Q1_COMPLETION_TOKENS * price.input) / 1e6
    assert "swapped" in nb02.q1.check(swapped).message
    assert not nb02.q1.check(right * 2) and not nb02.q1.check(...)


def test_exercise_two_turn_messages():
    right = [{"role": "system", "content": nb02.SYSTEM}, {"role": "user", "content": nb02.FIRST_QUESTION},
             {"role": "assistant", "content": nb02.FIRST_REPLY}, {"role": "user", "content": nb02.SECOND_QUESTION}]
    assert nb02.q2.check(right)
    no_reply = [m for m in right if m["role"] != "assistant"]
    assert "memory" in nb02.q2.check(no_reply).message
    assert "role" in nb02.q2.check([right[1], right[0], right[2], right[3]]).message
    assert not nb02.q2.check("system, user, assistant, user")


def test_exercise_pydantic_model():
    class Release(BaseModel):
        name: str = Field(max_length=30)
        licence: Literal["Apache-2.0", "MRL", "MNPL"]
        year: int

    class Unbounded(BaseModel):
        name: str
        licence: Literal["Apache-2.0", "MRL", "MNPL"]
        year: int

    class YearAsText(BaseModel):
        name: str = Field(max_length=30)
        licence: Literal["Apache-2.0", "MRL", "MNPL"]
        year: str

    assert nb02.q3.check(Release)
    assert "maximum length" in nb02.q3.check(Unbounded).message
    assert "integer" in nb02.q3.check(YearAsText).message
    assert "class itself" in nb02.q3.check(Release(name="x", licence="MRL", year=2024)).message
    assert "licence" in nb02.q3.check(type("Bare", (BaseModel,), {"__annotations__": {"name": str, "year": int}})).message
