"""Tests for helpers.quantize_hf: real models, real quantizers, no mocks."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pandas as pd
import psutil
import pytest
import torch

from helpers import quantize_hf as qh
from helpers.exercises import nb08

# --- pure arithmetic ------------------------------------------------------------------------------

def test_bits_per_weight_formulas():
    assert qh.group_bits(4, 128) == pytest.approx(4 + 20 / 128)
    assert qh.group_bits(3, 128) == pytest.approx(3 + 19 / 128)
    assert qh.nf4_bits(double_quant=False) == pytest.approx(4.5)
    assert qh.nf4_bits(double_quant=True) == pytest.approx(4 + 8 / 64 + 32 / (64 * 256))
    assert qh.predicted_bytes(800, 100, 4, 16) == (800 * 4 + 100 * 16) / 8


def test_rtn_quantize_uses_at_most_2_to_the_bits_levels_per_group_and_improves_with_bits():
    torch.manual_seed(0)
    w = torch.randn(8, 256)
    q4 = qh.rtn_quantize(w, bits=4, group_size=128)
    for row in q4.reshape(8, 2, 128):
        for group in row:
            assert len(torch.unique(group)) <= 16
    errors = [float((qh.rtn_quantize(w, b, 128) - w).norm() / w.norm()) for b in (2, 3, 4, 8)]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 0.01
    with pytest.raises(ValueError, match="multiple of group_size"):
        qh.rtn_quantize(torch.randn(4, 100), 4, 128)


def test_awq_scaling_protects_a_salient_channel():
    torch.manual_seed(0)
    x = torch.randn(512, 256)
    x[:, 7] *= 60.0  # one input channel with much larger activations, as in real layers
    w = torch.randn(64, 256) * 0.02
    search = qh.awq_scale_search(w, x, bits=4, group_size=128)
    rtn = search.loc[0.0, "relative output error"]
    assert search["relative output error"].min() < 0.7 * rtn
    assert search["relative output error"].idxmin() > 0
    direct = float((x @ qh.rtn_quantize(w, 4, 128).T - x @ w.T).pow(2).sum() / (x @ w.T).pow(2).sum())
    assert rtn == pytest.approx(direct, rel=1e-5)


def test_layer_errors_are_zero_for_identical_weights_and_refuse_missing_layers():
    ref = {"a": torch.ones(2, 2), "b": torch.eye(2)}
    frame = qh.layer_errors(ref, {"same": dict(ref), "half": {"a": ref["a"] * 0.5, "b": ref["b"]}})
    assert frame.loc["a", "same"] == 0 and frame.loc["a", "half"] == pytest.approx(0.5)
    with pytest.raises(KeyError, match="lacks 1 layers"):
        qh.layer_errors(ref, {"partial": {"a": ref["a"]}})


# --- tables and decisions -------------------------------------------------------------------------

def _measured() -> pd.DataFrame:
    rows = [
        {"method": qh.BASE_LABEL, "memory MB": 536.0, "perplexity": 10.0, "forward ms": 250},
        {"method": "GPTQ 4-bit g128", "memory MB": 388.0, "perplexity": 12.0, "forward ms": 330},
        {"method": "bnb nf4 + double quant", "memory MB": 387.5, "perplexity": 12.5, "forward ms": 260},
    ]
    return qh.measurements_table(rows)


def test_measurements_table_needs_the_base_row_and_computes_ratios():
    measured = _measured()
    assert measured.loc["GPTQ 4-bit g128", "perplexity x BF16"] == pytest.approx(1.2)
    with pytest.raises(KeyError, match="unquantized model first"):
        qh.measurements_table([{"method": "bnb int8", "perplexity": 3.0}])


def test_seed_table_and_comparison():
    seed = qh.seed_table()
    assert {"FP16", "GPTQ 4-bit", "AWQ 4-bit"} <= set(seed.index)
    table = qh.measured_vs_seed(_measured())
    assert table.loc["GPTQ 4-bit", "270M: memory vs BF16"] == "72%"
    assert table.loc["GPTQ 4-bit", "270M: perplexity x BF16"] == pytest.approx(1.2)
    assert table.loc["FP16", "computed: 7B weights GB"] == pytest.approx(14.5, abs=0.1)
    assert table.loc["AWQ 4-bit", "270M: memory MB"] == "not run here"


def test_decision_table_covers_four_kinds_of_hardware_with_measurements():
    table = qh.decision_table(_measured())
    assert len(table) == 4
    consumer = table.loc[next(h for h in table.index if "Consumer" in h)]
    assert consumer["reach for"].startswith("AWQ") and "GPTQ 4-bit g128: 388 MB, perplexity x1.20" in consumer.iloc[-1]
    assert qh.recommended("consumer") == ("awq", "gptq")
    assert set(qh.method_keys()) >= {"gguf", "gptq", "awq", "bnb-nf4", "bf16"}
    with pytest.raises(KeyError, match="rows are"):
        qh.recommended("toaster")


def test_exercises_accept_the_answer_and_teach_on_common_mistakes():
    from helpers.family import count_parameters, get_model

    n = count_parameters(get_model("Mistral 7B"))
    right = qh.predicted_bytes(n.total - n.embeddings, n.embeddings, qh.nf4_bits(True), 16) / 1e9
    assert nb08.q1.check(right) and 4.0 < right < 4.3
    assert "16 bits" in nb08.q1.check(n.total * 4 / 8 / 1e9).message
    assert "without" in nb08.q1.check(qh.predicted_bytes(n.total - n.embeddings, n.embeddings, 4.5, 16) / 1e9).message
    assert nb08.q2.check("awq") and nb08.q2.check("gptq")
    assert "does not fit" in nb08.q2.check("bf16").message
    assert not nb08.q2.check("banana")


def test_bnb_config_kinds():
    assert qh.bnb_config("int8").load_in_8bit
    dq = qh.bnb_config("nf4-dq")
    assert dq.load_in_4bit and dq.bnb_4bit_quant_type == "nf4" and dq.bnb_4bit_use_double_quant
    assert qh.bnb_config("fp4").bnb_4bit_quant_type == "fp4" and not qh.bnb_config("fp4").bnb_4bit_use_double_quant
    with pytest.raises(ValueError, match="choose one of"):
        qh.bnb_config("int4")


# --- the real stand-in ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def source():
    return qh.prepare_hf_model(progress=False)


@pytest.fixture(scope="module")
def tokenizer(gemma_tokenizer):
    return gemma_tokenizer  # qh.load_tokenizer() of `source`, loaded once for the session (conftest.py)


@pytest.fixture(scope="module")
def base(source):
    return qh.load_base_model(source)


def test_prepared_checkpoint_is_the_real_gemma_and_is_reused(source, base):
    assert type(base).__name__ == "Gemma3ForCausalLM"
    split = qh.parameter_split(base)
    assert split == {"linear": 100_270_080, "embeddings and rest": 167_828_096, "total": 268_098_176}
    assert qh.weights_bytes(source) == pytest.approx(2 * split["total"], rel=0.001)
    stamp = (source / "model.safetensors").stat().st_mtime
    assert qh.prepare_hf_model(progress=False) == source
    assert (source / "model.safetensors").stat().st_mtime == stamp  # not converted again


def test_calibration_samples_and_heldout_tokens(tokenizer):
    samples = qh.calibration_samples(tokenizer, n_samples=4, seq_len=64)
    assert len(samples) == 4 and all(len(s["input_ids"]) == 64 == len(s["attention_mask"]) for s in samples)
    assert all(s["input_ids"][0] == tokenizer.bos_token_id for s in samples)
    assert samples[0]["input_ids"][1:] != samples[1]["input_ids"][1:]
    with pytest.raises(ValueError, match="Lower n_samples"):
        qh.calibration_samples(tokenizer, n_samples=1000, seq_len=1024)
    ids = qh.heldout_ids(tokenizer, 128)
    assert ids.shape == (1, 128) and int(ids[0, 0]) == tokenizer.bos_token_id


def test_perplexity_is_low_on_text_and_high_on_noise(base, tokenizer):
    ids = qh.heldout_ids(tokenizer, 128)
    text = qh.perplexity(base, ids)
    noise = qh.perplexity(base, torch.randint(10, 200_000, (1, 128), generator=torch.Generator().manual_seed(0)))
    assert 1 < text < 50 and math.isfinite(noise) and noise > 20 * text


@pytest.mark.slow  # quantizes Gemma three ways with bitsandbytes
def test_bitsandbytes_memory_dequantized_error_and_the_repack_trap(source, base, tokenizer):
    reference = {k: v for k, v in list(qh.linear_weights(base).items())[:7]}
    base_mb = qh.memory_footprint(base)["with quant constants MB"]
    int8 = qh.load_bnb("int8", source)
    int8_mb = qh.memory_footprint(int8)
    int8_err = qh.layer_errors(reference, {"e": {k: qh.linear_weights(int8)[k] for k in reference}})["e"]
    del int8
    nf4, nf4_dq = qh.load_bnb("nf4", source), qh.load_bnb("nf4-dq", source)
    nf4_mb, dq_mb = qh.memory_footprint(nf4), qh.memory_footprint(nf4_dq)
    assert nf4_mb["with quant constants MB"] > nf4_mb["get_memory_footprint MB"]   # absmax scales are extra
    assert dq_mb["with quant constants MB"] < nf4_mb["with quant constants MB"] < int8_mb["with quant constants MB"] < base_mb
    nf4_weights = qh.linear_weights(nf4)
    nf4_err = qh.layer_errors(reference, {"e": {k: nf4_weights[k] for k in reference}})["e"]
    assert (int8_err < 0.02).all() and ((nf4_err > 0.05) & (nf4_err < 0.2)).all()
    qh.perplexity(nf4, qh.heldout_ids(tokenizer, 16))
    if qh.repacked_layers(nf4):  # AVX512-BF16 CPUs: weights no longer dequantize, and we say so
        with pytest.raises(RuntimeError, match="repacked"):
            qh.linear_weights(nf4)
    else:
        assert qh.linear_weights(nf4).keys() == nf4_weights.keys()


def test_awq_demo_on_real_layers(base, tokenizer):
    ids = torch.tensor([s["input_ids"] for s in qh.calibration_samples(tokenizer, 2, 128)])
    table = qh.awq_demo(base, ids, ["model.layers.0.mlp.down_proj", "model.layers.3.self_attn.q_proj"])
    assert (table["AWQ output error"] < table["RTN output error"]).all()
    assert (table["salient channel / median channel"] > 3).all()
    with pytest.raises(KeyError, match="not a module"):
        qh.capture_inputs(base, ["model.layers.99.mlp"], ids)


# --- GPTQ with gptqmodel, on the tiny Mistral (a real quantization run, kept small) ----------------

@pytest.mark.slow  # a real GPTQ run
def test_gptq_quantizes_caches_and_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_CACHE", str(tmp_path))
    from helpers.engine.embedded import prepare_tiny_mistral

    tiny = prepare_tiny_mistral(progress=False)
    config = qh.import_gptqmodel().GPTQConfig(bits=4, group_size=128, offload_to_disk=False)
    first = qh.gptq_quantize(config, n_samples=4, seq_len=64, source=tiny)
    assert not first.reused and first.quantize_seconds > 0 and (first.path / "quantize.log").stat().st_size > 0
    again = qh.gptq_quantize(config, n_samples=4, seq_len=64, source=tiny)
    assert again.reused and again.path == first.path
    assert qh.gptq_quantize(4, n_samples=4, seq_len=64, source=tiny).path == first.path   # a bare bit width: the same
    tensors = qh.checkpoint_tensors(first, "model.layers.0.self_attn.q_proj")
    assert set(tensors.index) >= {"qweight", "qzeros", "scales"} and tensors.loc["qweight", "shape"] == (256 // 8, 256)
    with pytest.raises(KeyError, match="full name"):
        qh.checkpoint_tensors(first, "model.layers.0.nope")
    from transformers import AutoModelForCausalLM

    original = AutoModelForCausalLM.from_pretrained(tiny)
    quantized = qh.load_quantized(first, backend="TORCH")
    compiled = [name for name, m in quantized.named_modules() if "dequantize_weight" in vars(m)]
    assert not compiled, f"torch.compile wrappers left on {compiled[:3]}: the first forward would compile for seconds"
    errors = qh.weight_errors(qh.linear_weights(original), quantized)
    assert len(errors) == 4 * 7 and ((errors > 0.01) & (errors < 0.3)).all()
    assert first.size_bytes < 0.6 * qh.weights_bytes(tiny)
    assert "optimum" in qh.transformers_gptq_check(first) or "loaded it" in qh.transformers_gptq_check(first)


def _children_commands() -> list[str]:
    commands = []
    for child in psutil.Process().children(recursive=True):
        try:
            commands.append(" ".join(child.cmdline()))
        except psutil.Error:  # gone, or a zombie, since it was listed
            pass
    return commands


@pytest.mark.slow  # real GPTQ runs, each in a fresh interpreter
def test_gptq_quantize_all_reuses_the_cache_and_quantizes_the_rest_in_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_CACHE", str(tmp_path))
    from helpers.engine.embedded import prepare_tiny_mistral

    tiny = prepare_tiny_mistral(progress=False)
    gptqmodel = qh.import_gptqmodel()
    four = qh.gptq_quantize(4, n_samples=4, seq_len=64, source=tiny)
    configs = {8: gptqmodel.GPTQConfig(bits=8, group_size=128, offload_to_disk=False), 4: 4,
               2: gptqmodel.GPTQConfig(bits=2, group_size=128, offload_to_disk=False)}
    got = qh.gptq_quantize_all(configs, n_samples=4, seq_len=64, source=tiny, progress=False)
    assert list(got) == [8, 4, 2]  # the order asked for
    assert got[4].reused and got[4].path == four.path
    for bits in (8, 2):
        assert not got[bits].reused and got[bits].quantize_seconds > 0
        assert got[bits].path == qh.gptq_quantize(bits, n_samples=4, seq_len=64, source=tiny).path  # now cached
        assert json.loads((got[bits].path / "quantize_info.json").read_text())["bits"] == bits
    assert got[2].size_bytes < got[4].size_bytes < got[8].size_bytes

    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    with pytest.raises(RuntimeError, match="GPTQ [34]-bit failed in its worker process") as failed:
        qh.gptq_quantize_all({4: 4, 3: 3}, n_samples=4, seq_len=64, source=not_a_model, progress=False)
    assert "tokenizer" in str(failed.value)  # the worker's own error (a folder with no tokenizer), from its log
    assert [cmd for cmd in _children_commands() if "gptq_quantize" in cmd] == []  # the other worker was stopped too


@pytest.mark.slow  # a fresh interpreter imports gptqmodel (torch, transformers, ...): ~10 s on 2 cores
def test_gptqmodel_import_keeps_the_standard_hf_home():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_CACHE"))}
    code = ("import os; from huggingface_hub import constants; from helpers import quantize_hf as qh; "
            "qh.import_gptqmodel(); print(os.environ['HF_HOME'] == constants.HF_HOME, os.environ['GPTQMODEL_CPU_WORKERS'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True 2"


def test_bitsandbytes_hub_kernel_hint_is_dropped_and_other_warnings_kept(caplog):
    """bitsandbytes' import-time hint to `pip install kernels` (a Hub download) never reaches a notebook."""
    import logging

    log = logging.getLogger("bitsandbytes.backends.cpu.ops")  # the filter is installed when helpers.quantize_hf loads
    with caplog.at_level(logging.WARNING, logger=log.name):
        log.warning("Failed to load CPU gemm_4bit_forward from kernels-community: %s. Please make sure you already "
                    "`pip install kernels` and the kernels >= 0.11.1", "No module named 'kernels'")
        log.warning("an int8 matmul fell back to the slow path")
    assert [r.getMessage() for r in caplog.records] == ["an int8 matmul fell back to the slow path"]
