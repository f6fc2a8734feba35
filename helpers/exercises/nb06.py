"""Exercises for notebook 06 (vLLM)."""

from __future__ import annotations

from ..vllm_server import tensor_parallel_memory
from .core import Exercise


def _check_speedup(answer) -> str | None:
    expected = 900 / 150
    if not isinstance(answer, (int, float)):
        return "give a number: tokens/s at 8 in flight divided by tokens/s at 1."
    if abs(answer - expected) > 0.05:
        if abs(answer - 150 / 900) < 0.05:
            return "you divided the wrong way round: the speed-up is batched / single."
        return f"{answer} is not it. Speed-up = throughput at 8 in flight / throughput at 1 in flight."
    return None


speedup = Exercise(
    "Batching speed-up",
    _check_speedup,
    hint="A server does 150 tokens/s with 1 request in flight and 900 tokens/s with 8. Divide.",
    solution="speedup = 900 / 150   # = 6.0: eight requests share each forward pass",
    explanation="Batching fills the matrix units that one request leaves idle; each request still waits longer.",
)


def _check_tp(answer) -> str | None:
    expected = tensor_parallel_memory(93.4, 4, kv_cache_gb=8.0)
    if not isinstance(answer, (int, float)):
        return "give the memory per GPU in GB, a number."
    if abs(answer - expected) > 0.1:
        if abs(answer - 93.4 / 4) < 0.1:
            return "the KV cache is split across the GPUs too: add it before dividing."
        return f"{answer:.1f} GB is not it: (weights + KV cache) / number of GPUs."
    return None


tensor_parallel = Exercise(
    "Memory per GPU under tensor parallelism",
    _check_tp,
    hint="Mixtral 8x7B in FP16 is about 93.4 GB of weights; add an 8 GB KV cache; split over 4 GPUs.",
    solution="per_gpu = tensor_parallel_memory(93.4, gpus=4, kv_cache_gb=8.0)   # ≈ 25.4 GB",
    explanation="Tensor parallelism cuts memory per GPU; replicas multiply throughput but each needs the full model.",
)
