"""The backend switch, settings, name map and bad-input messages."""

from __future__ import annotations

import json
import os

import httpx
import pytest

import helpers
from helpers import backend_registry, backends, catalog, settings
from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS
from helpers.engine.serving import LocalEndpoint, free_port
from helpers.errors import BackendLacks, BackendUnreachable, InvalidKey, MissingKey, ModelNotFound
from helpers.report import environment_table
from helpers.settings import Settings, load_settings, save_settings


@pytest.fixture
def use_endpoint(endpoint, monkeypatch):
    """Make connect() reuse the session's endpoint instead of starting its own."""
    monkeypatch.setitem(backends._endpoints, (), endpoint)  # undone after the test
    yield endpoint


def test_names_map_across_backends():
    assert catalog.resolve("mistral-small-latest", "ollama") == "mistral"
    assert catalog.resolve("mistral-small-latest", "vllm") == "mistralai/Mistral-7B-Instruct-v0.3"
    assert catalog.resolve("mistral-small-latest", "embedded") == CHAT_ALIAS
    assert catalog.resolve("mistral", "mistral") == "ministral-8b-latest"  # an Ollama tag maps back too
    assert catalog.resolve("open-mistral-7b", "mistral") == "ministral-8b-latest"  # retired on La Plateforme
    assert catalog.resolve("open-mixtral-8x7b", "ollama") == "mixtral"
    assert catalog.resolve("my-own-finetune", "vllm") == "my-own-finetune"  # unknown names pass through
    assert catalog.resolve("mistral-embed", "ollama") == "all-minilm"  # Ollama's tag for the stand-in's own model
    with pytest.raises(LookupError, match="no equivalent on the vllm backend"):
        catalog.resolve("mistral-embed", "vllm")


def test_settings_round_trip_and_environment_wins(monkeypatch):
    save_settings(Settings(backend="embedded", model="codestral-latest", hardware="cpu"))
    assert load_settings() == Settings(backend="embedded", model="codestral-latest", hardware="cpu")
    monkeypatch.setenv("WORKBOOK_MODEL", "open-mistral-nemo")
    assert load_settings().model == "open-mistral-nemo"
    assert load_settings(use_env=False).model == "codestral-latest"
    with pytest.raises(ValueError, match="choose one of"):
        Settings(backend="openai").validate()


def test_auto_picks_embedded_when_nothing_else_answers():
    probes = backends.detect(timeout=0.3)
    assert [p.backend for p in probes] == ["mistral", "ollama", "vllm", "embedded"]
    assert backends.pick_backend(probes) == "embedded"


def test_auto_prefers_la_plateforme_when_a_key_is_set(monkeypatch):
    monkeypatch.setenv("MISTRAL_API_KEY", "x" * 32)
    assert backends.pick_backend(backends.detect(timeout=0.3)) == "mistral"


def test_the_switchs_tables_come_from_the_registry():
    assert backend_registry.names() == ("mistral", "ollama", "vllm", "embedded")  # the documented order of `auto`
    assert settings.BACKENDS == ("auto", *backend_registry.names())
    assert catalog.BACKEND_COLUMNS == tuple(backends.LABELS) == tuple(backends.HOW_TO_START) == backend_registry.names()
    assert backends.CAPABILITIES == {s.name: s.capabilities for s in backend_registry.specs()}
    beyond_chat = {need: {"ollama", "vllm"} for need in backend_registry.BEYOND_CHAT}
    plateforme_only = {need: {"mistral", "ollama", "vllm", "embedded"} for need in backend_registry.PLATEFORME_ONLY}
    assert {need: set(hints) for need, hints in backends.WHAT_TO_DO.items()} == {
        "embeddings": {"ollama", "vllm"}, "answers": {"vllm"}, **beyond_chat, **plateforme_only}


