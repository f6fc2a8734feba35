"""GGUF conversion, reading, quantization and measurement, on the real tiny Mistral and llama.cpp."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import numpy as np
import pandas as pd
import pytest

from helpers import gguf_tools as g
from helpers.engine import llama_sources as src
from helpers.engine.embedded import prepare_tiny_mistral
from helpers.exercises import nb07

SAMPLE = "Mistral 7B runs on a laptop once quantized: Q4_K_M keeps most of its quality. Ünïcödé, 123 456!"


# ------------------------------------------------------------------------------------------- sources
def _fake_sdist(path, with_converter=True):
    files = {
        "pkg-1.0/vendor/llama.cpp/conversion/__init__.py": b"X = 1\n",
        "pkg-1.0/vendor/llama.cpp/gguf-py/gguf/__init__.py": b"",
        "pkg-1.0/vendor/llama.cpp/LICENSE": b"MIT\n",
        "pkg-1.0/vendor/llama.cpp/ggml/src/ggml.c": b"int x;\n",
        "pkg-1.0/vendor/llama.cpp/convert_lora_to_gguf.py": b"print('lora')\n",
        "pkg-1.0/vendor/llama.cpp/convert_llama_ggml_to_gguf.py": b"",
        "pkg-1.0/llama_cpp/llama.py": b"",
    }
    if with_converter:
        files["pkg-1.0/vendor/llama.cpp/convert_hf_to_gguf.py"] = b"print('converter')\n"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_extract_keeps_only_the_converter_files(tmp_path):
    folder = tmp_path / "llama.cpp"
    names = src.extract_converter(_fake_sdist(tmp_path / "pkg.tar.gz"), folder)
    assert names == ["LICENSE", "conversion/__init__.py", "convert_hf_to_gguf.py", "convert_lora_to_gguf.py",
                     "gguf-py/gguf/__init__.py"]
    assert (folder / "convert_hf_to_gguf.py").read_text() == "print('converter')\n"
    assert (folder / "convert_lora_to_gguf.py").read_text() == "print('lora')\n"  # the assistant's adapter export
    assert not (folder / "ggml").exists() and not (folder / "convert_llama_ggml_to_gguf.py").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".llama-src-")], "staging folder left behind"


def test_extract_refuses_an_archive_without_the_converter(tmp_path):
    with pytest.raises(RuntimeError, match="convert_hf_to_gguf.py"):
        src.extract_converter(_fake_sdist(tmp_path / "pkg.tar.gz", with_converter=False), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_converter_names_the_setup_command(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_CACHE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="python -m helpers.engine.llama_sources"):
        src.converter_script()


def test_prepared_sources_are_reused_without_downloading(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_CACHE", str(tmp_path))
    folder = src.sources_dir()
    src.extract_converter(_fake_sdist(tmp_path / "pkg.tar.gz"), folder)
    (folder / src.MARKER).write_text(json.dumps({"version": "9.9.9", "sha256": "x", "files": 4}))

    def no_download(*_a, **_k):
        raise AssertionError("should not download")

    monkeypatch.setattr(src, "download_sdist", no_download)
    assert src.ensure_llama_cpp_sources("9.9.9") == folder
    assert src.converter_script() == folder / "convert_hf_to_gguf.py"
    with pytest.raises(AssertionError, match="should not download"):  # another version is fetched again
        src.ensure_llama_cpp_sources("9.9.10")


def test_the_installed_version_is_pinned_by_hash():
    assert src.installed_version() in src.KNOWN_SDIST_SHA256


# ------------------------------------------------------------------------------------------- data
def test_heldout_text_is_the_verbatim_apache_licence():
    text = g.heldout_text()
    assert hashlib.sha256(text.encode()).hexdigest() == \
        "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
    assert "Version 2.0, January 2004" in text


def test_seed_table_keeps_the_articles_values():
    seed = g.seed_table()
    assert list(seed.index) == ["FP16", "GPTQ 4-bit", "GGUF Q4_K_M", "GGUF Q2_K", "AWQ 4-bit"]
    for method, row in seed.iterrows():
        assert row["vram"] == f"~{row['size_gb']:g}GB" or (method == "FP16" and row["vram"] == "~14GB")
        assert row["speed"] == f"{row['speed_x']:.1f}x"
        assert row["quality"].strip("~%") == f"{row['quality_pct']:g}"


def test_seed_recipe_maps_every_manual_step():
    recipe = g.seed_recipe()
    assert len(recipe) == 4 and list(recipe.columns) == ["seed (2023-era llama.cpp)", "today", "Python API used here"]
    seed, today = " ".join(recipe.iloc[:, 0]), " ".join(recipe["today"])
    assert "convert.py" in seed and "./quantize" in seed and "make -j" in seed
    assert "convert_hf_to_gguf.py" in today and "llama-quantize" in today and "cmake" in today
    assert f"ftype = {g.LEVELS['Q4_K_M']}" in recipe.iloc[3, 2]


def test_bits_per_weight_arithmetic():
    assert g.bits_per_weight(1000, 2000) == 4.0
    assert g.bits_per_weight(4.37e9, 7_248_023_552) == pytest.approx(4.8234, abs=1e-3)
    with pytest.raises(ValueError, match="n_params"):
        g.bits_per_weight(10, 0)


def _table(**ppl):
    sizes = {"F16": 517.7, "Q8_0": 278.0, "Q5_K_M": 248.0, "Q4_K_M": 241.4, "Q3_K_M": 230.8, "Q2_K": 226.1}
    rows = [{"level": lv, "size_mib": s, "params": 268_098_176, "bits_per_weight": s * 2**20 * 8 / 268_098_176,
             "load_s": 1.0, "prompt_tok_s": 100.0, "gen_tok_s": 40.0 if lv == "F16" else 50.0,
             "perplexity": ppl.get(lv, 9.0), "text": lv} for lv, s in sizes.items()]
    return pd.DataFrame(rows).set_index("level")


def test_budget_choice_takes_the_lowest_perplexity_that_fits():
    t = _table(Q3_K_M=11.2, Q2_K=17.0, Q4_K_M=9.1)
    assert g.best_under_budget(t, 235) == "Q3_K_M"
    assert g.best_under_budget(t, 228) == "Q2_K"
    assert g.best_under_budget(t, 1000) in {"F16", "Q8_0", "Q5_K_M"}  # all 9.0
    with pytest.raises(ValueError, match="smallest is 226.1"):
        g.best_under_budget(t, 100)
    assert g.size_falls_with_bits(t)
    t.loc["Q2_K", "size_mib"] = 300
    assert not g.size_falls_with_bits(t)


def test_tables_for_reading_compute_ratios_to_f16():
    t = _table(F16=10.0, Q4_K_M=10.2, Q2_K=20.0)
    r = g.results_table(t)
    assert r.loc["Q2_K", "perplexity vs F16"] == "+100.0%" and r.loc["F16", "size vs F16"] == 1.0
    assert r.loc["Q8_0", "gen speed vs F16"] == 1.25
    s = g.seed_vs_measured(t)
    assert s.loc["seed: quality", "Q2_K"] == "85 %" and s.loc["measured here: perplexity vs F16", "Q4_K_M"] == "+2.0%"
    assert s.loc["llama.cpp table: 7B size", "Q4_K_M"] == "4.44 GB"
    assert s.loc["seed: implied bits/weight", "Q2_K"] == pytest.approx(2.76, abs=0.01)
    assert "Q8_0" in g.side_by_side(t, ("Q8_0", "Q2_K")).splitlines()[0]


def test_exercises_teach_on_common_mistakes():
    assert nb07.q1.check(4.37e9 * 8 / 7_248_023_552)
    assert "multiply by 8" in nb07.q1.check(4.37e9 / 7_248_023_552).message
    assert not nb07.q1.check(4.0)
    assert nb07.q2.check("q3_k_m")
    assert "lowest perplexity" in nb07.q2.check("Q2_K").message
    assert "does not fit" in nb07.q2.check("Q4_K_M").message
    assert g.best_under_budget(_table(Q3_K_M=11.2, Q2_K=17.0), nb07.BUDGET_MIB) == nb07.EXPECTED_UNDER_BUDGET


# --------------------------------------------------------------------------- reading real GGUF files
# What the two hand-written header parsers this replaced (gguf_tools.tensor_spans and
# sizing.read_gguf_tensors) returned on the stand-ins' files: tensor count, and the sha256 of
# json.dumps([[name, shape, type, elements, offset, bytes, bits/weight], ...]) in file order.
OLD_PARSERS = {
    "gemma": (236, "2822fc68be36c3dba7f77c727874ed36013a452b754eeb28df39d49b3a211d28"),
    "smollm": (272, "ec4791cc827ced0dff55b10eff52220d54c49e05b78cb14a8c9f00d348bea3d0"),
}


def _standin(name):
    from helpers.engine.embedded import prepare_gemma_model, prepare_smollm_model

    return {"gemma": prepare_gemma_model, "smollm": prepare_smollm_model}[name](progress=False)


@pytest.mark.parametrize("name", sorted(OLD_PARSERS))
def test_tensor_index_agrees_with_the_old_header_parsers(name):
    from helpers.sizing import read_gguf_tensors

    path = _standin(name)
    spans, tensors = g.tensor_spans(path), read_gguf_tensors(path)
    records = [[t.name, list(t.shape), t.type_name, t.n_elements, *spans[t.name][1:], t.bits_per_weight]
               for t in tensors]
    assert all(spans[t.name][0] == t.type_name and spans[t.name][2] == t.nbytes for t in tensors)
    assert (len(records), hashlib.sha256(json.dumps(records).encode()).hexdigest()) == OLD_PARSERS[name]
    ordered = sorted(spans.values(), key=lambda span: span[1])
    assert all(a[1] + a[2] <= b[1] and b[1] % 32 == 0 for a, b in zip(ordered, ordered[1:]))
    assert ordered[-1][1] + ordered[-1][2] == path.stat().st_size  # the data section ends the file
    index = g.tensor_index(path)
    assert list(index["name"]) == list(spans) and g.parameter_count(path) == sum(t.n_elements for t in tensors)


def test_tensor_index_reader_matches_plain_gguf_reader():
    """The fast reader changes how metadata arrays are walked, nothing else (plain GGUFReader: ~2 s on SmolLM2)."""
    from gguf import GGUFReader, GGUFValueType

    from helpers.model_files import _tensor_index_reader

    path = _standin("smollm")
    plain, fast = GGUFReader(str(path)), _tensor_index_reader()(str(path))
    assert fast.data_offset == plain.data_offset and list(fast.fields) == list(plain.fields)
    assert [(t.name, t.tensor_type, t.shape.tolist(), t.n_elements, t.data_offset, t.n_bytes) for t in fast.tensors] \
        == [(t.name, t.tensor_type, t.shape.tolist(), t.n_elements, t.data_offset, t.n_bytes) for t in plain.tensors]
    for key, field in plain.fields.items():
        if field.types[-1] != GGUFValueType.STRING or field.types[0] != GGUFValueType.ARRAY:
            assert fast.fields[key].contents() == field.contents(), key
    assert len(fast.fields["tokenizer.ggml.token_type"].contents()) == 49152  # compared above, value by value


# ------------------------------------------------------------------------- real conversion (llama.cpp)
@pytest.fixture(scope="module")
def tiny():
    return prepare_tiny_mistral(progress=False)


@pytest.fixture(scope="module")
def tiny_f16(tiny):
    return g.convert_hf_to_gguf(tiny, "f16")


@pytest.mark.slow
def test_converter_writes_a_llama_architecture_gguf_with_mistrals_shape(tiny, tiny_f16):
    meta = g.gguf_metadata(tiny_f16)
    assert meta["architecture"] == "llama" and meta["tokenizer model"] == "llama"
    assert (meta["context length"], meta["attention heads"], meta["KV heads"]) == (32768, 8, 2)
    assert meta["vocabulary size"] == 32768 and meta["BOS / EOS ids"] == (1, 2)
    tensors = g.gguf_tensors(tiny_f16)
    assert set(tensors["type"]) == {"F16", "F32"}
    assert set(tensors.loc[tensors["type"] == "F32", "name"].str.rsplit(".", n=2).str[-2]) <= {"attn_norm", "ffn_norm",
                                                                                                 "output_norm"}
    assert tensors.loc[tensors.name == "token_embd.weight", "shape"].item() == (256, 32768)
    assert g.parameter_count(tiny_f16) == int(tensors["elements"].sum())
    assert g.convert_hf_to_gguf(tiny, "f16") == tiny_f16  # cached


@pytest.mark.slow
def test_converted_tokens_and_logits_match_the_originals(tiny, tiny_f16):
    assert g.gguf_tokens(tiny_f16, SAMPLE) == g.mistral_common_tokens(SAMPLE)
    diff = g.compare_logits(tiny, tiny_f16, g.mistral_common_tokens(SAMPLE))
    assert diff["correlation"] > 0.9999 and diff["max |difference|"] < 0.01 and diff["same top token"] > 0.9


@pytest.mark.slow
def test_tensor_spans_locate_the_data(tiny, tiny_f16):
    spans = g.tensor_spans(tiny_f16)
    assert len(spans) == 39 and spans["token_embd.weight"][0] == "F16"
    assert spans["token_embd.weight"][2] == 256 * 32768 * 2
    last_end = max(off + length for _, off, length in spans.values())
    assert last_end == tiny_f16.stat().st_size  # the data section ends the file
    q8 = g.convert_hf_to_gguf(tiny, "q8_0")
    itself = g.compare_tensor_bytes(tiny_f16, tiny_f16)
    assert itself["same bytes"].all() and len(itself) == 39
    other = g.compare_tensor_bytes(tiny_f16, q8)
    assert set(other.loc[~other["same type"], "type"]) == {"F16"} and other.loc[other["type"] == "F32", "same bytes"].all()
    with pytest.raises(ValueError, match="not a GGUF"):
        g.tensor_spans(tiny / "config.json")


def test_converter_rejects_k_quants(tiny):
    with pytest.raises(ValueError, match="quantize"):
        g.convert_hf_to_gguf(tiny, "q4_k_m")


# ------------------------------------------------------------------------ real quantization (llama.cpp)
@pytest.mark.slow
def test_quantize_shrinks_and_requantizing_needs_permission(tiny_f16, tmp_path):
    q8 = g.quantize(tiny_f16, tmp_path / "q8.gguf", "Q8_0", nthread=2)
    assert q8.tensors == 39 and g.file_mib(q8.path) < g.file_mib(tiny_f16) * 0.6
    assert set(g.type_mix(q8.path).index) == {"Q8_0", "F32"}
    with pytest.raises(RuntimeError, match="allow_requantize=True") as err:
        g.quantize(q8.path, tmp_path / "again.gguf", "Q4_K_M")
    assert "deleted" in str(err.value) and not (tmp_path / "again.gguf").exists()
    again = g.quantize(q8.path, tmp_path / "again.gguf", "Q4_K_M", allow_requantize=True)
    assert g.file_mib(again.path) < g.file_mib(q8.path)
    with pytest.raises(ValueError, match="Unknown level"):
        g.quantize(tiny_f16, tmp_path / "x.gguf", "Q7_K")


@pytest.mark.slow
def test_ladder_is_cached_and_measured(tiny_f16, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_CACHE", str(tmp_path))
    first = g.quantize_ladder(tiny_f16, ("Q8_0", "Q2_K"), progress=False, nthread=2)
    assert list(first) == ["F16", "Q8_0", "Q2_K"] and not any(r.cached for r in first.values())
    second = g.quantize_ladder(tiny_f16, ("Q8_0", "Q2_K"), progress=False)
    assert all(r.cached for r in second.values()) and g.ladder_files(second) == g.ladder_files(first)
    files = g.ladder_files(first)
    measured = g.measure_ladder(files, SAMPLE * 8, 96, "Hello", gen_tokens=8, progress=False)
    assert g.size_falls_with_bits(measured, ("F16", "Q8_0", "Q2_K"))
    # file bits / weights: the tensors' own bits plus the header (a 32,768-token vocabulary on 20M weights)
    assert 16.0 < measured.loc["F16", "bits_per_weight"] < 16.7
    assert 8.5 < measured.loc["Q8_0", "bits_per_weight"] < 9.2
    assert (measured[["load_s", "prompt_tok_s", "gen_tok_s"]] > 0).all().all()
    with pytest.raises(ValueError, match="fewer than"):
        g.eval_tokens_for(files["F16"], "short text", 500)


@pytest.mark.slow
def test_perplexity_agrees_with_transformers(tiny, tiny_f16):
    import torch
    from transformers import AutoModelForCausalLM

    tokens = g.mistral_common_tokens(SAMPLE * 3)
    model = AutoModelForCausalLM.from_pretrained(str(tiny), dtype=torch.float32).eval()
    with torch.no_grad():
        logits = model(torch.tensor([tokens])).logits[0, :-1]
    nll = torch.nn.functional.cross_entropy(logits, torch.tensor(tokens[1:]))
    expected = float(torch.exp(nll))
    with g.llama_model(tiny_f16, n_ctx=256, n_batch=32) as llm:  # several chunks, so chunk borders are tested
        ppl, seconds = g.perplexity(llm, tokens, n_batch=32)
        text1, n1, _ = g.greedy_generate(llm, "The", 6)
        text2, n2, _ = g.greedy_generate(llm, "The", 6)
    assert ppl == pytest.approx(expected, rel=2e-3) and seconds > 0
    assert n1 == n2 == 6 and text1 == text2
    with pytest.raises(ValueError, match="two tokens"):
        g.perplexity(None, [1])
    assert np.isfinite(ppl)
