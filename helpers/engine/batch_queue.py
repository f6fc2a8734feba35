"""Batch jobs on the embedded endpoint: their records on disk, and the worker that runs them.

A job is created (`create_job`) from JSONL request lines (`parse_lines`, which names the line of every
problem) and queued. One worker task in the endpoint process (`BatchQueue`) runs queued jobs one at a
time and one request line at a time, each through the whole endpoint in-process (`EndpointContext.call`),
so a line gets exactly the checks, answers and errors a client's request gets. Lines answered 200 go to
the job's output file, the others to its error file (both La Plateforme batch lines:
`{"id", "custom_id", "response": {"status_code", "body"}, "error"}`).

Under `state_dir/"batch"`: `<job id>.json` (the job, La Plateforme's `BatchJob` fields), `<job id>/requests.jsonl`
(the lines to run, copied at creation) and `<job id>/done/<n>.json` (line n's answer). Every write is atomic,
and a line's answer is stored before the job counts it, so a job left QUEUED or RUNNING by a stopped
process resumes when the worker starts again, without running any answered line twice. A line cut short
by the endpoint's shutdown is not stored: it runs again after the restart.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from . import endpoint_guard as guard
from . import file_store
from .additions import EndpointContext

# what a batch job here may run, each with the capability a model needs for it (embeddings: none of the others)
ENDPOINTS = {"/v1/chat/completions": "completion_chat", "/v1/embeddings": None, "/v1/moderations": "moderation",
             "/v1/chat/moderations": "moderation", "/v1/ocr": "ocr"}
PENDING = ("QUEUED", "RUNNING", "CANCELLATION_REQUESTED")
FINISHED = ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED")
PRIVATE = ("timeout_hours",)  # kept in the job's record, not part of La Plateforme's job object
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BUSY_RETRY_SECONDS = 2.0  # a line the endpoint answered 503 (busy) is sent again after this pause


class JobNotFound(LookupError):
    """No batch job has this id (a 404)."""

    def __init__(self, job_id: str):
        super().__init__(f"No batch job with id {job_id!r} here. List the jobs with batch.jobs.list().")


def folder(state_dir: Path) -> Path:
    path = Path(state_dir) / "batch"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(state_dir: Path, job_id: str) -> Path:
    if not isinstance(job_id, str) or not _ID.match(job_id):
        raise JobNotFound(str(job_id))
    return folder(state_dir) / f"{job_id}.json"


def load_job(state_dir: Path, job_id: str) -> dict[str, Any]:
    try:
        job: dict[str, Any] = json.loads(job_path(state_dir, job_id).read_text())
    except (FileNotFoundError, ValueError):
        raise JobNotFound(job_id) from None
    return job


def save_job(state_dir: Path, job: dict[str, Any]) -> None:
    file_store.write_json(job_path(state_dir, job["id"]), job)


def list_jobs(state_dir: Path) -> list[dict[str, Any]]:
    """Every job's record, oldest first."""
    jobs = []
    for path in folder(state_dir).glob("*.json"):
        try:
            jobs.append(load_job(state_dir, path.stem))
        except JobNotFound:
            continue
    return sorted(jobs, key=lambda j: (j["created_at"], j["id"]))


def public(job: dict[str, Any]) -> dict[str, Any]:
    """The job as La Plateforme's `BatchJob` object."""
    return {k: v for k, v in job.items() if k not in PRIVATE}


