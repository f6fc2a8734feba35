"""Every notebook's exercises: found in the notebook, answered correctly there, and tested here.

Each notebook has at least two exercises whose `check()` comes from `helpers.exercises.nbNN`. The committed
outputs show the reference answer passing (nbval re-executes them), and every exercise is exercised by the
tests with a right answer and a wrong one that must fail with a message that teaches.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import Exercise, nb00, nb01, nb06

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHECK = re.compile(r"\bnb(\d\d)\.(\w+)\.check\(")


def exercise_cells(path: Path) -> list[tuple[str, str, nbformat.NotebookNode]]:
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            found += [(number, name, cell) for number, name in CHECK.findall(cell.source)]
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


@pytest.mark.parametrize("number", sorted({p.name[:2] for p in NOTEBOOKS}))
def test_every_exercise_is_tested_with_a_right_and_a_wrong_answer(number):
    """A test file calls each exercise's check() at least twice (the reference answer, and a wrong one)."""
    sources = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py") if p.name != Path(__file__).name)
    sources += "\n" + Path(__file__).read_text().split("# -- per-exercise tests --")[-1]
    exercises = module_exercises(number)
    for exercise in {id(ex): ex for ex in exercises.values()}.values():
        names = [name for name, ex in exercises.items() if ex is exercise]  # an exercise may have two names
        calls = sum(len(re.findall(rf"\bnb{number}\.{name}\.check\(", sources)) for name in names)
        assert calls >= 2, f"nb{number}.{names[0]} is checked {calls} time(s) in tests/: add a right and a wrong answer"


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
