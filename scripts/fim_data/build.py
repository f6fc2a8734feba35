"""Build the fill-in-the-middle data (`data/fim/train.jsonl`, `data/fim/heldout.jsonl`) from the functions here.

`train_functions.py` and `heldout_functions.py` hold short Python functions written for the workbook
(CC0-1.0), each with its tests in `TESTS`. This script checks that every function passes its tests,
drops any training function that shares a name or a long token span with a held-out one, and cuts the
functions into (prompt, middle, suffix) examples:

* training: seeded cuts of several shapes (a body line, the rest of a line, a few lines, the whole body,
  a completion with no suffix), some with a neighbouring function or a call around them;
* held-out: every body line of every held-out function (not the docstring), with the function's tests:
  the filled program must pass them.

Run: `python scripts/fim_data/build.py` (`make fim-data`).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "data" / "fim"
SEED = 20261203
SPAN = 12  # held-out and training functions may not share a run of this many code tokens


def load(name: str) -> tuple[str, list[dict[str, Any]]]:
    """(import header, functions) of one source module: each function's name, source, docstring lines, tests."""
    path = HERE / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    header = "".join(ast.get_source_segment(text, node) + "\n" for node in tree.body
                     if isinstance(node, (ast.Import, ast.ImportFrom)))
    functions = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        source = ast.get_source_segment(text, node)
        doc = node.body[0] if isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None),
                                                                              ast.Constant) else None
        doc_lines = set(range(doc.lineno - node.lineno, doc.end_lineno - node.lineno + 1)) if doc else set()
        tests = module.TESTS.get(node.name)
        if not tests:
            raise SystemExit(f"{name}.py: {node.name} has no tests in TESTS")
        functions.append({"name": node.name, "source": source, "doc_lines": doc_lines, "tests": tests})
    missing = set(module.TESTS) - {f["name"] for f in functions}
    if missing:
        raise SystemExit(f"{name}.py: TESTS names functions that do not exist: {sorted(missing)}")
    return header, functions


def check_tests(header: str, fn: dict[str, Any]) -> None:
    namespace: dict[str, Any] = {}
    exec(header + fn["source"], namespace)
    for line in fn["tests"]:
        exec(line, namespace)


def code_tokens(source: str) -> list[str]:
    """The function body's code tokens, names kept, for the span comparison (the `def` line and docstring dropped)."""
    body = "\n".join(source.splitlines()[1:])
    body = re.sub(r'""".*?"""', " ", body, flags=re.S)
    return re.findall(r"[A-Za-z_]\w*|\d+|\S", body)


def shared_span(a: list[str], b_grams: set[tuple[str, ...]], n: int = SPAN) -> tuple[str, ...] | None:
    for i in range(len(a) - n + 1):
        if tuple(a[i:i + n]) in b_grams:
            return tuple(a[i:i + n])
    return None


