"""ipywidgets panels. Choices are saved to the settings file that later notebooks read."""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets

from . import catalog
from .settings import BACKENDS, HARDWARE_PROFILES, load_settings, overridden_by_env, save_settings


def settings_panel() -> widgets.VBox:
    """Dropdowns for hardware profile, backend and model; every change is saved at once."""
    current = load_settings(use_env=False)
    hardware = widgets.Dropdown(options=HARDWARE_PROFILES, value=current.hardware, description="Hardware")
    backend = widgets.Dropdown(options=BACKENDS, value=current.backend, description="Backend")
    models = catalog.logical_names("chat")
    model = widgets.Dropdown(
        options=models, value=current.model if current.model in models else models[0], description="Model"
    )
    status = widgets.HTML()

    def show_status() -> None:
        env = overridden_by_env()
        note = "".join(f"<br>⚠ {var} is set in the environment and overrides the {name} chosen here." for name, var in env.items())
        status.value = f"<small>Saved: backend <b>{backend.value}</b>, model <b>{model.value}</b>, hardware <b>{hardware.value}</b>.{note}</small>"

    def on_change(_change) -> None:
        save_settings(replace(load_settings(use_env=False), hardware=hardware.value, backend=backend.value, model=model.value))
        show_status()

    for w in (hardware, backend, model):
        w.observe(on_change, names="value")
    show_status()
    return widgets.VBox([hardware, backend, model, status])
