"""Fill-in-the-middle: the data kept apart, and `/v1/fim/completions` through the unmodified mistralai SDK.

The FIM stand-in is SmolLM2 with the workbook's FIM adapter (`data/fim/`); the endpoint turns a FIM
request into the chat messages it was trained on (`helpers.engine.fim_format`).
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from helpers.assistant import fim
from helpers.assistant.data import render
from helpers.engine import chat_format, chat_handlers, fim_format
from helpers.engine.embedded import CHAT_ALIAS, FIM_ALIAS

ROOT = Path(__file__).resolve().parents[1]


def _build():
    spec = importlib.util.spec_from_file_location("fim_build", ROOT / "scripts" / "fim_data" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fim_build"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build():
    return _build()


@pytest.fixture(scope="module")
def functions(build):
    return build.load("train_functions"), build.load("heldout_functions")


# ------------------------------------------------------------------------------------------------ data
def test_heldout_functions_share_no_name_span_or_near_duplicate_with_training(build, functions):
    (_, train), (_, held) = functions
    kept = [f for f in train if f["name"] not in {h["name"] for h in held}]
    held_grams = set().union(*(build.grams(build.code_tokens(h["source"])) for h in held))
    built = [json.loads(line) for line in (ROOT / "data" / "fim" / "train.jsonl").read_text().splitlines()]
    trained_on = {case["function"] for case in built}
    assert trained_on and not trained_on & {h["name"] for h in held}
    for fn in (f for f in kept if f["name"] in trained_on):
        assert build.shared_span(build.code_tokens(fn["source"]), held_grams) is None, fn["name"]
    closest = max(difflib.SequenceMatcher(None, build.code_tokens(t["source"]), build.code_tokens(h["source"])).ratio()
                  for t in kept if t["name"] in trained_on for h in held)
    assert closest < 0.8, f"a training function is a near-duplicate of a held-out one (similarity {closest:.2f})"


def test_the_span_check_catches_a_copied_function(build, functions):
    (_, _), (_, held) = functions
    copied = held[0]["source"].replace(f"def {held[0]['name']}(", "def renamed_copy(")
    held_grams = set().union(*(build.grams(build.code_tokens(h["source"])) for h in held))
    assert build.shared_span(build.code_tokens(copied), held_grams) is not None


def test_committed_data_is_what_the_build_script_writes(build, tmp_path):
    build.main(tmp_path)
    for name in ("train.jsonl", "heldout.jsonl"):
        assert (tmp_path / name).read_text() == (ROOT / "data" / "fim" / name).read_text(), name


def test_every_heldout_case_passes_with_its_own_middle_and_fails_without_it():
    from helpers.bench import run_code_tests

    cases = fim.load_cases("heldout")
    assert len(cases) >= 150 and len({c["function"] for c in cases}) >= 50
    for case in cases[::9]:  # a spread sample: each run starts a limited child process
        good = run_code_tests(case["prompt"] + case["middle"] + case["suffix"], case["test"], case["entry_point"])
        assert good.status == "pass", (case["id"], good.reason)
        hollow = case["prompt"] + "pass" + case["suffix"]
        assert run_code_tests(hollow, case["test"], case["entry_point"]).status != "pass", case["id"]


def test_training_renders_exactly_what_the_endpoint_serves():
    case = fim.load_cases("train")[0]
    prompt, answer = render(fim.as_record(case))
    served = fim_format.chat_payload({"model": FIM_ALIAS, "prompt": case["prompt"], "suffix": case["suffix"]})
    assert prompt == chat_handlers.request_prompt(chat_format.CHATML_HANDLER, served, False)
    assert answer == case["middle"] + chat_format.IM_END


# ------------------------------------------------------------------------------------- the endpoint
def test_models_list_says_which_model_fills_the_middle(sdk):
    cards = {m.id: m for m in sdk.models.list().data}
    assert cards[FIM_ALIAS].capabilities.completion_fim and not cards[FIM_ALIAS].capabilities.completion_chat
    assert not cards[CHAT_ALIAS].capabilities.completion_fim


@pytest.mark.slow  # several seconds of generation on 2 cores
def test_fim_complete_fills_a_function_the_tests_accept(sdk):
    scores = json.loads((ROOT / "data" / "fim" / "heldout_scores.json").read_text())
    passed = {r["id"]: r for r in scores["results"] if r["passed"]}
    cases = [c for c in fim.load_cases("heldout") if c["id"] in passed][:4]
    assert len(cases) == 4
    for case in cases:  # temperature 0 on the committed adapter: the committed evaluation, reproduced
        response = sdk.fim.complete(model=FIM_ALIAS, prompt=case["prompt"], suffix=case["suffix"], temperature=0,
                                    max_tokens=fim.FIM_MAX_TOKENS)
        assert response.model == FIM_ALIAS and response.choices[0].finish_reason == "stop"
        assert response.choices[0].message.content == passed[case["id"]]["middle"], case["id"]


def test_fim_stream_gives_the_same_middle_in_chunks(sdk):
    case = fim.load_cases("heldout")[0]
    whole = fim.fill(sdk, FIM_ALIAS, case)
    chunks = [event.data.choices[0].delta.content or "" for event in
              sdk.fim.stream(model=FIM_ALIAS, prompt=case["prompt"], suffix=case["suffix"], temperature=0,
                             max_tokens=fim.FIM_MAX_TOKENS)]
    assert len([c for c in chunks if c]) > 1 and "".join(chunks) == whole


def test_fim_without_a_suffix_completes_the_prompt(sdk):
    response = sdk.fim.complete(model=FIM_ALIAS, prompt="def double(n: int) -> int:\n    return ", temperature=0,
                                max_tokens=24)
    assert response.choices[0].message.content.strip()


@pytest.mark.parametrize("body, status, words", [
    ({"model": CHAT_ALIAS, "prompt": "def f():\n    "}, 404, "standin-smollm2-135m-fim (fim)"),
    ({"model": FIM_ALIAS}, 400, "prompt"),
    ({"model": FIM_ALIAS, "prompt": 42}, 400, "prompt"),
    ({"model": FIM_ALIAS, "prompt": "x = ", "min_tokens": 5}, 400, "min_tokens"),
    ({"model": FIM_ALIAS, "prompt": "x = ", "messages": []}, 400, "messages"),
    ({"model": FIM_ALIAS, "prompt": "x = ", "max_tokens": -1}, 400, "max_tokens"),
])
def test_bad_fim_requests_get_a_clear_4xx(endpoint, body, status, words):
    import httpx

    reply = httpx.post(endpoint.base_url + "/v1/fim/completions", json=body, timeout=60)
    assert reply.status_code == status, reply.text
    assert words in reply.json()["message"]


def test_chat_on_the_fim_model_is_refused(endpoint):
    import httpx

    reply = httpx.post(endpoint.base_url + "/v1/chat/completions", timeout=60,
                       json={"model": FIM_ALIAS, "messages": [{"role": "user", "content": "hi"}]})
    assert reply.status_code == 404 and "Use one of the chat models" in reply.text
