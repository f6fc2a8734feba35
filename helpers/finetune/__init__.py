"""LoRA and QLoRA fine-tuning on a CPU, and the way back to a served model.

The task is the seed article's world: label a security log line with JSON
`{"verdict": "malicious|suspicious|benign", "category": "..."}` (`data/finetune/`, see its README).
The model is the Gemma 3 270M stand-in in Hugging Face form (`quantize_hf.prepare_hf_model`).

One rendering function, `chat_format.mistral_v3_text`, writes every prompt in Mistral's v3 instruct
format with `mistral-common`: the training examples here, and the prompts the endpoint builds when
it serves the fine-tuned model (`workbook-mistral-v3` format). Training loss is computed on the
answer tokens only (prompt labels are -100), and logits only where a label exists: with a
262,144-token vocabulary, the output layer is most of the compute.

Nothing heavy is imported or loaded at import time.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from .chat_format import STANDIN_SPECIALS, mistral_v3_text
from .model_files import cache_subdir
from .paths import data_dir
from .quantize_hf import prepare_hf_model, weights_bytes

IGNORE_INDEX = -100  # the label PyTorch's cross-entropy skips: no loss on these positions
VERDICTS = ("malicious", "suspicious", "benign")
SPLITS = {"train": "threat_train.jsonl", "heldout": "threat_heldout.jsonl"}
INSTRUCTION = 'Classify as JSON {"verdict", "category"}:'
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj")
ADAPTED_ALIAS = "standin-gemma-3-270m-threat-lora"
MERGED_NAME = "standin-gemma-3-270m-threat-lora-merged"

# The seed article's `setup_lora_training()` configuration, as data.
SEED_CONFIG: dict[str, Any] = {
    "model_name": "mistralai/Mistral-7B-Instruct-v0.3",
    "lora_r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "target_modules": list(LORA_TARGETS),
    "batch_size": 4,
    "learning_rate": 2e-4,
    "num_epochs": 3,
}

# Mistral 7B's attention projections: (in_features, out_features) per layer; 32 layers, hidden 4096,
# 8 KV heads x 128 = 1024 for k and v (grouped-query attention).
MISTRAL_7B_LAYERS = 32
MISTRAL_7B_ATTENTION = {"q_proj": (4096, 4096), "k_proj": (4096, 1024), "v_proj": (4096, 1024), "o_proj": (4096, 4096)}


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
    from .tokens import encode_chat

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
    from .tokens import mistral_tokenizer

    inner = mistral_tokenizer("v3").instruct_tokenizer.tokenizer
    return [inner.id_to_piece(t) for t in ids]


# --- batches and the loss --------------------------------------------------------------------------

def collate(examples: Sequence[TrainExample], pad_id: int) -> dict[str, Any]:
    """Right-padded tensors: input_ids, attention_mask, labels (IGNORE_INDEX on padding)."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def _causal_lm(model: Any) -> Any:
    """The transformers CausalLM inside a peft wrapper (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Mean cross-entropy over the answer tokens, with logits computed only at those positions.

    Same value as `model(**batch).loss`, without building a [batch, length, 262144] logits tensor.
    """
    import torch

    causal = _causal_lm(model)
    hidden = causal.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]  # position t predicts token t + 1
    keep = targets != IGNORE_INDEX
    logits = causal.lm_head(hidden[:, :-1][keep]).float()
    cap = getattr(causal.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits, targets[keep])


# --- LoRA ------------------------------------------------------------------------------------------

def set_seed(seed: int) -> None:
    """Seed Python, NumPy and PyTorch: the same seed gives the same LoRA initialisation and batches."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _import_peft() -> Any:
    """Import peft; gptqmodel, which peft probes when installed, is imported first with its banner captured."""
    from importlib.util import find_spec

    if find_spec("gptqmodel") is not None:
        if find_spec("optimum") is None:
            # peft probes gptqmodel on every layer it wraps and raises when optimum is missing.
            raise ImportError("peft cannot add LoRA layers while gptqmodel is installed without optimum: "
                              "`pip install optimum==2.3.0` (it is in the workbook's requirements).")
        from .quantize_hf import import_gptqmodel

        import_gptqmodel()
    import peft

    return peft


def lora_config(r: int = 16, alpha: int = 32, dropout: float = 0.05, targets: Sequence[str] = LORA_TARGETS) -> Any:
    """A peft `LoraConfig` (defaults: the seed article's r 16, alpha 32, dropout 0.05 on q/k/v/o)."""
    peft = _import_peft()
    return peft.LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(targets),
                           task_type="CAUSAL_LM", bias="none")


