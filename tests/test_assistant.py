"""The workbook assistant: its data, how it is rendered, how it is scored, and what it scores when served."""

from __future__ import annotations

import json

import pytest

from helpers import assistant
from helpers.assistant import Reply, check_one, check_reply, load_records, render, shared_spans, target_text
from helpers.engine import chat_format

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",
           "parameters": {"type": "object", "properties": {"unit": {"type": "string", "enum": ["C", "F"]},
                                                           "city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture(scope="module")
def train():
    return load_records("train")


@pytest.fixture(scope="module")
def heldout():
    return load_records("heldout")


def test_training_records_are_well_formed(train):
    kinds = {r["kind"] for r in train}
    assert kinds == set(assistant.KINDS)
    for r in train:
        assert r["messages"][-1]["role"] == "assistant"
        prompt, answer = render(r)
        assert prompt.endswith("<|im_start|>assistant\n") and answer.endswith(chat_format.IM_END)
        for call in r["messages"][-1].get("tool_calls") or []:
            names = {t["function"]["name"] for t in r["tools"]}
            assert call["function"]["name"] in names
            json.loads(call["function"]["arguments"])


def test_heldout_records_are_well_formed(heldout):
    ids = [r["id"] for r in heldout]
    assert len(ids) == len(set(ids)) and len(ids) >= 100
    assert {r["kind"] for r in heldout} == set(assistant.KINDS)
    checks = {"contains", "contains_any", "excludes", "equals", "number", "json", "tool_call", "no_tool_call",
              "python", "max_words", "lines"}
    for r in heldout:
        assert r["messages"][-1]["role"] in ("user", "tool"), r["id"]
        assert r["expect"] and all(len(spec) == 1 and next(iter(spec)) in checks for spec in r["expect"]), r["id"]


def test_heldout_shares_no_long_span_with_training(train, heldout):
    assert shared_spans(heldout, train) == []


def test_the_span_check_finds_a_planted_copy(train, heldout):
    source = next(m["content"] for r in train for m in r["messages"]
                  if m["role"] == "user" and len(assistant.normalised_words(m["content"])) >= 12)
    planted = dict(heldout[0], id="planted", messages=[{"role": "user", "content": "Please, " + source.upper()}])
    assert [hit[0] for hit in shared_spans([planted, heldout[1]], train)] == ["planted"]


def test_heldout_tools_are_unseen_in_training(train, heldout):
    trained = {t["function"]["name"] for r in train for t in r.get("tools") or []}
    held = {t["function"]["name"] for r in heldout for t in r.get("tools") or []}
    assert held and not (held & trained)


def test_prompt_is_the_endpoints_own_rendering():
    record = {"kind": "tool", "tools": [WEATHER], "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Lyon, in F?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "a1B2c3D4e", "type": "function", "function": {
            "name": "get_weather", "arguments": json.dumps({"unit": "F", "city": "Lyon"})}}]}]}
    prompt, answer = render(record)
    assert prompt == chat_format.prompt_text(chat_format.CHATML_HANDLER, record["messages"][:-1], [WEATHER], "auto")
    assert prompt.startswith("<|im_start|>system\nBe brief.\n\n[AVAILABLE_TOOLS]")
    # required properties first, in schema order: the order llama.cpp's grammar writes them in
    assert answer == '{"name": "get_weather", "arguments": {"city": "Lyon", "unit": "F"}}<|im_end|>'


def test_plain_answer_under_tools_is_the_answer_branch():
    record = {"kind": "tool", "tools": [WEATHER], "messages": [{"role": "user", "content": "Hi!"},
                                                              {"role": "assistant", "content": "Hello."}]}
    assert target_text(record) == '{"answer": "Hello."}'
    assert target_text({**record, "tool_choice": "none"}) == "Hello."


