"""The committed notebooks' outputs, as a learner first sees them: no machine paths, no progress bars
stuck at 0 %, no literal `True` printed in place of a result."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from helpers.workshop.notebook_outputs import WIDGET_STATE, WIDGET_VIEW, output_problems, tidy_progress_bars

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_committed_outputs_are_clean(path):
    import nbformat

    nbformat.validate(nbformat.read(path, as_version=4))  # e.g. every cell has a string id
    assert output_problems(json.loads(path.read_text(encoding="utf-8"))) == []


def widget_notebook(value: float, total: float) -> dict:
    """A notebook holding one tqdm widget as nbclient stores it: the view, its stale text and the final state."""
    models = {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]}},
        "left": {"model_name": "HTMLModel", "state": {"value": "after:\u2007100%"}},
        "bar": {"model_name": "FloatProgressModel", "state": {"value": value, "max": total}},
        "right": {"model_name": "HTMLModel", "state": {"value": "\u20074/4\u2007[00:21&lt;00:00,\u2007\u20075.10s/it]"}},
    }
    output = {"output_type": "display_data", "metadata": {},
              "data": {WIDGET_VIEW: {"model_id": "box"}, "text/plain": ["after:   0%|          | 0/4 [00:00<?, ?it/s]"]}}
    return {"metadata": {"widgets": {WIDGET_STATE: {"state": models}}},
            "cells": [{"cell_type": "code", "source": [], "outputs": [output]}]}


def test_a_stale_progress_bar_is_caught_and_tidied_from_the_widget_state():
    nb = widget_notebook(4, 4)
    assert any("0 %" in problem for problem in output_problems(nb))
    assert tidy_progress_bars(nb) == 1
    assert nb["cells"][0]["outputs"][0]["data"]["text/plain"] == ["after: 100%|██████████| 4/4 [00:21<00:00,  5.10s/it]"]
    assert output_problems(nb) == [] and tidy_progress_bars(nb) == 0


def test_a_half_done_bar_is_drawn_half_full():
    nb = widget_notebook(2, 4)
    tidy_progress_bars(nb)
    assert "|█████     |" in nb["cells"][0]["outputs"][0]["data"]["text/plain"][0]


@pytest.mark.parametrize("text, caught", [
    ("Gemma3ForCausalLM ready from /work/main/.cache/models/x\n", True),
    ("saved to /home/ana/workbook/out.gguf\n", True),
    ("see notebooks/07_gguf.ipynb and data/finetune/\n", False),
    ("same JSON: True\n", True),
    ("True\n", True),
    ("accepted: True | same: True\n", True),
    ("{'ok': True, 'n': 3}\n", False),
    ("True positives: 12\n", False),
])
def test_the_output_check_catches_what_it_names(text, caught):
    nb = {"cells": [{"cell_type": "code", "source": [], "outputs": [{"output_type": "stream", "name": "stdout", "text": [text]}]}]}
    assert bool(output_problems(copy.deepcopy(nb))) is caught