def add_lora(model: Any, config: Any = None, seed: int = 0) -> Any:
    """Wrap `model` with fresh LoRA adapters (seeded); only the adapters are trainable."""
    peft = _import_peft()
    set_seed(seed)
    return peft.get_peft_model(model, config or lora_config())


def trainable_share(model: Any) -> dict[str, Any]:
    """Trainable and total parameters of a (peft) model, and the trainable share in percent."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return {"trainable": trainable, "total": total, "trainable %": round(100 * trainable / total, 3)}


def lora_parameters(shapes: dict[str, tuple[int, int]], r: int, layers: int = 1) -> int:
    """LoRA parameters for adapted layers of the given (in_features, out_features): r x (in + out) each.

    A holds r x in, B holds out x r; `layers` repeats the set (one per decoder block).
    """
    if r <= 0 or layers <= 0:
        raise ValueError("r and layers must be positive.")
    return layers * sum(r * (fan_in + fan_out) for fan_in, fan_out in shapes.values())


def mistral_7b_lora_share(r: int = 16) -> dict[str, Any]:
    """LoRA on Mistral 7B's q/k/v/o at rank `r`, from its shapes: trainable parameters and share of the total."""
    from .family import count_parameters, get_model

    total = count_parameters(get_model("Mistral 7B")).total
    lora = lora_parameters(MISTRAL_7B_ATTENTION, r, MISTRAL_7B_LAYERS)
    return {"model": "Mistral 7B", "r": r, "trainable": lora, "total": total + lora,
            "trainable %": round(100 * lora / (total + lora), 3)}


class LossPlot:
    """A loss curve redrawn in place while training runs (an IPython display handle), left as a static plot."""

    def __init__(self, title: str, steps: int, every: int = 5):
        import matplotlib.pyplot as plt

        self.every = every
        self.fig, self.ax = plt.subplots(figsize=(7, 3.2))
        self.ax.set_xlim(0, steps)
        self.ax.set_xlabel("step")
        self.ax.set_ylabel("training loss (answer tokens)")
        self.ax.set_title(title)
        (self.raw,) = self.ax.plot([], [], color="0.7", linewidth=1, label="per step")
        (self.smooth,) = self.ax.plot([], [], color="C0", linewidth=2, label="mean of last 10")
        self.ax.legend(loc="upper right")
        self.handle = None
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is not None:
                self.handle = display(self.fig, display_id=True)
        except ImportError:  # pragma: no cover - IPython comes with the notebook environment
            pass

    def update(self, losses: Sequence[float], final: bool = False) -> None:
        """Redraw with the losses so far (every `every` steps, and at the end)."""
        if not final and len(losses) % self.every:
            return
        steps = list(range(1, len(losses) + 1))
        self.raw.set_data(steps, losses)
        smooth = [sum(losses[max(0, i - 9):i + 1]) / len(losses[max(0, i - 9):i + 1]) for i in range(len(losses))]
        self.smooth.set_data(steps, smooth)
        self.ax.set_ylim(0, max(losses) * 1.05)
        if self.handle is not None:
            self.handle.update(self.fig)

    def close(self) -> None:
        """Final redraw, then close the figure so the notebook does not draw it a second time."""
        import matplotlib.pyplot as plt

        plt.close(self.fig)


LOSS_WINDOW = 5  # steps averaged for the loss at the start and at the end of a run


@dataclass
class TrainResult:
    """What a training run did."""

    losses: list[float]
    seconds: float
    steps: int
    batch_size: int
    learning_rate: float
    examples_seen: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds_per_step(self) -> float:
        return self.seconds / max(1, self.steps)

    def summary(self, window: int = LOSS_WINDOW) -> dict[str, Any]:
        """Steps, time, and the loss at the start and at the end: means over the first and the last
        `window` steps. The window is fixed, not a share of the run, so the rows of two runs compare;
        it is named in the row labels, and runs shorter than it are refused."""
        if not 0 < window <= len(self.losses):
            raise ValueError(f"window must be between 1 and the {len(self.losses)} steps run; got {window}.")
        head, tail = self.losses[:window], self.losses[-window:]
        return {"steps": self.steps, "batch size": self.batch_size, "learning rate": self.learning_rate,
                "examples seen": self.examples_seen, "seconds": round(self.seconds, 1),
                "seconds / step": round(self.seconds_per_step, 2),
                f"loss at the start (mean of steps 1-{window})": round(sum(head) / window, 3),
                f"loss at the end (mean of the last {window} steps)": round(sum(tail) / window, 3)}


