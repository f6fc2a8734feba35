"""Shared fixtures: one real embedded endpoint for the whole test session, on a free port."""

from __future__ import annotations

import os

import pytest

from helpers.engine.serving import LocalEndpoint, free_port


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Each test gets its own settings file and no backend variables from the outside."""
    monkeypatch.setenv("WORKBOOK_SETTINGS", str(tmp_path / "settings.json"))
    for var in ("MISTRAL_API_KEY", "MISTRAL_SERVER_URL", "VLLM_BASE_URL", "VLLM_API_KEY",
                "WORKBOOK_BACKEND", "WORKBOOK_MODEL", "WORKBOOK_HARDWARE"):
        monkeypatch.delenv(var, raising=False)
    # Point Ollama detection at a port where nothing listens, so a reader's own daemon can't leak in.
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{free_port()}")


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    # uploaded files, batch jobs and conversations go to a folder of this test session's own
    os.environ["WORKBOOK_STATE"] = str(tmp_path_factory.mktemp("endpoint-state"))
    with LocalEndpoint(port=free_port()) as server:
        yield server


@pytest.fixture(scope="session")
def served_models():
    """Every model id the embedded endpoint must list, written out here (not read from the endpoint's own tables)."""
    from helpers.engine.embedded import (
        CHAT_ALIAS,
        EMBED_ALIAS,
        FIM_ALIAS,
        GEMMA_ALIAS,
        MODERATION_ALIAS,
        OCR_ALIAS,
        SMOLLM_ALIAS,
    )

    return {CHAT_ALIAS, SMOLLM_ALIAS, GEMMA_ALIAS, FIM_ALIAS, EMBED_ALIAS, MODERATION_ALIAS, OCR_ALIAS}


@pytest.fixture(scope="session")
def sdk(endpoint):
    from mistralai.client import Mistral

    return Mistral(api_key="local", server_url=endpoint.base_url)


@pytest.fixture(scope="session")
def oai(endpoint):
    from openai import OpenAI

    return OpenAI(api_key="local", base_url=endpoint.base_url + "/v1")


@pytest.fixture(scope="session")
def gemma_tokenizer():
    """The stand-in's Gemma 3 tokenizer (262,144 tokens), loaded once: one load takes seconds on 2 cores.

    test_finetune and test_quantize_hf both read it; helpers that change it (padding side) restore it.
    """
    from helpers.quantize_hf import load_tokenizer

    return load_tokenizer()


def pytest_report_header(config):
    return f"embedded models cache: {os.environ.get('WORKBOOK_CACHE', '.cache/models')}"
