"""Every notebook's exercises: found in the notebook, answered correctly there, and tested here.

Each notebook has at least two exercises whose `check()` comes from `helpers.exercises.nbNN`. The committed
outputs show the reference answer passing (nbval re-executes them), and every exercise is exercised by the
tests with a right answer and a wrong one that must fail with a message that teaches.

Notebook cells and test files are read as Python (`ast`), not searched as text: a check call in a comment, a
string or a branch that never runs is not a check.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from helpers.exercises import Exercise, nb00, nb01, nb06, nb11
from helpers.workshop.student import stored_names

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MODULE = re.compile(r"nb(\d\d)")
MENTION = re.compile(r"\bnb\d\d\.\w+\.check\(")  # only to find mentions the parse below must account for


def check_target(node: ast.AST) -> tuple[str, str] | None:
    """("00", "q1") for a call `nb00.q1.check(...)`, else None."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if (isinstance(func, ast.Attribute) and func.attr == "check" and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name) and (module := MODULE.fullmatch(func.value.value.id))):
        return module.group(1), func.value.attr
    return None


def exercise_imports(tree: ast.Module) -> set[str]:
    """The `nbNN` modules a cell imports at its top level with `from helpers.exercises import nbNN`."""
    return {alias.asname or alias.name for stmt in tree.body if isinstance(stmt, ast.ImportFrom)
            and stmt.module == "helpers.exercises" for alias in stmt.names if MODULE.fullmatch(alias.asname or alias.name)}


def exercise_cells(path: Path) -> list[tuple[str, str, nbformat.NotebookNode]]:
    """(number, name, cell) for each exercise cell, each one checked to hold a real check call.

    A real check call is the cell's last statement, so Jupyter shows its verdict; it is `nbNN.<name>.check(x)`
    with one argument, the answer, which is not the `...` placeholder and, when it is a name, is computed in
    the cell (the cell holds its solution); `nbNN` was imported from helpers.exercises in this cell or an
    earlier one; and the cell mentions no other `.check(` that is not this call (a commented-out check, one in
    a string or inside a function or branch).
    """
    nb = nbformat.read(path, as_version=4)
    python = TransformerManager()  # IPython's own rewrite of %magics and !commands into Python
    found, imported = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name}, cell {index}"
        try:
            tree = ast.parse(python.transform_cell(cell.source))
        except SyntaxError as exc:
            raise AssertionError(f"{where} is not valid Python: {exc}") from exc
        imported |= exercise_imports(tree)
        calls = [node for node in ast.walk(tree) if check_target(node)]
        mentions = len(MENTION.findall(cell.source))
        if not calls and not mentions:
            continue
        last = tree.body[-1] if tree.body else None
        call = last.value if isinstance(last, ast.Expr) and check_target(last.value) else None
        assert call is not None and calls == [call] and mentions == 1, (
            f"{where}: an exercise cell ends with its one check call, `nbNN.<name>.check(answer)`, and has no "
            f"other; found {len(calls)} call(s) in code, {mentions} mention(s) in the text, last statement "
            f"{ast.unparse(last) if last else None!r}")
        number, name = check_target(call)
        assert len(call.args) == 1 and not call.keywords, f"{where}: {name}.check() takes the answer, and only it"
        answer = call.args[0]
        assert not (isinstance(answer, ast.Constant) and answer.value is Ellipsis), f"{where}: {name} checks `...`"
        assert not isinstance(answer, ast.Name) or answer.id in stored_names(tree), (
            f"{where}: {name}.check({answer.id}) checks a name the cell does not compute")
        assert f"nb{number}" in imported, f"{where}: nb{number} is not imported from helpers.exercises before it is used"
        found.append((number, name, cell))
    return found


