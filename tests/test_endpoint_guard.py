"""The embedded endpoint under careless and hostile clients: clear 4xx errors, no crash, no cut streams,
no stalls, no leaks, closed to web pages. Everything runs against real endpoints on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading
import time

import httpx
import pytest

from helpers.engine import endpoint_guard as guard
from helpers.engine.embedded import CHAT_ALIAS, GEMMA_ALIAS
from helpers.engine.serving import LocalEndpoint, free_port

ASK = [{"role": "user", "content": "x"}]
# Gemma 3 270M base never ends a turn on its own: a request for many tokens keeps the model busy.
RUNAWAY = {"model": GEMMA_ALIAS, "messages": [{"role": "user", "content": "Write a long story."}], "max_tokens": 4000}


# --- the pieces, without a server ---------------------------------------------------------------------

@pytest.mark.parametrize("host, ok", [("127.0.0.1:8765", True), ("localhost", True), ("[::1]:80", True),
                                      ("LOCALHOST:1", True), ("evil.example:8765", False), ("127.0.0.1.nip.io", False),
                                      ("10.0.0.5:8765", False)])
def test_only_loopback_host_names_are_answered(host, ok):
    assert guard.host_allowed(host) is ok


@pytest.mark.parametrize("origin, ok", [(None, True), ("http://localhost:8888", True), ("http://127.0.0.1:8888", True),
                                        ("https://evil.example", False), ("null", False),
                                        ("http://localhost.evil.example", False), ("file://", False)])
def test_only_pages_from_this_machine_may_call(origin, ok):
    assert guard.origin_allowed(origin) is ok


def test_max_tokens_gets_a_default_and_a_ceiling():
    chat, problem = guard.output_limit({"model": "m"}, "/v1/chat/completions")
    assert problem is None and chat["max_tokens"] == guard.DEFAULT_MAX_TOKENS
    assert guard.output_limit({"max_tokens": None}, "/v1/completions")[0]["max_tokens"] == 16
    for bad in (-1, 0, guard.MAX_OUTPUT_TOKENS + 1, 10**9, "5", True, 2.5):
        assert "max_tokens must be" in guard.output_limit({"max_tokens": bad}, "/v1/chat/completions")[1]
    assert guard.output_limit({"max_tokens": guard.MAX_OUTPUT_TOKENS}, "/v1/chat/completions")[1] is None


def test_ollama_num_predict_is_bounded():
    assert guard.ollama_num_predict(None, 256) == 256
    assert guard.ollama_num_predict(-1, 256) == guard.ollama_num_predict(-2, 256) == guard.MAX_OUTPUT_TOKENS
    assert guard.ollama_num_predict(10**9, 256) == guard.MAX_OUTPUT_TOKENS
    assert guard.ollama_num_predict(16, 256) == 16


def test_ollama_options_are_checked_like_ollama_does():
    assert guard.ollama_options_problem({"num_predict": "x"}) == 'option "num_predict" must be of type integer'
    assert "number" in guard.ollama_options_problem({"temperature": "hot"})
    assert guard.ollama_options_problem({"num_predict": True}) is not None
    assert guard.ollama_options_problem({"temperature": 0, "num_predict": 8, "stop": ["\n"], "mirostat": 1}) is None
    assert guard.ollama_options_problem("fast") == "options must be an object"


def test_a_union_error_names_the_field_once():
    status, body = guard.validate_request("/v1/chat/completions", {"messages": [{"role": "wizard", "content": "x"}]})
    error = json.loads(body)
    assert status == 422 and error["param"] == "messages[0].role"
    assert error["message"] == ("Invalid request: messages[0].role: must be one of 'system', 'user', 'assistant', "
                                "'tool', 'function'.")
    assert error["detail"][0]["loc"][:3] == ["body", "messages", 0]  # La Plateforme's 422 shape


def test_cancellation_stops_a_real_generation_between_tokens():
    """The stopping criterion that `install_cancellation` adds, on a real llama.cpp model, no server."""
    from llama_cpp import Llama

    from helpers.engine.embedded import prepare_gemma_model

    guard.install_cancellation()
    llm = Llama(model_path=str(prepare_gemma_model(progress=False)), n_ctx=256, verbose=False, seed=0)
    flag = threading.Event()
    token = guard.CANCELLED.set(flag)
    try:
        stream = llm.create_completion("Once upon a time", max_tokens=200, temperature=0, stream=True)
        pieces = [next(stream)]
        flag.set()
        pieces += list(stream)
    finally:
        guard.CANCELLED.reset(token)
    assert 1 <= len(pieces) <= 3, f"{len(pieces)} chunks after cancelling"
    assert len(list(llm.create_completion("Once upon a time", max_tokens=20, temperature=0, stream=True))) >= 19


# --- bad input through the shared endpoint ---------------------------------------------------------------

def msg(**extra):
    return {"model": CHAT_ALIAS, "messages": ASK, "max_tokens": 2, **extra}


BAD_V1 = [
    ("malformed JSON", "/v1/chat/completions", b'{"model":', 400, "not valid JSON"),
    ("invalid UTF-8", "/v1/chat/completions", b'{"model": "' + CHAT_ALIAS.encode() + b'", "messages": [{"role": "user", '
                                               b'"content": "\xff\xfe"}]}', 400, "not valid JSON"),
    ("a list, not an object", "/v1/chat/completions", json.dumps([1, 2]).encode(), 400, "JSON object"),
    ("messages as a string", "/v1/chat/completions", msg(messages="hi"), 422, "messages: input should be a valid list"),
    ("temperature hot", "/v1/chat/completions", msg(temperature="hot"), 422, "temperature"),
    ("unknown role", "/v1/chat/completions", msg(messages=[{"role": "wizard", "content": "x"}]), 422, "messages[0].role"),
    ("no role", "/v1/chat/completions", msg(messages=[{"content": "x"}]), 422, "messages[0].role: field required"),
    ("response_format a string", "/v1/chat/completions", msg(response_format="json"), 422, "response_format"),
    ("tool_choice without a type", "/v1/chat/completions", msg(tool_choice={"function": "x"}), 422, "tool_choice"),
    ("n=5", "/v1/chat/completions", msg(n=5), 400, "n=5 is not supported"),
    ("max_tokens -1", "/v1/chat/completions", msg(max_tokens=-1), 400, "max_tokens must be"),
    ("max_tokens 0", "/v1/chat/completions", msg(max_tokens=0), 400, "max_tokens must be"),
    ("max_tokens 1e9", "/v1/chat/completions", msg(max_tokens=10**9), 400, "max_tokens must be"),
    ("a schema of an unknown type", "/v1/chat/completions",
     msg(response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "objekt"}}}), 400,
     "Unrecognized schema"),
    ("a (?:...) pattern", "/v1/chat/completions",
     msg(response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {
         "type": "object", "properties": {"v": {"type": "string", "pattern": "^(?:ab)+$"}}, "required": ["v"]}}}),
     400, "pattern"),
    ("an image part for a text-only model", "/v1/chat/completions",
     msg(messages=[{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                               {"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="}]}]),
     400, "reads text only"),
    ("completion prompt a number", "/v1/completions", {"model": CHAT_ALIAS, "prompt": 5}, 422, "prompt"),
    ("completion max_tokens -1", "/v1/completions", {"model": CHAT_ALIAS, "prompt": "x", "max_tokens": -1}, 422,
     "max_tokens: input should be greater than or equal to 0"),
    ("completion max_tokens 0", "/v1/completions", {"model": CHAT_ALIAS, "prompt": "x", "max_tokens": 0}, 400,
     "max_tokens must be"),
]
BAD_OLLAMA = [
    ("malformed JSON", "/api/chat", b'{"model":', 400, "not valid JSON"),
    ("num_predict x", "/api/chat", {"model": CHAT_ALIAS, "messages": ASK, "stream": False, "options": {"num_predict": "x"}},
     400, 'option "num_predict" must be of type integer'),
    ("message without a role", "/api/chat", {"model": CHAT_ALIAS, "messages": [{"content": "x"}], "stream": False}, 400,
     "messages[0].role"),
    ("messages a string", "/api/chat", {"model": CHAT_ALIAS, "messages": "hi", "stream": False}, 400, "messages must be"),
    ("stream a string", "/api/generate", {"model": CHAT_ALIAS, "prompt": "x", "stream": "yes"}, 400, "stream"),
    ("prompt a list", "/api/generate", {"model": CHAT_ALIAS, "prompt": ["x"], "stream": False}, 400, "prompt"),
    ("embed input numbers", "/api/embed", {"model": "standin-minilm-l6-v2", "input": [1, 2]}, 400, "input"),
    ("create from itself", "/api/create", {"model": "loop", "from": "loop", "stream": False}, 400, "from itself"),
    ("create with a bad parameter", "/api/create", {"model": "badp", "from": CHAT_ALIAS, "stream": False,
                                                    "parameters": {"num_predict": "x"}}, 400, "num_predict"),
    ("copy onto a built-in name", "/api/copy", {"source": CHAT_ALIAS, "destination": CHAT_ALIAS}, 400, "built in"),
]


def post(endpoint, path: str, body, **kwargs) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(endpoint.base_url + path, content=content, headers={"content-type": "application/json"},
                      timeout=60, **kwargs)


def assert_clean(response: httpx.Response) -> None:
    """No traceback, no file path, no bare text: an error the client can read."""
    text = response.text
    assert "Traceback" not in text and 'File "' not in text and "site-packages" not in text, text
    assert not any(root in text for root in ("/work/", "/home/", "/root/", "/tmp/", os.getcwd())), text


@pytest.mark.parametrize("name, path, body, status, words", BAD_V1, ids=[case[0] for case in BAD_V1])
def test_bad_v1_input_is_a_clear_4xx_in_la_plateformes_shape(endpoint, name, path, body, status, words):
    response = post(endpoint, path, body)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["object"] == "error" and error["type"] == "invalid_request_error"
    assert words in error["message"], error["message"]
    if status == 422:
        assert error["detail"] and all({"loc", "msg", "type"} <= set(d) for d in error["detail"])
    assert_clean(response)


@pytest.mark.parametrize("name, path, body, status, words", BAD_OLLAMA, ids=[case[0] for case in BAD_OLLAMA])
def test_bad_ollama_input_is_a_clear_4xx_in_ollamas_shape(endpoint, name, path, body, status, words):
    response = post(endpoint, path, body)
    assert response.status_code == status, response.text
    assert words in response.json()["error"], response.text
    assert_clean(response)


def test_the_sdk_reads_a_422_as_a_validation_error(sdk):
    from mistralai.client.errors import HTTPValidationError

    with pytest.raises(HTTPValidationError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, max_tokens=2, top_p=5.0)  # the SDK itself allows it
    assert info.value.data.detail[0].loc[-1] == "top_p" and "less than or equal to 1" in info.value.data.detail[0].msg


def test_a_model_made_from_a_loop_never_breaks_the_listing(endpoint):
    assert post(endpoint, "/api/create", {"model": "loop-a", "from": CHAT_ALIAS, "stream": False}).status_code == 200
    assert post(endpoint, "/api/create", {"model": "loop-b", "from": "loop-a", "stream": False}).status_code == 200
    again = post(endpoint, "/api/create", {"model": "loop-a", "from": "loop-b", "stream": False})
    assert again.status_code == 400 and "from itself" in again.json()["error"]
    assert post(endpoint, "/api/copy", {"source": "loop-b", "destination": "loop-a"}).status_code == 400
    tags = httpx.get(endpoint.base_url + "/api/tags", timeout=10)
    assert tags.status_code == 200 and {"loop-a:latest", "loop-b:latest"} <= {m["name"] for m in tags.json()["models"]}
    for name in ("loop-b", "loop-a"):
        assert httpx.request("DELETE", endpoint.base_url + "/api/delete", json={"model": name}, timeout=10).status_code == 200


def test_show_names_the_model_file_without_a_machine_path(endpoint):
    response = post(endpoint, "/api/show", {"model": CHAT_ALIAS})
    assert response.status_code == 200
    assert "FROM SmolLM2-135M-Instruct.Q4_1.gguf" in response.json()["modelfile"]
    assert_clean(response)


def test_models_list_states_the_output_limits(endpoint):
    cards = {c["id"]: c for c in httpx.get(endpoint.base_url + "/v1/models", timeout=10).json()["data"]}
    assert cards[CHAT_ALIAS]["max_output_tokens"] == guard.MAX_OUTPUT_TOKENS
    assert cards[CHAT_ALIAS]["default_max_tokens"] == guard.DEFAULT_MAX_TOKENS


# --- closed to web pages -------------------------------------------------------------------------------------

def test_a_cross_origin_request_is_refused_and_gets_no_cors_grant(endpoint):
    for path, body in (("/v1/chat/completions", msg()), ("/api/chat", {"model": CHAT_ALIAS, "messages": ASK})):
        response = httpx.post(endpoint.base_url + path, json=body, headers={"Origin": "https://evil.example"}, timeout=30)
        assert response.status_code == 403 and "Cross-origin" in response.text
        assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(endpoint.base_url + "/v1/chat/completions", timeout=10, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    local = httpx.post(endpoint.base_url + "/v1/chat/completions", json=msg(), timeout=30,
                       headers={"Origin": "http://localhost:8888"})
    assert local.status_code == 200  # JupyterLab on this machine may call it


def test_a_foreign_host_header_is_refused(endpoint):
    """DNS rebinding: a page's own name resolving to 127.0.0.1 still sends that name as Host."""
    response = httpx.get(endpoint.base_url + "/v1/models", headers={"Host": "rebind.evil.example"}, timeout=10)
    assert response.status_code == 403 and "127.0.0.1 or localhost" in response.json()["message"]


