"""The model selector: the source guide's `recommend_mistral_model`, driven by the catalog and the
memory calculator and checked against real hardware.

For a use case it walks the candidates (today's open-weights members, best first,
`data/use_cases.json`) and the precisions the hardware runs (best first), and recommends the first
combination whose weights + KV cache + overhead fit the memory a model may use and that generates
at a usable speed (estimated as memory bandwidth / bytes of active weights read per token). When
nothing fits locally it recommends the use case's current La Plateforme model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pandas as pd

from .family import ModelSpec, api_model_name, get_model
from .hardware import Hardware, detect_hardware
from .settings import load_settings
from .sizing import GIB_TO_GB, bytes_read_per_token, estimate_memory, precisions


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
    profile: str = field(default="", compare=False)  # the profile it came from, if any
    accelerator: str = field(default="", compare=False)  # the known GPU it names, if any
    cores: int | None = field(default=None, compare=False)  # CPU cores, when detected

    @property
    def usable_gb(self) -> float:
        return self.memory_gb * _data()["hardware"]["usable_fraction"][self.kind]

    @property
    def label(self) -> str:
        if self.detected:
            return f"this machine ({self.name}, {self.memory_gb:.0f} GB)"
        return f"{self.name} ({self.memory_gb:g} GB{', assumed' if self.assumed else ''})"


def _accelerator(text: str) -> str:
    """The known GPU a name mentions (longest match, whole words), or ""."""
    accelerators = [k for k in _data()["hardware"]["accelerators"] if not k.startswith("_")]
    return next((name for name in sorted(accelerators, key=len, reverse=True)
                 if re.search(rf"(?<![a-z0-9]){re.escape(name.lower())}(?![a-z0-9])", text.lower())), "")


def _from_machine(hw: Hardware) -> HardwareTarget:
    if hw.gpus:
        gpu = max(hw.gpus, key=lambda g: g.memory_gib)
        return HardwareTarget(gpu.name, "gpu", round(gpu.memory_gib * GIB_TO_GB, 1), detected=True,
                              accelerator=_accelerator(gpu.name))
    kind = "apple-silicon" if hw.apple_silicon else "cpu"
    name = f"{hw.cores}-core {'Apple silicon' if hw.apple_silicon else 'CPU'}"
    return HardwareTarget(name, kind, round(hw.ram_gib * GIB_TO_GB, 1), detected=True, cores=hw.cores)


def _profile(name: str, display: str | None = None) -> HardwareTarget:
    p = _data()["hardware"]["profiles"][name]
    return HardwareTarget(display or p["name"], p["kind"], float(p["memory_gb"]), assumed=True, profile=name)


def memory_bandwidth(target: HardwareTarget) -> tuple[float, str]:
    """Peak memory bandwidth (GB/s) the speed estimate uses for a machine, and where it comes from."""
    speed = _data()["hardware"]["speed"]
    if target.accelerator:
        gbs = float(speed["accelerators_gbs"][target.accelerator])
        if target.accelerator == "A100" and target.memory_gb >= 80:
            gbs = 2039.0
        return gbs, f"{target.accelerator}'s {gbs:,.0f} GB/s"
    if target.kind == "gpu":
        profile = "server-gpu" if target.profile == "server-gpu" else "consumer-gpu"
        gbs = float(speed["profiles_gbs"][profile])
        return gbs, f"{gbs:,.0f} GB/s assumed for {'a server' if profile == 'server-gpu' else 'a consumer'} GPU"
    if target.kind == "apple-silicon":
        gbs = float(speed["profiles_gbs"]["apple-silicon"])
        return gbs, f"{gbs:,.0f} GB/s assumed (a base M-series chip)"
    peak = float(speed["profiles_gbs"]["cpu"])
    if target.cores:
        per_core = float(speed["cpu_per_core_gbs"])
        if target.cores * per_core < peak:
            return target.cores * per_core, f"{target.cores} cores x ~{per_core:g} GB/s each (below dual-channel DDR4's {peak:g} GB/s)"
    return peak, f"{peak:g} GB/s assumed (dual-channel DDR4-3200)"


def tokens_per_second(spec: ModelSpec | str, precision: str, target: HardwareTarget) -> tuple[float, str]:
    """Rough upper bound on generation speed: bandwidth / bytes of active weights read per token."""
    spec = spec if isinstance(spec, ModelSpec) else get_model(spec)
    gbs, where = memory_bandwidth(target)
    per_token = bytes_read_per_token(spec, precision) / 1e9
    active = (spec.published_active or spec.published_total) if spec.raw.get("published_only") else None
    what = f"{active / 1e9:g}B active" if active else "the active weights"
    return gbs / per_token, f"{per_token:.1f} GB read per token ({what} at {precisions()[precision]['label']}) over {where}"


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
        gpu = _accelerator(text)
        alias = hw_data["aliases"].get(bare)
        if gpu:
            target = HardwareTarget(hardware.strip(), "gpu", float(accelerators[gpu]), accelerator=gpu)
        elif alias:
            target = _profile(alias)
        elif any(word in text for word in ("nvidia", "geforce", "rtx", "cuda", "radeon", "gpu")):
            target = _profile("consumer-gpu", hardware.strip())
        else:
            known = sorted(set(hw_data["aliases"]) | set(accelerators))
            raise ValueError(f"Unknown hardware {hardware!r}. Use a profile or a GPU name, optionally with its memory "
                             f"('RTX 4090', 'A100 80GB', 'cpu 32GB'): {', '.join(known)}; or None to use this machine.")
        if size:
            target = replace(target, memory_gb=float(size.group(1)), assumed=False)
    if memory_gb is not None:
        target = replace(target, memory_gb=float(memory_gb), detected=False, assumed=False)
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
    licence: str = ""
    tokens_per_s: float | None = None  # rough upper bound on generation speed; None for the API
    speed_basis: str = ""

    @property
    def precision_label(self) -> str:
        return "API (La Plateforme)" if self.precision == "api" else precisions()[self.precision]["label"]

    def as_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    def __str__(self) -> str:
        fit = "✓ fits" if self.fits else "✗ does not fit locally"
        where = f"HF {self.hf_repo}" + (f", Ollama `{self.ollama_tag}`" if self.ollama_tag else "")
        lines = [f"Recommended for '{self.use_case}' on {self.hardware}:",
                 f"  Model:     {self.model}  ({self.precision_label}; {where}; licence {self.licence})",
                 f"  Why:       {self.why}",
                 f"  Memory:    needs {self.needed_gb:.1f} GB with {self.context_tokens:,} tokens of context; "
                 f"{self.available_gb:.1f} GB usable → {fit}"]
        if self.tokens_per_s is not None:
            lines.append(f"  Speed:     ~{self.tokens_per_s:.1f} tokens/s at most: {self.speed_basis}")
        lines.append(f"  Tip:       {self.tip}")
        if self.api_option:
            lines.append(f"  Via API:   {self.api_option}")
        return "\n".join(lines)

    __repr__ = __str__


def _tip(spec: ModelSpec, precision: str, target: HardwareTarget) -> str:
    gguf = f"`ollama pull {spec.ollama_tag}`" if spec.ollama_tag else f"a GGUF conversion of {spec.hf_repo}"
    if precision == "gguf-q2_k":
        base = ("Q2_K is a last resort: quality drops sharply (the stand-in's perplexity nearly doubled); "
                "a shorter context, more memory or a smaller model at Q4_K_M is better.")
    elif target.kind == "cpu":
        base = f"Use a GGUF file with llama.cpp or Ollama ({gguf}): CPUs run GGUF's K-quants well."
    elif target.kind == "apple-silicon":
        base = (f"Use a GGUF file with llama.cpp or Ollama ({gguf}), which run on Metal; "
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
    A combination that fits but would generate slower than `slow_below_tokens_per_s` is passed over
    for one that is fast enough; when none is, the fastest that fits is recommended with a warning.
    Q2_K comes only when nothing else fits.
    """
    cases = _data()["use_cases"]
    key = use_case.strip().lower()
    if key not in cases:
        raise ValueError(f"Unknown use case {use_case!r}; choose one of: {', '.join(cases)}")
    case, target = cases[key], resolve_hardware(hardware, memory_gb)
    order = _data()["hardware"]["precision_order"][target.kind]
    last_resort = set(_data()["hardware"]["last_resort"])
    slow = float(_data()["hardware"]["speed"]["slow_below_tokens_per_s"])
    candidates = [get_model(k) for k in case["candidates"]]
    wanted_ctx = int(context_tokens or case["context_tokens"])
    api_id = case["api_model"]
    api_name = f"{api_model_name(api_id)} as `{api_id}` on La Plateforme"

    options = []  # every combination that fits, in order of preference
    for spec in candidates:
        ctx = min(wanted_ctx, spec.context_tokens)
        for p in order:
            est = estimate_memory(spec, p, ctx)
            if est.total_gb <= target.usable_gb:
                options.append((spec, p, est, tokens_per_second(spec, p, target)[0], p in last_resort))

    def pick(last: bool):  # the preferred fast-enough option, else the fastest slow one
        pool = [o for o in options if o[4] == last]
        return next((o for o in pool if o[3] >= slow), max(pool, key=lambda o: o[3], default=None))

    found = pick(False) or pick(True)
    top = candidates[0]
    if found:
        spec, p, est, tps, _ = found
        basis = tokens_per_second(spec, p, target)[1]
        why, tip = case["why"][spec.key], _tip(spec, p, target)
        if tps < slow:
            tip += (f" Slow: about {tps:.1f} tokens/s at most on this machine, below the {slow:g} tokens/s people read at; "
                    f"a GPU, or {api_name}, answers faster.")
        api_option = "" if spec.key == top.key else (
            f"{api_name}; {top.name} ({top.key}) — {case['why'][top.key]} — needs "
            f"{estimate_memory(top, order[-1], min(wanted_ctx, top.context_tokens)).total_gb:.0f} GB even at "
            f"{precisions()[order[-1]]['label']}.")
        return Recommendation(key, spec.name, spec.key, spec.api_id, spec.ollama_tag, spec.hf_repo, p, "local",
                              why, True, est.total_gb, target.usable_gb, target.label,
                              est.context_tokens, tip, api_option, spec.licence, tps, basis)
    smallest = min((estimate_memory(s, p, min(wanted_ctx, s.context_tokens)) for s in candidates for p in order),
                   key=lambda e: e.total_gb)
    tip = (f"Nothing in the {key} list fits {target.usable_gb:.1f} GB: the smallest option, {smallest.model} at "
           f"{precisions()[smallest.precision]['label']}, needs {smallest.total_gb:.1f} GB. Call the API: "
           f"client.chat.complete(model='{api_id}', ...).")
    need = estimate_memory(top, order[-1], min(wanted_ctx, top.context_tokens))
    return Recommendation(key, top.name, top.key, api_id, top.ollama_tag, top.hf_repo, "api", "api",
                          case["why"][top.key], False, need.total_gb, target.usable_gb, target.label,
                          need.context_tokens, tip, f"{api_name}.", top.licence)


def selector_table(hardware: str | Hardware | HardwareTarget | None = None, memory_gb: float | None = None) -> pd.DataFrame:
    """One recommendation per use case for a machine, as a table."""
    rows = []
    for case in use_cases():
        r = recommend_mistral_model(case, hardware, memory_gb=memory_gb)
        rows.append({"use case": case, "model": r.model, "licence": r.licence, "precision": r.precision_label,
                     "needs GB": round(r.needed_gb, 1), "usable GB": round(r.available_gb, 1), "fits": r.fits,
                     "tokens/s (est.)": None if r.tokens_per_s is None else round(r.tokens_per_s, 1)})
    return pd.DataFrame(rows).set_index("use case")
