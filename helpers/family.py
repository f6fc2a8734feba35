"""The Mistral family as data (`data/mistral_family.json`) and parameter counts computed from it.

Each family member is described by one open-weights checkpoint and the hyper-parameters of its
published `config.json`. Parameter counts are computed two ways and checked against each other:
by instantiating the real transformers model on PyTorch's *meta* device (shapes only, no memory)
and analytically from the hyper-parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from .paths import data_dir


@dataclass(frozen=True)
class ModelSpec:
    """One family member: names on each backend, licence, context and architecture."""

    key: str
    name: str
    checkpoint: str
    api_id: str
    ollama_tag: str
    hf_repo: str
    licence: str
    context_tokens: int
    architecture: str  # "dense" or "moe"
    experts: int | None
    active_experts: int | None
    best_for: str
    config: dict[str, Any]
    published_total: float
    published_active: float | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def is_moe(self) -> bool:
        return self.architecture == "moe"

    @property
    def layers(self) -> int:
        return int(self.config["num_hidden_layers"])

    @property
    def kv_heads(self) -> int:
        return int(self.config["num_key_value_heads"])

    @property
    def head_dim(self) -> int:
        """Per-head dimension: the config's `head_dim` (Nemo's 128 is not hidden_size / heads = 160)."""
        return int(self.config.get("head_dim") or self.config["hidden_size"] // self.config["num_attention_heads"])

    @property
    def uncertain(self) -> dict[str, str]:
        """Fields the catalog could not confirm from a primary source, with the reason."""
        return dict(self.raw.get("uncertain", {}))


@dataclass(frozen=True)
class ParamCount:
    """Parameters of a model: total, used per token, and the embedding + output-head share."""

    total: int
    active: int
    embeddings: int  # token embeddings + untied output head (what GPU quantizers leave in 16 bits)

    @property
    def linear(self) -> int:
        """Everything but the embeddings and output head (the layers quantizers compress)."""
        return self.total - self.embeddings


@cache
def _catalog() -> dict[str, Any]:
    path = data_dir() / "mistral_family.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"{path} is missing: the family catalog ships in the workbook's data/ folder; "
                                "restore it from the repository (git checkout data/mistral_family.json).") from exc


@cache
def load_family() -> tuple[ModelSpec, ...]:
    """Every family member in the catalog, in catalog order."""
    specs = []
    for m in _catalog()["models"]:
        pub = m["published_params"]
        specs.append(ModelSpec(
            key=m["key"], name=m["name"], checkpoint=m["checkpoint"], api_id=m["api_id"],
            ollama_tag=m["ollama_tag"], hf_repo=m["hf_repo"], licence=m["licence"],
            context_tokens=int(m["context_tokens"]), architecture=m["architecture"],
            experts=m["experts"], active_experts=m["active_experts"], best_for=m["best_for"],
            config=dict(m["config"]), published_total=float(pub["total"]),
            published_active=None if pub["active"] is None else float(pub["active"]), raw=m,
        ))
    return tuple(specs)


def catalog_as_of() -> str:
    """The date the catalog's facts were last checked."""
    return str(_catalog()["as_of"])


@cache
def _docs_models() -> dict[str, dict[str, Any]]:
    """`data/mistral_models.json` (generated from Mistral's docs repository) by model-file slug."""
    data = json.loads((data_dir() / "mistral_models.json").read_text())
    return {m["slug"]: m for m in data["models"]}


@cache
def current_family() -> tuple[ModelSpec, ...]:
    """Today's open-weights members the selector recommends, with the docs' published figures.

    Their config.json is not catalogued: `config` holds only the KV-cache geometry of the catalogued
    member named in `kv_geometry_assumed`, and `published_only` in `raw` tells the calculator to size
    their weights from the published parameter count.
    """
    catalogued = {m.key: m for m in load_family()}
    specs = []
    for c in _catalog().get("current", []):
        doc = _docs_models()[c["doc_slug"]]
        w = doc["weights"]
        like = catalogued[c["kv_geometry_assumed"]["like"]]
        geometry = {k: like.config[k] for k in ("num_hidden_layers", "num_key_value_heads", "head_dim")}
        moe = w["active"] < w["parameters"]
        api_ids = doc["api_names"]
        specs.append(ModelSpec(
            key=c["key"], name=doc["name"], checkpoint=w["hf_repo"].split("/")[-1], api_id=api_ids[0],
            ollama_tag=c["ollama_tag"], hf_repo=w["hf_repo"], licence=w["licence"].replace("Apache 2.0", "Apache-2.0"),
            context_tokens=int(w["context_tokens"] or doc["context_tokens"]), architecture="moe" if moe else "dense",
            experts=None, active_experts=None, best_for=c["best_for"], config=geometry,
            published_total=float(w["parameters"]), published_active=float(w["active"]),
            raw={**c, "published_only": True, "api_ids": api_ids, "status": doc["status"], "released": doc["released"],
                 "source": doc["source"],
                 "uncertain": {"kv_cache": c["kv_geometry_assumed"]["why"]}},
        ))
    return tuple(specs)


