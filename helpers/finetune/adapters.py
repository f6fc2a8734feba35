"""Adapters: save, reload, merge, export to GGUF, and ask the served fine-tuned model."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model_files import cache_subdir
from ..quantize_hf import _quiet_transformers, prepare_hf_model, weights_bytes
from .data import chat_messages
from .qlora import load_train_model
from .training import _import_peft

ADAPTED_ALIAS = "standin-gemma-3-270m-threat-lora"
MERGED_NAME = "standin-gemma-3-270m-threat-lora-merged"


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
    """Save a merged model (plain transformers weights) with its tokenizer and licence, ready for GGUF conversion.

    transformers' text progress bar for writing the (single) shard is switched off.
    """
    folder = finetune_dir() / name
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with _quiet_transformers():
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
    from ..gguf_tools import convert_hf_to_gguf, gguf_cache, quantize

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
