"""Exercises of notebook 10: LoRA and QLoRA fine-tuning."""

from __future__ import annotations

from ..finetune import IGNORE_INDEX, MISTRAL_7B_ATTENTION, MISTRAL_7B_LAYERS, SEED_CONFIG, label_mask, lora_parameters
from .core import Exercise

# q1: LoRA at rank 8 on Mistral 7B's q_proj and v_proj only (the original LoRA paper's choice).
Q1_RANK = 8
Q1_TARGETS = ("q_proj", "v_proj")


def _q1_expected() -> int:
    return lora_parameters({k: MISTRAL_7B_ATTENTION[k] for k in Q1_TARGETS}, Q1_RANK, MISTRAL_7B_LAYERS)


def _check_count(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "give a whole number of parameters."
    expected = _q1_expected()
    if answer == expected:
        return None
    shapes = {k: MISTRAL_7B_ATTENTION[k] for k in Q1_TARGETS}
    near = {
        lora_parameters(shapes, Q1_RANK, 1): "that is one decoder layer; Mistral 7B has 32, each with its own adapters.",
        MISTRAL_7B_LAYERS * sum(i * o for i, o in shapes.values()): "that is the full weight matrices; LoRA trains "
                                                                     "A (r x in) and B (out x r), not W (out x in).",
        MISTRAL_7B_LAYERS * sum(Q1_RANK * i for i, _ in shapes.values()): "you counted A only; B (out x r) is trained too.",
        MISTRAL_7B_LAYERS * 2 * Q1_RANK * 4096 * 2: "v_proj's output is 1024 (8 KV heads x 128), not 4096: grouped-query "
                                                    "attention makes k and v smaller.",
    }
    return near.get(answer, f"{answer:,} is not it. Per adapted layer: r x in_features + out_features x r; "
                            f"q_proj is 4096 -> 4096, v_proj 4096 -> 1024; times {MISTRAL_7B_LAYERS} layers.")


lora_count = Exercise(
    "LoRA parameters of Mistral 7B at r = 8 on q_proj and v_proj",
    _check_count,
    hint="An adapter on a layer of shape in -> out is A (r x in) plus B (out x r): r x (in + out) parameters. "
         "Shapes: q_proj 4096 -> 4096, v_proj 4096 -> 1024 (MISTRAL_7B_ATTENTION). Then multiply by the 32 layers.",
    solution="""
answer = 32 * (8 * (4096 + 4096) + 8 * (4096 + 1024))   # 3,407,872 = lora_parameters(...)
""",
    explanation="3.4 M parameters: 0.05 % of Mistral 7B. The seed's r 16 on q, k, v and o gives 13.6 M (0.19 %).",
)

# q2: the loss mask of a tokenized training example.
MASK_IDS = [2, 236840, 34177, 236842, 9868, 236761, 49613, 34177, 236842, 642, 236775, 1]
MASK_PROMPT_TOKENS = 9


def _check_mask(answer) -> str | None:
    if not isinstance(answer, (list, tuple)):
        return "give a list of labels, one per token id."
    answer = list(answer)
    expected = label_mask(MASK_IDS, MASK_PROMPT_TOKENS)
    if answer == expected:
        return None
    if len(answer) != len(MASK_IDS):
        return f"{len(answer)} labels for {len(MASK_IDS)} ids: labels have the same length as input_ids " \
               "(the model shifts them by one itself)."
    if answer == [t if i < MASK_PROMPT_TOKENS else IGNORE_INDEX for i, t in enumerate(MASK_IDS)]:
        return "inverted: the prompt gets -100 (no loss) and the answer keeps its ids (the loss is on the answer)."
    if answer == [0] * MASK_PROMPT_TOKENS + MASK_IDS[MASK_PROMPT_TOKENS:]:
        return "0 is a real token id (padding), and PyTorch would compute a loss on it; use -100, cross-entropy's ignore_index."
    if answer[:-1] == expected[:-1]:
        return "keep the last id (1, the end-of-sequence token) as a label: it teaches the model to stop."
    return f"the first {MASK_PROMPT_TOKENS} labels (the prompt, up to [/INST]) are -100, the rest are the ids themselves."


label_mask_exercise = Exercise(
    "The loss mask of a training example",
    _check_mask,
    hint="labels = [-100] * MASK_PROMPT_TOKENS + MASK_IDS[MASK_PROMPT_TOKENS:]. -100 is IGNORE_INDEX, the value "
         "PyTorch's cross-entropy skips.",
    solution="""
answer = [-100] * nb10.MASK_PROMPT_TOKENS + nb10.MASK_IDS[nb10.MASK_PROMPT_TOKENS:]
""",
    explanation="The model reads the whole sequence but is graded only on the answer and the end-of-sequence token.",
)


def _check_alpha(answer) -> str | None:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return "give lora_alpha as a number."
    seed_scale = SEED_CONFIG["lora_alpha"] / SEED_CONFIG["lora_r"]
    if abs(answer / 8 - seed_scale) < 1e-9:
        return None
    if answer == SEED_CONFIG["lora_alpha"]:
        return "32 with r = 8 doubles the update's scale (alpha / r = 4). Keep alpha / r as in the seed: 32 / 16."
    if answer == 8:
        return "alpha = r gives scale 1; the seed's configuration has alpha / r = 2."
    return f"LoRA adds (alpha / r) x B A to the weight; the seed has alpha / r = {seed_scale:g}. Which alpha gives that at r = 8?"


alpha_for_rank = Exercise(
    "lora_alpha for r = 8 with the seed's scaling",
    _check_alpha,
    hint="peft scales the adapter's output by lora_alpha / r. The seed: r 16, alpha 32.",
    solution="""
answer = 8 * 32 / 16   # = 16
""",
    explanation="alpha / r fixed at 2 keeps the update's size comparable when you change the rank, so the learning "
                "rate that worked at r 16 stays a good start at r 8.",
)

q1 = lora_count
q2 = label_mask_exercise
q3 = alpha_for_rank
