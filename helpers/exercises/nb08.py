"""Exercises of notebook 08: GPTQ, AWQ and bitsandbytes."""

from __future__ import annotations

from ..family import count_parameters, get_model
from ..quantize_hf import method_keys, nf4_bits, predicted_bytes, recommended
from .core import Exercise


def _mistral_7b_nf4_dq_gb() -> float:
    n = count_parameters(get_model("Mistral 7B"))
    return predicted_bytes(n.total - n.embeddings, n.embeddings, nf4_bits(double_quant=True), 16) / 1e9


def _check_nf4(answer) -> str | None:
    if not isinstance(answer, (int, float)):
        return "give a number of GB (10^9 bytes)."
    n = count_parameters(get_model("Mistral 7B"))
    expected = _mistral_7b_nf4_dq_gb()
    value = float(answer)
    if abs(value - expected) <= 0.01 * expected:
        return None
    linear, other = n.total - n.embeddings, n.embeddings
    near = {
        n.total * 4 / 8 / 1e9: "every parameter at 4 bits: bitsandbytes leaves the embedding table and lm_head in 16 bits.",
        (linear * 4 + other * 16) / 8 / 1e9: "right split, but NF4 also stores one scale (absmax) per block of 64 weights: "
                                             "with double quantization that is 8/64 + 32/(64*256) ≈ 0.127 extra bits per weight.",
        predicted_bytes(linear, other, nf4_bits(double_quant=False), 16) / 1e9: "that is NF4 *without* double quantization "
                                             "(an FP32 absmax per 64 weights = 0.5 extra bits); double quantization stores it in 8 bits.",
        n.total * 2 / 1e9: "that is FP16/BF16: 2 bytes for every parameter.",
    }
    for wrong, why in near.items():
        if abs(value - wrong) <= 0.01 * wrong:
            return f"{value:.2f} GB: {why}"
    return (f"{value:.2f} GB is not it. Linear layers: {linear:,} parameters at nf4_bits() bits; embeddings and head: "
            f"{other:,} at 16 bits; bytes = bits / 8; GB = bytes / 1e9.")


nf4_memory = Exercise(
    "Mistral 7B at NF4 with double quantization",
    _check_nf4,
    hint="count_parameters(get_model('Mistral 7B')) gives total and embeddings (embedding table + lm_head). "
         "The rest are linear layers at nf4_bits(double_quant=True) bits; the embeddings stay at 16 bits. "
         "predicted_bytes(n_linear, n_other, bits_linear, 16) does the arithmetic.",
    solution="""
n = count_parameters(get_model("Mistral 7B"))
answer = predicted_bytes(n.total - n.embeddings, n.embeddings, nf4_bits(double_quant=True), 16) / 1e9   # ≈ 4.14 GB
""",
    explanation="About 4.1 GB of weights: the seed's '~4 GB' is right for 7B, because there the 16-bit embeddings are "
                "under 4 % of the parameters. On the 270M stand-in they are 63 %, which is why its 4-bit files are so large.",
)


def _check_consumer(answer) -> str | None:
    keys = method_keys()
    if not isinstance(answer, str) or answer not in keys:
        return f"answer with one of the method keys: {', '.join(keys)}."
    best, also = recommended("consumer")
    if answer in (best, also):
        return None
    return {
        "bf16": "Mistral 7B in BF16 is about 14.5 GB of weights: it does not fit a 12 GB card.",
        "fp8": "FP8 needs FP8 units (Ada/Hopper) and still takes about 7.3 GB plus the KV cache; 4-bit leaves more room, "
               "and vLLM's 4-bit Marlin kernels are the common choice on consumer cards.",
        "bnb-nf4": "bitsandbytes NF4 fits, but its kernels are built for quantizing on load and for QLoRA training; "
                   "for serving, pre-quantized AWQ/GPTQ with Marlin kernels are faster.",
        "bnb-int8": "LLM.int8() fits (about 7.8 GB) but is the slowest of these for generation.",
        "gguf": "GGUF runs on NVIDIA GPUs through llama.cpp or Ollama, but vLLM's GGUF support is experimental; "
                "for vLLM pick a format it has fast kernels for.",
    }.get(answer, f"{answer} is not the choice for this row.")


consumer_gpu = Exercise(
    "A method for a consumer GPU",
    _check_consumer,
    hint="Look at the decision table's row for a consumer NVIDIA GPU. 12 GB rules out 16-bit weights for a 7B model; "
         "vLLM serves pre-quantized 4-bit checkpoints with Marlin kernels.",
    solution='answer = "awq"   # or "gptq": 4-bit, about 4.2 GB for Mistral 7B, fast Marlin kernels in vLLM',
    explanation="AWQ and GPTQ 4-bit checkpoints load straight into vLLM; the 12 GB card keeps ~7 GB for the KV cache.",
)

q1 = nf4_memory
q2 = consumer_gpu