@pytest.mark.parametrize("method, path", [("POST", "/v1/engines/copilot-codex/completions"), ("POST", "/extras/tokenize"),
                                          ("POST", "/extras/detokenize"), ("GET", "/docs"), ("GET", "/openapi.json"),
                                          ("GET", "/redoc"), ("GET", "/api/nothing")])
def test_routes_the_workbook_does_not_use_are_gone(endpoint, method, path):
    response = httpx.request(method, endpoint.base_url + path, json={"prompt": "x", "input": "x"}, timeout=10)
    assert response.status_code == 404 and "No route" in response.text
    assert_clean(response)


# --- concurrency, disconnects, big bodies ------------------------------------------------------------------

def test_eight_streams_in_flight_all_finish_complete(endpoint):
    import asyncio

    async def one(client: httpx.AsyncClient, i: int) -> tuple[float, float, bool, str | None, str]:
        body = {"model": CHAT_ALIAS, "max_tokens": 24, "temperature": 0, "stream": True,
                "messages": [{"role": "user", "content": f"Count from 1 to {i + 5}."}]}
        done, finish, text = False, None, ""
        sent = time.perf_counter()
        async with client.stream("POST", endpoint.base_url + "/v1/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if line == "data: [DONE]":
                    done = True
                elif line.startswith("data: "):
                    choice = json.loads(line[6:])["choices"][0]
                    text += choice["delta"].get("content") or ""
                    finish = choice.get("finish_reason") or finish
        return sent, time.perf_counter(), done, finish, text

    async def run():
        async with httpx.AsyncClient(timeout=300) as client:
            return await asyncio.gather(*(one(client, i) for i in range(8)))

    results = asyncio.run(run())
    assert max(r[0] for r in results) < min(r[1] for r in results), "the eight streams were never in flight together"
    assert all(done and finish in ("stop", "length") and text for _, _, done, finish, text in results), results


@pytest.mark.slow  # two runaway requests, each left after 1.5 s, then timed: about 4 s on 2 cores
def test_an_abandoned_request_frees_the_model_within_a_second(endpoint):
    quick = dict(RUNAWAY, max_tokens=2)
    post(endpoint, "/v1/chat/completions", quick)  # load Gemma first: a model switch is not what is timed
    for path, body in (("/v1/chat/completions", RUNAWAY),
                       # the Ollama side serves only the assistant, which ends most replies on its own: a format
                       # whose grammar asks for at least 400 numbers keeps it writing, whatever it was trained on
                       ("/api/chat", {"model": CHAT_ALIAS, "stream": False, "options": {"num_predict": -1, "temperature": 0},
                                      "format": {"type": "array", "items": {"type": "integer"}, "minItems": 400},
                                      "messages": [{"role": "user", "content": "Write the numbers from 1 to 5000 as a JSON array."}]})):
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(endpoint.base_url + path, json=body, timeout=1.5)
        started = time.perf_counter()
        response = post(endpoint, "/v1/chat/completions", quick if path.startswith("/v1") else
                        {"model": CHAT_ALIAS, "messages": ASK, "max_tokens": 2})
        assert response.status_code == 200
        assert time.perf_counter() - started < 1.0, f"the model was still busy after {path} was abandoned"


def test_a_5_mb_body_does_not_stall_other_routes(endpoint):
    big = {"model": CHAT_ALIAS, "messages": [{"role": "user", "content": "word " * 1_000_000}], "max_tokens": 2}
    result: dict[str, httpx.Response] = {}
    worker = threading.Thread(target=lambda: result.update(r=post(endpoint, "/v1/chat/completions", big)))
    worker.start()
    time.sleep(0.2)
    slowest = 0.0
    while worker.is_alive():
        started = time.perf_counter()
        assert httpx.get(endpoint.base_url + "/api/version", timeout=30).status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.05)
    worker.join()
    assert result["r"].status_code == 400 and "maximum context length" in result["r"].text
    assert slowest < 0.5, f"/api/version took {slowest:.2f} s while a 5 MB body was checked"


