"""The moderation stand-in: its data, its classifier, and `/v1/moderations` and `/v1/chat/moderations` through
the mistralai SDK against the embedded endpoint."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from mistralai.client.errors import MistralError

from helpers import moderation
from helpers.engine import moderation_model
from helpers.engine.moderation_model import CATEGORIES, MODEL_ID

THREAT = "I know which bus you take home, and when you get off I will break every bone in your body."
RECIPE = "Bring the soup to a boil, then lower the heat and let it simmer for twenty minutes before seasoning."
MACRO_F1_FLOOR = 0.82  # measured 0.882 on the committed held-out scores
CATEGORY_F1_FLOOR = 0.65  # the weakest category measured 0.733 (selfharm)
BENIGN_FLAGGED_CEILING = 0.10  # measured 0.04 (2 of 50)


def flagged(result) -> set[str]:
    return {c for c, on in result.categories.items() if on}


def error_of(info: pytest.ExceptionInfo) -> tuple[int, str]:
    exc = info.value
    return exc.status_code, json.loads(exc.body)["message"]


# ---- through the SDK ----------------------------------------------------------------------------------------


def test_moderate_flags_a_threat_and_passes_a_recipe(sdk):
    response = sdk.classifiers.moderate(model=MODEL_ID, inputs=[THREAT, RECIPE])
    assert response.model == MODEL_ID and response.id.startswith("mod-")
    threat, recipe = response.results
    for result in response.results:
        assert set(result.categories) == set(CATEGORIES) == set(result.category_scores)
        assert all(0.0 <= p <= 1.0 for p in result.category_scores.values())
    assert "violence_and_threats" in flagged(threat)
    assert threat.category_scores["violence_and_threats"] > 0.5
    assert flagged(recipe) == set()
    assert max(recipe.category_scores.values()) < 0.5


def test_moderate_takes_one_string_and_matches_the_classifier_in_process(sdk):
    text = "Should I move all my savings into a single tech stock before it rises?"
    (result,) = sdk.classifiers.moderate(model=MODEL_ID, inputs=text).results
    (expected,) = moderation_model.score_texts([text], moderation.embed_locally)
    for c in CATEGORIES:
        assert result.category_scores[c] == pytest.approx(expected[c], abs=1e-4)
    assert flagged(result) == {c for c, on in moderation_model.load_classifier().flags(expected).items() if on}
    assert "financial" in flagged(result)


def test_a_long_text_is_scored_by_passage_and_keeps_the_highest_score(sdk):
    filler = " ".join(["The committee reviewed the quarterly schedule for the community garden and agreed on "
                       "watering rotas, compost deliveries and a new shed for the tools."] * 20)
    assert moderation_model.token_count(filler) > 2 * moderation_model.WINDOW_TOKENS
    long_threat = filler + " " + THREAT
    pieces = moderation_model.passages(long_threat)
    assert len(pieces) >= 3 and THREAT not in pieces[0]
    assert all(moderation_model.token_count(p) <= moderation_model.PASSAGE_TOKENS for p in pieces)
    assert " ".join(pieces) == long_threat  # sentences kept whole, in order
    benign, threat = sdk.classifiers.moderate(model=MODEL_ID, inputs=[filler, long_threat]).results
    assert flagged(benign) == set()
    assert "violence_and_threats" in flagged(threat)  # the threat is in the last passage only


def test_moderate_chat_scores_the_last_turn_in_context(sdk):
    threat_chat = [
        {"role": "user", "content": "Can you help me plan a birthday party?"},
        {"role": "assistant", "content": "Of course! How many guests are you expecting?"},
        {"role": "user", "content": THREAT},
    ]
    benign_chat = [
        {"role": "system", "content": "You are a helpful cooking assistant."},
        {"role": "user", "content": "How long should I simmer a vegetable soup?"},
        {"role": "assistant", "content": RECIPE},
    ]
    (single,) = sdk.classifiers.moderate_chat(model=MODEL_ID, inputs=threat_chat).results
    assert "violence_and_threats" in flagged(single)
    response = sdk.classifiers.moderate_chat(model=MODEL_ID, inputs=[threat_chat, benign_chat])
    assert response.model == MODEL_ID and len(response.results) == 2
    assert "violence_and_threats" in flagged(response.results[0])
    assert flagged(response.results[1]) == set()
    assert set(response.results[1].category_scores) == set(CATEGORIES)


def test_unknown_model_is_a_404_naming_the_moderation_model(sdk):
    with pytest.raises(MistralError) as info:
        sdk.classifiers.moderate(model="mistral-small-latest", inputs="hello")
    status, message = error_of(info)
    assert status == 404 and MODEL_ID in message and "'mistral-small-latest'" in message
    with pytest.raises(MistralError) as info:
        sdk.classifiers.moderate_chat(model="no-such-model", inputs=[{"role": "user", "content": "hi"}])
    status, message = error_of(info)
    assert status == 404 and MODEL_ID in message


@pytest.mark.parametrize("inputs, status, fragment", [
    ([], 422, "non-empty list of strings"),
    ("   ", 422, "Input 0 is empty"),
    (["fine", ""], 422, "Input 1 is empty"),
])
def test_empty_input_is_refused(sdk, inputs, status, fragment):
    with pytest.raises(MistralError) as info:
        sdk.classifiers.moderate(model=MODEL_ID, inputs=inputs)
    got, message = error_of(info)
    assert got == status and fragment in message


def test_too_long_input_is_a_400(sdk):
    text = "word " * (moderation_model.MAX_INPUT_TOKENS + 10)
    with pytest.raises(MistralError) as info:
        sdk.classifiers.moderate(model=MODEL_ID, inputs=["short", text])
    status, message = error_of(info)
    assert status == 400 and "Input 1 is" in message and f"at most {moderation_model.MAX_INPUT_TOKENS} tokens" in message


def test_malformed_bodies_the_sdk_would_not_send(endpoint):
    import httpx

    def post(path: str, body: dict) -> tuple[int, str]:
        reply = httpx.post(endpoint.base_url + path, json=body, timeout=60)
        return reply.status_code, reply.json()["message"]

    status, message = post("/v1/moderations", {"model": MODEL_ID, "input": ["ok", 3]})
    assert status == 422 and "Input 1 is int, not a string" in message
    status, message = post("/v1/moderations", {"model": MODEL_ID})
    assert status == 422 and "Send `input`" in message
    status, message = post("/v1/chat/moderations", {"model": MODEL_ID, "input": [{"role": "robot", "content": "x"}]})
    assert status == 422 and "message 0" in message and "role" in message
    status, message = post("/v1/chat/moderations", {"model": MODEL_ID, "input": [[{"role": "user", "content": "hi"}], []]})
    assert status == 422 and "conversation 1: no messages" in message
    status, message = post("/v1/chat/moderations", {"model": MODEL_ID, "input": [{"role": "assistant", "content": None}]})
    assert status == 422 and "no text to moderate" in message


# ---- the data --------------------------------------------------------------------------------------------------


def normalised_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = normalised_words(text)
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_data_files_are_well_formed_and_balanced():
    for split, per_category, benign in (("train", 40, 150), ("heldout", 15, 50)):
        examples = moderation.load_examples(split)
        texts = [e.text for e in examples]
        assert len(set(texts)) == len(texts), f"duplicate texts in {split}"
        counts = moderation.label_matrix(examples).sum(axis=0)
        assert all(n >= per_category for n in counts), dict(zip(CATEGORIES, counts))
        assert sum(1 for e in examples if not e.labels) >= benign
        assert any(len(e.labels) > 1 for e in examples), f"no multi-label example in {split}"


def test_heldout_was_written_apart_from_training():
    train = [e.text for e in moderation.load_examples("train")]
    heldout = [e.text for e in moderation.load_examples("heldout")]
    train_shingles = set().union(*(shingles(t) for t in train))
    shared = [t for t in heldout if shingles(t) & train_shingles]
    assert not shared, f"held-out texts sharing an 8-word span with training: {shared}"
    normalised_train = {" ".join(normalised_words(t)) for t in train}
    assert not [t for t in heldout if " ".join(normalised_words(t)) in normalised_train]
    similarity = moderation.embed_locally(heldout) @ moderation.embed_locally(train).T
    i, j = np.unravel_index(int(similarity.argmax()), similarity.shape)
    assert similarity[i, j] <= 0.95, (heldout[i], train[j], float(similarity[i, j]))


# ---- the classifier ------------------------------------------------------------------------------------------


def test_classifier_file_is_plain_json_and_reproduces_the_committed_heldout_scores():
    data = json.loads(moderation_model.classifier_path().read_text())
    assert data["model"] == MODEL_ID and data["categories"] == list(CATEGORIES)
    assert data["training"]["command"] == "python -m helpers.moderation train"
    assert all(len(data["weights"][c]) == data["dimension"] == 384 for c in CATEGORIES)
    assert all(0.0 < data["thresholds"][c] < 1.0 for c in CATEGORIES)
    classifier = moderation_model.Classifier.from_json(data)
    committed = json.loads((moderation.moderation_dir() / "heldout_scores.json").read_text())
    sample = committed["examples"][::37]  # a few examples spread over the categories and the benign texts
    assert len(sample) >= 5
    vectors = moderation.embed_locally([e["text"] for e in sample])
    for example, scores in zip(sample, classifier.scores(vectors)):
        for c in CATEGORIES:
            assert scores[c] == pytest.approx(example["scores"][c], abs=2e-4), (example["text"], c)
        assert [c for c in CATEGORIES if classifier.flags(scores)[c]] == example["flagged"]


def test_committed_heldout_scores_are_consistent_and_meet_the_floor():
    committed = json.loads((moderation.moderation_dir() / "heldout_scores.json").read_text())
    examples = moderation.load_examples("heldout")
    assert [e["text"] for e in committed["examples"]] == [e.text for e in examples]
    labels = moderation.label_matrix(examples)
    flags = np.array([[int(c in e["flagged"]) for c in CATEGORIES] for e in committed["examples"]])
    recomputed = moderation.summary(labels, flags)
    assert recomputed["per_category"] == committed["per_category"]
    assert recomputed["macro"] == committed["macro"]
    assert committed["macro"]["f1"] >= MACRO_F1_FLOOR
    weakest = min(committed["per_category"], key=lambda r: r["f1"])
    assert weakest["f1"] >= CATEGORY_F1_FLOOR, weakest
    assert committed["benign_flagged_rate"] <= BENIGN_FLAGGED_CEILING


def test_thresholds_come_from_cross_validation_on_training_data_only():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.7, 0.8, 0.9])
    threshold, f1 = moderation.best_threshold(y, p)
    assert f1 == 1.0 and 0.35 < threshold <= 0.6  # the middle of the run of perfect thresholds
    data = json.loads(moderation_model.classifier_path().read_text())
    assert data["training"]["data"] == "data/moderation/train.jsonl"
    assert data["training"]["examples"] == len(moderation.load_examples("train"))


def test_one_api_pass_gives_the_committed_table_and_its_mistakes(sdk):
    """What notebook 11 shows: held-out texts moderated once through the SDK, scored against their labels, and the
    texts whose flags differ. The table equals the committed in-process evaluation; the mistakes are exactly the
    rows whose flags differ from the labels."""
    committed = json.loads((moderation.moderation_dir() / "heldout_scores.json").read_text())
    examples = moderation.load_examples("heldout")
    results = moderation.moderate_texts(sdk, MODEL_ID, [e.text for e in examples])
    table = moderation.precision_recall(examples, results)
    assert table.loc["macro", "f1"] == pytest.approx(committed["macro"]["f1"], abs=1e-3)
    wrong = moderation.mistakes(examples, results)
    expected = [e["text"] for e, ex in zip(committed["examples"], examples) if set(e["flagged"]) != set(ex.labels)]
    assert list(wrong["text"]) == expected and 0 < len(expected) < len(examples)
