"""The toy top-2 mixture-of-experts layer."""

from __future__ import annotations

import pytest
import torch

from helpers.moe import TopKMoE, expert_load, layer_counts, moe_breakdown, routing_table, token_vectors, toy_layer


def test_routing_picks_two_experts_with_weights_summing_to_one():
    layer = toy_layer()
    labels, x = token_vectors("Mixtral sends every token to two experts.")
    with torch.no_grad():
        _, r = layer(x)
    assert r.experts.shape == (len(labels), 2) and (r.experts[:, 0] != r.experts[:, 1]).all()
    assert torch.allclose(r.weights.sum(-1), torch.ones(len(labels)))
    assert (r.weights[:, 0] >= r.weights[:, 1]).all()
    # the chosen experts are the two highest router scores
    assert torch.equal(r.experts, r.logits.topk(2).indices)
    assert expert_load(r, 8).sum() == 2 * len(labels)
    assert list(routing_table(r, labels).columns) == ["token", "expert 1", "weight 1", "expert 2", "weight 2"]


def test_output_is_the_weighted_sum_of_the_two_chosen_experts():
    layer = toy_layer()
    x = torch.randn(5, 16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        y, r = layer(x)
        for t in range(5):
            manual = sum(r.weights[t, k] * layer.experts[int(r.experts[t, k])](x[t]) for k in range(2))
            assert torch.allclose(y[t], manual, atol=1e-6)


def test_same_as_transformers_mixtral_moe_block():
    from transformers import MixtralConfig
    from transformers.models.mixtral.modeling_mixtral import MixtralSparseMoeBlock

    layer = toy_layer()
    block = MixtralSparseMoeBlock(MixtralConfig(hidden_size=16, intermediate_size=32, num_local_experts=8,
                                                num_experts_per_tok=2)).eval()
    with torch.no_grad():
        block.gate.weight.copy_(layer.router.weight)
        for e, expert in enumerate(layer.experts):
            block.experts.gate_up_proj[e].copy_(torch.cat([expert.gate.weight, expert.up.weight]))
            block.experts.down_proj[e].copy_(expert.down.weight)
        x = torch.randn(1, 7, 16, generator=torch.Generator().manual_seed(2))
        assert torch.allclose(layer(x[0])[0], block(x)[0], atol=1e-5)


def test_active_parameters_are_router_plus_two_experts():
    c = layer_counts(toy_layer())
    assert c.per_expert == 3 * 16 * 32 and c.router == 16 * 8
    assert c.total == sum(p.numel() for p in toy_layer().parameters())
    assert c.active == c.router + 2 * c.per_expert < c.total
    with pytest.raises(ValueError):
        TopKMoE(top_k=9)


def test_deterministic_for_a_seed():
    a, b = toy_layer(seed=3), toy_layer(seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(toy_layer(seed=4).router.weight, a.router.weight)


def test_mixtral_breakdown_ties_to_46_7_and_12_9():
    table = moe_breakdown("mixtral-8x7b")
    assert table.loc["whole model", "total (B)"] == pytest.approx(46.7, abs=0.05)
    assert table.loc["whole model", "used per token (B)"] == pytest.approx(12.9, abs=0.05)
    experts = table.loc["experts (SwiGLU FFNs)"]
    assert experts["total (B)"] == pytest.approx(4 * experts["used per token (B)"], rel=1e-3)  # 8 held, 2 used
    with pytest.raises(ValueError, match="dense"):
        moe_breakdown("mistral-7b")
