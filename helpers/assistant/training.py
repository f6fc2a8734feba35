"""Training the assistant's LoRA adapter on 2 CPU cores, and writing it as a GGUF LoRA file.

`train_adapter()` trains the adapter (seeded, with a progress bar) on SmolLM2 loaded from the GGUF
llama.cpp serves (`smollm_hf_model`); `export_adapter` converts it with llama.cpp's own
`convert_lora_to_gguf.py` and `record_adapter` writes its sha256 into `data/embedded_models.json`
(`make assistant`).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import data_dir
from .data import encode, token_batches

ADAPTER_FILE = "workbook-assistant-lora.gguf"
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class TrainSettings:
    """The adapter's training recipe (what `make assistant` runs)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    epochs: float = 1.5
    learning_rate: float = 2e-3
    warmup_steps: int = 10
    tokens_per_batch: int = 2048  # padded tokens per step: short examples share a step, long ones get fewer rows
    max_tokens: int = 1024  # longer examples are skipped (none of the committed data is that long)
    bf16: bool = True  # bfloat16 autocast: 1.5x faster on a CPU with AVX512-BF16; the adapter itself stays FP32
    seed: int = 20261202



def smollm_hf_model(folder: Path | None = None) -> tuple[Any, Path]:
    """SmolLM2 loaded by transformers from the same GGUF llama.cpp serves (dequantized to FP32).

    Training on the dequantized Q4_1 weights means the adapter learns on exactly the weights it is
    later applied to. The config is also saved to `folder` for llama.cpp's LoRA converter.
    """
    import torch
    from transformers import AutoModelForCausalLM

    from ..engine.embedded import prepare_smollm_model
    from ..paths import cache_dir

    gguf = prepare_smollm_model(progress=False)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    folder = folder or cache_dir() / "assistant-base-config"
    folder.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)  # the weights are plain tensors once loaded
    config["architectures"] = [type(model).__name__]  # how llama.cpp's converter picks the architecture
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return model, folder


def lr_at(step: int, total: int, settings: TrainSettings) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, total - settings.warmup_steps)
    return settings.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@dataclass
class TrainReport:
    """What a training run did: steps, examples, tokens, seconds and the loss curve."""

    steps: int
    examples: int
    tokens: int
    answer_tokens: int
    seconds: float
    losses: list[float] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        first, last = self.losses[: max(1, len(self.losses) // 10)], self.losses[-max(1, len(self.losses) // 10):]
        return {"steps": self.steps, "examples": self.examples, "tokens": self.tokens,
                "answer_tokens": self.answer_tokens, "seconds": round(self.seconds, 1),
                "loss_first_tenth": round(sum(first) / len(first), 4), "loss_last_tenth": round(sum(last) / len(last), 4),
                "settings": self.settings, "losses": [round(x, 4) for x in self.losses]}


def train_adapter(records: Sequence[dict[str, Any]], settings: TrainSettings = TrainSettings(), *,
                  out_dir: Path | None = None, progress: bool = True,
                  desc: str = "training the assistant's adapter") -> tuple[Any, TrainReport, Path]:
    """Train the LoRA adapter; returns (peft model, report, folder of the HF base config)."""
    import dataclasses

    import torch
    from llama_cpp import Llama
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm

    from ..engine.embedded import prepare_smollm_model
    from ..finetune import IGNORE_INDEX, TrainExample, answer_loss, collate, set_seed

    vocab = Llama(model_path=str(prepare_smollm_model(progress=False)), vocab_only=True, verbose=False)
    encoded = [e for e in (encode(vocab, r) for r in records) if len(e.input_ids) <= settings.max_tokens]
    set_seed(settings.seed)
    model, config_dir = smollm_hf_model(out_dir)
    config = LoraConfig(r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=list(LORA_TARGETS), task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    lengths = [len(e.input_ids) for e in encoded]
    epochs = math.ceil(settings.epochs)
    plan: list[list[int]] = []
    for epoch in range(epochs):
        batches = token_batches(lengths, settings.tokens_per_batch, settings.seed + epoch)
        share = settings.epochs - epoch
        plan += batches[: round(len(batches) * min(1.0, share))]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.0)
    pad = vocab.token_eos()
    losses: list[float] = []
    tokens = answer_tokens = 0
    started = time.perf_counter()
    model.train()
    with tqdm(total=len(plan), desc=desc, disable=not progress) as bar:
        for step, batch_ids in enumerate(plan):
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, len(plan), settings)
            batch = collate([TrainExample(encoded[i].input_ids, encoded[i].labels, 0) for i in batch_ids], pad)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=settings.bf16):
                loss = answer_loss(model, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            tokens += sum(lengths[i] for i in batch_ids)
            answer_tokens += int((batch["labels"] != IGNORE_INDEX).sum())
            bar.update(1)
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    model.eval()
    report = TrainReport(len(plan), len(encoded), tokens, answer_tokens, time.perf_counter() - started, losses,
                         dataclasses.asdict(settings))
    return model, report, config_dir


def export_adapter(model: Any, config_dir: Path, target: Path) -> Path:
    """Save the peft adapter and convert it to a GGUF LoRA file with llama.cpp's own converter (F16)."""
    import tempfile

    from ..engine.llama_sources import ensure_llama_cpp_sources

    sources = ensure_llama_cpp_sources()
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        command = [sys.executable, str(sources / "convert_lora_to_gguf.py"), tmp, "--base", str(config_dir),
                   "--outtype", "f16", "--outfile", str(target)]
        env = {"PYTHONPATH": str(sources / "gguf-py"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"convert_lora_to_gguf.py failed:\n{done.stderr[-2000:]}")
    return target


def record_adapter(path: Path, alias: str | None = None) -> str:
    """Write the adapter's sha256 into `data/embedded_models.json` for `alias` (default: the assistant); setup checks it."""
    from ..engine.embedded import CHAT_ALIAS, embedded_model_info, sha256_of

    digest = sha256_of(path)
    facts_path = data_dir() / "embedded_models.json"
    facts = json.loads(facts_path.read_text())
    facts["models"][alias or CHAT_ALIAS]["adapter_sha256"] = digest
    facts_path.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n")
    embedded_model_info.cache_clear()
    return digest