def module_exercises(number: str) -> dict[str, Exercise]:
    module = importlib.import_module(f"helpers.exercises.nb{number}")
    return {name: value for name, value in vars(module).items() if isinstance(value, Exercise)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_notebook_has_two_checked_exercises_from_its_own_module(path):
    cells = exercise_cells(path)
    number = path.name[:2]
    assert len({name for _, name, _ in cells}) >= 2, f"{path.name} needs at least two checked exercises"
    assert {n for n, _, _ in cells} == {number}, f"{path.name} must check with helpers.exercises.nb{number}"
    defined = module_exercises(number)
    used = {name for _, name, _ in cells}
    assert used <= set(defined), f"{path.name} calls exercises that nb{number} does not define: {used - set(defined)}"
    unused = {name for name, ex in defined.items() if all(ex is not defined[u] for u in used)}
    assert not unused, f"nb{number} defines exercises its notebook never uses: {unused}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_committed_reference_answers_pass(path):
    for _, name, cell in exercise_cells(path):
        shown = "".join(out.get("data", {}).get("text/plain", "") + out.get("text", "") for out in cell.outputs)
        assert "✓ Correct" in shown, f"{path.name}: the committed answer to {name} does not show as correct"


def verdict_uses(tree: ast.Module) -> Counter[tuple[str, str, str]]:
    """(number, name, "right" or "wrong") for each check call in a test file, by what the test does with it.

    A right answer is one whose check the test asserts true: `assert nbNN.x.check(a)`, alone or joined by
    `and`. A wrong answer is one whose check the test negates (`not ...`) or whose teaching message it reads
    (`....message`). A check stored in a variable counts by what the enclosing function does with the variable.
    Calls used any other way are not counted.
    """
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def verdict(expr: ast.AST) -> str | None:
        up = parents.get(expr)
        if isinstance(up, ast.Attribute) and up.attr == "message" or isinstance(up, ast.UnaryOp) and isinstance(up.op, ast.Not):
            return "wrong"
        if isinstance(up, ast.BoolOp) and isinstance(up.op, ast.And):
            expr, up = up, parents.get(up)
        if isinstance(up, ast.Assert) and up.test is expr:
            return "right"
        return None

    def scope(node: ast.AST) -> ast.AST:
        while not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            node = parents[node]
        return node

    uses: Counter[tuple[str, str, str]] = Counter()
    for node in ast.walk(tree):
        if not (target := check_target(node)):
            continue
        up = parents.get(node)
        if isinstance(up, ast.Assign) and len(up.targets) == 1 and isinstance(up.targets[0], ast.Name):
            name = up.targets[0].id
            kinds = {verdict(use) for use in ast.walk(scope(up))
                     if isinstance(use, ast.Name) and use.id == name and isinstance(use.ctx, ast.Load)}
        else:
            kinds = {verdict(node)}
        uses.update((*target, kind) for kind in kinds - {None})
    return uses


@pytest.fixture(scope="module")
def tested_verdicts() -> Counter[tuple[str, str, str]]:
    uses: Counter[tuple[str, str, str]] = Counter()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        uses += verdict_uses(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return uses


@pytest.mark.parametrize("number", sorted({p.name[:2] for p in NOTEBOOKS}))
def test_every_exercise_is_tested_with_a_right_and_a_wrong_answer(number, tested_verdicts):
    """A test asserts each exercise's check() passes a right answer, and another fails a wrong one."""
    exercises = module_exercises(number)
    for exercise in {id(ex): ex for ex in exercises.values()}.values():
        names = [name for name, ex in exercises.items() if ex is exercise]  # an exercise may have two names
        for kind, how in (("right", "assert nbNN.x.check(right)"), ("wrong", "nbNN.x.check(wrong).message or not ...")):
            count = sum(tested_verdicts[number, name, kind] for name in names)
            assert count >= 1, f"nb{number}.{names[0]} is never checked with a {kind} answer in tests/: add `{how}`"


# -- per-exercise tests --

def test_nb00_auto_choice():
    assert nb00.q1.check("ollama")
    assert nb00.q1.check("Ollama")
    assert "fixed order" in nb00.q1.check("vllm").message
    assert "MISTRAL_API_KEY" in nb00.q1.check("mistral").message
    assert "last resort" in nb00.q1.check("embedded").message
    assert "string" in nb00.q1.check(2).message


def test_nb00_streamed_pieces(sdk):
    def pieces(max_tokens: int) -> list[str]:
        stream = sdk.chat.stream(model="standin-gemma-3-270m", max_tokens=max_tokens, temperature=0,
                                 messages=[{"role": "user", "content": "Count from one to fifty in words."}])
        return [e.data.choices[0].delta.content for e in stream if e.data.choices[0].delta.content]

    right = pieces(12)
    assert nb00.q2.check(right)
    assert "max_tokens=12" in nb00.q2.check(pieces(40)).message
    assert "as a list" in nb00.q2.check("".join(right)).message
    assert "several pieces" in nb00.q2.check(right[:1]).message


def test_nb01_memory_exercises():
    from helpers.family import count_parameters, get_model
    from helpers.sizing import kv_cache_bytes

    nemo = count_parameters(get_model("mistral-nemo")).total
    assert nb01.q1.check(nemo * 2 / 1e9)
    assert "4 bytes" in nb01.q1.check(nemo * 4 / 1e9).message
    assert "GiB" in nb01.q1.check(nemo * 2 / 2**30).message
    kv = kv_cache_bytes("mistral-7b", 32768, 1) / 1e9
    assert nb01.q2.check(kv)
    assert "grouped-query" in nb01.q2.check(kv * 4).message
    assert "both" in nb01.q2.check(kv / 2).message


def test_nb01_models_that_fit():
    from helpers.family import load_family
    from helpers.sizing import estimate_memory

    fits = [m.key for m in load_family() if estimate_memory(m, "gptq-awq-4bit", min(8192, m.context_tokens)).total_gb <= 12]
    assert nb01.q3.check(fits)
    assert "MoE saves compute, not memory" in nb01.q3.check(fits + ["mixtral-8x7b"]).message
    assert "one more fits" in nb01.q3.check(fits[:-1]).message
    assert "list" in nb01.q3.check("mistral-7b").message


def test_nb06_speedup_and_tensor_parallel():
    assert nb06.speedup.check(900 / 150)
    assert "wrong way round" in nb06.speedup.check(150 / 900).message
    assert nb06.tensor_parallel.check(nb06.tensor_parallel_memory(93.4, 4, kv_cache_gb=8.0))
    assert "KV cache" in nb06.tensor_parallel.check(93.4 / 4).message


def test_nb11_batch_line():
    def right(custom_id, question):
        return {"custom_id": custom_id, "body": {"messages": [{"role": "user", "content": question}], "max_tokens": 64}}

    assert nb11.q1.check(right)
    assert "max_tokens" in nb11.q1.check(lambda i, q: {"custom_id": i, "body": {"messages": [
        {"role": "user", "content": q}]}}).message
    assert "exactly two keys" in nb11.q1.check(lambda i, q: {**right(i, q), "model": "x"}).message
    assert "one user message" in nb11.q1.check(lambda i, q: {"custom_id": i, "body": {"messages": [q], "max_tokens": 8}}).message
    assert "custom_id should be" in nb11.q1.check(lambda i, q: right(0, q)).message
    assert "a dict" in nb11.q1.check(lambda i, q: json.dumps(right(i, q))).message


def test_nb11_flagged_categories():
    right = sorted(c for c, s in nb11.SCORES.items() if s >= nb11.THRESHOLDS.get(c, nb11.DEFAULT_THRESHOLD))
    assert right == ["pii", "violence_and_threats"]
    assert nb11.q2.check(right)
    assert "THRESHOLDS" in nb11.q2.check(["pii"]).message
    assert "health" in nb11.q2.check(right + ["health"]).message
    assert "list" in nb11.q2.check("pii").message


def test_nb11_batch_saving():
    from helpers.chat import load_prices

    prices = load_prices()
    one_by_one = prices[nb11.Q3_MODEL].cost(nb11.Q3_PROMPT, nb11.Q3_COMPLETION) * nb11.Q3_REQUESTS
    assert prices.batch_discount == 0.5
    assert nb11.q3.check(one_by_one * prices.batch_discount)
    assert "cost one by one" in nb11.q3.check(one_by_one).message
    assert "one request" in nb11.q3.check(one_by_one * prices.batch_discount / nb11.Q3_REQUESTS).message
    assert "number" in nb11.q3.check("half").message
