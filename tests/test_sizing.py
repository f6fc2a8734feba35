"""The memory calculator and the GGUF header reader."""

from __future__ import annotations

import math
import struct

import pytest

from helpers.family import count_parameters, get_model
from helpers.sizing import (
    effective_bits_per_weight,
    estimate_memory,
    gguf_type_mix,
    kv_cache_bytes,
    memory_table,
    plot_memory,
    precisions,
    read_gguf_tensors,
    seed_vram_table,
    weight_bytes,
)


def test_fp16_weights_of_mistral_7b_are_14_5_gb():
    assert weight_bytes("mistral-7b", "fp16") / 1e9 == pytest.approx(14.5, abs=0.05)


def test_kv_cache_formula_and_batch_scaling():
    assert kv_cache_bytes("mistral-7b", 32768) == 2 * 32 * 8 * 128 * 2 * 32768
    assert kv_cache_bytes("mistral-7b", 1024, batch=4) == 4 * kv_cache_bytes("mistral-7b", 1024)
    assert kv_cache_bytes("mistral-7b", 1024, bytes_per_value=1) == kv_cache_bytes("mistral-7b", 1024) / 2
    with pytest.raises(ValueError):
        kv_cache_bytes("mistral-7b", 1024, batch=0)


def test_quantized_weights_shrink_in_the_stated_order():
    sizes = {k: weight_bytes("mistral-7b", k) for k in precisions()}
    assert sizes["fp16"] > sizes["gguf-q8_0"] > sizes["int8"] > sizes["gguf-q4_k_m"] > sizes["gptq-awq-4bit"] > sizes["gguf-q2_k"]
    # GPTQ/AWQ keep embeddings and head in FP16: 4.156 bits on the linear layers only
    n = count_parameters(get_model("mistral-7b"))
    assert sizes["gptq-awq-4bit"] == pytest.approx((n.linear * 4.15625 + n.embeddings * 16) / 8)
    assert sizes["gguf-q4_k_m"] / 1e9 == pytest.approx(4.43, abs=0.02)


def test_estimate_adds_up_and_refuses_too_long_a_context():
    est = estimate_memory("mistral-7b", "fp16", 8192)
    assert est.total_gb == pytest.approx(est.weights_gb + est.kv_cache_gb + est.overhead_gb)
    assert est.overhead_gb == pytest.approx(0.5 + 0.1 * (est.weights_gb + est.kv_cache_gb))
    assert estimate_memory("mistral-7b").context_tokens == 32768
    with pytest.raises(ValueError, match="at most 32,768"):
        estimate_memory("mistral-7b", "fp16", 65536)
    with pytest.raises(KeyError, match="choose one of"):
        estimate_memory("mistral-7b", "fp8")


def test_moe_needs_memory_for_all_experts():
    table = memory_table(["fp16"], context_tokens=4096)
    assert table.loc["Mixtral 8x7B"].iloc[0] > 6 * table.loc["Mistral 7B"].iloc[0] / 2  # ~46.7B, not 12.9B, in memory


def test_seed_vram_table_shows_what_the_guides_figures_imply():
    table = seed_vram_table()
    assert table.loc["Mistral 7B", "computed FP16 weights GB"] == pytest.approx(14.5, abs=0.05)
    # the guide's MoE "FP16" figures are about 2 bytes per *active* parameter
    assert table.loc["Mixtral 8x7B", "guide FP16 ÷ active params (bytes each)"] == pytest.approx(1.9, abs=0.15)
    assert table.loc["Mixtral 8x22B", "guide FP16 ÷ active params (bytes each)"] == pytest.approx(2.0, abs=0.1)


# ggml type id -> (weights, bytes) per block, from ggml-common.h: F32, Q4_K, Q6_K
BLOCKS = {0: (1, 4), 12: (256, 144), 14: (256, 210)}