def api_model_name(api_id: str) -> str:
    """The docs' name of the current model behind a La Plateforme id (`mistral-small-latest` -> Mistral Small 4)."""
    for m in _docs_models().values():
        if api_id in m["api_names"] and not m["retired_on_as_of"]:
            return str(m["name"])
    raise KeyError(f"{api_id!r} is no current La Plateforme id in data/mistral_models.json")


def newer_models() -> pd.DataFrame:
    """Today's Mistral lineup from the docs repository: every model La Plateforme still serves (or that
    has open weights), with status, API ids, weights and the model file and commit each row comes from."""
    rows = []
    for m in _docs_models().values():
        if m["retired_on_as_of"] or not (m["api_names"] or m["open_weights"]):
            continue
        w = m["weights"] or {}
        rows.append({"model": m["name"], "released": m["released"], "status": m["status"],
                     "API ids": ", ".join(m["api_names"]),
                     "open weights": w.get("licence") or ("announced" if w else "no"),
                     "params (B)": None if not w.get("parameters") else w["parameters"] / 1e9,
                     "active (B)": None if not w.get("active") else w["active"] / 1e9,
                     "context": m["context"], "source": f"{m['source']['path'].rsplit('/', 1)[-1]}@{m['source']['commit'][:8]}"})
    rows.sort(key=lambda r: r["released"] or "", reverse=True)
    return pd.DataFrame(rows).set_index("model")


def model_keys() -> list[str]:
    return [m.key for m in load_family()]


def get_model(name: str) -> ModelSpec:
    """A family member (catalogued or current) by key, display name, API id, Ollama tag or Hugging Face repo
    (case-insensitive)."""
    wanted = name.strip().lower()
    for m in load_family() + current_family():
        names = {m.key, m.name.lower(), m.api_id.lower(), m.ollama_tag.lower(), m.hf_repo.lower()}
        if wanted in (names | {i.lower() for i in m.raw.get("api_ids", ())}) - {""}:
            return m
    raise KeyError(f"Unknown model {name!r}. Known models: {', '.join(model_keys() + [m.key for m in current_family()])} "
                   "(display names, API ids, Ollama tags and Hugging Face repos work too).")


def family_table() -> pd.DataFrame:
    """The family at a glance: names on each backend, licence, context, dense or MoE."""
    rows = []
    for m in load_family():
        arch = f"MoE, {m.experts} experts, {m.active_experts} active" if m.is_moe else "dense"
        rows.append({"model": m.name, "checkpoint": m.checkpoint, "API id": m.api_id, "Ollama": m.ollama_tag,
                     "Hugging Face": m.hf_repo, "licence": m.licence.split(" (")[0],
                     "context": f"{m.context_tokens // 1024}K", "architecture": arch})
    return pd.DataFrame(rows).set_index("model")


def architecture_table() -> pd.DataFrame:
    """The hyper-parameters of each checkpoint's config.json."""
    cols = ["hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
            "intermediate_size", "vocab_size", "num_local_experts", "num_experts_per_tok"]
    rows = {m.name: {c: m.config.get(c, "") for c in cols} for m in load_family()}
    short = {"hidden_size": "hidden", "num_hidden_layers": "layers", "num_attention_heads": "heads",
             "num_key_value_heads": "KV heads", "head_dim": "head dim", "intermediate_size": "FFN size",
             "vocab_size": "vocab", "num_local_experts": "experts", "num_experts_per_tok": "active experts"}
    return pd.DataFrame.from_dict(rows, orient="index")[cols].rename(columns=short)


def uncertain_table() -> pd.DataFrame:
    """Every field the catalog marks as uncertain, with the reason."""
    rows = [{"model": m.name, "field": f, "why uncertain": why}
            for m in load_family() + current_family() for f, why in m.uncertain.items()]
    return pd.DataFrame(rows)


