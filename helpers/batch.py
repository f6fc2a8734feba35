"""Kernel-side plumbing for notebook 11's batch section: JSONL in and out, waiting for a job, what batching saves.

The calls a reader writes at work stay in the notebook (`client.files.upload`, `client.batch.jobs.create`,
`client.files.download`); this module only packs and unpacks their payloads and watches a job with a progress bar.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

import pandas as pd

from .chat import PriceTable, load_prices

FINISHED = ("SUCCESS", "FAILED", "TIMEOUT_EXCEEDED", "CANCELLED")  # a job in one of these states will not change


def to_jsonl(lines: Iterable[dict[str, Any]]) -> bytes:
    """One JSON object per line, UTF-8: the batch input file's format."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def from_jsonl(data: bytes | str) -> list[dict[str, Any]]:
    """The objects of a JSONL file (a batch output or error file), blank lines skipped."""
    text = data.decode() if isinstance(data, bytes) else data
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def wait_for_job(client: Any, job_id: str, *, poll: float = 0.5, timeout: float = 600.0) -> Any:
    """Poll `client.batch.jobs.get` until the job finishes, with a progress bar of its requests; the final job.

    TimeoutError after `timeout` seconds (the job keeps running on the server: cancel it or poll again).
    """
    from tqdm.auto import tqdm

    started = time.monotonic()
    job = client.batch.jobs.get(job_id=job_id)
    with tqdm(total=job.total_requests or None, desc=f"batch {job_id[:12]}", unit="request") as bar:
        while True:
            done = (job.succeeded_requests or 0) + (job.failed_requests or 0)
            bar.total = job.total_requests or bar.total
            bar.update(done - bar.n)
            bar.set_postfix_str(str(job.status))
            if str(job.status) in FINISHED:
                return job
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"batch job {job_id} still {job.status} after {timeout:.0f} s; poll it again later "
                                   "or cancel it with client.batch.jobs.cancel(job_id=...).")
            time.sleep(poll)
            job = client.batch.jobs.get(job_id=job_id)


def batch_saving(model: str, prompt_tokens: int, completion_tokens: int, requests: int,
                 prices: PriceTable | None = None) -> pd.DataFrame:
    """What `requests` requests of these sizes cost on `model` one by one and as a batch, from the dated price table."""
    prices = prices or load_prices()
    one = prices[model].cost(prompt_tokens, completion_tokens) * requests
    batch = one * (1 - prices.batch_discount)
    cur = prices.currency
    return pd.DataFrame({f"cost ({cur})": [one, batch, one - batch]},
                        index=pd.Index(["one by one (chat.complete)", "as a batch job", "saved"], name=f"{requests:,} requests"))
