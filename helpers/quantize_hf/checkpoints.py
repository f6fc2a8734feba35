"""Quantized checkpoints on disk: cache keys, weight bytes, and gptqmodel's load/quantize/save run (GPTQ and AWQ)."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model_files import cache_subdir
from .environment import _captured, _quiet_transformers, import_gptqmodel
from .measuring import calibration_text


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _quantize_target(method: str, source: Path, bits: int, group_size: int, n_samples: int,
                     seq_len: int) -> tuple[dict, Path]:
    """The inputs that define a quantized checkpoint, and the cache folder keyed on them."""
    from importlib.metadata import version

    inputs = {"method": method, "bits": bits, "group_size": group_size, "n_samples": n_samples, "seq_len": seq_len,
              "source": _source_id(source), "calibration": _sha256_text(calibration_text()),
              "gptqmodel": version("gptqmodel")}
    return inputs, cache_subdir("quantize_hf") / f"{source.name}-{method}-w{bits}g{group_size}-{_key(inputs)}"


def _source_id(source: Path) -> str:
    """What identifies a source checkpoint's weights: its recorded sha256 or manifest, else path, size and time."""
    for marker in (".source-sha256", ".manifest.json"):
        if (source / marker).exists():
            return _sha256_text((source / marker).read_text())
    files = sorted(source.glob("*.safetensors"))
    return _sha256_text(json.dumps([[str(f), f.stat().st_size, f.stat().st_mtime] for f in files]))


def _key(inputs: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:12]


def weights_bytes(folder: Path, pattern: str = "*.safetensors") -> int:
    """Bytes of a checkpoint's weight files (`*.safetensors`, or `pattern`), the size on disk that matters."""
    files = list(Path(folder).glob(pattern))
    if not files:
        raise FileNotFoundError(f"No {pattern} in {folder}; prepare, quantize or save the model there first.")
    return sum(f.stat().st_size for f in files)


@dataclass(frozen=True)
class Checkpoint:
    """A quantized checkpoint on disk, and how it was obtained this time."""

    path: Path
    reused: bool
    quantize_seconds: float  # of the run that produced it (0 if unknown)

    @property
    def size_bytes(self) -> int:
        return weights_bytes(self.path)


def _finished(folder: Path) -> Checkpoint | None:
    info = folder / "quantize_info.json"
    if info.exists() and any(folder.glob("*.safetensors")):
        return Checkpoint(folder, True, float(json.loads(info.read_text()).get("seconds", 0.0)))
    return None


def _quantize(method: str, source: Path, inputs: dict[str, Any], samples: list[dict[str, list[int]]],
              folder: Path, backend: str | None = None, config: Any = None) -> Checkpoint:
    gptqmodel = import_gptqmodel()
    if (done := _finished(folder)) is not None:
        return done
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    if config is None:
        config_class = gptqmodel.GPTQConfig if method == "gptq" else gptqmodel.AWQConfig
        config = config_class(bits=inputs["bits"], group_size=inputs["group_size"], offload_to_disk=False)
    started = time.perf_counter()
    with _captured(partial / "quantize.log"), _quiet_transformers():
        model = gptqmodel.GPTQModel.load(str(source), config)
        kwargs = {"backend": getattr(gptqmodel.BACKEND, backend)} if backend else {}
        model.quantize(samples, batch_size=8, **kwargs)
        model.save(str(partial))
    seconds = time.perf_counter() - started
    (partial / "quantize_info.json").write_text(json.dumps({**inputs, "seconds": round(seconds, 1)}, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)
    return Checkpoint(folder, False, seconds)