def test_apis_beyond_chat_run_where_an_engine_serves_them(monkeypatch):
    """La Plateforme and the embedded default serve moderation, OCR, batch, conversations, guardrails and FIM; only
    La Plateforme itself (not a rehearsal) serves reasoning, image input and built-in tools; Ollama and vLLM serve
    none."""
    beyond, only = set(backend_registry.BEYOND_CHAT), set(backend_registry.PLATEFORME_ONLY)
    assert beyond | only <= backends.CAPABILITIES["mistral"]
    assert beyond <= backends.CAPABILITIES["embedded"] and not only & backends.CAPABILITIES["embedded"]
    assert not (beyond | only) & (backends.CAPABILITIES["ollama"] | backends.CAPABILITIES["vllm"])
    rehearsal = backends.Backend("mistral", "http://127.0.0.1:8765", None, "mistral-small-latest", "mistral-embed",
                                 "mistral-small-latest")
    assert rehearsal.rehearsal and beyond <= rehearsal.capabilities and not only & rehearsal.capabilities
    assert "unset MISTRAL_SERVER_URL" in (rehearsal.lacks("reasoning") or "") and rehearsal.lacks("fim") is None
    real = backends.Backend("mistral", "https://api.mistral.ai", None, "mistral-small-latest", "mistral-embed",
                            "mistral-small-latest")
    assert real.lacks(*beyond, *only) is None
    ollama = backends.Backend("ollama", "http://127.0.0.1:11434", None, "mistral", None, "mistral-small-latest")
    assert "Ollama and vLLM have no OCR API" in (ollama.lacks("ocr") or "")
    assert ollama.runs_here("ocr") is False and real.runs_here("ocr") is True


def test_a_new_backend_is_one_registry_entry(endpoint, monkeypatch, capsys):
    """A throwaway backend, registered here only: settings, catalog, detect, pick_backend and connect take it up.

    It is any OpenAI-compatible server at SPARE_BASE_URL (here the session's endpoint). Its names in the name map
    are a column the CSV already has: `column="embedded"`, as that server answers with the stand-ins.
    """
    def locate() -> backend_registry.Location:
        if not os.environ.get("SPARE_BASE_URL"):
            raise BackendUnreachable("SPARE_BASE_URL is not set. Point it at the spare server.")
        return backend_registry.Location(os.environ["SPARE_BASE_URL"])

    def probe(timeout: float) -> backend_registry.Found:
        base = os.environ.get("SPARE_BASE_URL", "")
        ok = bool(base) and httpx.get(base + "/v1/models", timeout=timeout).status_code == 200
        return backend_registry.Found(base or "-", ok, "answers" if ok else "SPARE_BASE_URL is not set")

    spare = backend_registry.BackendSpec(
        name="spare", label="a spare server", how_to_start="Point SPARE_BASE_URL at one.",
        capabilities=frozenset({"chat", "embeddings"}), column="embedded", locate=locate, probe=probe,
        what_to_do={"tools": "ask a backend with tools"}, names_identify_rows=False)
    *others, last = backend_registry.SPECS
    monkeypatch.setattr(backend_registry, "SPECS", (*others, spare, last))  # tried after vLLM, before embedded
    monkeypatch.setenv("SPARE_BASE_URL", endpoint.base_url)

    save_settings(Settings(backend="spare"))
    assert load_settings().backend == "spare" and "spare" in settings.backend_choices()
    assert catalog.resolve("mistral-small-latest", "spare") == CHAT_ALIAS
    assert catalog.default_embedding_model("spare") == EMBED_ALIAS
    assert catalog.resolve(CHAT_ALIAS, "vllm") == CHAT_ALIAS  # a stand-in name still identifies no row
    probes = backends.detect(timeout=5)
    assert [p.backend for p in probes] == ["mistral", "ollama", "vllm", "spare", "embedded"]
    assert (probes[3].where, probes[3].available, probes[3].detail) == (endpoint.base_url, True, "answers")
    assert backends.pick_backend(probes) == "spare"

    bk = helpers.connect()  # the settings file's choice
    assert capsys.readouterr().out == (
        f"Backend: a spare server at {endpoint.base_url} | chat model: {CHAT_ALIAS} (asked for mistral-small-latest)\n")
    assert (bk.name, bk.chat_model, bk.embed_model, bk.server) == ("spare", CHAT_ALIAS, EMBED_ALIAS, None)
    assert bk.lacks("chat", "embeddings") is None
    assert bk.lacks("tools", "answers") == ("a spare server lacks tools, answers for this notebook: "
                                            "ask a backend with tools; run this notebook on another backend.")
    assert bk.client.chat.complete(model=bk.chat_model, messages=[{"role": "user", "content": "Hi"}], max_tokens=2).choices
    save_settings(Settings(backend="auto"))
    assert helpers.connect(quiet=True).name == "spare"
    with pytest.raises(ModelNotFound, match="a spare server does not serve 'mistral-gigantic'"):
        helpers.connect("spare", "mistral-gigantic", quiet=True)

    monkeypatch.delenv("SPARE_BASE_URL")
    assert backends.pick_backend(backends.detect(timeout=0.3)) == "embedded"
    with pytest.raises(BackendUnreachable, match="SPARE_BASE_URL is not set"):
        helpers.connect("spare", quiet=True)