def hf_config(spec: ModelSpec):
    """The transformers config (MistralConfig or MixtralConfig) for a family member."""
    from transformers import MistralConfig, MixtralConfig

    cfg = {k: v for k, v in spec.config.items() if k != "model_type"}
    if spec.config["model_type"] == "mixtral":
        return MixtralConfig(**cfg)
    if spec.config["model_type"] == "mistral":
        return MistralConfig(**cfg)
    raise ValueError(f"{spec.name}: model_type {spec.config['model_type']!r} is neither 'mistral' nor 'mixtral'; "
                     "add its transformers config class to helpers.family.hf_config.")


def count_parameters_meta(spec: ModelSpec) -> ParamCount:
    """Count parameters by building the real transformers model on the meta device (no weights allocated).

    Expert weights are the parameters under `.experts.`; a token uses `active_experts` of them.
    """
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(hf_config(spec))
    total = expert = 0
    for name, p in model.named_parameters():
        total += p.numel()
        if ".experts." in name:
            expert += p.numel()
    embeddings = model.get_input_embeddings().weight.numel()
    if not spec.config.get("tie_word_embeddings", False):
        embeddings += model.get_output_embeddings().weight.numel()
    active = total
    if spec.is_moe and spec.active_experts and spec.experts:
        active = total - expert + expert * spec.active_experts // spec.experts
    return ParamCount(total=total, active=active, embeddings=embeddings)


def count_parameters(spec: ModelSpec) -> ParamCount:
    """Count parameters analytically from the hyper-parameters (no torch needed).

    Per layer: attention q, k, v, o projections; a SwiGLU feed-forward (gate, up, down) per expert;
    the router for MoE; two RMSNorms. Plus token embeddings, the final norm and the output head.
    """
    c = spec.config
    h, layers, vocab, ffn = c["hidden_size"], c["num_hidden_layers"], c["vocab_size"], c["intermediate_size"]
    q_dim, kv_dim = c["num_attention_heads"] * spec.head_dim, spec.kv_heads * spec.head_dim
    attention = h * q_dim + 2 * h * kv_dim + q_dim * h
    mlp = 3 * h * ffn
    experts = spec.experts or 1
    router = h * experts if spec.is_moe else 0
    norms = 2 * h
    per_layer_total = attention + experts * mlp + router + norms
    per_layer_active = attention + (spec.active_experts or 1) * mlp + router + norms
    embeddings = vocab * h * (1 if c.get("tie_word_embeddings", False) else 2)
    rest = embeddings + h  # embeddings, output head, final norm
    return ParamCount(total=layers * per_layer_total + rest, active=layers * per_layer_active + rest,
                      embeddings=embeddings)


def parameter_table(use_meta: bool = True) -> pd.DataFrame:
    """Computed vs published parameter counts for every family member (billions; difference in %)."""
    rows = []
    for m in load_family():
        counted = count_parameters_meta(m) if use_meta else count_parameters(m)
        analytic = count_parameters(m)
        row = {
            "model": m.name,
            "computed total (B)": round(counted.total / 1e9, 2),
            "published total (B)": m.published_total / 1e9,
            "difference %": round(100 * (counted.total - m.published_total) / m.published_total, 2),
            "computed active (B)": round(counted.active / 1e9, 2),
            "published active (B)": None if m.published_active is None else m.published_active / 1e9,
            "meta = analytic": counted == analytic,
        }
        rows.append(row)
    return pd.DataFrame(rows).set_index("model")


def tokenizer_costs(texts: dict[str, str]) -> pd.DataFrame:
    """Tokens per character of each text with the v3 SentencePiece tokenizer (Mistral 7B, Mixtral 8x22B,
    Codestral, Large 2) and with Tekken (Nemo, Small 3), both shipped by mistral-common."""
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    from .tokens import tokens_per_character

    tekken = MistralTokenizer.v3(is_tekken=True).instruct_tokenizer.tokenizer
    rows = []
    for label, text in texts.items():
        n_tekken = len(tekken.encode(text, bos=False, eos=False))
        rows.append({"text": label, "characters": len(text),
                     "v3 (32,768 tokens)": round(tokens_per_character(text, "v3"), 3),
                     "Tekken (131,072 tokens)": round(n_tekken / max(1, len(text)), 3)})
    return pd.DataFrame(rows).set_index("text")
