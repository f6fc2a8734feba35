"""Mixture of Experts made concrete: a tiny top-2 router in PyTorch, built like Mixtral's MoE layer.

A router (one linear layer) scores every expert for every token; the two best-scoring experts run
and their outputs are mixed with a softmax over those two scores. Each expert is a small SwiGLU
feed-forward network, like Mixtral's. All eight experts exist in memory; each token uses two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
from torch import nn

from .family import ModelSpec, count_parameters, get_model


class Expert(nn.Module):
    """A SwiGLU feed-forward network: down(silu(gate(x)) * up(x)), as in Mistral and Mixtral."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.gate = nn.Linear(dim, hidden, bias=False)
        self.up = nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(nn.functional.silu(self.gate(x)) * self.up(x))


@dataclass
class Routing:
    """Which experts each token went to, with which weights, and the router's raw scores."""

    logits: torch.Tensor  # (tokens, experts)
    experts: torch.Tensor  # (tokens, top_k) expert indices, best first
    weights: torch.Tensor  # (tokens, top_k) softmax over the chosen experts' scores


class TopKMoE(nn.Module):
    """A sparse MoE layer: `n_experts` SwiGLU experts, of which the router picks `top_k` per token."""

    def __init__(self, dim: int = 16, hidden: int = 32, n_experts: int = 8, top_k: int = 2, seed: int = 0):
        super().__init__()
        if not 1 <= top_k <= n_experts:
            raise ValueError(f"top_k must be between 1 and n_experts ({n_experts}); got {top_k}")
        self.top_k, self.n_experts = top_k, n_experts
        generator = torch.Generator().manual_seed(seed)
        self.router = nn.Linear(dim, n_experts, bias=False)
        self.experts = nn.ModuleList(Expert(dim, hidden) for _ in range(n_experts))
        with torch.no_grad():  # seeded initialisation, independent of the global random state
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) / p.shape[-1] ** 0.5)

    def route(self, x: torch.Tensor) -> Routing:
        """Score every expert, keep the top k, softmax over the kept scores."""
        logits = self.router(x)
        top = logits.topk(self.top_k, dim=-1)
        return Routing(logits, top.indices, torch.softmax(top.values, dim=-1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, Routing]:
        routing = self.route(x)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            token, slot = torch.where(routing.experts == e)
            if token.numel():  # an expert no token chose does no work at all
                out.index_add_(0, token, routing.weights[token, slot, None] * expert(x[token]))
        return out, routing


def toy_layer(seed: int = 0) -> TopKMoE:
    """The notebook's toy layer: 8 experts, top-2, 16-dim tokens, 32-dim expert hidden size."""
    return TopKMoE(dim=16, hidden=32, n_experts=8, top_k=2, seed=seed)


def token_vectors(text: str, dim: int = 16, seed: int = 0) -> tuple[list[str], torch.Tensor]:
    """Tokenize text with Mistral's v3 tokenizer and give each token id a fixed random vector (a toy embedding table)."""
    from .tokens import mistral_tokenizer

    inner = mistral_tokenizer("v3").instruct_tokenizer.tokenizer
    ids = inner.encode(text, bos=False, eos=False)
    table = torch.randn(inner.n_words, dim, generator=torch.Generator().manual_seed(seed))
    return [inner.id_to_piece(i) for i in ids], table[torch.tensor(ids)]


def routing_table(routing: Routing, labels: list[str]) -> pd.DataFrame:
    """One row per token: the experts it was sent to and the mixing weights (rounded to 2 decimals)."""
    rows = []
    for i, label in enumerate(labels):
        row: dict[str, Any] = {"token": label}
        for k in range(routing.experts.shape[1]):
            row[f"expert {k + 1}"] = int(routing.experts[i, k])
            row[f"weight {k + 1}"] = round(float(routing.weights[i, k]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def expert_load(routing: Routing, n_experts: int) -> pd.Series:
    """How many token slots each expert received (a token counts once per expert it uses)."""
    counts = torch.bincount(routing.experts.flatten(), minlength=n_experts)
    return pd.Series(counts.tolist(), index=[f"expert {e}" for e in range(n_experts)], name="tokens")


@dataclass(frozen=True)
class MoECounts:
    router: int
    per_expert: int
    n_experts: int
    top_k: int

    @property
    def total(self) -> int:
        return self.router + self.n_experts * self.per_expert

    @property
    def active(self) -> int:
        """Parameters one token touches: the router plus its top-k experts."""
        return self.router + self.top_k * self.per_expert


def layer_counts(layer: TopKMoE) -> MoECounts:
    """Total vs per-token parameters of a MoE layer, counted from its tensors."""
    return MoECounts(router=sum(p.numel() for p in layer.router.parameters()),
                     per_expert=sum(p.numel() for p in layer.experts[0].parameters()),
                     n_experts=layer.n_experts, top_k=layer.top_k)


def moe_breakdown(model: ModelSpec | str = "mixtral-8x7b") -> pd.DataFrame:
    """Where a Mixtral model's parameters are, total vs used per token (billions)."""
    spec = model if isinstance(model, ModelSpec) else get_model(model)
    if not spec.is_moe or not spec.experts or not spec.active_experts:
        raise ValueError(f"{spec.name} is dense: every parameter is active. Pick an MoE model such as mixtral-8x7b.")
    c, n = spec.config, count_parameters(spec)
    expert = 3 * c["hidden_size"] * c["intermediate_size"]
    experts_total = spec.layers * spec.experts * expert
    experts_active = spec.layers * spec.active_experts * expert
    rest = n.total - experts_total
    rows = [
        ("experts (SwiGLU FFNs)", experts_total, experts_active),
        ("attention, router, norms", rest - n.embeddings, rest - n.embeddings),
        ("embeddings + output head", n.embeddings, n.embeddings),
        ("whole model", n.total, n.active),
    ]
    return pd.DataFrame([{"part": p, "total (B)": round(t / 1e9, 2), "used per token (B)": round(a / 1e9, 2)}
                         for p, t, a in rows]).set_index("part")