def test_connect_embedded_gives_a_ready_sdk_client_and_a_stand_in_banner(use_endpoint, capsys):
    bk = helpers.connect()
    banner = capsys.readouterr().out
    assert bk.name == "embedded" and bk.standin
    assert bk.chat_model == CHAT_ALIAS and bk.embed_model == EMBED_ALIAS
    assert "STAND-IN" in banner and "not a Mistral model" in banner and "mistral-small-latest" in banner
    response = bk.client.chat.complete(model=bk.chat_model, messages=[{"role": "user", "content": "Hi"}], max_tokens=4)
    assert "STAND-IN" in bk.answered_by(response) and CHAT_ALIAS in bk.answered_by(response)
    assert bk.openai().models.list().data[0].id == CHAT_ALIAS


def test_settings_file_choice_is_used(use_endpoint):
    save_settings(Settings(backend="embedded", model="codestral-latest"))
    bk = helpers.connect(quiet=True)
    assert bk.requested == "codestral-latest" and bk.chat_model == CHAT_ALIAS


def test_wrong_model_name_lists_the_valid_ones(use_endpoint):
    with pytest.raises(ModelNotFound) as info:
        helpers.connect("embedded", "mistral-gigantic", quiet=True)
    message = str(info.value)
    assert CHAT_ALIAS in message and "mistral-small-latest" in message and "codestral-latest" in message


def test_capabilities_decide_what_a_notebook_may_ask_for():
    def backend(name, embed_model):
        return backends.Backend(name, "http://127.0.0.1:1", None, "m", embed_model, "m")

    assert backend("embedded", EMBED_ALIAS).lacks("chat", "tools", "embeddings") is None
    assert "embeddings" not in backend("vllm", None).capabilities
    with pytest.raises(BackendLacks) as info:
        backend("vllm", None).require("chat", "embeddings")
    assert str(info.value).count("\n") == 0 and "lacks embeddings" in str(info.value) and "WORKBOOK_BACKEND=embedded" in str(info.value)
    assert "ollama pull all-minilm" in backend("ollama", None).lacks("embeddings")
    assert backend("ollama", "all-minilm").lacks("embeddings") is None
    assert "context_error" not in backend("ollama", "all-minilm").capabilities  # Ollama truncates instead
    assert "tool_choice" not in backend("ollama", "all-minilm").capabilities  # and reads no tool_choice
    listing = {"data": [{"id": "m", "root": "/cache/models/tiny-mistral/"}, {"id": "other", "root": "/x/tiny-mistral"}]}
    assert backend_registry.serves_tiny_mistral(listing, "m") and not backend_registry.serves_tiny_mistral(listing, "n")
    assert not backend_registry.serves_tiny_mistral({"data": [{"id": "m", "root": "mistralai/Mistral-7B-Instruct-v0.3"}]}, "m")
    untrained = backends.Backend("vllm", "http://127.0.0.1:1", None, "m", None, "m", untrained=True)
    assert "answers" not in untrained.capabilities and "random weights" in untrained.describe_model()
    assert backend("mistral", "mistral-embed").rehearsal  # La Plateforme's API on this machine: a rehearsal
    assert "REHEARSAL" in backend("mistral", "mistral-embed").label
    assert not backends.Backend("mistral", "https://api.mistral.ai", None, "m", "e", "m").rehearsal


def test_missing_key_says_how_to_set_it():
    with pytest.raises(MissingKey, match="MISTRAL_API_KEY(.|\n)*getpass"):
        helpers.connect("mistral", quiet=True)


