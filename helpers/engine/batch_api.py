"""La Plateforme's Files and Batch APIs on the embedded endpoint, for the unmodified `mistralai` client.

Files (`client.files.*`): upload (multipart, at most `file_store.MAX_FILE_BYTES`), list, retrieve,
download, delete and a download URL, stored by `helpers.engine.file_store`. Batch jobs
(`client.batch.jobs.*`): create from uploaded JSONL files or inline `requests`, get (with `inline=True`,
the answers in `outputs`), list, cancel and delete, run by `helpers.engine.batch_queue`'s worker, which
sends each line through the whole endpoint in-process. Jobs and files live in the state folder, so a
job outlives a restart of the endpoint and resumes where it stopped.

Every problem is a 4xx in La Plateforme's error shape (`fastapi.HTTPException`, which the endpoint's
error handlers answer as `{"object": "error", "message", ...}`): an unknown file or job (404), a
malformed line (400, naming the file and the line), a model that is not served (404), an upload over the
size limit (413).
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import Response

from . import batch_queue as queue
from . import file_store
from .additions import EndpointContext

JOB_FILTERS = ("page", "page_size", "model", "agent_id", "created_after", "created_by_me", "status", "order_by")
MULTIPART_SLACK = 64 * 2**10  # room for the multipart framing and form fields around the file itself


def stored_file(context: EndpointContext, file_id: str) -> tuple[dict[str, Any], bytes]:
    try:
        return file_store.load(context.state_dir, file_id)
    except file_store.FileNotFound as exc:
        raise HTTPException(404, detail=str(exc)) from None


def stored_job(context: EndpointContext, job_id: str) -> dict[str, Any]:
    try:
        return queue.load_job(context.state_dir, job_id)
    except queue.JobNotFound as exc:
        raise HTTPException(404, detail=str(exc)) from None


def page_of(items: list[Any], request: Request) -> list[Any]:
    try:
        page, size = int(request.query_params.get("page", 0)), int(request.query_params.get("page_size", 100))
    except ValueError:
        raise HTTPException(400, detail="page and page_size must be integers.") from None
    if page < 0 or size < 1:
        raise HTTPException(400, detail="page must be 0 or more and page_size 1 or more.")
    return items[page * size:(page + 1) * size]


async def check_model(context: EndpointContext, model: Any, endpoint: str) -> None:
    """A 404 naming the served models when `model` is not one `endpoint` can run (asked of `/v1/models`)."""
    response = await context.call("GET", "/v1/models")
    cards = {card["id"]: card for card in response.json().get("data", [])}
    needs = queue.ENDPOINTS[endpoint]
    special = {"completion_chat", "moderation", "ocr"}  # an embedding model has none of these

    def fits(capabilities: dict[str, Any]) -> bool:
        return bool(capabilities.get(needs)) if needs else not any(capabilities.get(c) for c in special)

    fitting = [name for name, card in cards.items() if fits(card.get("capabilities") or {})]
    if model not in fitting:
        raise HTTPException(404, detail=f"Invalid model: {model!r} is not served here for {endpoint}. Models "
                                        f"served for it: {', '.join(fitting)}.")


async def job_lines(context: EndpointContext, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request lines of a job creation request (its input files, then its inline `requests`); 4xx if bad."""
    files, inline = body.get("input_files") or [], body.get("requests") or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise HTTPException(400, detail="input_files must be a list of file ids.")
    if not isinstance(inline, list):
        raise HTTPException(400, detail='requests must be a list of {"custom_id": ..., "body": {...}} objects.')
    if not files and not inline:
        raise HTTPException(400, detail="Give the job input_files (ids of uploaded .jsonl files) or inline requests.")
    lines: list[dict[str, Any]] = []
    try:
        for file_id in files:
            meta, content = stored_file(context, file_id)
            if meta["purpose"] != "batch":
                raise HTTPException(400, detail=f"File {file_id} was uploaded with purpose {meta['purpose']!r}; a batch "
                                                "job reads files uploaded with purpose='batch'.")
            lines += queue.parse_lines(content, f"Input file {file_id} ({meta['filename']})")
        lines += [queue.check_line(line, f"requests[{i}]") for i, line in enumerate(inline)]
    except ValueError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    seen: set[str] = set()
    for line in lines:
        if line["custom_id"] in seen:
            raise HTTPException(400, detail=f"custom_id {line['custom_id']!r} appears twice; each request needs its own.")
        seen.add(line["custom_id"])
    return lines


