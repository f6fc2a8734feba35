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
BASE_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"  # the published model the base GGUF was made from
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

# Passes over each kind of record. Facts, labels, one-word answers and sums are short and high in
# entropy: one pass teaches their shape but not their content (after 1.5 passes the served adapter
# still gave training facts 2.28 nats a token, against 3.88 without it), and they are cheap. Tool
# records (tool lists in the prompt: 46 % of all tokens for 17 % of the records) and sourced answers
# are long and low in entropy: their format is learnt in one or two passes.
KIND_EPOCHS = {"fact": 5.0, "arith": 4.0, "classify": 4.0, "constraint": 4.0, "multiturn": 3.0,
               "json": 2.0, "rag": 2.0, "code": 1.5, "tool": 1.5}


@dataclass(frozen=True)
class TrainSettings:
    """The adapter's training recipe (what `make assistant` runs)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    epochs: float = 1.5  # passes over a kind that `kind_epochs` does not name
    kind_epochs: dict[str, float] = field(default_factory=lambda: dict(KIND_EPOCHS))
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


def training_plan(lengths: Sequence[int], kinds: Sequence[str], settings: TrainSettings) -> list[list[int]]:
    """Batches of example indices for the whole run: each kind seen `kind_epochs[kind]` times.

    Pass `r` holds every example whose kind has more than `r` passes (a seeded share of a kind in its
    last, fractional pass); each pass is batched by length and the batches of all passes are shuffled
    together, so the run ends on a mix of kinds rather than on the kinds with most passes. An example
    never appears twice in one batch.
    """
    import random

    rng = random.Random(settings.seed)
    passes = [settings.kind_epochs.get(kind, settings.epochs) for kind in kinds]
    plan: list[list[int]] = []
    for r in range(math.ceil(max(passes, default=0))):
        chosen = [i for i, n in enumerate(passes) if n >= r + 1]
        for kind in sorted(set(kinds)):
            partial = [i for i, n in enumerate(passes) if kinds[i] == kind and r < n < r + 1]
            if partial:
                share = passes[partial[0]] - r
                chosen += rng.sample(partial, round(len(partial) * share))
        if not chosen:
            continue
        batches = token_batches([lengths[i] for i in chosen], settings.tokens_per_batch, settings.seed + r)
        plan += [[chosen[j] for j in batch] for batch in batches]
    rng.shuffle(plan)
    return plan


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
    plan = training_plan(lengths, [e.kind for e in encoded], settings)
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
        saved = Path(tmp) / target.stem  # the converter names the adapter after this folder
        model.save_pretrained(saved)
        # The converter copies the model card's and the adapter config's base model into the GGUF's
        # metadata: name the published base model, not this machine's cache folder.
        config_file = saved / "adapter_config.json"
        adapter_config = json.loads(config_file.read_text())
        adapter_config["base_model_name_or_path"] = BASE_MODEL_ID
        config_file.write_text(json.dumps(adapter_config, indent=2))
        (saved / "README.md").write_text(f"---\nbase_model: {BASE_MODEL_ID}\nlicense: apache-2.0\n"
                                         "library_name: peft\n---\n")
        command = [sys.executable, str(sources / "convert_lora_to_gguf.py"), str(saved), "--base", str(config_dir),
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
