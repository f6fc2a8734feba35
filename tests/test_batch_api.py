"""La Plateforme's Files and Batch APIs on the embedded endpoint, through the unmodified mistralai client."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import httpx
import pytest
from mistralai.client import Mistral
from mistralai.client.errors import SDKError

from helpers.engine.embedded import CHAT_ALIAS, EMBED_ALIAS
from helpers.engine.serving import LocalEndpoint, free_port

FINISHED = {"SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED"}


def jsonl(lines) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def chat_line(custom_id: str, question: str, max_tokens: int = 16) -> dict:
    return {"custom_id": custom_id, "body": {"max_tokens": max_tokens, "messages": [{"role": "user", "content": question}]}}


def upload(sdk, content: bytes, name: str = "requests.jsonl", purpose: str = "batch"):
    return sdk.files.upload(file={"file_name": name, "content": content}, purpose=purpose)


def wait_for(sdk, job_id: str, statuses=FINISHED, timeout: float = 240.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = sdk.batch.jobs.get(job_id=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout:.0f} s")


def download_lines(sdk, file_id: str) -> list[dict]:
    return [json.loads(line) for line in sdk.files.download(file_id=file_id).read().decode().splitlines()]


def refused(call, status: int, words: str) -> None:
    """`call` raises the SDK's error with `status`, and La Plateforme's error body carries `words`."""
    with pytest.raises(SDKError) as caught:
        call()
    error = caught.value
    assert error.status_code == status, error.body
    body = json.loads(error.body)
    assert body["object"] == "error" and words in body["message"], body
    assert words in str(error)  # what the reader sees in the traceback


def test_files_upload_list_retrieve_download_delete(sdk, endpoint):
    content = jsonl([chat_line("a", "Hello")])
    made = upload(sdk, content)
    assert made.purpose == "batch" and made.size_bytes == len(content) and made.filename == "requests.jsonl"
    assert made.sample_type == "batch_request" and made.source == "upload" and made.num_lines == 1
    other = upload(sdk, b"%PDF-1.4 not really", name="scan.pdf", purpose="ocr")
    listed = sdk.files.list(purpose="batch")
    assert made.id in {f.id for f in listed.data} and other.id not in {f.id for f in listed.data}
    assert listed.total == len(listed.data)
    assert other.id in {f.id for f in sdk.files.list(search="scan").data}
    got = sdk.files.retrieve(file_id=made.id)
    assert got.id == made.id and got.deleted is False and got.filename == "requests.jsonl"
    assert sdk.files.download(file_id=made.id).read() == content
    url = sdk.files.get_signed_url(file_id=made.id).url
    assert httpx.get(url).content == content
    assert sdk.files.delete(file_id=made.id).deleted is True
    refused(lambda: sdk.files.retrieve(file_id=made.id), 404, "No file with id")
    assert made.id not in {f.id for f in sdk.files.list().data}
    sdk.files.delete(file_id=other.id)


def test_batch_job_answers_every_line(sdk):
    questions = {"paris": "What is the capital of France?", "sky": "What colour is the sky?", "two": "What is 1 + 1?"}
    lines = [chat_line(cid, q) for cid, q in questions.items()]
    lines.append({"custom_id": "bad", "body": {"max_tokens": 0, "messages": [{"role": "user", "content": "Hi"}]}})
    source = upload(sdk, jsonl(lines))
    started = time.monotonic()
    job = sdk.batch.jobs.create(input_files=[source.id], model=CHAT_ALIAS, endpoint="/v1/chat/completions",
                                metadata={"run": "capitals"})
    assert job.status in ("QUEUED", "RUNNING") and job.total_requests == 4 and job.input_files == [source.id]
    assert job.metadata == {"run": "capitals"} and job.model == CHAT_ALIAS and job.object == "batch"
    job = wait_for(sdk, job.id)
    print(f"4 batch lines in {time.monotonic() - started:.1f} s")
    assert job.status == "SUCCESS", job.errors
    assert (job.succeeded_requests, job.failed_requests, job.completed_requests) == (3, 1, 4)
    assert job.started_at and job.completed_at and job.created_at <= job.started_at <= job.completed_at
    out = download_lines(sdk, job.output_file)
    assert [line["custom_id"] for line in out] == list(questions)
    for line in out:
        assert line["response"]["status_code"] == 200 and line["error"] is None
        assert line["response"]["body"]["model"] == CHAT_ALIAS
        assert line["response"]["body"]["choices"][0]["message"]["content"].strip()
        assert line["response"]["body"]["usage"]["completion_tokens"] <= 16
    errors = download_lines(sdk, job.error_file)
    assert [line["custom_id"] for line in errors] == ["bad"]
    assert errors[0]["response"]["status_code"] == 400 and "max_tokens" in errors[0]["error"]["message"]
    assert job.errors and "max_tokens" in job.errors[0].message
    assert sdk.files.retrieve(file_id=job.output_file).purpose == "batch"
    assert job.id in {j.id for j in sdk.batch.jobs.list(metadata={"run": "capitals"}).data}
    assert job.id not in {j.id for j in sdk.batch.jobs.list(metadata={"run": "other"}).data}
    assert job.id in {j.id for j in sdk.batch.jobs.list(status=["SUCCESS"]).data}
    inline = sdk.batch.jobs.get(job_id=job.id, inline=True)
    assert [o["custom_id"] for o in inline.outputs] == [*questions, "bad"]


def test_inline_embedding_requests(sdk):
    requests = [{"custom_id": f"e{i}", "body": {"input": [text]}} for i, text in enumerate(["firewall", "phishing"])]
    job = sdk.batch.jobs.create(requests=requests, model=EMBED_ALIAS, endpoint="/v1/embeddings")
    job = wait_for(sdk, job.id)
    assert job.status == "SUCCESS" and job.succeeded_requests == 2 and job.input_files == []
    out = download_lines(sdk, job.output_file)
    assert [line["custom_id"] for line in out] == ["e0", "e1"]
    vectors = [line["response"]["body"]["data"][0]["embedding"] for line in out]
    assert len(vectors[0]) == len(vectors[1]) > 100 and vectors[0] != vectors[1]


def test_moderation_and_ocr_requests_run_as_batch_jobs(sdk):
    """The APIs beyond chat batch too: each line goes through its own route, answers matched by custom_id."""
    from helpers import ocr
    from helpers.engine.embedded import MODERATION_ALIAS, OCR_ALIAS

    texts = {"calm": "Such a lovely day, isn't it?", "threat": "If you report me again I will find you and hurt you."}
    job = sdk.batch.jobs.create(requests=[{"custom_id": k, "body": {"input": [t]}} for k, t in texts.items()],
                                model=MODERATION_ALIAS, endpoint="/v1/moderations")
    job = wait_for(sdk, job.id)
    assert job.status == "SUCCESS" and job.succeeded_requests == 2
    flags = {line["custom_id"]: line["response"]["body"]["results"][0]["categories"]
             for line in download_lines(sdk, job.output_file)}
    assert flags["threat"]["violence_and_threats"] and not any(flags["calm"].values())
    memo = ocr.sample_documents()[0]
    job = sdk.batch.jobs.create(requests=[{"custom_id": "memo", "body": {"document": memo.payload()}}],
                                model=OCR_ALIAS, endpoint="/v1/ocr")
    job = wait_for(sdk, job.id)
    page = download_lines(sdk, job.output_file)[0]["response"]["body"]["pages"][0]
    assert ocr.character_accuracy(memo.expected[0], page["markdown"]) > 0.95
    # a model that cannot serve the endpoint is refused when the job is created, naming the one that can
    refused(lambda: sdk.batch.jobs.create(requests=[{"custom_id": "x", "body": {"input": ["hi"]}}], model=EMBED_ALIAS,
                                          endpoint="/v1/moderations"), 404, MODERATION_ALIAS)


def test_cancel_stops_a_running_job(sdk):
    lines = [chat_line(str(i), f"Count from 1 to 200, number {i}.", max_tokens=96) for i in range(8)]
    job = sdk.batch.jobs.create(requests=lines, model=CHAT_ALIAS, endpoint="/v1/chat/completions")
    wait_for(sdk, job.id, statuses={"RUNNING", *FINISHED})
    cancelled = sdk.batch.jobs.cancel(job_id=job.id)
    assert cancelled.status == "CANCELLATION_REQUESTED"
    job = wait_for(sdk, job.id)
    assert job.status == "CANCELLED" and job.completed_requests < 8 and job.completed_at
    if job.output_file:
        assert len(download_lines(sdk, job.output_file)) == job.succeeded_requests
    refused(lambda: sdk.batch.jobs.cancel(job_id=str(uuid.uuid4())), 404, "No batch job")
    queued = sdk.batch.jobs.create(requests=lines[:1], model=CHAT_ALIAS, endpoint="/v1/chat/completions")
    assert sdk.batch.jobs.cancel(job_id=queued.id).status in ("CANCELLED", "CANCELLATION_REQUESTED")
    assert wait_for(sdk, queued.id).status == "CANCELLED"


def test_unknown_ids_are_404(sdk):
    missing = str(uuid.uuid4())
    refused(lambda: sdk.files.retrieve(file_id=missing), 404, "No file with id")
    refused(lambda: sdk.files.retrieve(file_id="..secrets"), 404, "No file with id")
    refused(lambda: sdk.files.delete(file_id=missing), 404, "No file with id")
    refused(lambda: sdk.batch.jobs.get(job_id=missing), 404, "No batch job")
    refused(lambda: sdk.batch.jobs.create(input_files=[missing], model=CHAT_ALIAS, endpoint="/v1/chat/completions"),
            404, "No file with id")
    with pytest.raises(SDKError) as caught:
        sdk.files.download(file_id=missing)
    assert caught.value.status_code == 404 and "No file with id" in str(caught.value)


@pytest.mark.parametrize("content, words", [
    (b'{"custom_id": "a", "body": {}}\n{"custom_id": "b", "body": \n', "line 2 is not valid JSON"),
    (b'{"body": {"messages": []}}\n', "line 1 has no custom_id"),
    (b'{"custom_id": "a"}\n', "line 1 has no body"),
    (b"[1, 2]\n", "line 1 must be a JSON object"),
    (b"\n\n", "it is empty"),
    (b"\xff\xfe\x00binary", "not UTF-8"),
    (b'{"custom_id": "a", "body": {}}\n{"custom_id": "a", "body": {}}\n', "appears twice"),
])
def test_malformed_input_files_are_400(sdk, content, words):
    source = upload(sdk, content)
    refused(lambda: sdk.batch.jobs.create(input_files=[source.id], model=CHAT_ALIAS, endpoint="/v1/chat/completions"),
            400, words)


def test_bad_job_requests_are_refused(sdk):
    good = upload(sdk, jsonl([chat_line("a", "Hi")]))
    create = sdk.batch.jobs.create
    refused(lambda: create(input_files=[good.id], model=CHAT_ALIAS, endpoint="/v1/fim/completions"), 400,
            "is not served for batch jobs")
    refused(lambda: create(input_files=[good.id], model="mistral-large-latest", endpoint="/v1/chat/completions"),
            404, "Invalid model")
    refused(lambda: create(input_files=[good.id], model=EMBED_ALIAS, endpoint="/v1/chat/completions"), 404,
            "Invalid model")
    refused(lambda: create(input_files=[good.id], endpoint="/v1/chat/completions"), 400, "has no model")
    refused(lambda: create(model=CHAT_ALIAS, endpoint="/v1/chat/completions"), 400, "input_files")
    refused(lambda: create(requests=[{"custom_id": "x", "body": {}}], model=CHAT_ALIAS, endpoint="/v1/chat/completions",
                           timeout_hours=0), 400, "timeout_hours")
    tuning = upload(sdk, jsonl([chat_line("a", "Hi")]), purpose="fine-tune")
    refused(lambda: create(input_files=[tuning.id], model=CHAT_ALIAS, endpoint="/v1/chat/completions"), 400,
            "purpose 'fine-tune'")


def test_bad_uploads_are_refused(sdk):
    refused(lambda: upload(sdk, b"x" * (8 * 2**20 + 1)), 413, "8 MB")
    refused(lambda: upload(sdk, b"{}\n", purpose="training"), 400, "purpose must be one of")


@pytest.mark.slow  # it starts an endpoint of its own, twice
def test_job_survives_a_restart(tmp_path):
    state = tmp_path / "state"
    # long answers, so that the stop comes while the job runs
    lines = [chat_line(str(i), f"Write a long story about the colour number {i}.", max_tokens=160) for i in range(5)]

    def start() -> LocalEndpoint:
        server = LocalEndpoint(port=free_port(), say=lambda _: None)
        server.env["WORKBOOK_STATE"] = str(state)  # the jobs of this test only, kept across the restart
        return server.start()

    server = start()
    try:
        sdk = Mistral(api_key="local", server_url=server.base_url)
        job = sdk.batch.jobs.create(requests=lines, model=CHAT_ALIAS, endpoint="/v1/chat/completions")
        deadline = time.monotonic() + 120
        while sdk.batch.jobs.get(job_id=job.id).completed_requests < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    done = state / "batch" / job.id / "done"
    before = {p.name: json.loads(p.read_text()) for p in done.glob("*.json")}
    stopped = json.loads((state / "batch" / f"{job.id}.json").read_text())
    assert 1 <= len(before) < 5 and stopped["status"] == "RUNNING", stopped

    server = start()
    try:
        # the job resumes when the server starts, before anyone asks for it: answers appear on disk unasked
        deadline = time.monotonic() + 120
        while len(list(done.glob("*.json"))) <= len(before) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(done.glob("*.json"))) > len(before), "the interrupted job did not resume at startup"
        sdk = Mistral(api_key="local", server_url=server.base_url)
        finished = wait_for(sdk, job.id)
        assert finished.status == "SUCCESS" and finished.succeeded_requests == 5 and finished.completed_requests == 5
        out = download_lines(sdk, finished.output_file)
    finally:
        server.stop()
    assert sorted(line["custom_id"] for line in out) == [str(i) for i in range(5)]
    assert len({line["response"]["body"]["id"] for line in out}) == 5
    for name, result in before.items():  # answered before the stop: kept, not asked again
        assert out[int(Path(name).stem)]["response"]["body"]["id"] == result["body"]["id"]
    assert sorted(os.listdir(done)) == [f"{i}.json" for i in range(5)]