def build_router(context: EndpointContext) -> APIRouter:
    """The `/v1/files` and `/v1/batch/jobs` routes; the first request to any of them starts the batch worker."""
    worker = queue.BatchQueue(context)
    context.startup.append(worker.ensure_started)  # jobs a restart interrupted resume as soon as the server is up
    router = APIRouter(dependencies=[Depends(worker.ensure_started)])
    state = context.state_dir

    @router.post("/v1/files")
    async def upload(request: Request) -> dict[str, Any]:
        limit = file_store.MAX_FILE_BYTES
        if int(request.headers.get("content-length") or 0) > limit + MULTIPART_SLACK:
            raise HTTPException(413, detail=f"The upload is over {limit // 2**20} MB, the most this endpoint stores.")
        try:
            form = await request.form(max_files=1, max_fields=8)
        except Exception:  # noqa: BLE001 - a body that is not multipart form data
            raise HTTPException(400, detail="Send the upload as multipart/form-data with a `file` field.") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, detail="The upload has no `file` field holding a file.")
        content = await upload.read(limit + 1)
        purpose, expiry = form.get("purpose") or "fine-tune", form.get("expiry")
        try:
            hours = int(expiry) if isinstance(expiry, str) and expiry else None
            return file_store.save(state, content, upload.filename or "upload", str(purpose), expiry_hours=hours)
        except ValueError as exc:  # FileProblem, or an expiry that is not a number
            raise HTTPException(getattr(exc, "status", 400), detail=str(exc)) from None

    @router.get("/v1/files")
    async def list_files(request: Request) -> dict[str, Any]:
        query = request.query_params
        found = file_store.list_files(state)
        if query.get("purpose"):
            found = [f for f in found if f["purpose"] == query["purpose"]]
        if query.get("search"):
            found = [f for f in found if query["search"].lower() in f["filename"].lower()]
        for param, field in (("sample_type", "sample_type"), ("source", "source"), ("mimetypes", "mimetype")):
            if wanted := query.getlist(param):
                found = [f for f in found if f[field] in wanted]
        return {"data": page_of(found, request), "object": "list", "total": len(found)}

    @router.get("/v1/files/{file_id}")
    async def retrieve(file_id: str) -> dict[str, Any]:
        return {**stored_file(context, file_id)[0], "deleted": False}

    @router.get("/v1/files/{file_id}/content")
    async def download(file_id: str) -> Response:
        meta, content = stored_file(context, file_id)
        return Response(content, media_type="application/octet-stream",
                        headers={"content-disposition": f'attachment; filename="{meta["filename"]}"'})

    @router.get("/v1/files/{file_id}/url")
    async def signed_url(file_id: str, request: Request) -> dict[str, str]:
        stored_file(context, file_id)
        return {"url": f"{str(request.base_url).rstrip('/')}/v1/files/{file_id}/content"}

    @router.delete("/v1/files/{file_id}")
    async def delete_file(file_id: str) -> dict[str, Any]:
        try:
            file_store.delete(state, file_id)
        except file_store.FileNotFound as exc:
            raise HTTPException(404, detail=str(exc)) from None
        return {"id": file_id, "object": "file", "deleted": True}

    @router.post("/v1/batch/jobs")
    async def create(body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        endpoint, model, metadata = body.get("endpoint"), body.get("model"), body.get("metadata")
        if endpoint not in queue.ENDPOINTS:
            raise HTTPException(400, detail=f"endpoint {endpoint!r} is not served for batch jobs here; use one of "
                                            f"{', '.join(queue.ENDPOINTS)}.")
        if body.get("agent_id") is not None:
            raise HTTPException(400, detail="agent_id: agents are not served here; give the job a model instead.")
        if metadata is not None and not isinstance(metadata, dict):
            raise HTTPException(400, detail="metadata must be an object of string keys and values.")
        timeout = body.get("timeout_hours", 24)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
            raise HTTPException(400, detail=f"timeout_hours must be a whole number of hours, 1 or more (got {timeout!r}).")
        if model is not None and not isinstance(model, str):
            raise HTTPException(400, detail="model must be a model id (a string).")
        lines = await job_lines(context, body)
        models = {model} if model else {line["body"].get("model") for line in lines}
        if None in models:
            raise HTTPException(400, detail="A request line has no model: give the job a model, or each body one.")
        for name in models:
            await check_model(context, name, endpoint)
        job = queue.create_job(state, lines, endpoint=endpoint, model=model, input_files=body.get("input_files") or [],
                               metadata=metadata, timeout_hours=timeout)
        await worker.ensure_started()
        return queue.public(job)

    @router.get("/v1/batch/jobs")
    async def list_jobs(request: Request) -> dict[str, Any]:
        query = request.query_params
        jobs = queue.list_jobs(state)
        if query.get("order_by", "-created") == "-created":
            jobs.reverse()
        if query.get("model"):
            jobs = [j for j in jobs if j["model"] == query["model"]]
        if query.getlist("status"):
            jobs = [j for j in jobs if j["status"] in query.getlist("status")]
        if query.get("created_after"):
            try:
                after = datetime.fromisoformat(query["created_after"].replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise HTTPException(400, detail="created_after must be an ISO 8601 date and time.") from None
            jobs = [j for j in jobs if j["created_at"] >= after]
        for key, value in query.items():  # the SDK sends a metadata filter as one parameter per key
            if key not in JOB_FILTERS:
                jobs = [j for j in jobs if str((j.get("metadata") or {}).get(key)) == value]
        return {"data": [queue.public(j) for j in page_of(jobs, request)], "object": "list", "total": len(jobs)}

    @router.get("/v1/batch/jobs/{job_id}")
    async def get(job_id: str, inline: bool = False) -> dict[str, Any]:
        job = queue.public(stored_job(context, job_id))
        if inline:
            good, bad = queue.output_lines(state, job_id)
            job["outputs"] = sorted(good + bad, key=lambda line: int(line["id"].rsplit("-", 1)[1]))
        return job

    @router.post("/v1/batch/jobs/{job_id}/cancel")
    async def cancel(job_id: str) -> dict[str, Any]:
        job = stored_job(context, job_id)
        if job["status"] in ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED"):
            raise HTTPException(400, detail=f"Batch job {job_id} has already ended ({job['status']}); "
                                            "only a queued or running job can be cancelled.")
        if job["status"] == "QUEUED":
            job.update(status="CANCELLED", completed_at=int(time.time()))
        elif job["status"] == "RUNNING":
            job["status"] = "CANCELLATION_REQUESTED"  # the worker stops after the line in flight
        queue.save_job(state, job)
        return queue.public(job)

    @router.delete("/v1/batch/jobs/{job_id}")
    async def delete_job(job_id: str) -> dict[str, Any]:
        job = stored_job(context, job_id)
        if job["status"] not in queue.FINISHED:
            raise HTTPException(400, detail=f"Batch job {job_id} is {job['status']}; cancel it before deleting it.")
        queue.job_path(state, job_id).unlink(missing_ok=True)
        shutil.rmtree(queue.folder(state) / job_id, ignore_errors=True)
        return {"id": job_id, "object": "batch", "deleted": True}

    return router