def parse_lines(content: bytes, source: str) -> list[dict[str, Any]]:
    """The request lines of a batch input file, `{"custom_id", "body"}` each; ValueError naming the first bad line."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{source} is not UTF-8 text: a batch input file is JSONL, one request per line.") from None
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{source}, line {number} is not valid JSON ({exc.msg}). Each line must be one JSON "
                             'object: {"custom_id": "0", "body": {...}}.') from None
        lines.append(check_line(line, f"{source}, line {number}"))
    if not lines:
        raise ValueError(f"{source} holds no request lines: it is empty.")
    return lines


def check_line(line: Any, where: str) -> dict[str, Any]:
    """`line` as `{"custom_id", "body"}`; ValueError saying what `where` lacks."""
    if not isinstance(line, dict):
        raise ValueError(f'{where} must be a JSON object with custom_id and body: {{"custom_id": "0", "body": {{...}}}}.')
    if not isinstance(line.get("custom_id"), str) or not line["custom_id"]:
        raise ValueError(f"{where} has no custom_id (a non-empty string): it is what matches each answer to its request.")
    if not isinstance(line.get("body"), dict):
        raise ValueError(f"{where} has no body: the request to send, as a JSON object (model, messages, ...).")
    return {"custom_id": line["custom_id"], "body": line["body"]}


def create_job(state_dir: Path, lines: list[dict[str, Any]], *, endpoint: str, model: str | None,
               input_files: list[str], metadata: dict[str, Any] | None, timeout_hours: int) -> dict[str, Any]:
    """Store a new QUEUED job running `lines` (the job's model set in each body) and return its record."""
    job_id = str(uuid.uuid4())
    bodies = []
    for line in lines:
        body = {k: v for k, v in line["body"].items() if k != "stream"}  # a batch line answers in one piece
        if model is not None:
            body["model"] = model
        bodies.append(json.dumps({"custom_id": line["custom_id"], "body": body}, ensure_ascii=False))
    file_store.write_atomic(folder(state_dir) / job_id / "requests.jsonl", ("\n".join(bodies) + "\n").encode())
    job = {
        "id": job_id, "object": "batch", "input_files": input_files, "endpoint": endpoint, "model": model,
        "agent_id": None, "metadata": metadata, "errors": [], "status": "QUEUED", "created_at": int(time.time()),
        "started_at": None, "completed_at": None, "total_requests": len(lines), "completed_requests": 0,
        "succeeded_requests": 0, "failed_requests": 0, "output_file": None, "error_file": None,
        "timeout_hours": timeout_hours,
    }
    save_job(state_dir, job)
    return job


def answered(state_dir: Path, job_id: str) -> dict[int, dict[str, Any]]:
    """The stored answers of a job's lines, by line index."""
    done = {}
    for path in (folder(state_dir) / job_id / "done").glob("*.json"):
        try:
            done[int(path.stem)] = json.loads(path.read_text())
        except ValueError:
            continue
    return done


def output_lines(state_dir: Path, job_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(output lines, error lines) of a job's answered lines, in input order, in La Plateforme's batch shape."""
    good, bad = [], []
    for index, result in sorted(answered(state_dir, job_id).items()):
        line = {"id": f"batch-{job_id[:8]}-{index}", "custom_id": result["custom_id"],
                "response": {"status_code": result["status_code"], "body": result["body"]}, "error": None}
        if result["status_code"] == 200:
            good.append(line)
        else:
            line["error"] = {"message": error_message(result), "code": str(result["status_code"])}
            bad.append(line)
    return good, bad


def error_message(result: dict[str, Any]) -> str:
    body = result["body"]
    if isinstance(body, dict):
        inner: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else body
        if isinstance(inner.get("message"), str):
            return str(inner["message"])
    return f"The request failed with status {result['status_code']}."


class BatchQueue:
    """The worker: one asyncio task running pending jobs in the order they were created."""

    def __init__(self, context: EndpointContext):
        self.context = context
        self.task: asyncio.Task[None] | None = None
        self.wake: asyncio.Event | None = None

    async def ensure_started(self) -> None:
        """Start the worker (at the first request to a batch or files route), or wake it."""
        if self.task is None or self.task.done():
            self.wake = asyncio.Event()
            # a context of its own: the request's context variables (e.g. its cancellation flag) are not the worker's
            self.task = asyncio.get_running_loop().create_task(self.run(), context=contextvars.Context())
        assert self.wake is not None
        self.wake.set()

    async def run(self) -> None:
        assert self.wake is not None
        broken: set[str] = set()  # jobs that failed even to be marked FAILED: not tried again in this process
        while not guard.SHUTDOWN.is_set():
            self.wake.clear()
            pending = [j for j in list_jobs(self.context.state_dir) if j["status"] in PENDING and j["id"] not in broken]
            if not pending:
                await self.wake.wait()
                continue
            job_id = pending[0]["id"]
            try:
                await self.run_job(job_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a job's failure must not stop the worker
                try:
                    self.finish(job_id, "FAILED", f"The batch worker failed on this job ({type(exc).__name__}: {exc}).")
                except Exception:  # noqa: BLE001
                    broken.add(job_id)

    async def run_job(self, job_id: str) -> None:
        state = self.context.state_dir
        job = load_job(state, job_id)
        if job["status"] == "QUEUED":
            job.update(status="RUNNING", started_at=int(time.time()))
            save_job(state, job)
        raw = (folder(state) / job_id / "requests.jsonl").read_text(encoding="utf-8").splitlines()
        requests = [json.loads(line) for line in raw if line.strip()]
        done = answered(state, job_id)
        self.count(job_id, done)  # a process stopped between storing an answer and counting it
        for index, request in enumerate(requests):
            if index in done:
                continue
            job = load_job(state, job_id)
            if job["status"] == "CANCELLATION_REQUESTED":
                self.finish(job_id, "CANCELLED")
                return
            if time.time() > job["created_at"] + 3600 * job.get("timeout_hours", 24):
                self.finish(job_id, "TIMEOUT_EXCEEDED", f"The job ran past its timeout of {job['timeout_hours']} h.")
                return
            result = await self.answer(job["endpoint"], request)
            if result is None:  # the endpoint is stopping: this line runs again after the restart
                return
            file_store.write_json(folder(state) / job_id / "done" / f"{index}.json", result)
            done[index] = result
            self.count(job_id, done)
        final = load_job(state, job_id)
        if final["status"] == "CANCELLATION_REQUESTED":
            self.finish(job_id, "CANCELLED")
        elif final["succeeded_requests"] == 0:
            self.finish(job_id, "FAILED", "Every request of the job failed; the error file says why for each.")
        else:
            self.finish(job_id, "SUCCESS")

    async def answer(self, endpoint: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """One line's answer through the whole endpoint; None when the endpoint is shutting down."""
        while True:
            try:
                response = await self.context.call("POST", endpoint, request["body"])
            except Exception as exc:  # noqa: BLE001 - one line's failure is that line's error, not the job's
                message = f"The endpoint failed on this request ({type(exc).__name__})."
                return {"custom_id": request["custom_id"], "status_code": 500,
                        "body": {"object": "error", "message": message, "type": "internal_error"}}
            if guard.SHUTDOWN.is_set():  # a generation stopped by the shutdown ends early: not a real answer
                return None
            if response.status_code != 503:
                break
            await asyncio.sleep(BUSY_RETRY_SECONDS)
        try:
            body: Any = response.json()
        except ValueError:
            body = {"message": response.text}
        return {"custom_id": request["custom_id"], "status_code": response.status_code, "body": body}

    def count(self, job_id: str, done: dict[int, dict[str, Any]]) -> None:
        """Store the job's counters for the answers in `done` (its status is left as it is on disk)."""
        job = load_job(self.context.state_dir, job_id)
        succeeded = sum(1 for r in done.values() if r["status_code"] == 200)
        job.update(completed_requests=len(done), succeeded_requests=succeeded, failed_requests=len(done) - succeeded)
        save_job(self.context.state_dir, job)

    def finish(self, job_id: str, status: str, message: str | None = None) -> None:
        """End the job: write its output and error files (of the lines answered so far) and its final status."""
        state = self.context.state_dir
        good, bad = output_lines(state, job_id)
        job = load_job(state, job_id)
        for lines, key, kind in ((good, "output_file", "batch_result"), (bad, "error_file", "batch_error")):
            if lines:
                content = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
                name = f"{job_id}{'' if key == 'output_file' else '_error'}.jsonl"
                stored = file_store.save(state, content, name, "batch", source="mistral", sample_type=kind,
                                         file_id=str(uuid.uuid5(uuid.UUID(job_id), key)))
                job[key] = stored["id"]
        errors = Counter(line["error"]["message"] for line in bad)
        job["errors"] = [{"message": m, "count": n} for m, n in errors.most_common(10)]
        if message:
            job["errors"].insert(0, {"message": message, "count": 1})
        job.update(status=status, completed_at=int(time.time()))
        save_job(state, job)