def test_schema_answers_follow_the_schema_order():
    schema = {"type": "object", "properties": {"note": {"type": "string"}, "score": {"type": "integer"}},
              "required": ["score"]}
    record = {"kind": "json", "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
              "messages": [{"role": "user", "content": "Rate it."},
                           {"role": "assistant", "content": '{"note": "ok", "score": 4}'}]}
    assert target_text(record) == '{"score": 4, "note": "ok"}'
    # The prompt names JSON mode and the schema, exactly as the endpoint renders the same request.
    from helpers.engine.chat_handlers import request_prompt

    prompt, _ = render(record)
    assert prompt.startswith("<|im_start|>system\nReply with one JSON object and nothing else. It follows this JSON "
                             'schema: {"type": "object"')
    served = {"messages": record["messages"][:-1], "response_format": {"type": "json_object", "schema": schema}}
    assert prompt == request_prompt(chat_format.CHATML_HANDLER, served)


def test_rag_training_names_the_refusal_for_answerable_and_unanswerable_items(train):
    refusal = "The sources do not say."
    rag = [r for r in train if r["kind"] == "rag" and r["messages"][0]["role"] == "system"]
    named = [r for r in rag if refusal in r["messages"][0]["content"]]
    answered = [r for r in named if not r["messages"][-1]["content"].startswith(refusal)]
    # The instruction must not give the answer away: most items that carry it are answerable.
    assert len(named) >= 80 and len(answered) >= 0.6 * len(named)


@pytest.mark.parametrize("spec, good, bad", [
    ({"contains": ["Apache"]}, Reply("Apache-2.0.", []), Reply("MIT.", [])),
    ({"equals": "yes"}, Reply("Yes.", []), Reply("No.", [])),
    ({"number": 42}, Reply("12 + 30 = 42.", []), Reply("12 + 30 = 35.", [])),
    ({"json": {"colour": None}}, Reply('{"colour": "blue"}', []), Reply('{"colour": "bl', [])),
    ({"tool_call": {"name": "f", "arguments": {"x": "Lyon"}}}, Reply("", [("f", {"x": "lyon"})]), Reply("", [("g", {"x": "Lyon"})])),
    ({"no_tool_call": True}, Reply("Hello.", []), Reply("", [("f", {})])),
    ({"max_words": 3}, Reply("Paris, France.", []), Reply("It is Paris, in France.", [])),
    ({"lines": 2}, Reply("- a\n- b", []), Reply("- a\n- b\n- c", [])),
    ({"python": {"entry_point": "double", "tests": "assert double(2) == 4"}},
     Reply("```python\ndef double(x):\n    return 2 * x\n```", []), Reply("```python\ndef double(x):\n    return x\n```", [])),
])
def test_each_check_passes_a_right_reply_and_fails_a_wrong_one(spec, good, bad):
    assert check_one(spec, good)[0] and not check_one(spec, bad)[0]


def test_a_text_check_fails_a_tool_call():
    assert not check_reply({"expect": [{"contains": ["14"]}]}, Reply("", [("f", {"t": 14})]))[0]


def test_code_references_pass_their_own_checks(heldout):
    coded = [r for r in heldout if r["kind"] == "code" and r.get("reference")]
    assert coded
    for r in coded:
        assert check_reply(r, Reply(f"```python\n{r['reference']}\n```", []))[0], r["id"]


