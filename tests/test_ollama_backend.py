"""Notebook 05's Ollama helpers, against the embedded endpoint's Ollama API (the stand-in)."""

from __future__ import annotations

import ollama
import pytest

from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS
from helpers.engine.serving import free_port
from helpers.exercises import nb05
from helpers.ollama_backend import (
    PullReport,
    collect_stream,
    connect_ollama,
    daemon_name,
    daemon_version,
    embedding_length,
    measure_latency,
    modelfile_summary,
    parse_modelfile,
    plan,
    pull_with_progress,
    render_modelfile,
    tool_schema,
)


def host_of(endpoint) -> str:
    return endpoint.base_url.removeprefix("http://")


@pytest.fixture
def session(endpoint, monkeypatch):
    """connect_ollama() finding the stand-in already at OLLAMA_HOST (as with `make serve-ollama`)."""
    monkeypatch.setenv("OLLAMA_HOST", host_of(endpoint))
    with connect_ollama(backend="auto", quiet=True) as bk:
        yield bk


def chunks(pieces: list[str]):
    for piece in pieces:
        yield ollama.ChatResponse(model="m", done=False, message=ollama.Message(role="assistant", content=piece))
    yield ollama.ChatResponse(model="m", done=True, done_reason="stop", message=ollama.Message(role="assistant", content=""))


def test_plan_prefers_a_real_daemon_unless_pinned_to_embedded():
    host = "http://127.0.0.1:11434"
    assert plan("auto", "0.12.6", host)[0] == "daemon"
    assert plan("ollama", "0.12.6", host)[0] == "daemon"
    assert plan("embedded", "0.12.6", host)[0] == "start-standin"  # CI pins the stand-in even if a daemon runs
    assert plan("auto", None, host) == ("start-standin", f"no Ollama daemon answers at {host}, so the offline stand-in answers")
    assert plan("auto", "0.0.0-workbook-standin", host)[0] == "standin-at-host"


def test_daemon_version_and_names(endpoint):
    assert "standin" in daemon_version(endpoint.base_url)
    assert daemon_version(f"http://127.0.0.1:{free_port()}") is None
    assert daemon_name("mistral-small-latest") == "mistral" and daemon_name("open-mixtral-8x7b") == "mixtral"
    assert daemon_name("mistral-embed") == "all-minilm" and daemon_name(CHAT_ALIAS) == "mistral"  # Ollama's embedding tag


def test_connect_uses_the_standin_at_ollama_host_and_leaves_it_running(endpoint, monkeypatch, capsys):
    monkeypatch.setenv("OLLAMA_HOST", host_of(endpoint))
    bk = connect_ollama(backend="auto")
    banner = capsys.readouterr().out
    assert bk.standin and bk.server is None and bk.host == endpoint.base_url
    assert (bk.chat_model, bk.embed_model) == (CHAT_ALIAS, EMBED_ALIAS)
    assert "not an Ollama daemon" in banner and "STAND-IN" in banner and "would serve `mistral`" in banner
    bk.close()
    assert endpoint.running, "a server the session did not start is not its to stop"


@pytest.mark.slow  # it starts an endpoint of its own
def test_connect_pinned_to_embedded_starts_the_standin_and_close_stops_it(monkeypatch, capsys):
    monkeypatch.setenv("WORKBOOK_PORT", str(free_port()))
    bk = connect_ollama(backend="embedded")
    try:
        assert bk.standin and bk.server is not None and bk.server.running
        assert "set to `embedded`" in capsys.readouterr().out
        assert bk.client.list().models[0].model == f"{CHAT_ALIAS}:latest"
    finally:
        server = bk.server
        bk.close()
    assert not server.running and bk.server is None


def test_lesson_tags_fall_back_to_the_standin_and_say_so(session, capsys):
    assert session.lesson_tags() == ["mistral", "mixtral", "codestral"]
    assert session.model_for("codestral") == CHAT_ALIAS
    assert "`ollama pull codestral`" in capsys.readouterr().out
    assert session.model_for(CHAT_ALIAS) == CHAT_ALIAS  # pulled here: used as it is
    assert session.missing_tag() == "mixtral"
    table = session.tag_table()
    assert list(table["Ollama tag"]) == ["mistral", "mixtral", "codestral"] and set(table["pulled here"]) == {"no"}


def test_pull_with_progress_reaches_total_and_success(session):
    report = pull_with_progress(session.client, session.chat_model, progress=False)
    assert report.complete and report.statuses[0] == "pulling manifest" and report.statuses[-1] == "success"
    (done, total), = report.layers.values()
    assert done == total == report.total_bytes > 90e6  # the chat stand-in's GGUF, 98 MB
    assert not PullReport(["pulling manifest", "success"], {"sha256:x": (5, 10)}).complete
    with pytest.raises(ollama.ResponseError):
        pull_with_progress(session.client, "mixtral", progress=False)


