"""The model selector: catalog + calculator + hardware."""

from __future__ import annotations

import pytest

from helpers.family import current_family, get_model
from helpers.hardware import GPU, Hardware
from helpers.selector import (
    HardwareTarget,
    memory_bandwidth,
    recommend_mistral_model,
    resolve_hardware,
    selector_table,
    tokens_per_second,
    use_cases,
)
from helpers.settings import Settings, save_settings
from helpers.sizing import bytes_read_per_token, estimate_memory

SEED_CASES = ["chat", "code", "on-device", "rag", "classification", "summarization", "analysis"]


def test_the_seeds_use_cases_are_all_covered_and_unknown_ones_are_refused():
    assert use_cases() == SEED_CASES
    with pytest.raises(ValueError, match="choose one of: chat, code, on-device"):
        recommend_mistral_model("poetry", "cpu")


def test_every_recommendation_is_a_current_model_with_its_licence():
    current = {m.key: m for m in current_family()}
    for hw in ("cpu", "apple-silicon", "consumer-gpu", "A100 80GB", "H200"):
        for case in use_cases():
            r = recommend_mistral_model(case, hw)
            assert r.key in current and r.licence == current[r.key].licence and r.licence, (hw, case, r.key)
            assert r.api_id in current[r.key].raw["api_ids"]


def test_seed_example_on_device_cpu_gets_a_gguf_ministral_3_3b():
    r = recommend_mistral_model("on-device", "CPU")
    assert (r.key, r.precision, r.where, r.fits) == ("ministral-3-3b", "gguf-q4_k_m", "local", True)
    assert "GGUF" in r.tip and r.needed_gb <= r.available_gb == pytest.approx(16 * 0.75)
    assert r.licence == "Apache-2.0" and "licence Apache-2.0" in str(r)


def test_seed_example_code_on_rtx_4090_gets_a_ministral_with_its_speed():
    r = recommend_mistral_model("code", "NVIDIA RTX 4090")
    assert (r.key, r.precision) == ("ministral-3-14b", "int8")
    assert r.needed_gb == pytest.approx(estimate_memory("ministral-3-14b", "int8", 16384).total_gb)
    # 14B active x 1 byte over the RTX 4090's 1,008 GB/s
    assert r.tokens_per_s == pytest.approx(1008 / 14.0) and "1,008 GB/s" in str(r)
    assert "codestral-latest" in r.api_option


def test_mistral_small_4_is_skipped_on_24_gb_because_all_experts_must_fit():
    r = recommend_mistral_model("summarization", "RTX 4090")
    assert r.key != "mistral-small-4" and "Mistral Small 4" in r.api_option and "119B" in r.api_option
    big = recommend_mistral_model("summarization", "A100 80GB")
    assert big.key == "mistral-small-4" and big.tokens_per_s > 500  # only 6.5B active: fast once it fits


def test_nothing_fits_means_the_current_api_model():
    r = recommend_mistral_model("analysis", "cpu", memory_gb=4)
    assert (r.where, r.fits, r.key, r.precision) == ("api", False, "mistral-large-3", "api")
    assert r.api_id == "mistral-large-latest" and "mistral-large-latest" in r.tip and "✗" in str(r)
    assert r.tokens_per_s is None


def test_q2_k_only_as_a_last_resort_with_a_warning():
    r = recommend_mistral_model("analysis", "cpu", memory_gb=18)  # Ministral 3 14B at Q4_K_M and 32K needs 15.8 GB > 13.5
    assert (r.key, r.precision) == ("ministral-3-14b", "gguf-q2_k") and "last resort" in r.tip
    assert recommend_mistral_model("analysis", "cpu", memory_gb=18, context_tokens=8192).precision == "gguf-q4_k_m"


def test_speed_is_bandwidth_over_active_bytes_per_token():
    small4 = get_model("mistral-small-4")
    assert bytes_read_per_token(small4, "fp16") == pytest.approx(6.5e9 * 2)  # 6.5B active of 119B, 2 bytes each
    tps, basis = tokens_per_second(small4, "fp16", resolve_hardware("H100"))
    assert tps == pytest.approx(3350 / 13.0) and "6.5B active" in basis
    mistral7b = get_model("mistral-7b")  # a catalogued dense model reads all its weights
    from helpers.sizing import weight_bytes
    assert bytes_read_per_token(mistral7b, "fp16") == pytest.approx(weight_bytes(mistral7b, "fp16"))
    assert memory_bandwidth(resolve_hardware("A100 80GB"))[0] == 2039 and memory_bandwidth(resolve_hardware("A100"))[0] == 1555
    assert memory_bandwidth(HardwareTarget("2-core CPU", "cpu", 16.0, detected=True, cores=2))[0] == 16


def test_a_2_core_cpu_gets_a_model_it_can_run_at_reading_speed_and_is_told_when_none_is():
    two_cores = HardwareTarget("2-core CPU", "cpu", 16.0, detected=True, cores=2)
    peak = recommend_mistral_model("chat", "cpu")  # 51.2 GB/s: Ministral 3 14B at Q4_K_M, ~6 tokens/s
    assert peak.key == "ministral-3-14b" and peak.tokens_per_s >= 5
    r = recommend_mistral_model("chat", two_cores)  # 16 GB/s: 14B ~1.9 and 8B ~3.3 tokens/s; 3B ~8.7
    assert r.key == "ministral-3-3b" and r.tokens_per_s >= 5 and "Slow" not in r.tip
    assert "Speed:     ~8.7 tokens/s" in str(r)
    one_core = HardwareTarget("1-core CPU", "cpu", 16.0, detected=True, cores=1)
    slow = recommend_mistral_model("classification", one_core)  # at Q4_K_M nothing reaches 5 tokens/s on 8 GB/s
    assert (slow.key, slow.precision) == ("ministral-3-3b", "gguf-q4_k_m")  # slow beats Q2_K's quality loss
    assert slow.fits and slow.tokens_per_s < 5 and "Slow: about" in slow.tip


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
    assert (table["needs GB"] <= table["usable GB"]).all() and (table["tokens/s (est.)"] >= 5).all()
    assert (table["licence"] == "Apache-2.0").all()
