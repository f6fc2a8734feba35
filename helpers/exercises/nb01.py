"""Exercises of notebook 01: the Mistral family and choosing a model."""

from __future__ import annotations

from collections.abc import Iterable

from ..family import get_model
from ..sizing import estimate_memory, kv_cache_bytes, weight_bytes
from .core import Exercise

GIB = 2**30


def _close(answer: float, expected: float, tolerance: float = 0.02) -> bool:
    return abs(float(answer) - expected) <= tolerance * expected


def _check_nemo_fp16(answer) -> str | None:
    expected = weight_bytes("mistral-nemo", "fp16") / 1e9
    value = float(answer)
    if _close(value, expected):
        return None
    if _close(value, expected * 1e9 / GIB):
        return f"{value:.1f} is GiB (2^30 bytes); the workbook counts GB = 10^9 bytes. Divide bytes by 1e9."
    if _close(value, expected / 2):
        return f"{value:.1f} looks like the parameter count in billions; each FP16 weight takes 2 bytes."
    if _close(value, expected * 2):
        return f"{value:.1f} GB is FP32 (4 bytes per weight); FP16 is 2 bytes."
    return f"{value:.1f} GB is not it: count Nemo's parameters (family.count_parameters) and multiply by 2 bytes."


def _check_kv(answer) -> str | None:
    expected = kv_cache_bytes("mistral-7b", 32768, 1) / 1e9
    value = float(answer)
    if _close(value, expected):
        return None
    if _close(value, expected * 4):
        return (f"{value:.1f} GB uses all 32 attention heads; Mistral 7B caches only its 8 KV heads "
                "(grouped-query attention), which is why its cache is 4x smaller.")
    if _close(value, expected / 2):
        return f"{value:.2f} GB caches only keys or only values; the cache stores both (the leading 2 x)."
    if _close(value, expected * 1e9 / GIB):
        return f"{value:.2f} is GiB; the workbook counts GB = 10^9 bytes."
    return f"{value:.2f} GB is not it: 2 x layers x KV heads x head dim x 2 bytes x tokens x batch."


def _expected_fits() -> set[str]:
    from ..family import load_family

    return {m.key for m in load_family()
            if estimate_memory(m, "gptq-awq-4bit", min(8192, m.context_tokens)).total_gb <= 12}


def _check_fits(answer) -> str | None:
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return "give a list of model keys or names, e.g. ['mistral-7b', ...]."
    chosen = {get_model(str(a)).key for a in answer}
    expected = _expected_fits()
    if chosen == expected:
        return None
    extra, missing = chosen - expected, expected - chosen
    if "mixtral-8x7b" in extra:
        need = estimate_memory("mixtral-8x7b", "gptq-awq-4bit", 8192).total_gb
        return (f"Mixtral 8x7B needs {need:.1f} GB even at 4 bits: a token uses 2 experts, but all 8 must be "
                "in memory. MoE saves compute, not memory.")
    if extra:
        first = sorted(extra)[0]
        need = estimate_memory(first, "gptq-awq-4bit", min(8192, get_model(first).context_tokens)).total_gb
        return f"{get_model(first).name} needs {need:.1f} GB with its KV cache and overhead: more than 12."
    return f"one more fits: check {', '.join(get_model(k).name for k in sorted(missing))} with estimate_memory."


q1 = Exercise(
    "FP16 weights of Mistral Nemo",
    _check_nemo_fp16,
    hint="Parameters x 2 bytes. family.count_parameters(get_model('mistral-nemo')).total gives the parameters; "
         "divide the bytes by 1e9 for GB.",
    solution="""
from helpers.family import count_parameters, get_model
answer = count_parameters(get_model("mistral-nemo")).total * 2 / 1e9   # 24.5 GB
""",
    explanation="12.25 B parameters x 2 bytes = 24.5 GB: a 12B model does not fit a 24 GB GPU in FP16 "
                "once the KV cache is added. Note 1.34 B of those parameters are Tekken's 131K-token embeddings and head.",
)

q2 = Exercise(
    "KV cache of Mistral 7B at 32K tokens",
    _check_kv,
    hint="2 (keys and values) x 32 layers x 8 KV heads x 128 head dim x 2 bytes (FP16) x 32,768 tokens x batch 1. "
         "Or call sizing.kv_cache_bytes.",
    solution="""
answer = 2 * 32 * 8 * 128 * 2 * 32768 * 1 / 1e9   # 4.3 GB
""",
    explanation="4.3 GB: 131 KB per token. With 32 KV heads (no grouped-query attention) it would be 17.2 GB, "
                "more than the FP16 weights.",
)

q3 = Exercise(
    "Models that fit a 12 GB GPU at 4 bits",
    _check_fits,
    hint="For each model, sizing.estimate_memory(model, 'gptq-awq-4bit', min(8192, model.context_tokens)).total_gb "
         "must be at most 12.",
    solution="""
from helpers.family import load_family
from helpers.sizing import estimate_memory
answer = [m.key for m in load_family()
          if estimate_memory(m, "gptq-awq-4bit", min(8192, m.context_tokens)).total_gb <= 12]
""",
    explanation="Only the 7B and Nemo 12B fit a 12 GB card for 8K-token chat at 4 bits; everything from "
                "Codestral 22B up needs a 24 GB card or a second GPU.",
)