def test_modelfile_round_trip_and_create_through_the_client(session):
    text = render_modelfile("mistral", system="Be brief.", parameters={"temperature": 0.2, "num_ctx": 8192, "stop": ["</s>", "[INST]"]},
                            template="[INST] {{ .Prompt }} [/INST]")
    assert 'SYSTEM """Be brief."""' in text and text.count("PARAMETER stop") == 2
    kwargs = parse_modelfile(text, model="brief")
    assert kwargs == {"model": "brief", "from_": "mistral", "system": "Be brief.", "template": "[INST] {{ .Prompt }} [/INST]",
                      "parameters": {"temperature": 0.2, "num_ctx": 8192, "stop": ["</s>", "[INST]"]}}
    assert parse_modelfile(nb05.Q1_MODELFILE, nb05.Q1_NAME) == nb05.Q1_EXPECTED
    with pytest.raises(ValueError, match="FROM"):
        parse_modelfile("SYSTEM hi", model="x")
    with pytest.raises(ValueError, match="ADAPTER"):
        parse_modelfile("FROM mistral\nADAPTER ./lora.gguf", model="x")

    created = parse_modelfile(render_modelfile(CHAT_ALIAS, "You are terse.", {"num_predict": 3}), model="terse-test")
    session.client.create(**created)
    try:
        shown = modelfile_summary(session.client.show("terse-test").modelfile)
        assert 'SYSTEM """You are terse."""' in shown and "PARAMETER num_predict 3" in shown
        assert "FROM SmolLM2-135M-Instruct.Q4_1.gguf" in shown and "/.cache/" not in shown  # a file name, no machine path
        assert session.client.chat(model="terse-test", messages=[{"role": "user", "content": "hi"}]).eval_count == 3
    finally:
        session.client.delete("terse-test")
    assert "terse-test" not in session.pulled()


def test_collect_stream_from_fake_and_real_streams(session):
    folded = collect_stream(chunks(["Mis", "", "tral"]))
    assert (folded.text, folded.chunks, folded.last.done) == ("Mistral", 2, True)
    greedy = {"temperature": 0, "num_predict": 8}
    seen: list[str] = []
    real = collect_stream(session.client.generate(model=CHAT_ALIAS, prompt="1, 2, 3,", options=greedy, stream=True),
                          echo=seen.append)
    whole = session.client.generate(model=CHAT_ALIAS, prompt="1, 2, 3,", options=greedy)
    assert real.text == whole.response == "".join(seen) and real.chunks == len(seen) > 1


def test_embedding_length_matches_the_vectors(session):
    width = embedding_length(session.client.show(session.embed_model))
    assert width == 384 == len(session.client.embed(model=session.embed_model, input="hello").embeddings[0])
    assert embedding_length(ollama.ShowResponse(model_info={"general.architecture": "llama", "llama.embedding_length": 4096})) == 4096
    assert embedding_length(ollama.ShowResponse(model_info={})) is None


def test_measure_latency_times_real_requests(session):
    ask = lambda p: session.client.generate(model=CHAT_ALIAS, prompt=p, options={"temperature": 0, "num_predict": 4})  # noqa: E731
    latency = measure_latency(ask, ["a", "b", "c"])
    assert len(latency.seconds) == 3 and min(latency.seconds) <= latency.median_s <= max(latency.seconds)
    assert latency.median_tokens_per_second > 0 and "3 requests: median" in str(latency)
    with pytest.raises(ValueError, match="at least one prompt"):
        measure_latency(ask, [])


def test_openai_client_and_answered_by(session):
    answer = session.openai().chat.completions.create(model=session.chat_model, max_tokens=2,
                                                       messages=[{"role": "user", "content": "hi"}])
    line = session.answered_by(answer)
    assert "stand-in" in line and f"model {CHAT_ALIAS} - a STAND-IN" in line


def test_tool_schema_comes_from_the_docstring():
    def lookup(ip: str, days: int) -> str:
        """Look an IP address up in the logs.

        Args:
          ip: The IPv4 address
          days: How many days back
        """
        return ip

    schema = tool_schema(lookup)["function"]
    assert schema["name"] == "lookup" and schema["description"] == "Look an IP address up in the logs."
    assert schema["parameters"]["properties"]["days"] == {"type": "integer", "description": "How many days back"}


def test_exercises_accept_the_solution_and_teach_on_mistakes():
    assert nb05.q1.check(dict(nb05.Q1_EXPECTED))
    assert "from_" in nb05.q1.check({**nb05.Q1_EXPECTED, "from": "mistral"}).message
    strings = {**nb05.Q1_EXPECTED, "parameters": {"temperature": "0.1", "num_ctx": "8192", "num_predict": "8"}}
    assert "numbers" in nb05.q1.check(strings).message
    assert "num_ctx" in nb05.q1.check({**nb05.Q1_EXPECTED, "parameters": {"temperature": 0.1, "num_predict": 8}}).message

    def collect(stream):
        pieces = [c.message.content for c in stream if c.message.content]
        return "".join(pieces), len(pieces)

    assert nb05.q2.check(collect)
    assert "count only chunks that carry text" in nb05.q2.check(lambda s: (collect(s)[0], 99)).message
    assert nb05.q3.check("ollama pull codestral") and nb05.q3.check("`ollama pull codestral:latest`")
    assert "interactive chat" in nb05.q3.check("ollama run codestral").message
    assert "codestral" in nb05.q3.check("ollama pull mistral").message
