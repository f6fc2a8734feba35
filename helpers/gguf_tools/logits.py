"""Tokens and logits: llama.cpp's tokenizer against mistral-common's, transformers' logits against llama.cpp's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .llama_runtime import _decode_all, llama_model, quiet_llama


# ------------------------------------------------------------------------------------------- tokens
def gguf_tokens(path: Path, text: str, add_bos: bool = True) -> list[int]:
    """Token ids llama.cpp produces for `text` with the tokenizer stored in a GGUF file (vocabulary only)."""
    from llama_cpp import Llama

    with quiet_llama():
        llm = Llama(str(path), vocab_only=True, verbose=False)
        try:
            return list(llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=False))
        finally:
            llm.close()


def mistral_common_tokens(text: str, version: str = "v3", bos: bool = True) -> list[int]:
    """Token ids Mistral's own tokenizer (mistral-common) gives for plain `text`."""
    from ..tokens import mistral_tokenizer

    return list(mistral_tokenizer(version).instruct_tokenizer.tokenizer.encode(text, bos=bos, eos=False))


def compare_logits(hf_dir: Path, gguf_path: Path, tokens: Sequence[int]) -> dict[str, float]:
    """Run the same tokens through transformers (the HF folder) and llama.cpp (the GGUF); compare next-token logits."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(hf_dir), dtype=torch.float32).eval()
    with torch.no_grad():
        ref: np.ndarray = model(torch.tensor([list(tokens)])).logits[0].numpy()
    with llama_model(gguf_path, n_ctx=max(64, len(tokens) + 8)) as llm:
        got = _decode_all(llm, list(tokens))[0]
    assert got is not None, "without on_chunk, _decode_all returns the logits"
    return {
        "max |difference|": float(np.abs(ref - got).max()),
        "spread of the logits (std)": float(ref.std()),
        "correlation": float(np.corrcoef(ref.ravel(), got.ravel())[0, 1]),
        "same top token": float((ref.argmax(-1) == got.argmax(-1)).mean()),
    }
