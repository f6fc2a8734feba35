"""Executing the workbook's notebooks, and keeping their stored outputs readable.

A `tqdm.auto` bar in a notebook is a widget (an HBox of a label, a progress bar and a status line). When a
notebook is executed headless, its output stores the widget's id, the widget's final state in the
notebook's metadata, and a plain-text fallback that tqdm wrote *when the bar was created*: `0%|   | 0/40`.
Viewers without the widget state (GitHub, the book, `nbval`'s diff) show that fallback, so every
finished step would look as if it had never started. `tidy_progress_bars` rewrites the fallback from the
stored final state (`100%|██████████| 40/40 [01:13<00:00, 1.83s/it]`).

`python -m helpers.workshop.notebook_outputs NOTEBOOK...` executes notebooks in place on the embedded default
(what `make notebooks` runs) and tidies them.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import time
from pathlib import Path
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BAR_WIDTH = 10


def _label(model: dict[str, Any]) -> str:
    return html.unescape(str(model.get("state", {}).get("value", ""))).replace("\u2007", " ").strip()


def bar_text(hbox_id: str, models: dict[str, dict[str, Any]]) -> str | None:
    """The text of a finished tqdm widget, as tqdm prints it in a terminal; None if `hbox_id` is not one."""
    hbox = models.get(hbox_id, {})
    if hbox.get("model_name") != "HBoxModel":
        return None
    children = [models.get(str(ref).removeprefix("IPY_MODEL_"), {}) for ref in hbox.get("state", {}).get("children", [])]
    names = [child.get("model_name") for child in children]
    if names != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, progress, right = children
    value, total = progress["state"].get("value", 0), progress["state"].get("max", 0) or 0
    filled = int(BAR_WIDTH * value / total) if total else 0
    bar = "█" * min(BAR_WIDTH, filled) + " " * (BAR_WIDTH - min(BAR_WIDTH, filled))
    return f"{_label(left)}|{bar}| {_label(right)}".strip()


def tidy_progress_bars(nb: dict[str, Any]) -> int:
    """Replace each tqdm widget's stale text fallback with its final state; the number of outputs rewritten."""
    models = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    changed = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            view = data.get(WIDGET_VIEW)
            if not view:
                continue
            text = bar_text(view.get("model_id", ""), models)
            if text is not None and data.get("text/plain") != [text]:
                data["text/plain"] = [text]
                changed += 1
    return changed


MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home|tmp|Users|var/folders)/[\w.-]+/")
STALE_BAR = re.compile(r"(?<!\d)0%\|")
LITERAL_TRUE = re.compile(r"(?:^|[:=|]\s*)True\s*(?:$|\|)")


def _text(output: dict[str, Any]) -> str:
    return "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))


def output_problems(nb: dict[str, Any]) -> list[str]:
    """What a learner should not see in a notebook's stored outputs: an absolute machine path, a progress
    bar stuck at 0 %, or a printed literal `True` standing in for a result. Empty when clean."""
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            text = _text(output)
            if match := MACHINE_PATH.search(text):
                problems.append(f"cell {i}: an absolute machine path ({match.group(0)}...)")
            if STALE_BAR.search(text):
                problems.append(f"cell {i}: a progress bar stuck at 0 % ({text.strip().splitlines()[0][:60]!r})")
            if output.get("output_type") == "stream":
                problems += [f"cell {i}: a printed literal True ({line.strip()[:60]!r})"
                             for line in text.splitlines() if LITERAL_TRUE.search(line)]
    return problems


def execute(path: Path, *, timeout: int = 1800, save: bool = True) -> float:
    """Execute a notebook in a fresh kernel on the backend the environment names (default: the embedded one, as
    `make test` runs it); with `save`, store it in place with tidy progress bars. Seconds taken; a failing cell
    raises nbclient's CellExecutionError."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("WORKBOOK_BACKEND", "embedded")
    os.environ.setdefault("WORKBOOK_MODEL", "mistral-small-latest")
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    if save:
        tidy_progress_bars(nb)
        nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Execute notebooks in place on the embedded default, then tidy them.")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--tidy-only", action="store_true", help="only rewrite stale progress-bar text")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if args.tidy_only:
            import nbformat

            nb = nbformat.read(path, as_version=4)
            print(f"{path.name}: {tidy_progress_bars(nb)} progress bars tidied", flush=True)
            nbformat.write(nb, path)
        else:
            print(f"{path.name}: executed in {execute(path):.0f} s", flush=True)


if __name__ == "__main__":
    main()
