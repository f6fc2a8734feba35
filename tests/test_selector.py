"""The model selector: catalog + calculator + hardware."""

from __future__ import annotations

import pytest

from helpers.hardware import GPU, Hardware
from helpers.selector import HardwareTarget, recommend_mistral_model, resolve_hardware, selector_table, use_cases
from helpers.settings import Settings, save_settings
from helpers.sizing import estimate_memory

SEED_CASES = ["chat", "code", "on-device", "rag", "classification", "summarization", "analysis"]


def test_the_seeds_use_cases_are_all_covered_and_unknown_ones_are_refused():
    assert use_cases() == SEED_CASES
    with pytest.raises(ValueError, match="choose one of: chat, code, on-device"):
        recommend_mistral_model("poetry", "cpu")


def test_seed_example_on_device_cpu_gets_a_gguf_mistral_7b():
    r = recommend_mistral_model("on-device", "CPU")
    assert (r.key, r.precision, r.where, r.fits) == ("mistral-7b", "gguf-q4_k_m", "local", True)
    assert "GGUF" in r.tip and r.needed_gb <= r.available_gb == pytest.approx(16 * 0.75)


def test_seed_example_code_on_rtx_4090_gets_4bit_codestral_with_a_licence_note():
    r = recommend_mistral_model("code", "NVIDIA RTX 4090")
    assert (r.key, r.precision) == ("codestral", "gptq-awq-4bit")
    assert "AWQ or GPTQ" in r.tip and "Non-Production" in r.tip
    assert r.needed_gb == pytest.approx(estimate_memory("codestral", "gptq-awq-4bit", 16384).total_gb)


def test_mixtral_is_skipped_on_24_gb_because_all_experts_must_fit():
    r = recommend_mistral_model("summarization", "RTX 4090")
    assert r.key != "mixtral-8x7b" and "Mixtral 8x7B" in r.api_option
    assert recommend_mistral_model("summarization", "A100 80GB").key == "mixtral-8x7b"


def test_nothing_fits_means_the_api():
    r = recommend_mistral_model("analysis", "cpu", memory_gb=4)
    assert (r.where, r.fits, r.key, r.precision) == ("api", False, "mistral-large", "api")
    assert "mistral-large-latest" in r.tip and "✗" in str(r)


def test_q2_k_only_as_a_last_resort_with_a_warning():
    r = recommend_mistral_model("analysis", "cpu")  # Nemo at Q4_K_M and 32K context needs 14.6 GB > 12 usable
    assert r.precision == "gguf-q2_k" and "last resort" in r.tip
    assert recommend_mistral_model("analysis", "cpu", context_tokens=8192).precision == "gguf-q4_k_m"


def test_hardware_strings_profiles_sizes_and_errors():
    assert resolve_hardware("A100 80GB").memory_gb == 80 and resolve_hardware("A100").memory_gb == 40
    assert resolve_hardware("cpu 32GB") == HardwareTarget("a CPU machine", "cpu", 32.0)
    assert resolve_hardware("apple silicon").kind == "apple-silicon" and resolve_hardware("mac").assumed
    assert resolve_hardware("GeForce GTX 1080").kind == "gpu"  # unknown GPU: consumer profile, marked assumed
    assert resolve_hardware("L40S").memory_gb == 48 and resolve_hardware("NVIDIA L4").memory_gb == 24
    with pytest.raises(ValueError, match="Unknown hardware 'toaster'"):
        resolve_hardware("toaster")


def test_none_uses_this_machine_or_the_saved_profile(monkeypatch):
    gpu_box = Hardware("x", 8, 64.0, "Linux", "3.11", [GPU("NVIDIA H100 80GB HBM3", 79.6)])
    monkeypatch.setattr("helpers.selector.detect_hardware", lambda: gpu_box)
    target = resolve_hardware()
    assert target.detected and target.kind == "gpu" and target.memory_gb == pytest.approx(79.6 * 2**30 / 1e9, abs=0.1)
    save_settings(Settings(hardware="cpu"))  # a saved profile that is not this machine is planned with its default
    target = resolve_hardware()
    assert not target.detected and target.kind == "cpu" and target.memory_gb == 16
    save_settings(Settings(hardware="server-gpu"))  # matches the machine: its measured memory wins
    assert resolve_hardware().detected


def test_selector_on_the_real_machine_returns_a_consistent_result():
    r = recommend_mistral_model("classification")
    assert r.fits == (r.needed_gb <= r.available_gb) and r.hardware.startswith("this machine")
    table = selector_table("consumer-gpu")
    assert list(table.index) == SEED_CASES and table["fits"].all()
    assert (table["needs GB"] <= table["usable GB"]).all()