def grams(tokens: list[str], n: int = SPAN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def body_lines(fn: dict[str, Any]) -> list[int]:
    """Indices (within the function's lines) of the body lines a FIM case may leave out: code, not the docstring."""
    lines = fn["source"].splitlines()
    return [i for i in range(1, len(lines)) if i not in fn["doc_lines"] and lines[i].strip()
            and not lines[i].strip().startswith("#")]


def cut(before: str, lines: list[str], first: int, last: int, start_col: int | None = None,
        after: str = "") -> dict[str, str]:
    """A FIM example leaving out lines[first..last] (from `start_col` of the first; by default after its indent)."""
    col = start_col if start_col is not None else len(lines[first]) - len(lines[first].lstrip())
    prompt = before + "".join(line + "\n" for line in lines[:first]) + lines[first][:col]
    middle = "\n".join([lines[first][col:]] + lines[first + 1:last + 1])
    rest = lines[last + 1:]
    suffix = ("\n" + "\n".join(rest) if rest else "") + after
    return {"prompt": prompt, "middle": middle, "suffix": suffix}


def training_cases(header: str, functions: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for k, fn in enumerate(functions):
        lines = fn["source"].splitlines()
        body = body_lines(fn)
        if not body:
            continue
        neighbour = functions[(k + 1) % len(functions)]["source"]
        call = fn["tests"][0].removeprefix("assert ").split(" == ")[0]
        contexts = ["", "\n\n\n" + neighbour, f"\n\n\nprint({call})", "\n"]

        def before(previous: str = functions[k - 1]["source"]) -> str:
            """What comes before the function: the module's imports, the previous function, or nothing."""
            roll = rng.random()
            return header + "\n\n" if roll < 0.4 and header else (previous + "\n\n\n" if roll < 0.6 else "")

        shapes = []
        i = rng.choice(body)
        shapes.append({"shape": "line", **cut(before(), lines, i, i, after=rng.choice(contexts))})
        j = rng.choice(body)
        text = lines[j]
        cuts = [m.end() for m in re.finditer(r"(return |= |\(|, | if | for | in |\+ |\* )", text)]
        if cuts:  # the rest of a line, from a natural stopping point
            shapes.append({"shape": "rest of line",
                           **cut(before(), lines, j, j, start_col=rng.choice(cuts), after=rng.choice(contexts))})
        if len(body) >= 2:  # two or three lines in a row
            a = rng.randrange(len(body) - 1)
            b = min(len(body) - 1, a + rng.choice((1, 2)))
            if body[b] - body[a] == b - a:
                shapes.append({"shape": "lines", **cut(before(), lines, body[a], body[b], after=rng.choice(contexts))})
        if rng.random() < 0.5:  # the whole body after the signature (and docstring)
            shapes.append({"shape": "body", **cut(before(), lines, body[0], len(lines) - 1, after=rng.choice(contexts))})
        else:  # completion: no suffix at all
            m = rng.choice(body)
            shapes.append({"shape": "completion", **cut(before(), lines, m, len(lines) - 1)})
        for n, shape in enumerate(shapes):
            if shape["middle"].strip():
                cases.append({"id": f"t-{fn['name']}-{n}", "function": fn["name"], **shape})
    return cases


def heldout_cases(header: str, functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cases = []
    for fn in functions:
        lines = fn["source"].splitlines()
        test = "def check(candidate):\n" + "".join(f"    {t}\n" for t in fn["tests"])
        for i in body_lines(fn):
            shape = cut(header + "\n\n" if header else "", lines, i, i, after="\n")
            cases.append({"id": f"h-{fn['name']}-{i}", "function": fn["name"], "shape": "line", **shape, "test": test,
                          "entry_point": fn["name"]})
    return cases


def main(out: Path = OUT) -> None:
    train_header, train = load("train_functions")
    held_header, held = load("heldout_functions")
    for header, fns in ((train_header, train), (held_header, held)):
        for fn in fns:
            check_tests(header, fn)
    held_names = {f["name"] for f in held}
    held_grams: set[tuple[str, ...]] = set()
    for fn in held:
        held_grams |= grams(code_tokens(fn["source"]))
    kept = []
    for fn in train:
        if fn["name"] in held_names:
            print(f"dropped {fn['name']}: a held-out function has its name")
        elif span := shared_span(code_tokens(fn["source"]), held_grams):
            print(f"dropped {fn['name']}: shares {' '.join(span)!r} with a held-out function")
        else:
            kept.append(fn)
    rng = random.Random(SEED)
    train_cases = training_cases(train_header, kept, rng)
    rng.shuffle(train_cases)
    held_cases = heldout_cases(held_header, held)
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.jsonl", train_cases), ("heldout.jsonl", held_cases)):
        (out / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(kept)} training functions ({len(train) - len(kept)} dropped) -> {len(train_cases)} examples; "
          f"{len(held)} held-out functions -> {len(held_cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
