"""The one-setting switch, proven: README's matrix is what running every model notebook on every backend gave."""

from __future__ import annotations

import httpx
import pytest

import helpers
from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS
from helpers.engine.serving import LocalEndpoint, free_port
from helpers.errors import InvalidKey
from helpers.workshop import backend_matrix as bm
from helpers.workshop.backend_matrix import Result


def test_readme_matrix_is_rewritten_from_results_and_a_change_shows(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{bm.README_START}\nstale\n{bm.README_END}\nafter\n")
    results = [Result(n, b, "runs") for n in bm.NOTEBOOKS for b in bm.BACKENDS]
    bm.write_readme(results, readme)
    text = readme.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "stale" not in text
    assert bm.readme_table(text) == bm.render(results)
    results[0] = Result(results[0].notebook, results[0].backend, "fails", "AssertionError: at `assert x`")
    assert bm.readme_table(text) != bm.render(results)  # the test below would catch this disagreement
    assert "**fails**: AssertionError" in bm.render(results)
    assert (results[2].notebook, results[2].backend) == ("00", "vllm")
    results[2] = Result("00", "vllm", "skips", "vLLM lacks embeddings for this notebook: do this.")
    assert "skips: lacks embeddings" in bm.render(results) and "- vLLM (CPU, tiny Mistral), lacks embeddings: vLLM " \
        "lacks embeddings for this notebook: do this." in bm.render(results)
    assert bm.readme_table("no markers here") is None


def test_every_model_notebook_declares_what_it_needs():
    known = set().union(*helpers.backends.CAPABILITIES.values())
    for number in bm.NOTEBOOKS:
        needs = bm.requirements(bm.notebook_path(number))
        assert set(needs) <= known, (number, needs)
    assert "embeddings" in bm.requirements(bm.notebook_path("04"))


@pytest.mark.slow  # it starts an endpoint of its own
def test_the_rehearsal_answers_la_plateformes_names_and_enforces_its_key(monkeypatch):
    aliases = bm.la_plateforme_aliases()
    assert aliases["mistral-small-latest"] == CHAT_ALIAS and aliases["mistral-embed"] == EMBED_ALIAS
    key = "rehearsal-key-0123456789"
    with LocalEndpoint(port=free_port(), api_key=key, aliases=aliases, say=lambda *_: None) as server:
        assert httpx.get(server.base_url + "/v1/models").status_code == 401  # no key, no answer
        monkeypatch.setenv("MISTRAL_SERVER_URL", server.base_url)
        monkeypatch.setenv("MISTRAL_API_KEY", "a-wrong-key-0123456789")
        with pytest.raises(InvalidKey):
            helpers.connect("mistral", "mistral-small-latest", quiet=True)
        monkeypatch.setenv("MISTRAL_API_KEY", key)
        bk = helpers.connect("mistral", "mistral-small-latest", quiet=True)
        assert bk.rehearsal and "REHEARSAL" in bk.banner() and "STAND-IN" in bk.banner()
        assert bk.chat_model == "mistral-small-latest" and bk.embed_model == "mistral-embed"
        ids = {card.id: card for card in bk.client.models.list().data}
        assert {"mistral-small-latest", "mistral-embed"} <= set(ids)
        assert "stand-in" in ids["mistral-small-latest"].description
        reply = bk.client.chat.complete(model="mistral-small-latest", max_tokens=8,
                                        messages=[{"role": "user", "content": "Say hello."}])
        assert reply.model == CHAT_ALIAS and reply.choices[0].message.content  # the stand-in says who answered
        vectors = bk.client.embeddings.create(model="mistral-embed", inputs=["a rehearsal"])
        assert vectors.model == EMBED_ALIAS and len(vectors.data[0].embedding) == 384
        with pytest.raises(Exception, match="Invalid model(.|\n)*mistral-small-latest \\(chat, answered by"):
            bk.client.chat.complete(model="mistral-large-9999", messages=[{"role": "user", "content": "Hi"}], max_tokens=2)
        # the APIs beyond chat answer La Plateforme's names too; what only Mistral's servers do is not claimed
        scored = bk.client.classifiers.moderate(model="mistral-moderation-2603", inputs=["I will hurt you tonight."])
        assert scored.results[0].categories["violence_and_threats"]
        from helpers import ocr
        memo = ocr.sample_documents()[0]
        read = bk.client.ocr.process(model="mistral-ocr-latest", document=memo.payload())
        assert ocr.character_accuracy(memo.expected[0], read.pages[0].markdown) > 0.9
        filled = bk.client.fim.complete(model="codestral-2508", prompt="def double(n: int) -> int:\n    return ",
                                        suffix="\n", temperature=0, max_tokens=16)
        assert filled.model == "standin-smollm2-135m-fim" and filled.choices[0].message.content.strip()
        assert bk.runs_here("batch") and bk.lacks("vision") and "unset MISTRAL_SERVER_URL" in bk.lacks("vision")


@pytest.mark.slow
def test_every_model_notebook_runs_or_says_why_on_every_backend():
    """The matrix itself: each backend a real server, each notebook executed; README must show this run."""
    results = bm.run()
    failed = [f"{r.notebook} on {r.backend}: {r.reason}" for r in results if r.status == "fails"]
    assert not failed, failed
    assert {(r.notebook, r.backend) for r in results} == {(n, b) for n in bm.NOTEBOOKS for b in bm.BACKENDS}
    for r in results:
        if r.status == "skips":  # decided by declared capabilities, and the reason says what to do
            assert " lacks " in r.reason and "for this notebook: " in r.reason, r
    runs = {(r.notebook, r.backend) for r in results if r.status == "runs"}
    assert {("02", "ollama"), ("03", "ollama"), ("04", "ollama"), ("02", "mistral"), ("04", "mistral")} <= runs
    readme = (bm.root() / "README.md").read_text(encoding="utf-8")
    assert bm.readme_table(readme) == bm.render(results), (
        "README's backend matrix differs from this run; `python -m helpers.workshop.backend_matrix` rewrites it")