def test_training_plan_gives_each_kind_its_own_number_of_passes():
    from collections import Counter

    from helpers.assistant.training import TrainSettings, training_plan

    kinds = ["fact"] * 40 + ["tool"] * 40 + ["other"] * 10
    lengths = [30 + i % 7 for i in range(40)] + [300 + i % 11 for i in range(40)] + [50] * 10
    settings = TrainSettings(epochs=1.0, kind_epochs={"fact": 3.0, "tool": 1.5}, tokens_per_batch=400, seed=7)
    plan = training_plan(lengths, kinds, settings)
    seen = Counter(i for batch in plan for i in batch)
    assert {seen[i] for i in range(40)} == {3}  # every fact three times
    assert sum(seen[i] for i in range(40, 80)) == 60 and {seen[i] for i in range(40, 80)} == {1, 2}  # half twice
    assert {seen[i] for i in range(80, 90)} == {1}  # a kind not named: `epochs` passes
    assert all(len(set(batch)) == len(batch) for batch in plan)  # never twice in one batch
    assert all(max(lengths[i] for i in b) * len(b) <= 400 or len(b) == 1 for b in plan)
    assert plan == training_plan(lengths, kinds, settings)  # seeded
    # the passes are shuffled together: the run does not end on the kind with most passes
    assert {kinds[i] for b in plan[-len(plan) // 3:] for i in b} >= {"fact", "tool"}


@pytest.mark.parametrize("adapter", ["assistant/workbook-assistant-lora.gguf", "fim/workbook-fim-lora.gguf"])
def test_committed_adapters_name_their_base_model_not_a_machine_path(adapter):
    from gguf import GGUFReader

    from helpers.paths import data_dir

    reader = GGUFReader(data_dir() / adapter)
    strings = [str(field.contents()) for name, field in reader.fields.items() if name.startswith("general.")]
    assert reader.fields["general.type"].contents() == "adapter"
    assert not [s for s in strings if "/work/" in s or "/home/" in s or "/tmp" in s or "/root" in s], strings


# --- the served default, through the unmodified mistralai SDK ---------------------------------------------------

@pytest.fixture(scope="module")
def default_results(sdk, heldout):
    from helpers.engine.embedded import CHAT_ALIAS

    return assistant.evaluate(sdk, CHAT_ALIAS, heldout, progress=False)


@pytest.mark.slow
def test_default_chat_model_holds_its_recorded_heldout_score(default_results):
    """The served default scores what `make assistant-eval` recorded (greedy decoding: the same replies)."""
    from helpers.engine.embedded import CHAT_ALIAS

    recorded, _ = assistant.recorded_scores()
    table = assistant.summary({"default": default_results})
    assert table.loc["overall", "default"] >= recorded.loc["overall", CHAT_ALIAS] - 2, table.to_string()
    for kind in recorded.index.drop("overall"):  # no kind loses more than one request's worth
        one_request = 100 / recorded.loc[kind, "items"]
        assert table.loc[kind, "default"] >= recorded.loc[kind, CHAT_ALIAS] - one_request - 0.1, (kind, table.to_string())


@pytest.mark.slow
def test_no_reply_echoes_its_request(default_results, heldout):
    requests = {r["id"]: assistant.normalised_words(r["messages"][-1]["content"] or "") for r in heldout}
    for _, row in default_results.iterrows():
        words = requests[row["id"]]
        if len(words) >= 8:  # an echo repeats the request's opening words
            assert " ".join(words[:8]) not in " ".join(assistant.normalised_words(row["reply"])), row["id"]


@pytest.mark.slow
def test_tool_choice_auto_decides_on_heldout_requests(default_results, heldout):
    kinds = {r["id"]: ("call" if any("tool_call" in s for s in r["expect"]) else "text")
             for r in heldout if r["kind"] == "tool"}
    tool = default_results[default_results["id"].isin(kinds)]
    by_decision = tool.groupby(tool["id"].map(kinds))["passed"].mean()
    # measured when the adapter was trained: 9 of 12 plain answers, 7 of 12 right calls of unseen tools;
    # each may lose one request
    assert by_decision["text"] >= 8 / 12 and by_decision["call"] >= 6 / 12, by_decision


@pytest.mark.slow
def test_without_max_tokens_the_answer_ends_on_its_own(sdk):
    import time

    from mistralai.client.models import UserMessage

    from helpers.engine.embedded import CHAT_ALIAS

    started = time.perf_counter()
    response = sdk.chat.complete(model=CHAT_ALIAS, messages=[UserMessage(content="What is the best French cheese?")])
    assert response.choices[0].finish_reason == "stop" and time.perf_counter() - started < 30
    assert response.usage.completion_tokens < 200


@pytest.mark.slow
def test_json_mode_closes_the_object_promptly(sdk):
    from helpers.engine.embedded import CHAT_ALIAS

    response = sdk.chat.complete(model=CHAT_ALIAS, messages=[{"role": "user", "content": "Reply in JSON with a key colour."}],
                                 response_format={"type": "json_object"}, max_tokens=128, temperature=0)
    assert response.choices[0].finish_reason == "stop"
    assert set(json.loads(response.choices[0].message.content)) == {"colour"}
