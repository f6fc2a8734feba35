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


def memory_calculator(model: str = "mistral-7b", precision: str = "fp16", context_tokens: int = 8192,
                      batch: int = 1) -> widgets.VBox:
    """Model, precision, context and batch controls with a plot of weights + KV cache + overhead vs this machine's memory."""
    import matplotlib.pyplot as plt

    from .family import load_family
    from .selector import resolve_hardware
    from .sizing import estimate_memory, plot_memory, precisions

    machine = resolve_hardware()
    model_w = widgets.Dropdown(options=[(m.name, m.key) for m in load_family()], value=model, description="Model")
    precision_w = widgets.Dropdown(options=[(p["label"], k) for k, p in precisions().items()], value=precision,
                                   description="Precision", layout=widgets.Layout(width="420px"))
    context_w = widgets.SelectionSlider(options=[2**k for k in range(10, 18)], value=context_tokens, description="Context")
    batch_w = widgets.IntSlider(value=batch, min=1, max=32, description="Batch")
    out = widgets.Output()

    def redraw(_change=None) -> None:
        spec = next(m for m in load_family() if m.key == model_w.value)
        ctx = min(context_w.value, spec.context_tokens)
        est = estimate_memory(spec, precision_w.value, ctx, batch_w.value)
        with out:
            out.clear_output(wait=True)
            plot_memory(est, machine.usable_gb, f"usable on {machine.label}")
            plt.show()
            if ctx < context_w.value:
                print(f"{spec.name} supports {spec.context_tokens:,} tokens: sized for that.")

    for w in (model_w, precision_w, context_w, batch_w):
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([model_w, precision_w]), widgets.HBox([context_w, batch_w]), out])


def model_selector(use_case: str = "chat") -> widgets.VBox:
    """Use-case and hardware pickers that show `recommend_mistral_model`'s answer as you change them."""
    from .selector import recommend_mistral_model, use_cases

    hardware_options = [("this machine (detected)", None), ("CPU laptop, 16 GB", "cpu"),
                        ("Apple silicon, 16 GB", "apple-silicon"), ("RTX 4060, 8 GB", "RTX 4060"),
                        ("RTX 4090, 24 GB", "RTX 4090"), ("A100, 80 GB", "A100 80GB"), ("H100, 80 GB", "H100")]
    case_w = widgets.Dropdown(options=use_cases(), value=use_case, description="Use case")
    hardware_w = widgets.Dropdown(options=hardware_options, value=None, description="Hardware")
    out = widgets.Output()

    def show(_change=None) -> None:
        with out:
            out.clear_output(wait=True)
            print(recommend_mistral_model(case_w.value, hardware_w.value))

    case_w.observe(show, names="value")
    hardware_w.observe(show, names="value")
    show()
    return widgets.VBox([widgets.HBox([case_w, hardware_w]), out])
