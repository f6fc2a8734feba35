"""The quantization ladder: `llama_model_quantize` per level, cached by the source's sha256."""

from __future__ import annotations

import ctypes
import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .files import gguf_cache, sha256_file
from .llama_runtime import quiet_llama

# llama.cpp's quantization levels used here -> llama_ftype ids (llama.h: LLAMA_FTYPE_MOSTLY_*).
LEVELS: dict[str, int] = {"F16": 1, "Q8_0": 7, "Q5_K_M": 17, "Q4_K_M": 15, "Q3_K_M": 12, "Q2_K": 10}
LADDER = ("Q8_0", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


# -------------------------------------------------------------------------------------- quantization
_TENSOR_LINE = re.compile(r"^\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")
_FALLBACK = re.compile(r"(\d+) of (\d+) tensor\(s\) required fallback quantization")


@dataclass
class QuantizeReport:
    """What one llama_model_quantize run did."""

    level: str
    path: Path
    seconds: float
    tensors: int
    fallback_tensors: int
    cached: bool = False


def quantize(source: Path, dest: Path, level: str, *, allow_requantize: bool = False, nthread: int = 0,
             bar: Any = None) -> QuantizeReport:
    """Quantize a GGUF file to `level` with llama.cpp (`llama_model_quantize`, what `llama-quantize` runs).

    A failed run leaves a partial file behind in llama.cpp; this deletes it and raises with the fix.
    `bar` (a tqdm bar) advances once per tensor written.
    """
    import llama_cpp

    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.")
    source, dest = Path(source), Path(dest)
    if not source.exists():
        raise FileNotFoundError(f"{source} does not exist; prepare it first (`make models`).")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LEVELS[level]
    params.nthread = nthread
    params.allow_requantize = allow_requantize
    seen: dict[str, int] = {"done": 0, "total": 0, "fallback": 0}

    def on_line(line: str) -> None:
        if m := _TENSOR_LINE.match(line):
            seen["done"], seen["total"] = int(m.group(1)), int(m.group(2))
            if bar is not None:
                if bar.total != seen["total"]:
                    bar.reset(total=seen["total"])
                bar.n = seen["done"]
                bar.refresh()
        elif m := _FALLBACK.search(line):
            seen["fallback"] = int(m.group(1))

    started = time.perf_counter()
    with quiet_llama(on_line) as lines:
        rc = llama_cpp.llama_model_quantize(str(source).encode(), str(dest).encode(), ctypes.byref(params))
    if rc != 0:
        dest.unlink(missing_ok=True)
        why = next((ln.strip() for ln in reversed(lines) if "error" in ln.lower() or "disabled" in ln.lower()),
                   lines[-1].strip() if lines else "no log")
        why = why.split("failed to quantize:", 1)[-1].strip().rstrip(".")
        hint = (" The source is already quantized: requantizing compounds the rounding error, so llama.cpp refuses "
                "unless you pass allow_requantize=True (better: start from the F16/BF16 original)."
                if "requantiz" in why.lower() else "")
        raise RuntimeError(f"llama_model_quantize({source.name} -> {level}) failed (code {rc}): {why}.{hint} "
                           f"The partial output {dest.name} was deleted.")
    return QuantizeReport(level, dest, time.perf_counter() - started, seen["total"], seen["fallback"])


def quantize_ladder(source: Path, levels: Sequence[str] = LADDER, *, progress: bool = True,
                    nthread: int = 0) -> dict[str, QuantizeReport]:
    """F16 from `source` (requantized if it is quantized), then each level from that F16; cached by source sha.

    Outputs live in `<cache>/gguf/<source stem>-<sha12>/<LEVEL>.gguf`; existing ones are reused.
    """
    from tqdm.auto import tqdm

    source = Path(source)
    folder = gguf_cache() / f"{source.stem}-{sha256_file(source)[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    plan = ["F16", *[lv for lv in levels if lv != "F16"]]
    reports: dict[str, QuantizeReport] = {}
    overall = tqdm(plan, desc="quantizing", unit="level", disable=not progress)
    for level in overall:
        target = folder / f"{level}.gguf"
        overall.set_postfix_str(level)
        if target.exists():
            saved = folder / f"{level}.json"
            recorded = json.loads(saved.read_text()) if saved.exists() else {}
            reports[level] = QuantizeReport(level, target, float(recorded.get("seconds", 0.0)),
                                            int(recorded.get("tensors", 0)), int(recorded.get("fallback_tensors", 0)),
                                            cached=True)
            continue
        src = source if level == "F16" else reports["F16"].path
        partial = target.with_suffix(".partial")
        with tqdm(total=1, desc=f"{level} tensors", unit="tensor", leave=False, disable=not progress) as bar:
            report = quantize(src, partial, level, allow_requantize=(level == "F16"), nthread=nthread, bar=bar)
        partial.replace(target)
        report.path = target
        reports[level] = report
        (folder / f"{level}.json").write_text(json.dumps({k: str(v) if isinstance(v, Path) else v
                                                          for k, v in asdict(report).items()}, indent=2))
    return reports


def ladder_files(reports: dict[str, QuantizeReport]) -> dict[str, Path]:
    """Level -> file path, in the order they were made."""
    return {level: r.path for level, r in reports.items()}
