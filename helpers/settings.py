"""The reader's choices (hardware profile, backend, model), saved by notebook 00.

Precedence, highest first: arguments passed in code, environment variables, the settings file,
the defaults below. Environment variables let CI and instructors override a reader's file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields

from . import backend_registry
from .paths import settings_path


def backend_choices() -> tuple[str, ...]:
    """`auto`, then every backend in `backend_registry`'s order (read on each call)."""
    return ("auto", *backend_registry.names())


BACKENDS = backend_choices()  # what notebook 00's widget offers
HARDWARE_PROFILES = ("auto", "cpu", "apple-silicon", "consumer-gpu", "server-gpu")

# setting name -> environment variable that overrides it
ENV_OVERRIDES = {
    "backend": "WORKBOOK_BACKEND",
    "model": "WORKBOOK_MODEL",
    "hardware": "WORKBOOK_HARDWARE",
}


@dataclass
class Settings:
    """What notebook 00's widgets store."""

    backend: str = "auto"
    model: str = "mistral-small-latest"
    hardware: str = "auto"

    def validate(self) -> Settings:
        if self.backend not in backend_choices():
            raise ValueError(f"Unknown backend {self.backend!r}; choose one of: {', '.join(backend_choices())}")
        if self.hardware not in HARDWARE_PROFILES:
            raise ValueError(
                f"Unknown hardware profile {self.hardware!r}; choose one of: {', '.join(HARDWARE_PROFILES)}"
            )
        return self


def load_settings(*, use_env: bool = True) -> Settings:
    """Read the settings file (if any), then apply environment overrides."""
    values: dict[str, str] = {}
    path = settings_path()
    if path.exists():
        try:
            stored = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}); delete it or re-save from notebook 00") from exc
        known = {f.name for f in fields(Settings)}
        values.update({k: str(v) for k, v in stored.items() if k in known})
    if use_env:
        for name, var in ENV_OVERRIDES.items():
            if os.environ.get(var):
                values[name] = os.environ[var]
    return Settings(**values).validate()


def save_settings(settings: Settings) -> None:
    """Write the settings file (only the file: environment overrides are not baked in)."""
    settings.validate()
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(settings), indent=2) + "\n")


def overridden_by_env() -> dict[str, str]:
    """Settings that an environment variable currently overrides: name -> variable."""
    return {name: var for name, var in ENV_OVERRIDES.items() if os.environ.get(var)}
