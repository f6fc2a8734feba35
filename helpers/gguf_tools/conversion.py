"""A Hugging Face folder to GGUF with llama.cpp's own `convert_hf_to_gguf.py` (cached by content)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from .files import gguf_cache, sha256_file

CONVERTER_OUTTYPES = ("f32", "f16", "bf16", "q8_0")


# ----------------------------------------------------------------------------------------- conversion
def _hf_source_key(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(model_dir.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            digest.update(p.name.encode())
            digest.update(sha256_file(p).encode())
    return digest.hexdigest()


def convert_hf_to_gguf(model_dir: Path, outtype: str = "f16", *, force: bool = False) -> Path:
    """Convert a Hugging Face model folder to GGUF with llama.cpp's `convert_hf_to_gguf.py` (cached).

    Runs the converter prepared by `python -m helpers.engine.llama_sources` with this Python; the output
    is keyed by the folder's file hashes and the converter version.
    """
    from ..engine.llama_sources import converter_script, source_info

    if outtype not in CONVERTER_OUTTYPES:
        raise ValueError(f"outtype {outtype!r} is not one the converter writes; use one of {CONVERTER_OUTTYPES}. "
                         "K-quants (Q4_K_M, ...) come from quantize() on the f16 file.")
    model_dir = Path(model_dir)
    script = converter_script()
    key = hashlib.sha256((_hf_source_key(model_dir) + source_info().get("sha256", "")).encode()).hexdigest()[:12]
    out = gguf_cache() / f"{model_dir.name}-{key}" / f"{model_dir.name}-{outtype}.gguf"
    if out.exists() and not force:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    cmd = [sys.executable, str(script), str(model_dir), "--outtype", outtype, "--outfile", str(partial)]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=script.parent)
    if run.returncode != 0 or not partial.exists():
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"convert_hf_to_gguf.py failed (exit {run.returncode}) on {model_dir}:\n"
                           f"{run.stderr.strip()[-1500:]}\nCheck that the folder holds config.json, the weights "
                           "and tokenizer.model; `--force` on `python -m helpers.engine.llama_sources` refetches the converter.")
    partial.replace(out)
    (out.parent / f"{out.stem}.log").write_text(run.stderr)
    return out