def test_an_oversized_body_is_a_413(endpoint):
    response = post(endpoint, "/v1/chat/completions", b"x" * (guard.MAX_BODY_BYTES + 1))
    assert response.status_code == 413 and "MB" in response.json()["message"]


@pytest.mark.parametrize("path", ["/v1/ocr", "/v1/files", "/v1/moderations", "/v1/batch/jobs"])
def test_an_oversized_upload_is_a_413_before_it_is_read(endpoint, path):
    """The routes beyond chat take documents: a body over MAX_UPLOAD_BYTES is refused by its Content-Length, unread."""
    import socket

    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {guard.MAX_UPLOAD_BYTES + 1}\r\nConnection: close\r\n\r\n").encode()
    port = int(endpoint.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head + b"{")  # a few bytes of the announced 72 MB: the answer comes without the rest
        received = b""
        while chunk := conn.recv(65536):  # until the server closes the connection
            received += chunk
        reply = received.decode("latin-1")
    status, _, rest = reply.partition("\r\n")
    assert " 413 " in status, reply
    payload = rest.split("\r\n\r\n", 1)[1]  # chunked: the JSON between its chunk sizes
    body = json.loads(payload[payload.index("{"):payload.rindex("}") + 1])
    assert body["object"] == "error" and "MB" in body["message"]


