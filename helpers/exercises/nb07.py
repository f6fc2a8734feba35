"""Exercises for notebook 07 (GGUF and llama.cpp)."""

from __future__ import annotations

from ..gguf_tools import LEVELS, bits_per_weight
from .core import Exercise

# A Mistral 7B v0.3 Q4_K_M file of 4.37e9 bytes; 7,248,023,552 parameters (32 layers, 4,096 wide, 32,768 tokens).
FILE_BYTES = 4.37e9
MISTRAL_7B_V03_PARAMS = 7_248_023_552


def _check_bpw(answer) -> str | None:
    expected = bits_per_weight(FILE_BYTES, MISTRAL_7B_V03_PARAMS)
    if not isinstance(answer, (int, float)):
        return "give a number: bits per weight."
    if abs(answer - expected) <= 0.02:
        return None
    if abs(answer - FILE_BYTES / MISTRAL_7B_V03_PARAMS) < 0.02:
        return "that is bytes per weight: a byte is 8 bits, multiply by 8."
    if abs(answer - FILE_BYTES * 2**30 / 1e9 * 8 / MISTRAL_7B_V03_PARAMS) < 0.05:
        return "the size is 4.37e9 bytes (decimal GB), not 4.37 GiB: use 4.37e9 directly."
    if abs(answer - 4) < 0.01 or abs(answer - 4.5) < 0.01:
        return "that is the nominal figure. Compute it from the file: bytes x 8 / parameters."
    return f"{answer:.3g} is not it: bits per weight = file bytes x 8 / parameter count."


q1 = Exercise(
    "Bits per weight from a file size",
    _check_bpw,
    hint="A Mistral 7B v0.3 Q4_K_M file holds 4.37e9 bytes and the model has 7,248,023,552 parameters. "
         "Bits per weight = bytes x 8 / parameters (`gguf_tools.bits_per_weight` does it).",
    solution="answer = 4.37e9 * 8 / 7_248_023_552   # ≈ 4.82 bits per weight",
    explanation="About 4.8 bits, not 4: Q4_K stores a scale and a minimum per block and the Q4_K_M recipe keeps "
                "some tensors in Q6_K. llama.cpp's own table gives 4.89 for Llama 3.1 8B.",
)

BUDGET_MIB = 235
EXPECTED_UNDER_BUDGET = "Q3_K_M"
# Sizes llama.cpp 0.3.36 writes for the stand-in (deterministic): the checker explains against them.
SIZES_MIB = {"F16": 517.7, "Q8_0": 278.0, "Q5_K_M": 248.0, "Q4_K_M": 241.4, "Q3_K_M": 230.8, "Q2_K": 226.1}


def _check_budget(answer) -> str | None:
    if not isinstance(answer, str):
        return "give the level's name as a string, e.g. \"Q8_0\"."
    level = answer.strip().upper()
    if level == EXPECTED_UNDER_BUDGET:
        return None
    if level not in LEVELS:
        return f"{answer!r} is not one of the measured levels: {', '.join(LEVELS)}."
    if SIZES_MIB[level] > BUDGET_MIB:
        return f"{level} is {SIZES_MIB[level]} MiB: it does not fit in {BUDGET_MIB} MiB."
    if level == "Q2_K":
        return ("Q2_K fits, but so does a level with far lower perplexity. Among the files that fit, "
                "pick the lowest perplexity, not the smallest file.")
    return f"{level} is not the best choice under {BUDGET_MIB} MiB."


q2 = Exercise(
    f"The level to ship under {BUDGET_MIB} MiB",
    _check_budget,
    hint=f"Keep the rows of `measured` whose size_mib is at most {BUDGET_MIB}, then take the one with the "
         "lowest perplexity (`.idxmin()`).",
    solution=f"answer = measured[measured.size_mib <= {BUDGET_MIB}].perplexity.idxmin()   # 'Q3_K_M'\n"
             f"# or: gguf_tools.best_under_budget(measured, {BUDGET_MIB})",
    explanation="Q3_K_M costs 4.7 MiB more than Q2_K and loses far less. On a 7B model the gap between "
                "levels is gigabytes, so Q4_K_M or Q5_K_M usually fits; this 270M model's fixed Q8_0 "
                "embedding table squeezes every level into a few MiB.",
)
