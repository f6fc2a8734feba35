"""The family catalog and parameter counts computed from the published hyper-parameters."""

from __future__ import annotations

import pytest
import torch

from helpers.family import (
    architecture_table,
    count_parameters,
    count_parameters_meta,
    family_table,
    get_model,
    hf_config,
    load_family,
    parameter_table,
    tokenizer_costs,
    uncertain_table,
)

REQUIRED = {"Mistral 7B", "Mixtral 8x7B", "Mixtral 8x22B", "Mistral Large", "Codestral", "Mistral Nemo", "Mistral Small"}


def test_catalog_has_the_seven_members_with_sources_and_names():
    family = load_family()
    assert {m.name for m in family} == REQUIRED
    for m in family:
        assert m.raw["sources"] and all(s.startswith("https://") for s in m.raw["sources"])
        assert m.api_id and m.ollama_tag and m.hf_repo.startswith("mistralai/") and m.licence
        assert m.is_moe == (m.experts is not None) == (m.config["model_type"] == "mixtral")
    assert list(family_table().index) == [m.name for m in family]
    assert architecture_table().loc["Mistral Nemo", "head dim"] == 128


def test_lookup_by_any_name_and_a_helpful_error():
    assert get_model("open-mixtral-8x7b").key == get_model("mixtral").key == get_model("Mixtral 8x7B").key == "mixtral-8x7b"
    assert get_model("mistralai/Mistral-Nemo-Instruct-2407").name == "Mistral Nemo"
    with pytest.raises(KeyError, match="Known models: mistral-7b"):
        get_model("mistral-9000")


def test_mistral_7b_v01_count_is_exactly_huggingfaces_figure():
    # v0.1 differs from the catalogued v0.3 only by its 32,000-token vocabulary
    spec = get_model("mistral-7b")
    v01 = type(spec)(**{**spec.__dict__, "config": {**spec.config, "vocab_size": 32000}})
    assert count_parameters(v01).total == 7_241_732_096
    assert count_parameters_meta(v01).total == 7_241_732_096


def test_meta_device_and_analytic_counts_agree_for_every_member():
    for m in load_family():
        assert count_parameters_meta(m) == count_parameters(m), m.name


def test_computed_totals_are_near_the_published_ones():
    table = parameter_table(use_meta=False)
    assert abs(table.loc["Mistral 7B", "difference %"]) < 1
    assert abs(table.loc["Mixtral 8x7B", "difference %"]) < 2
    assert abs(table.loc["Mixtral 8x22B", "difference %"]) < 2
    assert (table["difference %"].abs() < 3).all()  # Mistral Small's "24B" is the loosest rounding
    mixtral = count_parameters(get_model("mixtral-8x7b"))
    assert mixtral.active < mixtral.total
    assert abs(mixtral.active - 12.9e9) / 12.9e9 < 0.01
    assert abs(count_parameters(get_model("mixtral-8x22b")).active - 39e9) / 39e9 < 0.01


def test_analytic_count_matches_a_real_small_model():
    # a real (not meta) tiny model built from the same kind of config
    spec = get_model("mixtral-8x7b")
    small = {**spec.config, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 16, "intermediate_size": 96, "vocab_size": 300}
    tiny = type(spec)(**{**spec.__dict__, "config": small})
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_config(hf_config(tiny))
    assert sum(p.numel() for p in model.parameters()) == count_parameters(tiny).total
    assert isinstance(next(model.parameters()), torch.Tensor)


def test_nemo_uses_its_config_head_dim_not_hidden_over_heads():
    nemo = get_model("mistral-nemo")
    assert nemo.head_dim == 128 != nemo.config["hidden_size"] // nemo.config["num_attention_heads"]
    assert abs(count_parameters(nemo).total - 12.2e9) / 12.2e9 < 0.01


def test_uncertain_fields_are_listed_and_tokenizers_compare():
    assert len(uncertain_table()) >= 5
    costs = tokenizer_costs({"fr": "Le renard brun rapide saute par-dessus le chien paresseux."})
    assert costs.loc["fr", "Tekken (131,072 tokens)"] < costs.loc["fr", "v3 (32,768 tokens)"]
