"""Notebooks 00 and 01 in a real browser: JupyterLab runs them, the widgets render and respond.

Each test starts its own headless JupyterLab on a free port, over a temporary folder holding a copy of
the notebook (outputs cleared, so everything checked comes from this run), and drives Debian's Chromium
through Playwright: wait for the kernel, Run > Run All Cells, check that every cell ran without an error,
then use the notebook's widgets as a reader would. Screenshots go to build/test-artifacts/browser/.

Without Chromium (or the `playwright` package) the tests are skipped, unless WORKBOOK_REQUIRE_BROWSER=1
(CI sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from browser_support import find_chromium, lab_session, wait_for

from helpers.engine.serving import free_port
from helpers.paths import repo_root

NOTEBOOKS = repo_root() / "notebooks"
NB00 = NOTEBOOKS / "00_setup_and_hardware_check.ipynb"
NB01 = NOTEBOOKS / "01_mistral_family_and_model_selection.ipynb"

pytestmark = pytest.mark.slow


def _require_browser() -> None:
    problems = []
    if find_chromium() is None:
        problems.append("Chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package 'playwright' is not installed")
    if problems:
        reason = "browser test: " + "; ".join(problems)
        if os.environ.get("WORKBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " — and WORKBOOK_REQUIRE_BROWSER=1 requires it", pytrace=False)
        pytest.skip(reason + " (set WORKBOOK_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture
def lab_env(tmp_path):
    """The kernel's environment: the embedded default, settings in tmp, the endpoint on a free port."""
    _require_browser()
    return {
        "WORKBOOK_BACKEND": "embedded",
        "WORKBOOK_MODEL": "mistral-small-latest",
        "WORKBOOK_SETTINGS": str(tmp_path / "settings.json"),
        "WORKBOOK_PORT": str(free_port()),
    }


def _code_cells(notebook: Path) -> int:
    return sum(cell["cell_type"] == "code" for cell in json.loads(notebook.read_text())["cells"])


def _run_notebook(lab, notebook: Path, timeout: float) -> float:
    """Open, Run All, wait; check that every cell ran without an error, in the page and in the saved file."""
    lab.open(notebook.name, _code_cells(notebook))
    lab.run_all()
    seconds = lab.wait_until_done(timeout)
    lab.screenshot("after-run-all")
    assert not lab.error_outputs(), f"{notebook.name}: error outputs in Lab:\n" + "\n---\n".join(lab.error_outputs())
    saved = lab.save_and_read()
    errors = [(i, o.get("ename"), o.get("evalue")) for i, cell in enumerate(saved.cells) if cell.cell_type == "code"
              for o in cell.outputs if o.output_type == "error"
              and "raises-exception" not in cell.metadata.get("tags", [])]
    assert not errors, f"{notebook.name}: cells with an error output (cell index, name, message): {errors}"
    page_text = lab.page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    for broken in ("Error displaying widget", "Loading widget..."):
        assert broken not in page_text, f"{notebook.name}: a widget did not render ('{broken}' is shown)"
    return seconds


def _png(src: str) -> bytes:
    assert src.startswith("data:image/png;base64,"), f"the plot is not an inline PNG: {src[:60]!r}"
    data = base64.b64decode(src.split(",", 1)[1])
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000, "the plot is not a real PNG image"
    return data


def _report(capsys, name: str, started: float, run_seconds: float, screenshots) -> None:
    with capsys.disabled():
        print(f"\n[browser] {name}: Run All took {run_seconds:.0f} s, whole test {time.monotonic() - started:.0f} s; "
              f"screenshots:")
        for path in screenshots:
            print(f"[browser]   {path}")


