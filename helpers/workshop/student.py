"""`make student`: copies of the notebooks with every exercise's solution taken out.

    python -m helpers.workshop.student build/student

An exercise cell is a code cell with a line `nbNN.<name>.check(<expr>)` (the objects in
`helpers/exercises/nbNN.py`). By the workbook's convention the lines before that line are the
solution. In the student copy they become one line,

    answer = ...  # your answer here (nbNN.<name>.hint() helps)

and the check line becomes `nbNN.<name>.check(answer)`. Kept, in their order: the
`from helpers.exercises import nbNN` imports, and statements that only *show* the reader the
exercise's input (a `print(...)` of something the cell does not compute, or a `for` loop of such
prints), since the reader needs to see them to answer. The outputs of exercise cells are
cleared; every other cell, its outputs and the notebook metadata are left exactly as they are.
Run unchanged, a student copy prints "✗ Not yet ... replace the `...`" at each exercise.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

CHECK_LINE = re.compile(r"^(?P<indent>\s*)(?P<module>nb\d\d)\.(?P<name>\w+)\.check\((?P<arg>.*)\)\s*(#.*)?$")
IMPORT_LINE = re.compile(r"^\s*from\s+helpers\.exercises\s+import\s+nb\d\d(\s*,\s*nb\d\d)*\s*(#.*)?$")
VARIES_LINE = re.compile(r"^\s*#\s*output varies")
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"


@dataclass(frozen=True)
class ExerciseCell:
    """Where an exercise sits in a notebook and what the student copy puts there."""

    index: int
    module: str  # "nb01"
    name: str  # "q1"
    solution: str  # the lines the student copy removes
    blank: str  # the student cell's source

    @property
    def ref(self) -> str:
        return f"{self.module}.{self.name}"


def _check_line(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if CHECK_LINE.match(line):
            return i
    return None


def stored_names(tree: ast.AST) -> set[str]:
    """Names a piece of code assigns, defines or imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _loaded_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _is_print(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "print")


def _is_display(stmt: ast.stmt, solution_names: set[str]) -> bool:
    """A statement that only shows the exercise's input: prints nothing the solution computes."""
    if _is_print(stmt):
        return not (_loaded_names(stmt) & solution_names)
    if isinstance(stmt, ast.For) and not stmt.orelse and all(_is_print(s) for s in stmt.body):
        own = stored_names(stmt.target)
        return not ((_loaded_names(stmt) - own) & solution_names)
    return False


def split_exercise(source: str) -> tuple[list[str], list[str], list[str]] | None:
    """(kept lines, solution lines, check-and-after lines) of an exercise cell, or None if it is not one."""
    lines = source.splitlines()
    at = _check_line(lines)
    if at is None:
        return None
    before = lines[:at]
    keep_header = [ln for ln in before if IMPORT_LINE.match(ln) or VARIES_LINE.match(ln)]
    body = [ln for ln in before if not (IMPORT_LINE.match(ln) or VARIES_LINE.match(ln))]
    shown: list[str] = []
    solution = body
    try:
        tree = ast.parse("\n".join(body))
    except SyntaxError:
        tree = None
    if tree is not None:
        # Names the solution computes: a print that shows one of them is part of the solution.
        computed = stored_names(ast.Module(body=[s for s in tree.body if not _is_print(s)], type_ignores=[]))
        display = [s for s in tree.body if _is_display(s, computed | {"answer"})]
        kept_lines: set[int] = set()
        for stmt in display:
            kept_lines.update(range(stmt.lineno - 1, stmt.end_lineno or stmt.lineno))
        shown = [ln for i, ln in enumerate(body) if i in kept_lines]
        solution = [ln for i, ln in enumerate(body) if i not in kept_lines]
    return keep_header + shown, [ln for ln in solution if ln.strip()], lines[at:]


def blank_cell_source(source: str) -> tuple[str, str, str, str] | None:
    """(module, name, solution text, student source) for an exercise cell's source, or None."""
    parts = split_exercise(source)
    if parts is None:
        return None
    kept, solution, rest = parts
    m = CHECK_LINE.match(rest[0])
    assert m is not None
    module, name, indent = m["module"], m["name"], m["indent"]
    arg = m["arg"].strip()
    target = arg if arg.isidentifier() else "answer"  # `check(Release)`: later cells may use that name
    header = [ln for ln in kept if IMPORT_LINE.match(ln) or VARIES_LINE.match(ln)]
    shown = [ln for ln in kept if ln not in header]
    out = list(header)
    if header and not VARIES_LINE.match(header[-1]):
        out.append("")
    out += shown
    out.append(f"{indent}{target} = ...  # your answer here ({module}.{name}.hint() helps)")
    out.append(f"{indent}{module}.{name}.check({target})")
    out += rest[1:]
    return module, name, "\n".join(solution), "\n".join(out)


def find_exercises(nb: nbformat.NotebookNode) -> list[ExerciseCell]:
    """Every exercise cell of a notebook, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        blank = blank_cell_source(cell.source)
        if blank is not None:
            module, name, solution, student = blank
            found.append(ExerciseCell(index, module, name, solution, student))
    return found


def student_notebook(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[ExerciseCell]]:
    """A copy of `nb` with exercise solutions removed and those cells' outputs cleared."""
    out = copy.deepcopy(nb)
    exercises = find_exercises(nb)
    for ex in exercises:
        cell = out.cells[ex.index]
        cell.source = ex.blank
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return out, exercises


def notebook_paths(notebooks_dir: Path) -> list[Path]:
    """The course notebooks (`NN_name.ipynb`) in order."""
    return sorted(notebooks_dir.glob(NOTEBOOK_GLOB))


def make_student_copies(notebooks_dir: Path, out_dir: Path) -> dict[Path, list[ExerciseCell]]:
    """Write a student copy of every notebook into `out_dir`; returns the exercises found per copy."""
    paths = notebook_paths(notebooks_dir)
    if not paths:
        raise FileNotFoundError(f"no notebooks named NN_*.ipynb in {notebooks_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[Path, list[ExerciseCell]] = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        copy_nb, exercises = student_notebook(nb)
        target = out_dir / path.name
        nbformat.write(copy_nb, target)
        written[target] = exercises
    return written


def main(argv: list[str] | None = None) -> None:
    from ..paths import repo_root

    parser = argparse.ArgumentParser(prog="python -m helpers.workshop.student", description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", default="build/student", type=Path, help="folder for the student copies")
    parser.add_argument("--notebooks", type=Path, default=None, help="source notebooks (default: the checkout's)")
    args = parser.parse_args(argv)
    source = args.notebooks or (repo_root() or Path.cwd()) / "notebooks"
    for path, exercises in make_student_copies(source, args.out).items():
        print(f"{path}: {len(exercises)} exercises blanked ({', '.join(e.ref for e in exercises)})")


if __name__ == "__main__":
    main()
