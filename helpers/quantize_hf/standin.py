"""The chat stand-in in Hugging Face form: prepared once from its GGUF, its tokenizer, the BF16 model."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

from ..engine.embedded import GEMMA_ALIAS, embedded_model_info, prepare_gemma_model
from ..paths import cache_dir
from .environment import _quiet_transformers

HF_MODEL = "standin-gemma-3-270m-hf"


# --- the stand-in in Hugging Face form -------------------------------------------------------------

def prepare_hf_model(progress: bool = True) -> Path:
    """The chat stand-in as a transformers checkpoint (BF16 safetensors), converted once from its GGUF.

    transformers dequantizes the GGUF's Q4_K_M tensors while loading (about a minute on 2 cores); the
    result is saved under the cache folder with the GGUF's sha256, so later calls return at once.
    """
    gguf = prepare_gemma_model(progress)
    source_sha = embedded_model_info()[GEMMA_ALIAS]["sha256"]
    folder = cache_dir() / HF_MODEL
    marker = folder / ".source-sha256"
    if marker.exists() and marker.read_text() == source_sha and (folder / "model.safetensors").exists():
        return folder

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with contextlib.nullcontext() if progress else _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # float32 is the dtype transformers' GGUF loader works in; the BF16 cast comes after dequantizing.
        model: Any = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    model = model.to(torch.bfloat16)
    # The weights are plain tensors now; drop the GGUF loader's marks so transformers will save them.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    terms = gguf.parent / "GEMMA_TERMS.html"
    if terms.exists():
        shutil.copy2(terms, partial / terms.name)
    (partial / ".source-sha256").write_text(source_sha)
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return folder


def load_tokenizer(folder: Path | None = None) -> Any:
    """The stand-in's tokenizer (Gemma 3, 262,144 tokens) from the prepared checkpoint."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder or prepare_hf_model(progress=False))


def load_base_model(folder: Path | None = None) -> Any:
    """The unquantized stand-in in BF16 on the CPU, in eval mode."""
    import torch
    from transformers import AutoModelForCausalLM

    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(folder or prepare_hf_model(progress=False), dtype=torch.bfloat16)
    return model.eval()


def parameter_split(model: Any) -> dict[str, int]:
    """Parameters in the decoder's linear layers (what GPTQ/AWQ/bitsandbytes quantize) and everything else."""
    import torch

    linear = sum(m.weight.numel() for name, m in model.named_modules()
                 if isinstance(m, torch.nn.Linear) and name != "lm_head")
    total = sum(p.numel() for p in model.parameters())  # a tied lm_head is counted once
    return {"linear": linear, "embeddings and rest": total - linear, "total": total}