def test_notebook_00_runs_in_lab_and_settings_panel_saves(lab_env, tmp_path, capsys):
    started = time.monotonic()
    settings = Path(lab_env["WORKBOOK_SETTINGS"])
    with lab_session(NB00, tmp_path / "lab", lab_env) as lab:
        run_seconds = _run_notebook(lab, NB00, timeout=420)
        assert "Answered by" in lab.page.inner_text(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"), \
            "notebook 00 printed no 'Answered by' banner"

        panel = lab.widget_box("Backend")
        hardware, backend, model = (lab.control(panel, "dropdown", name) for name in ("Hardware", "Backend", "Model"))
        for control in (hardware, backend, model):
            assert control.locator("select").is_visible(), "the settings panel's dropdowns are not visible"
        status = panel.locator(".widget-html")
        panel.scroll_into_view_if_needed()
        before_text = status.inner_text()
        assert "hardware auto" in before_text and "backend auto" in before_text, before_text
        assert "WORKBOOK_BACKEND is set in the environment" in before_text, before_text
        assert not settings.exists(), "nothing should be saved before the reader chooses"
        lab.screenshot("widget-before", full_page=False)

        hardware.locator("select").select_option(label="cpu")
        wait_for(lambda: "hardware cpu" in status.inner_text(), 30, "the panel to show the saved hardware 'cpu'")
        wait_for(settings.exists, 30, f"the settings file {settings} to be written")
        assert json.loads(settings.read_text())["hardware"] == "cpu"

        backend.locator("select").select_option(label="mistral")
        wait_for(lambda: "backend mistral" in status.inner_text(), 30, "the panel to show the saved backend 'mistral'")
        wait_for(lambda: json.loads(settings.read_text()).get("backend") == "mistral", 30,
                 "the settings file to hold backend 'mistral'")
        after_text = status.inner_text()
        assert after_text != before_text
        assert "WORKBOOK_BACKEND is set in the environment" in after_text, "the override warning vanished"
        assert json.loads(settings.read_text()) == {"backend": "mistral", "model": "mistral-small-latest",
                                                     "hardware": "cpu"}
        lab.screenshot("widget-after", full_page=False)
    _report(capsys, "notebook 00", started, run_seconds, lab.screenshots)


def test_notebook_01_runs_in_lab_and_memory_calculator_redraws(lab_env, tmp_path, capsys):
    started = time.monotonic()
    with lab_session(NB01, tmp_path / "lab", lab_env) as lab:
        run_seconds = _run_notebook(lab, NB01, timeout=540)

        calc = lab.widget_box("Precision")
        model = lab.control(calc, "dropdown", "Model").locator("select")
        context = lab.control(calc, "slider", "Context")
        plot = calc.locator(".widget-output img")
        text = calc.locator(".widget-output")
        for control in (model, context, lab.control(calc, "slider", "Batch")):
            assert control.is_visible(), "the memory calculator's controls are not visible"
        calc.scroll_into_view_if_needed()
        assert model.input_value() == "Mistral 7B"  # ipywidgets options carry the labels
        first_plot = _png(plot.get_attribute("src"))
        lab.screenshot("widget-before", full_page=False)

        # Context 8,192 -> 65,536 with the keyboard (three steps of the selection slider): Mistral 7B holds
        # 32,768 tokens, so the calculator says it sized for that, and redraws.
        context.locator(".noUi-handle").first.focus()
        for _ in range(3):
            context.locator(".noUi-handle").first.press("ArrowRight")
        wait_for(lambda: "65536" in context.inner_text(), 30, "the Context slider to read 65536")
        wait_for(lambda: "Mistral 7B supports 32,768 tokens" in text.inner_text(), 30,
                 "the calculator to say Mistral 7B supports 32,768 tokens")
        long_plot = _png(plot.get_attribute("src"))
        assert long_plot != first_plot, "a longer context did not change the plot"

        model.select_option(label="Codestral")
        wait_for(lambda: "Codestral supports 32,768 tokens" in text.inner_text(), 30,
                 "the calculator's text to name Codestral after choosing it")
        assert "Mistral 7B" not in text.inner_text()
        codestral_plot = wait_for(lambda: (lambda png: png if png != long_plot else None)(_png(plot.get_attribute("src"))),
                                  30, "the plot to change after choosing Codestral")
        assert codestral_plot != first_plot

        model.select_option(label="Mistral Large")  # 131,072 tokens: the note goes away, the plot changes again
        wait_for(lambda: "supports" not in text.inner_text(), 30, "the context note to go for Mistral Large")
        wait_for(lambda: _png(plot.get_attribute("src")) not in (codestral_plot, long_plot, first_plot), 30,
                 "the plot to change after choosing Mistral Large")
        lab.screenshot("widget-after", full_page=False)

        # The model selector mini project answers again when the use case changes.
        selector = lab.widget_box("Use case")
        answer = selector.locator(".widget-output")
        selector.scroll_into_view_if_needed()
        before = answer.inner_text()
        assert before.strip(), "the model selector shows no recommendation"
        use_case = lab.control(selector, "dropdown", "Use case").locator("select")
        other = next(v for v in use_case.locator("option").evaluate_all("os => os.map(o => o.textContent)")
                     if v != use_case.input_value())
        use_case.select_option(label=other)
        wait_for(lambda: answer.inner_text().strip() and answer.inner_text() != before, 30,
                 f"the model selector's recommendation to change for use case {other!r}")
        lab.screenshot("selector-after", full_page=False)
    _report(capsys, "notebook 01", started, run_seconds, lab.screenshots)