def _write_gguf(path, tensors, alignment=32):
    """A minimal GGUF v3 file: two keys, the tensor infos, then each tensor's data, 32-byte aligned.

    Returns where each tensor's data starts in the file and how many bytes it has.
    """
    sizes = [math.prod(shape) // BLOCKS[type_id][0] * BLOCKS[type_id][1] for _, shape, type_id in tensors]
    relative, end = [], 0
    for size in sizes:
        relative.append(end)
        end += -(-size // alignment) * alignment
    with open(path, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), 2))
        key, value = b"general.name", b"toy"
        f.write(struct.pack("<Q", len(key)) + key + struct.pack("<IQ", 8, len(value)) + value)
        key = b"tokenizer.ggml.scores"
        f.write(struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 6, 3) + struct.pack("<3f", 0, 1, 2))
        for (name, shape, type_id), offset in zip(tensors, relative, strict=True):
            raw = name.encode()
            f.write(struct.pack("<Q", len(raw)) + raw + struct.pack("<I", len(shape)))
            f.write(struct.pack(f"<{len(shape)}Q", *shape) + struct.pack("<IQ", type_id, offset))
        start = -(-f.tell() // alignment) * alignment
        for offset, size in zip(relative, sizes, strict=True):
            f.write(b"\0" * (start + offset - f.tell()) + b"\1" * size)
    return [(start + offset, size) for offset, size in zip(relative, sizes, strict=True)]


def test_gguf_reader_on_a_written_file(tmp_path):
    path = tmp_path / "toy.gguf"
    spans = _write_gguf(path, [("token_embd.weight", (256, 1000), 14), ("blk.0.attn_q.weight", (256, 256), 12),
                               ("blk.0.attn_norm.weight", (256,), 0)])
    tensors = read_gguf_tensors(path)
    assert [(t.name, t.shape, t.type_name, t.n_elements) for t in tensors] == [
        ("token_embd.weight", (256, 1000), "Q6_K", 256000), ("blk.0.attn_q.weight", (256, 256), "Q4_K", 65536),
        ("blk.0.attn_norm.weight", (256,), "F32", 256)]
    assert [(t.offset, t.nbytes) for t in tensors] == spans
    assert [t.bits_per_weight for t in tensors] == [6.5625, 4.5, 32.0]
    bpw = effective_bits_per_weight(path)
    assert bpw == pytest.approx((256000 * 6.5625 + 65536 * 4.5 + 256 * 32) / (256000 + 65536 + 256))
    assert effective_bits_per_weight(path, exclude=("token_embd", "norm")) == 4.5
    (tmp_path / "bad.gguf").write_bytes(b"NOPE")
    with pytest.raises(ValueError, match="not a GGUF file"):
        read_gguf_tensors(tmp_path / "bad.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(path.read_bytes()[:-100])  # the last tensor's data is missing
    with pytest.raises(ValueError, match="stopped part-way"):
        read_gguf_tensors(cut)


def test_gguf_types_bits_per_weight_from_the_gguf_package():
    """Block bytes x 8 / block weights (gguf's GGML_QUANT_SIZES), as ggml-common.h's block structs give them."""
    from helpers.model_files import ggml_bits_per_weight

    expected = {"F32": 32.0, "F16": 16.0, "BF16": 16.0, "Q8_0": 8.5, "Q6_K": 6.5625, "Q5_1": 6.0, "Q5_0": 5.5,
                "Q5_K": 5.5, "Q4_0": 4.5, "Q4_K": 4.5, "Q3_K": 3.4375, "Q2_K": 2.625, "IQ4_XS": 4.25}
    assert {name: ggml_bits_per_weight(name) for name in expected} == expected


def test_the_standin_q4_k_m_file_is_a_mix_of_types():
    from helpers.engine.embedded import prepare_gemma_model

    path = prepare_gemma_model(progress=False)
    mix = gguf_type_mix(path)
    assert {"Q4_K", "Q6_K"} <= set(mix.index) and len(mix) >= 3
    tensor_bytes = sum(t.nbytes for t in read_gguf_tensors(path))
    assert 0.9 * path.stat().st_size < tensor_bytes < path.stat().st_size  # the rest is metadata (tokenizer)
    assert 4.5 < effective_bits_per_weight(path, exclude=("token_embd",)) < 6


def test_plot_draws_three_parts_and_the_limit():
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_memory(estimate_memory("mistral-7b", "fp16", 4096), available_gb=10)
    assert len(ax.patches) == 3 and "does not fit" in ax.get_title()
