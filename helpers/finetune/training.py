"""Training: batches and the answer-token loss, LoRA setup (peft), the training loop with its live loss
plot, and what a run did (TrainResult)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .data import IGNORE_INDEX, TrainExample

LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj")


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
        from ..quantize_hf import import_gptqmodel

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
