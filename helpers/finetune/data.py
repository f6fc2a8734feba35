"""Data and the loss mask: the threat-log examples, their rendering in Mistral's v3 format, and their tokens
with the prompt masked out of the loss (labels IGNORE_INDEX on the prompt)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from ..engine.chat_format import STANDIN_SPECIALS, mistral_v3_text
from ..paths import data_dir

IGNORE_INDEX = -100  # the label PyTorch's cross-entropy skips: no loss on these positions
VERDICTS = ("malicious", "suspicious", "benign")
SPLITS = {"train": "threat_train.jsonl", "heldout": "threat_heldout.jsonl"}
INSTRUCTION = 'Classify as JSON {"verdict", "category"}:'


# --- data ------------------------------------------------------------------------------------------

@cache
def _read_split(split: str) -> tuple[dict[str, str], ...]:
    if split not in SPLITS:
        raise KeyError(f"Unknown split {split!r}; choose one of {', '.join(SPLITS)}.")
    path = data_dir() / "finetune" / SPLITS[split]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; restore data/finetune/ from the repository "
                                "(or run `python scripts/make_threat_dataset.py`).")
    return tuple(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def load_examples(split: str) -> list[dict[str, str]]:
    """The `train` or `heldout` examples: dicts with `id`, `text` (a log line), `verdict`, `category` and
    `source` (the log source whose template wrote the line; held-out sources never occur in training)."""
    return [dict(row) for row in _read_split(split)]


def source_table(train: Sequence[dict[str, str]], heldout: Sequence[dict[str, str]]) -> pd.DataFrame:
    """Per category: the log sources of its training lines and of its held-out lines (with line counts)."""
    def listed(rows: Sequence[dict[str, str]], category: str) -> str:
        counts = pd.Series([r["source"] for r in rows if r["category"] == category]).value_counts()
        return ", ".join(f"{source} ({n})" for source, n in sorted(counts.items()))

    cats = sorted({r["category"] for r in train} | {r["category"] for r in heldout})
    return pd.DataFrame({"training sources": {c: listed(train, c) for c in cats},
                         "held-out sources": {c: listed(heldout, c) for c in cats}}).rename_axis("category")


def categories() -> list[str]:
    """The categories of the training split, sorted."""
    return sorted({row["category"] for row in _read_split("train")})


def label_json(example: dict[str, str]) -> str:
    """The answer the model learns to write: `{"verdict": ..., "category": ...}`."""
    return json.dumps({"verdict": example["verdict"], "category": example["category"]})


def chat_messages(example: dict[str, str], with_answer: bool = True) -> list[dict[str, str]]:
    """The example as an API-style conversation; with the answer it is a training example."""
    messages = [{"role": "user", "content": f"{INSTRUCTION}\n{example['text']}"}]
    if with_answer:
        messages.append({"role": "assistant", "content": label_json(example)})
    return messages


def render_prompt(example: dict[str, str], specials: dict[str, str] | None = None) -> str:
    """The prompt text (up to and including `[/INST]`): exactly what the served model will be given."""
    return mistral_v3_text(chat_messages(example, with_answer=False), specials)


def render_example(example: dict[str, str], specials: dict[str, str] | None = None) -> tuple[str, str]:
    """(prompt, answer) text of a training example, both rendered by mistral-common.

    The conversation ending with the assistant is validated in fine-tuning mode; the prompt is the
    same conversation without the answer (test mode). The boundary between them is where the loss
    starts: the answer is what follows the prompt, the end-of-sequence token included.
    """
    prompt = render_prompt(example, specials)
    full = mistral_v3_text(chat_messages(example, with_answer=True), specials)
    if not full.startswith(prompt):
        raise ValueError("The rendered conversation does not start with its rendered prompt; the prompt/answer "
                         "boundary is undefined. Check the messages (one user turn, then the assistant's answer).")
    return prompt, full[len(prompt):]


# --- tokens and the loss mask ----------------------------------------------------------------------

@dataclass
class TrainExample:
    """One tokenized example: ids, labels (IGNORE_INDEX on the prompt) and the prompt's length."""

    input_ids: list[int]
    labels: list[int]
    prompt_tokens: int

    @property
    def answer_tokens(self) -> int:
        return sum(label != IGNORE_INDEX for label in self.labels)


def label_mask(input_ids: Sequence[int], prompt_tokens: int) -> list[int]:
    """Labels for causal-LM training: IGNORE_INDEX on the first `prompt_tokens` ids, the ids themselves after.

    The model still reads the prompt; it is only not graded on predicting it.
    """
    if not 0 < prompt_tokens < len(input_ids):
        raise ValueError(f"prompt_tokens must leave at least one answer token: got {prompt_tokens} of {len(input_ids)}.")
    return [IGNORE_INDEX] * prompt_tokens + list(input_ids[prompt_tokens:])


def check_specials(tokenizer: Any) -> None:
    """Raise if the tokenizer does not read STANDIN_SPECIALS' strings as its BOS/EOS tokens."""
    for mistral, name in STANDIN_SPECIALS.items():
        wanted = tokenizer.bos_token_id if mistral == "<s>" else tokenizer.eos_token_id
        got = tokenizer(name, add_special_tokens=False)["input_ids"]
        if got != [wanted]:
            raise ValueError(f"{name!r} (Mistral's {mistral}) tokenizes to {got}, not this tokenizer's id {wanted}; "
                             "pass `specials` that name its own BOS/EOS tokens.")


def encode_example(tokenizer: Any, example: dict[str, str]) -> TrainExample:
    """Tokenize a rendered example with the stand-in's tokenizer; mask the prompt.

    Prompt and answer are tokenized separately and concatenated, so the prompt's tokens are exactly
    those the model sees at serving time, when it writes the answer token by token after them.
    """
    prompt, answer = render_example(example)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if not answer_ids or answer_ids[-1] != tokenizer.eos_token_id:
        raise ValueError("The answer must end with the tokenizer's EOS token, or the model never learns to stop.")
    ids = prompt_ids + answer_ids
    return TrainExample(ids, label_mask(ids, len(prompt_ids)), len(prompt_ids))


def encode_mistral_v3(example: dict[str, str]) -> TrainExample:
    """The same example as Mistral 7B Instruct v0.3 would be trained on it: mistral-common's exact v3 ids."""
    from ..tokens import encode_chat

    full = encode_chat(chat_messages(example, with_answer=True)).tokens
    prompt = encode_chat(chat_messages(example, with_answer=False)).tokens
    if full[:len(prompt)] != prompt:
        raise ValueError("mistral-common's prompt tokens are not a prefix of the training example's tokens.")
    return TrainExample(list(full), label_mask(full, len(prompt)), len(prompt))


def mask_table(encoded: TrainExample, pieces: Sequence[str]) -> pd.DataFrame:
    """One row per token: position, id, piece, label, and whether the loss is computed on it."""
    if len(pieces) != len(encoded.input_ids):
        raise ValueError(f"{len(pieces)} pieces for {len(encoded.input_ids)} ids; pass one piece per token.")
    rows = [{"position": i, "id": t, "piece": p, "label": lab, "in loss": lab != IGNORE_INDEX}
            for i, (t, p, lab) in enumerate(zip(encoded.input_ids, pieces, encoded.labels))]
    return pd.DataFrame(rows).set_index("position")


def mistral_v3_pieces(ids: Sequence[int]) -> list[str]:
    """The v3 tokenizer's piece for each id (control tokens by name)."""
    from ..tokens import mistral_tokenizer

    inner = mistral_tokenizer("v3").instruct_tokenizer.tokenizer
    return [inner.id_to_piece(t) for t in ids]