# --- a keyed endpoint with a short queue, stopped during a generation ---------------------------------------

KEY = "workbook-test-key-0123456789"


@pytest.fixture(scope="module")
def keyed(monkeypatch_module):
    monkeypatch_module.setenv("WORKBOOK_MAX_WAITING", "2")
    server = LocalEndpoint(port=free_port(), api_key=KEY, say=lambda _: None).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.slow  # the keyed endpoint of its own
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/v1/models", None), ("POST", "/v1/chat/completions", msg()), ("GET", "/api/tags", None),
    ("POST", "/api/chat", {"model": CHAT_ALIAS, "messages": ASK, "stream": False}),
    ("POST", "/api/show", {"model": CHAT_ALIAS}), ("POST", "/api/create", {"model": "x", "from": CHAT_ALIAS}),
    ("GET", "/api/version", None), ("GET", "/", None)])
def test_the_api_key_is_enforced_on_every_route(keyed, method, path, body):
    refused = httpx.request(method, keyed.base_url + path, json=body, timeout=30)
    assert refused.status_code == 401 and "API key" in refused.text
    wrong = httpx.request(method, keyed.base_url + path, json=body, timeout=30, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    allowed = httpx.request(method, keyed.base_url + path, json=body, timeout=60,
                            headers={"Authorization": f"Bearer {KEY}"})
    assert allowed.status_code == 200, allowed.text


@pytest.mark.slow  # the keyed endpoint of its own (a queue of 2)
def test_a_full_queue_is_a_clear_503_and_the_queue_drains(keyed):
    auth = {"Authorization": f"Bearer {KEY}"}
    runaway = threading.Thread(target=lambda: httpx.post(keyed.base_url + "/v1/chat/completions", json=dict(
        RUNAWAY, max_tokens=150), headers=auth, timeout=120))
    waiting = threading.Thread(target=lambda: httpx.post(keyed.base_url + "/v1/chat/completions", json=msg(),
                                                         headers=auth, timeout=120))
    runaway.start()
    time.sleep(1.0)
    waiting.start()
    time.sleep(0.5)
    busy = httpx.post(keyed.base_url + "/v1/chat/completions", json=msg(), headers=auth, timeout=30)
    assert busy.status_code == 503 and "busy" in busy.json()["message"] and busy.headers["retry-after"]
    runaway.join()
    waiting.join()
    assert httpx.post(keyed.base_url + "/v1/chat/completions", json=msg(), headers=auth, timeout=60).status_code == 200


@pytest.mark.slow  # stops the keyed endpoint of its own
def test_sigterm_during_a_long_generation_stops_the_server_within_5_s(keyed):
    auth = {"Authorization": f"Bearer {KEY}"}
    outcome: dict[str, object] = {}

    def runaway():
        try:
            outcome["status"] = httpx.post(keyed.base_url + "/v1/chat/completions", json=RUNAWAY, headers=auth,
                                           timeout=120).status_code
        except httpx.HTTPError as exc:
            outcome["status"] = type(exc).__name__

    worker = threading.Thread(target=runaway)
    worker.start()
    time.sleep(2.0)
    assert keyed.running and "status" not in outcome, "the generation should still be running"
    started = time.perf_counter()
    keyed.stop(timeout=30)  # SIGTERM to the process group, SIGKILL only after 30 s
    stopped = time.perf_counter() - started
    worker.join(10)
    assert stopped < 5, f"the endpoint took {stopped:.1f} s to stop after SIGTERM"
    assert not keyed.running


@pytest.mark.parametrize("extra, words", [({"reasoning_effort": "high"}, "reasoning_effort='high' is not supported"),
                                          ({"prompt_mode": "reasoning"}, "Reasoning prompt mode is not enabled")])
def test_reasoning_is_refused_as_la_plateforme_refuses_it_on_a_model_without(endpoint, extra, words):
    response = post(endpoint, "/v1/chat/completions", msg(**extra))
    assert response.status_code == 400, response.text
    error = response.json()
    assert words in error["message"] and error["code"] == "3051" and error["type"] == "invalid_request_invalid_args"


def test_the_sdk_sends_reasoning_effort_and_gets_the_refusal(sdk):
    from mistralai.client.errors import SDKError

    with pytest.raises(SDKError) as info:
        sdk.chat.complete(model=CHAT_ALIAS, messages=ASK, max_tokens=2, reasoning_effort="high")
    assert info.value.status_code == 400 and "not supported for this model" in str(info.value)