@pytest.mark.slow  # it starts an endpoint of its own (one that demands a key)
def test_invalid_key_is_explained_and_never_printed(monkeypatch, capsys):
    """La Plateforme's path, pointed at a local endpoint that demands a different key."""
    with LocalEndpoint(port=free_port(), api_key="the-right-key-0123456789") as guarded:
        secret = "sk-wrong-key-ABCDEFGHIJKLMNOPQRSTUV"
        monkeypatch.setenv("MISTRAL_API_KEY", secret)
        monkeypatch.setenv("MISTRAL_SERVER_URL", guarded.base_url)
        with pytest.raises(InvalidKey) as info:
            helpers.connect("mistral", CHAT_ALIAS)
        assert "MISTRAL_API_KEY" in str(info.value) and "401" in str(info.value)
        assert secret not in str(info.value) and secret not in capsys.readouterr().out
        # The same path with the right key works, through the same SDK calls.
        monkeypatch.setenv("MISTRAL_API_KEY", "the-right-key-0123456789")
        bk = helpers.connect("mistral", CHAT_ALIAS, quiet=True)
        assert bk.client.chat.complete(model=bk.chat_model, messages=[{"role": "user", "content": "Hi"}], max_tokens=2).choices
        assert "the-right-key" not in repr(bk)


def test_unreachable_backend_says_what_was_tried_and_how_to_start_it(monkeypatch):
    closed = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("VLLM_BASE_URL", closed)
    with pytest.raises(BackendUnreachable) as info:
        helpers.connect("vllm", quiet=True)
    message = str(info.value)
    assert closed.removesuffix("/v1") in message and "vllm.entrypoints.openai.api_server" in message
    monkeypatch.delenv("VLLM_BASE_URL")
    with pytest.raises(BackendUnreachable, match="VLLM_BASE_URL is not set"):
        helpers.connect("vllm", quiet=True)


def test_vllm_path_works_against_any_openai_compatible_server(use_endpoint, monkeypatch):
    """The vLLM branch through the same client, against the embedded endpoint's OpenAI API."""
    monkeypatch.setenv("VLLM_BASE_URL", use_endpoint.base_url + "/v1")
    with pytest.raises(ModelNotFound, match="Mistral-7B-Instruct-v0.3(.|\n)*" + CHAT_ALIAS):
        helpers.connect("vllm", quiet=True)  # maps to the real repo id, which this server lacks
    bk = helpers.connect("vllm", CHAT_ALIAS, quiet=True)
    assert bk.name == "vllm" and not bk.standin
    assert bk.client.chat.complete(model=bk.chat_model, messages=[{"role": "user", "content": "Hi"}], max_tokens=2).choices


def test_environment_table_reports_backends_and_packages():
    table = environment_table()
    items = dict(zip(table["item"], table["value"]))
    assert items["mistralai"] == "3.7.0" and items["llama-cpp-python"] == "0.3.36"
    assert items["embedded"].startswith("available") and items["ollama"].startswith("not available")


def test_settings_file_is_plain_json_without_secrets(monkeypatch, tmp_path):
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-should-never-be-saved-1234567890")
    save_settings(Settings(backend="mistral"))
    stored = (tmp_path / "settings.json").read_text()
    assert json.loads(stored)["backend"] == "mistral" and "sk-" not in stored


def test_extra_models_are_served_by_the_embedded_endpoint_only():
    with pytest.raises(ValueError, match="embedded endpoint, not by La Plateforme"):
        helpers.connect("mistral", "my-model", extra_models={"my-model": "model.gguf"}, quiet=True)


@pytest.mark.slow
def test_connect_serves_a_model_of_your_own_beside_the_stand_ins(use_endpoint):
    """connect(extra_models=...) owns the endpoint that serves it: started once, reused, stopped by close()."""
    from helpers.engine.embedded import prepare_gemma_model

    extra = {"my-model": prepare_gemma_model(progress=False)}
    bk = helpers.connect("embedded", "my-model", extra_models=extra, quiet=True)
    try:
        assert bk.chat_model == "my-model" and bk.base_url != use_endpoint.base_url
        assert "STAND-IN served from your file gemma-3-270m" in bk.banner()  # labelled, never passed off as Mistral
        assert {"my-model", CHAT_ALIAS} <= set(bk.served_models())
        reply = bk.client.chat.complete(model="my-model", max_tokens=4, messages=[{"role": "user", "content": "Hi"}])
        assert reply.model == "my-model" and reply.choices[0].message.content
        again = helpers.connect("embedded", "my-model", extra_models=extra, quiet=True)
        assert again.server is bk.server  # the same extra models: the same endpoint, not a second one
    finally:
        bk.close()
    assert not bk.server.running and bk.server not in backends._endpoints.values()
    assert use_endpoint.running  # the plain shared endpoint is another endpoint, left running