def batches(n_examples: int, batch_size: int, steps: int, seed: int) -> Iterator[list[int]]:
    """`steps` batches of example indices: shuffled epochs (seeded), every example once per epoch."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []
    for _ in range(steps):
        while len(order) < batch_size:
            order += torch.randperm(n_examples, generator=generator).tolist()
        yield order[:batch_size]
        order = order[batch_size:]


def training_step(model: Any, batch: dict[str, Any], optimizer: Any) -> float:
    """One optimizer step on one batch: the answer-token loss, its gradients, an update; returns the loss."""
    loss = answer_loss(model, batch)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())


def train(model: Any, examples: Sequence[TrainExample], *, steps: int, batch_size: int = 4,
          learning_rate: float = 2e-4, seed: int = 0, pad_id: int = 0, title: str = "LoRA training",
          plot: bool = True, progress: bool = True, optimizer: Any = None,
          step: Callable[[Any, dict[str, Any], Any], float] = training_step) -> TrainResult:
    """Train the trainable parameters (the adapters) on the answer-token loss: `step` once per batch.

    `optimizer` defaults to AdamW over the trainable parameters at `learning_rate`; `step` to
    `training_step` (notebook 10 writes its own in a cell). A tqdm bar shows progress; with `plot`, a
    loss curve is redrawn in place (see `LossPlot`).
    """
    import torch
    from tqdm.auto import tqdm

    if not examples:
        raise ValueError("No training examples: encode some with encode_example() first.")
    set_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("The model has no trainable parameters: wrap it with add_lora() first.")
    optimizer = optimizer or torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.0)
    model.train()
    live = LossPlot(title, steps) if plot else None
    losses: list[float] = []
    started = time.perf_counter()
    bar = tqdm(total=steps, desc=title, disable=not progress)
    try:
        for indices in batches(len(examples), batch_size, steps, seed):
            batch = collate([examples[i] for i in indices], pad_id)
            losses.append(step(model, batch, optimizer))
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
            if live:
                live.update(losses)
    finally:
        bar.close()
        if live:
            if losses:
                live.update(losses, final=True)
            live.close()
    model.eval()
    used_lr = float(optimizer.param_groups[0]["lr"])  # the optimizer's, when one was passed in
    return TrainResult(losses, time.perf_counter() - started, steps, batch_size, used_lr, steps * batch_size)


def plot_losses(runs: dict[str, TrainResult], ax: Any = None) -> Any:
    """Training loss per step of several runs on one axis (10-step running mean)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 3.2))[1]
    for label, run in runs.items():
        smooth = [sum(run.losses[max(0, i - 9):i + 1]) / len(run.losses[max(0, i - 9):i + 1]) for i in range(len(run.losses))]
        ax.plot(range(1, len(smooth) + 1), smooth, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (mean of last 10 steps)")
    ax.set_title("Training loss on the answer tokens")
    ax.legend()
    return ax


# --- evaluation ------------------------------------------------------------------------------------

def generate(model: Any, tokenizer: Any, prompts: Sequence[str], *, max_new_tokens: int = 24, batch_size: int = 10,
             progress: bool = True, desc: str = "generating") -> list[str]:
    """Greedy answers to rendered prompts (left-padded batches); the text after the prompt, EOS removed."""
    import torch
    from tqdm.auto import tqdm

    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    outputs: list[str] = []
    try:
        for start in tqdm(range(0, len(prompts), batch_size), desc=desc, disable=not progress):
            chunk = list(prompts[start:start + batch_size])
            enc = tokenizer(chunk, add_special_tokens=False, padding=True, return_tensors="pt")
            with torch.inference_mode():
                out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                     eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
            new = out[:, enc["input_ids"].shape[1]:]
            outputs += tokenizer.batch_decode(new, skip_special_tokens=True)
    finally:
        tokenizer.padding_side = side
    return outputs


def parse_label(reply: str) -> dict[str, str] | None:
    """The JSON object in a reply (from its first `{`), if it has a known verdict and a category; else None."""
    start = reply.find("{")
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(reply[start:])
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("verdict") not in VERDICTS or not isinstance(value.get("category"), str):
        return None
    return {"verdict": value["verdict"], "category": value["category"]}


def score(examples: Sequence[dict[str, str]], replies: Sequence[str]) -> pd.DataFrame:
    """One row per example: the reply, whether it is valid JSON labels, and whether verdict/category are right."""
    if len(examples) != len(replies):
        raise ValueError(f"{len(examples)} examples but {len(replies)} replies.")
    rows = []
    for ex, reply in zip(examples, replies):
        label = parse_label(reply)
        rows.append({"id": ex["id"], "expected": label_json(ex), "reply": reply.strip()[:120],
                     "valid JSON": label is not None,
                     "verdict right": bool(label and label["verdict"] == ex["verdict"]),
                     "correct": bool(label and label["verdict"] == ex["verdict"] and label["category"] == ex["category"])})
    return pd.DataFrame(rows).set_index("id")


def metrics(scored: pd.DataFrame) -> dict[str, float]:
    """Valid-JSON rate, verdict accuracy and accuracy (verdict and category both right), as fractions."""
    return {"valid JSON rate": round(float(scored["valid JSON"].mean()), 3),
            "verdict accuracy": round(float(scored["verdict right"].mean()), 3),
            "accuracy": round(float(scored["correct"].mean()), 3)}


def evaluate(model: Any, tokenizer: Any, examples: Sequence[dict[str, str]], *, desc: str = "evaluating",
             progress: bool = True, batch_size: int = 10) -> pd.DataFrame:
    """Greedy replies of `model` to the rendered prompts of `examples`, scored (see `score`)."""
    replies = generate(model, tokenizer, [render_prompt(ex) for ex in examples], progress=progress, desc=desc,
                       batch_size=batch_size)
    return score(examples, replies)


def compare(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The metrics of several scored runs side by side (rows: metric; one column per run, in order)."""
    if not runs:
        raise ValueError("Pass at least one scored run, e.g. {'before fine-tuning': before}.")
    return pd.DataFrame({name: metrics(scored) for name, scored in runs.items()})


def before_after(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The metrics of two scored runs side by side (rows: metric; columns: before, after)."""
    return compare({"before fine-tuning": before, "after fine-tuning": after})


def plot_before_after(table: pd.DataFrame, ax: Any = None) -> Any:
    """Grouped bars of `compare`'s (or `before_after`'s) metrics, one colour per column."""
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 3.2))[1]
    colors = ["0.6", "C2", "0.8", "C0", "C1", "C3"][:table.shape[1]] if table.shape[1] <= 6 else None
    (table * 100).plot.bar(ax=ax, rot=0, color=colors)
    ax.set_ylabel("% of held-out examples")
    ax.set_ylim(0, 105)
    ax.set_title("Held-out split, greedy generation")
    for container in ax.containers:
        ax.bar_label(container, fmt="%.0f", fontsize=8)
    return ax


