"""`make student`: notebook copies with the exercise solutions removed, everything else untouched."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import time

import nbformat
import pytest

from helpers.exercises.core import Exercise
from helpers.paths import repo_root
from helpers.workshop.student import blank_cell_source, find_exercises, notebook_paths, student_notebook

NOTEBOOKS = notebook_paths(repo_root() / "notebooks")
# Executed in full up to their last exercise: the cheapest notebooks (about 20 s each, measured). The others'
# code cells outside the exercises are identical to the committed, nbval-executed ones (checked below).
EXECUTED = ("01", "02")


def _ids(paths):
    return [p.name[:2] for p in paths]


def _significant(text: str) -> list[str]:
    """Solution lines worth looking for: no comments, imports, blank lines or bare brackets."""
    lines = []
    for raw in text.splitlines():
        line = raw.split("  #", 1)[0].strip()
        if (len(line) >= 6 and not line.startswith(("#", "from ", "import ")) and line not in ("answer = []", "]", ")")):
            lines.append(line)
    return lines


def test_blanking_a_synthetic_cell():
    source = ("from helpers.exercises import nb42\n\nprint(nb42.DATA)\nx = [d * 2 for d in nb42.DATA]\n"
              "print(x)\nanswer = sum(x)\nnb42.q1.check(answer)")
    module, name, solution, student = blank_cell_source(source)
    assert (module, name) == ("nb42", "q1")
    assert student == ("from helpers.exercises import nb42\n\nprint(nb42.DATA)\n"
                       "answer = ...  # your answer here (nb42.q1.hint() helps)\nnb42.q1.check(answer)")
    assert solution.splitlines() == ["x = [d * 2 for d in nb42.DATA]", "print(x)", "answer = sum(x)"]
    # A check that passes another name keeps it (later cells may use it); a plain cell is no exercise.
    _, _, _, student = blank_cell_source("class Release:\n    year: int\n\nnb42.q3.check(Release)")
    assert student.splitlines() == ["Release = ...  # your answer here (nb42.q3.hint() helps)", "nb42.q3.check(Release)"]
    assert blank_cell_source("result = toolbox.check(x)\nprint(result)") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_notebook_has_checked_exercises(path):
    nb = nbformat.read(path, as_version=4)
    exercises = find_exercises(nb)
    assert len(exercises) >= 2, f"{path.name} has {len(exercises)} exercise cell(s); the workbook wants at least 2"
    for ex in exercises:
        assert ex.module == f"nb{path.name[:2]}", f"{path.name} checks {ex.ref}, an exercise of another notebook"
        module = importlib.import_module(f"helpers.exercises.{ex.module}")
        assert isinstance(getattr(module, ex.name, None), Exercise), f"{ex.ref} is not an Exercise in {module.__file__}"
        assert ex.solution.strip(), f"{path.name} cell {ex.index}: {ex.ref} has no solution lines before its check"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_student_copy_has_no_solutions_and_nothing_else_changed(path):
    nb = nbformat.read(path, as_version=4)
    copy, exercises = student_notebook(nb)
    assert copy.metadata == nb.metadata and len(copy.cells) == len(nb.cells)
    blanked = {ex.index: ex for ex in exercises}
    student_code = "\n".join(c.source for c in copy.cells if c.cell_type == "code")
    for i, (before, after) in enumerate(zip(nb.cells, copy.cells)):
        if i not in blanked:
            assert after == before, f"{path.name} cell {i} changed, but it is no exercise"
            continue
        ex = blanked[i]
        assert after.outputs == [] and after.execution_count is None
        lines = after.source.splitlines()
        assert lines[-2].endswith(f"= ...  # your answer here ({ex.ref}.hint() helps)"), after.source
        assert lines[-1].startswith(f"{ex.ref}.check(")
        for kept in (ln for ln in before.source.splitlines() if ln.startswith("from helpers.exercises import")):
            assert kept in lines
        # What the cell computed is gone from it ...
        for line in _significant(ex.solution):
            assert line not in after.source, f"{path.name} cell {i} still holds solution line {line!r}"
        # ... and the reference solution in helpers/exercises is nowhere in the student copy.
        reference = getattr(importlib.import_module(f"helpers.exercises.{ex.module}"), ex.name)._solution
        assert reference not in student_code
        for line in _significant(reference):
            elsewhere = any(line in c.source for j, c in enumerate(nb.cells) if c.cell_type == "code" and j not in blanked)
            assert elsewhere or line not in student_code, f"{path.name}: {ex.ref}'s solution line {line!r} is in the copy"


def test_make_student_writes_every_notebook(tmp_path):
    run = subprocess.run([sys.executable, "-m", "helpers.workshop.student", str(tmp_path / "student")],
                         capture_output=True, text=True, cwd=repo_root(), check=False)
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in (tmp_path / "student").glob("*.ipynb"))
    assert written == [p.name for p in NOTEBOOKS]
    assert all("exercises blanked" in line for line in run.stdout.splitlines())
    copy = nbformat.read(tmp_path / "student" / NOTEBOOKS[0].name, as_version=4)
    nbformat.validate(copy)


@pytest.mark.slow
@pytest.mark.parametrize("number", EXECUTED)
def test_student_copy_runs_up_to_its_exercises(number, tmp_path):
    """Run unchanged, every blanked exercise answers 'Not yet ... replace the `...`' instead of raising."""
    from nbclient import NotebookClient

    path = next(p for p in NOTEBOOKS if p.name.startswith(number))
    copy, exercises = student_notebook(nbformat.read(path, as_version=4))
    last = exercises[-1].index
    client = NotebookClient(copy, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(repo_root() / "notebooks")}})
    started = time.perf_counter()
    with client.setup_kernel():
        for i, cell in enumerate(copy.cells[: last + 1]):
            client.execute_cell(cell, i)  # raises CellExecutionError on any error
        # Stop what the notebook started (its own last cell would, but that cell comes after the exercises).
        client.execute_cell(nbformat.v4.new_code_cell("from helpers.engine.serving import stop_all\nstop_all()"), last + 1)
    print(f"{path.name}: {time.perf_counter() - started:.0f} s up to its last exercise")
    for ex in exercises:
        shown = [o.get("data", {}).get("text/plain", "") for o in copy.cells[ex.index].outputs]
        assert any("Not yet" in s and "replace the `...`" in s for s in shown), (ex.ref, shown)
        tree = ast.parse(copy.cells[ex.index].source)
        assert any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(tree))
