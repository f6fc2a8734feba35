"""The model selector: the source guide's `recommend_mistral_model`, driven by the catalog and the
memory calculator and checked against real hardware.

For a use case it walks the candidates (best first, `data/use_cases.json`) and the precisions the
hardware runs (best first), and recommends the first combination whose weights + KV cache +
overhead fit the memory a model may use. When nothing fits locally it recommends the API.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from .family import ModelSpec, get_model
from .hardware import Hardware, detect_hardware
from .settings import load_settings
from .sizing import GIB_TO_GB, estimate_memory, precisions


@cache
def _data() -> dict[str, Any]:
    from .paths import data_dir

    return json.loads((data_dir() / "use_cases.json").read_text())


def use_cases() -> list[str]:
    """The use cases the selector knows (the source guide's seven)."""
    return list(_data()["use_cases"])


@dataclass(frozen=True)
class HardwareTarget:
    """The machine a recommendation is for: its kind, total memory (GB) and the share a model may use."""

    name: str
    kind: str  # "gpu", "cpu" or "apple-silicon"
    memory_gb: float
    detected: bool = False
    assumed: bool = False  # memory taken from the profile's default, not stated or measured

    @property
    def usable_gb(self) -> float:
        return self.memory_gb * _data()["hardware"]["usable_fraction"][self.kind]

    @property
    def label(self) -> str:
        if self.detected:
            return f"this machine ({self.name}, {self.memory_gb:.0f} GB)"
        return f"{self.name} ({self.memory_gb:g} GB{', assumed' if self.assumed else ''})"


def _from_machine(hw: Hardware) -> HardwareTarget:
    if hw.gpus:
        gpu = max(hw.gpus, key=lambda g: g.memory_gib)
        return HardwareTarget(gpu.name, "gpu", round(gpu.memory_gib * GIB_TO_GB, 1), detected=True)
    kind = "apple-silicon" if hw.apple_silicon else "cpu"
    name = f"{hw.cores}-core {'Apple silicon' if hw.apple_silicon else 'CPU'}"
    return HardwareTarget(name, kind, round(hw.ram_gib * GIB_TO_GB, 1), detected=True)


def _profile(name: str, display: str | None = None) -> HardwareTarget:
    p = _data()["hardware"]["profiles"][name]
    return HardwareTarget(display or p["name"], p["kind"], float(p["memory_gb"]), assumed=True)


def resolve_hardware(hardware: str | Hardware | HardwareTarget | None = None, memory_gb: float | None = None) -> HardwareTarget:
    """Turn what the reader gave into a HardwareTarget.

    None: the hardware profile saved in settings (notebook 00), checked against this machine — the
    detected memory when the profile is `auto` or matches it, the profile's assumed memory otherwise.
    A string: a profile (`cpu`, `apple-silicon`, `consumer-gpu`, `server-gpu`), a GPU name
    (`NVIDIA RTX 4090`), optionally with a size (`A100 80GB`). `memory_gb` overrides the memory.
    """
    hw_data = _data()["hardware"]
    if isinstance(hardware, HardwareTarget):
        target = hardware
    elif hardware is None or isinstance(hardware, Hardware):
        machine = hardware if isinstance(hardware, Hardware) else detect_hardware()
        saved = load_settings().hardware if hardware is None else "auto"
        if saved in ("auto", machine.profile):
            target = _from_machine(machine)
        else:
            p = hw_data["profiles"][saved]
            target = _profile(saved, f"{p['name']} (your saved profile; this machine is {machine.profile})")
    else:
        text = hardware.strip().lower()
        size = re.search(r"(\d+(?:\.\d+)?)\s*gb\b", text)
        bare = re.sub(r"\s*\d+(\.\d+)?\s*gb\b", "", text).strip()
        accelerators = {k: v for k, v in hw_data["accelerators"].items() if not k.startswith("_")}
        gpu = next((name for name in sorted(accelerators, key=len, reverse=True)
                    if re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?![a-z0-9])", text)), None)
        alias = hw_data["aliases"].get(bare)
        if gpu:
            target = HardwareTarget(hardware.strip(), "gpu", float(accelerators[gpu]))
        elif alias:
            target = _profile(alias)
        elif any(word in text for word in ("nvidia", "geforce", "rtx", "cuda", "radeon", "gpu")):
            target = _profile("consumer-gpu", hardware.strip())
        else:
            known = sorted(set(hw_data["aliases"]) | set(accelerators))
            raise ValueError(f"Unknown hardware {hardware!r}. Use a profile or a GPU name, optionally with its memory "
                             f"('RTX 4090', 'A100 80GB', 'cpu 32GB'): {', '.join(known)}; or None to use this machine.")
        if size:
            target = HardwareTarget(target.name, target.kind, float(size.group(1)))
    if memory_gb is not None:
        target = HardwareTarget(target.name, target.kind, float(memory_gb), detected=False)
    return target


@dataclass(frozen=True, repr=False)
class Recommendation:
    """What to run for a use case on a machine, and why; prints as a short report."""

    use_case: str
    model: str
    key: str
    api_id: str
    ollama_tag: str
    hf_repo: str
    precision: str  # a precision key, or "api"
    where: str  # "local" or "api"
    why: str
    fits: bool
    needed_gb: float
    available_gb: float
    hardware: str
    context_tokens: int
    tip: str
    api_option: str

    @property
    def precision_label(self) -> str:
        return "API (La Plateforme)" if self.precision == "api" else precisions()[self.precision]["label"]

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    def __str__(self) -> str:
        fit = "✓ fits" if self.fits else "✗ does not fit locally"
        lines = [f"Recommended for '{self.use_case}' on {self.hardware}:",
                 f"  Model:     {self.model}  ({self.precision_label}; Ollama `{self.ollama_tag}`, HF {self.hf_repo})",
                 f"  Why:       {self.why}",
                 f"  Memory:    needs {self.needed_gb:.1f} GB with {self.context_tokens:,} tokens of context; "
                 f"{self.available_gb:.1f} GB usable → {fit}",
                 f"  Tip:       {self.tip}"]
        if self.api_option:
            lines.append(f"  Via API:   {self.api_option}")
        return "\n".join(lines)

    __repr__ = __str__


def _tip(spec: ModelSpec, precision: str, target: HardwareTarget) -> str:
    if precision == "gguf-q2_k":
        base = ("Q2_K is a last resort: quality drops sharply (the stand-in's perplexity nearly doubled); "
                "a shorter context, more memory or a smaller model at Q4_K_M is better.")
    elif target.kind == "cpu":
        base = f"Use a GGUF file with llama.cpp or Ollama (`ollama pull {spec.ollama_tag}`): CPUs run GGUF's K-quants well."
    elif target.kind == "apple-silicon":
        base = (f"Use a GGUF file with llama.cpp or Ollama (`ollama pull {spec.ollama_tag}`), which run on Metal; "
                "MLX is the other native option.")
    elif precision == "fp16":
        base = ("FP16 fits: serve the original weights with vLLM; a 4-bit AWQ or GPTQ checkpoint would leave room "
                "for a longer context or bigger batch.")
    elif precision == "int8":
        base = "Load it in 8-bit with bitsandbytes, or serve a 4-bit AWQ or GPTQ checkpoint with vLLM for more speed."
    else:
        base = "Use a 4-bit AWQ or GPTQ checkpoint on the GPU (vLLM serves both)."
    if not spec.licence.startswith("Apache"):
        base += f" Licence: {spec.licence}."
    return base


def recommend_mistral_model(use_case: str, hardware: str | Hardware | HardwareTarget | None = None, *,
                            memory_gb: float | None = None, context_tokens: int | None = None) -> Recommendation:
    """Recommend a Mistral model and precision for a use case on given (or detected) hardware.

    `hardware=None` uses your saved hardware profile and this machine's memory. The context defaults
    to the use case's typical length (capped at each model's limit); the KV cache is sized for it.
    """
    cases = _data()["use_cases"]
    key = use_case.strip().lower()
    if key not in cases:
        raise ValueError(f"Unknown use case {use_case!r}; choose one of: {', '.join(cases)}")
    case, target = cases[key], resolve_hardware(hardware, memory_gb)
    order = _data()["hardware"]["precision_order"][target.kind]
    last_resort = set(_data()["hardware"]["last_resort"])
    candidates = [get_model(k) for k in case["candidates"]]
    wanted_ctx = int(context_tokens or case["context_tokens"])

    def attempt(allowed):
        for spec in candidates:
            ctx = min(wanted_ctx, spec.context_tokens)
            for p in order:
                if (p in last_resort) != allowed:
                    continue
                est = estimate_memory(spec, p, ctx)
                if est.total_gb <= target.usable_gb:
                    return spec, p, est
        return None

    found = attempt(False) or attempt(True)
    top = candidates[0]
    if found:
        spec, p, est = found
        api_option = "" if spec.key == top.key else (
            f"{top.name} ({top.api_id}) — {case['why'][top.key]}; locally it needs "
            f"{estimate_memory(top, order[-1], min(wanted_ctx, top.context_tokens)).total_gb:.0f} GB even at "
            f"{precisions()[order[-1]]['label']}.")
        return Recommendation(key, spec.name, spec.key, spec.api_id, spec.ollama_tag, spec.hf_repo, p, "local",
                              case["why"][spec.key], True, est.total_gb, target.usable_gb, target.label,
                              est.context_tokens, _tip(spec, p, target), api_option)
    smallest = min((estimate_memory(s, p, min(wanted_ctx, s.context_tokens)) for s in candidates for p in order),
                   key=lambda e: e.total_gb)
    tip = (f"Nothing in the {key} list fits {target.usable_gb:.1f} GB: the smallest option, {smallest.model} at "
           f"{precisions()[smallest.precision]['label']}, needs {smallest.total_gb:.1f} GB. Call the API: "
           f"client.chat.complete(model='{top.api_id}', ...).")
    need = estimate_memory(top, order[-1], min(wanted_ctx, top.context_tokens))
    return Recommendation(key, top.name, top.key, top.api_id, top.ollama_tag, top.hf_repo, "api", "api",
                          case["why"][top.key], False, need.total_gb, target.usable_gb, target.label,
                          need.context_tokens, tip, f"{top.name} as `{top.api_id}` on La Plateforme.")


def selector_table(hardware: str | Hardware | HardwareTarget | None = None, memory_gb: float | None = None) -> pd.DataFrame:
    """One recommendation per use case for a machine, as a table."""
    rows = []
    for case in use_cases():
        r = recommend_mistral_model(case, hardware, memory_gb=memory_gb)
        rows.append({"use case": case, "model": r.model, "precision": r.precision_label,
                     "needs GB": round(r.needed_gb, 1), "usable GB": round(r.available_gb, 1), "fits": r.fits})
    return pd.DataFrame(rows).set_index("use case")