# --- models: base, QLoRA, and the gradient check ---------------------------------------------------

def load_train_model(folder: Path | None = None) -> Any:
    """The stand-in in FP32 for LoRA training on a CPU (FP32 matmuls are faster than BF16 on most CPUs).

    Loaded in FP32 directly, not cast after loading: buffers computed at construction (Gemma's
    embedding scale, sqrt(640)) would otherwise keep their BF16 rounding.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from .quantize_hf import _quiet_transformers

    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=torch.float32)
    return model.eval()


def disable_cpu_repack(model: Any) -> int:
    """Turn off bitsandbytes' AVX512-BF16 repacking on every 4-bit layer; returns how many layers.

    On such CPUs the first no-grad forward of a Linear4bit in eval mode repacks its weight for a fast
    inference kernel that has no backward: later training forwards take that path, and gradients
    through the layer are silently lost. Call this before any forward pass.
    """
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
    return len(layers)


def load_qlora_base(folder: Path | None = None, *, fix_repack: bool = True, prepare: bool = True,
                    compute_dtype: str = "bfloat16", quantization_config: Any = None) -> Any:
    """The stand-in quantized to 4-bit NF4 with double quantization, ready for QLoRA.

    `compute_dtype` is QLoRA's BF16 by default; `"float32"` (the rest of the model in FP32 too) makes
    the gradient check exact to float rounding. A `quantization_config` (a transformers
    `BitsAndBytesConfig`) replaces the default NF4 + double quantization, and its
    `bnb_4bit_compute_dtype` then sets the compute dtype. `fix_repack` applies `disable_cpu_repack`
    (see there); `prepare` runs peft's `prepare_model_for_kbit_training` (norms in FP32, inputs that
    carry gradients) without gradient checkpointing, which would only slow a model this small.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from .quantize_hf import _captured, _quiet_transformers, bnb_config

    if quantization_config is not None:
        config = quantization_config
        dtype = config.bnb_4bit_compute_dtype
    else:
        dtype = getattr(torch, compute_dtype)
        config = bnb_config("nf4-dq")
        config.bnb_4bit_compute_dtype = dtype
    with _captured(None), _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=dtype,
                                                     quantization_config=config, device_map="cpu")
    if fix_repack:
        disable_cpu_repack(model)
    if prepare:
        peft = _import_peft()
        model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def dequantized_reference(qmodel: Any, reference: Any) -> int:
    """Copy `qmodel`'s 4-bit linear weights, dequantized, into the same layers of a plain `reference` model.

    Call it before `qmodel` runs any forward pass. Returns the number of layers copied.
    """
    import bitsandbytes as bnb
    import torch

    from .quantize_hf import _dequantized

    modules = dict(reference.named_modules())
    copied = 0
    for name, module in qmodel.named_modules():
        if isinstance(module, bnb.nn.Linear4bit):
            target = modules[name]
            weight = _dequantized(module)
            assert weight is not None, f"{name} is a Linear4bit layer, which always has a weight"
            with torch.no_grad():
                target.weight.copy_(weight.to(target.weight.dtype))
            copied += 1
    if not copied:
        raise ValueError("qmodel has no bitsandbytes 4-bit layers; load it with load_qlora_base().")
    return copied


