"""Tables a notebook shows about the reader's setup (notebook 00)."""

from __future__ import annotations

import pandas as pd

from .backends import detect
from .engine.embedded import embedded_model_info
from .hardware import detect_hardware, package_versions


def environment_table() -> pd.DataFrame:
    """Hardware, key package versions and which backends answer, as one table."""
    hw = detect_hardware()
    rows = [
        ("hardware", "CPU", f"{hw.cpu} ({hw.cores} cores usable)"),
        ("hardware", "RAM", f"{hw.ram_gib} GiB"),
        ("hardware", "GPU", ", ".join(f"{g.name} ({g.memory_gib} GiB)" for g in hw.gpus) or "none found"),
        ("hardware", "profile", hw.profile),
        ("hardware", "OS / Python", f"{hw.os} / Python {hw.python}"),
    ]
    rows += [("package", name, version) for name, version in package_versions().items()]
    rows += [
        ("backend", p.backend, f"{'available' if p.available else 'not available'}: {p.detail} [{p.where}]")
        for p in detect()
    ]
    return pd.DataFrame(rows, columns=["what", "item", "value"])


def embedded_models_table() -> pd.DataFrame:
    """What the embedded default serves, where it comes from and under which licence."""
    rows = [
        (name, info["kind"], info["description"], info["engine"], info["package"], info["licence"], info["stands_in_for"])
        for name, info in embedded_model_info().items()
    ]
    return pd.DataFrame(rows, columns=["name", "kind", "model", "engine", "from package", "licence", "stands in for"])