def lora_gradients(model: Any, batch: dict[str, Any]) -> dict[str, Any]:
    """Gradients of the answer loss with respect to every LoRA weight (name -> FP32 tensor), in training mode."""
    model.train()
    model.zero_grad(set_to_none=True)
    answer_loss(model, batch).backward()
    grads = {name: p.grad.detach().float().clone() for name, p in model.named_parameters()
             if "lora_" in name and p.grad is not None}
    model.zero_grad(set_to_none=True)
    return grads


def gradient_difference(grads: dict[str, Any], reference: dict[str, Any]) -> pd.DataFrame:
    """Per LoRA tensor: relative difference ||g - g_ref|| / ||g_ref||; missing gradients count as 100 %."""
    rows = []
    for name, ref in reference.items():
        g = grads.get(name)
        rel = 1.0 if g is None else float((g - ref).norm() / ref.norm().clamp(min=1e-30))
        rows.append({"tensor": name.split("base_model.model.")[-1], "relative difference": rel})
    return pd.DataFrame(rows).set_index("tensor")


def randomize_lora_b(model: Any, seed: int = 0, scale: float = 0.01) -> None:
    """Give every LoRA B matrix small random values (it starts at zero, which makes A's gradient zero)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=generator) * scale)


def copy_lora(source: Any, target: Any) -> None:
    """Copy every LoRA weight from one peft model into another of the same architecture."""
    import torch

    params = dict(target.named_parameters())
    with torch.no_grad():
        for name, p in source.named_parameters():
            if "lora_" in name:
                params[name].copy_(p)


# --- adapters: save, reload, merge, export ---------------------------------------------------------

def finetune_dir() -> Path:
    """The ignored folder adapters and merged models are written to (`<cache>/finetune`)."""
    return cache_subdir("finetune")


folder_bytes = weights_bytes  # bytes of the files matching `pattern` (default `*.safetensors`) in a folder


def save_adapter(model: Any, name: str = "threat-lora") -> Path:
    """Save only the LoRA adapter (peft's `save_pretrained`) under `finetune_dir()/name`, replacing an old one."""
    folder = finetune_dir() / name
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    return folder


def load_adapter(folder: Path, base: Any = None) -> Any:
    """A fresh FP32 stand-in with the saved adapter loaded on top (eval mode)."""
    peft = _import_peft()
    return peft.PeftModel.from_pretrained(base if base is not None else load_train_model(), folder).eval()


def logits_of(model: Any, batch: dict[str, Any]) -> Any:
    """Full logits of a batch (FP32), for comparing two models."""
    import torch

    with torch.inference_mode():
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float()


def max_logit_difference(a: Any, b: Any, batch: dict[str, Any]) -> float:
    """Largest absolute logit difference between two models on the real (unpadded) positions of a batch."""
    mask = batch["attention_mask"].bool()
    return float((logits_of(a, batch) - logits_of(b, batch))[mask].abs().max())


def export_merged(merged: Any, tokenizer: Any, name: str = MERGED_NAME) -> Path:
    """Save a merged model (plain transformers weights) with its tokenizer and licence, ready for GGUF conversion."""
    folder = finetune_dir() / name
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    merged.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    terms = prepare_hf_model(progress=False) / "GEMMA_TERMS.html"
    if terms.exists():
        shutil.copy2(terms, partial / terms.name)
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return folder


def to_gguf(folder: Path, levels: Sequence[str] = ("Q8_0",)) -> dict[str, Path]:
    """Convert a merged model folder to GGUF F16 (llama.cpp's converter), then quantize to each level.

    Files are cached by the folder's content (`gguf_tools`); older conversions of the same folder
    name are deleted, so repeated runs do not pile up files.
    """
    from .gguf_tools import convert_hf_to_gguf, gguf_cache, quantize

    f16 = convert_hf_to_gguf(Path(folder), "f16")
    for old in gguf_cache().glob(f"{Path(folder).name}-*"):
        if old != f16.parent:
            shutil.rmtree(old, ignore_errors=True)
    files = {"F16": f16}
    for level in levels:
        dest = f16.with_name(f"{Path(folder).name}-{level}.gguf")
        if not dest.exists():
            quantize(f16, dest, level)
        files[level] = dest
    return files


# --- serving the fine-tuned model ------------------------------------------------------------------

def ask_served(client: Any, model: str, examples: Sequence[dict[str, str]], max_tokens: int = 40) -> list[str]:
    """Ask a served model (through the mistralai SDK) to label each example; the raw replies.

    The request carries the plain conversation; the server renders it with the same
    `mistral_v3_text` that built the training examples.
    """
    replies = []
    for ex in examples:
        response = client.chat.complete(model=model, messages=chat_messages(ex, with_answer=False),
                                        temperature=0, max_tokens=max_tokens)
        replies.append(response.choices[0].message.content or "")
    return replies


# --- the GPU path, on paper ------------------------------------------------------------------------

def gpu_qlora_settings() -> dict[str, Any]:
    """The seed's configuration as the settings a Mistral 7B QLoRA run on one GPU would use."""
    return {
        "model": SEED_CONFIG["model_name"],
        "quantization": "4-bit NF4, double quantization, BF16 compute (BitsAndBytesConfig)",
        "LoRA": f"r {SEED_CONFIG['lora_r']}, alpha {SEED_CONFIG['lora_alpha']}, dropout {SEED_CONFIG['lora_dropout']}, "
                f"targets {', '.join(SEED_CONFIG['target_modules'])}",
        "per-device batch": SEED_CONFIG["batch_size"],
        "gradient accumulation": 4,
        "effective batch": SEED_CONFIG["batch_size"] * 4,
        "learning rate": SEED_CONFIG["learning_rate"],
        "epochs": SEED_CONFIG["num_epochs"],
        "sequence length": 1024,
        "optimizer": "paged_adamw_8bit",
        "precision": "bf16",
        "gradient checkpointing": True,
    }


def qlora_memory_gb(r: int = 16, batch: int = 4, seq_len: int = 1024) -> pd.DataFrame:
    """A rough memory budget for QLoRA on Mistral 7B (GB = 1e9 bytes), from its shapes.

    Weights: NF4 with double quantization for the linear layers, 16-bit embeddings and head
    (`quantize_hf.predicted_bytes`). Adapters: FP32 weights + gradients + two AdamW moments.
    Activations with gradient checkpointing: about one BF16 hidden state per layer and token,
    plus one layer's full activations (~16 x hidden per token) recomputed at a time.
    """
    from .family import count_parameters, get_model
    from .quantize_hf import nf4_bits, predicted_bytes

    n = count_parameters(get_model("Mistral 7B"))
    weights = predicted_bytes(n.total - n.embeddings, n.embeddings, nf4_bits(double_quant=True), 16)
    lora = lora_parameters(MISTRAL_7B_ATTENTION, r, MISTRAL_7B_LAYERS)
    adapters = lora * 4 * 4
    hidden = 4096
    tokens = batch * seq_len
    activations = tokens * hidden * 2 * MISTRAL_7B_LAYERS + tokens * hidden * 2 * 16
    logits = tokens * 32768 * 4 * 2  # FP32 logits and their gradient for the 32,768-token vocabulary
    rows = {"4-bit base weights": weights, "LoRA weights, grads, AdamW states (FP32)": adapters,
            "activations (checkpointed)": activations, "logits + their gradient": logits}
    frame = pd.DataFrame({"GB": {k: round(v / 1e9, 2) for k, v in rows.items()}})
    frame.loc["total (plus ~1 GB CUDA context)"] = round(sum(rows.values()) / 1e9 + 1.0, 2)
    return frame


ACCELERATE_FSDP_CONFIG = """\
compute_environment: LOCAL_MACHINE
distributed_type: FSDP
mixed_precision: bf16
num_machines: 1
num_processes: 4            # one process per GPU
fsdp_config:
  fsdp_version: 2
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
  fsdp_transformer_layer_cls_to_wrap: MistralDecoderLayer
  fsdp_state_dict_type: SHARDED_STATE_DICT
  fsdp_cpu_ram_efficient_loading: true
  fsdp_offload_params: false
  fsdp_reshard_after_forward: true
"""

ACCELERATE_LAUNCH = "accelerate launch --config_file fsdp.yaml train_qlora.py  # 4 GPUs, one process each"


def gpu_example_run(steps: int = 3) -> dict[str, Any]:
    """On a CUDA machine: a few QLoRA steps on a Mistral-architecture model built from a config.

    Mistral 7B's weights cannot be downloaded here, so the GPU path is checked with a small model of
    the same architecture; with the weights, replace `from_config` by
    `from_pretrained("mistralai/Mistral-7B-Instruct-v0.3", quantization_config=...)`. Returns what
    ran, or says why nothing did.
    """
    import torch

    if not torch.cuda.is_available():
        return {"ran": False, "why": "no CUDA GPU here: this is the code a GPU machine runs; the CPU path above is "
                                     "the same recipe on the stand-in"}
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig, MistralConfig

    peft = _import_peft()
    config = MistralConfig(hidden_size=1024, intermediate_size=3584, num_hidden_layers=8, num_attention_heads=16,
                           num_key_value_heads=4, vocab_size=32768)
    bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                             bnb_4bit_compute_dtype=torch.bfloat16)
    set_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).cuda()
    folder = finetune_dir() / "gpu-check-model"
    model.save_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, quantization_config=bnb, device_map="cuda")
    model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
    model = peft.get_peft_model(model, lora_config())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=SEED_CONFIG["learning_rate"])
    ids = torch.randint(5, 32768, (SEED_CONFIG["batch_size"], 256), device="cuda")
    losses = []
    started = time.perf_counter()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(round(float(loss), 3))
    torch.cuda.synchronize()
    shutil.rmtree(folder, ignore_errors=True)
    return {"ran": True, "device": torch.cuda.get_device_name(0), "steps": steps, "losses": losses,
            "seconds / step": round((time.perf_counter() - started) / steps, 3),
            "peak GPU memory GB": round(torch.cuda.max_memory_allocated() / 1e9, 2)}


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No transformers progress bars or load reports, nor bitsandbytes' repeated warnings, inside the block;
    peft is imported first, so that gptqmodel's banner (peft probes it on the first wrap) is captured too."""
    import warnings

    from .quantize_hf import _bnb_quiet, _quiet_transformers

    _import_peft()
    with _quiet_transformers(), _bnb_quiet(), warnings.catch_warnings():
        # peft asks transformers a deprecated question on every wrap; the reader can do nothing about it.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield
