"""Stale-API guard: no notebook or helper may use the removed v0 `mistralai` SDK or a retired model id.

What fails, in the code cells of `notebooks/*.ipynb` and in `helpers/**/*.py` (parsed, so prose,
comments and strings that merely *mention* these are fine):

* the v0 SDK's names: `MistralClient`, `MistralAsyncClient`, `ChatMessage` (imported or used), and
  the v0 modules `mistralai.models.chat_completion`, `mistralai.async_client`;
* the v0 call style on a `mistralai` client: `client.chat(...)`, `client.chat_stream(...)`,
  `client.embeddings(...)`, `client.list_models()` (1.x and later: `client.chat.complete(...)`, ...).
  A client is a name bound to `Mistral(...)`/`MistralClient(...)`, or `bk.client` of a
  `bk = helpers.connect(...)`: the `ollama` client's own `client.chat(...)` is not flagged;
* a retired model id from `data/retired_models.json` written as a literal where it would be sent:
  `model="..."`, a `"model": "..."` dict entry, or an assignment to a name containing "model".

A deliberate demonstration is allowed: code inside a `try:` whose handlers catch the failure it
shows, or a line ending in `# stale-api: ok (<why>)`.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import pytest

from helpers.paths import repo_root

ROOT = repo_root()
REMOVED_NAMES = {"MistralClient", "MistralAsyncClient", "ChatMessage"}
REMOVED_MODULES = ("mistralai.models.chat_completion", "mistralai.async_client")
V0_METHODS = {"chat", "chat_stream", "embeddings", "list_models"}
CLIENT_CLASSES = {"Mistral", "MistralClient", "MistralAsyncClient"}
ALLOW = "# stale-api: ok"


@cache
def retired_ids() -> dict[str, dict]:
    data = json.loads((ROOT / "data" / "retired_models.json").read_text())
    return {m["id"]: m for m in data["models"]}


@dataclass(frozen=True)
class Violation:
    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _call_name(node: ast.AST) -> str:
    return _dotted(node.func).rsplit(".", 1)[-1] if isinstance(node, ast.Call) else ""


class _Scanner(ast.NodeVisitor):
    def __init__(self, where: str, lines: list[str]):
        self.where, self.lines = where, lines
        self.found: list[Violation] = []
        self.clients: set[str] = set()  # names bound to a mistralai client
        self.backends: set[str] = set()  # names bound to helpers.connect(...)
        self.guarded = 0  # depth of try-blocks that catch what they demonstrate

    # -- bookkeeping of what names hold ------------------------------------------------------
    def collect_bindings(self, tree: ast.AST) -> None:
        for _ in range(2):  # twice: `bk = connect()` may come after `client = bk.client` in file order
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    name, value = node.targets[0].id, node.value
                    if _call_name(value) in CLIENT_CLASSES:
                        self.clients.add(name)
                    elif _call_name(value) == "connect" and _dotted(value.func) in ("connect", "helpers.connect",
                                                                                    "backends.connect"):
                        self.backends.add(name)
                    elif self._is_client(value):
                        self.clients.add(name)

    def _is_client(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.clients
        if isinstance(node, ast.Attribute) and node.attr == "client":
            return isinstance(node.value, ast.Name) and node.value.id in self.backends
        return _call_name(node) in CLIENT_CLASSES

    def flag(self, node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if self.guarded or ALLOW in text:
            return
        self.found.append(Violation(self.where, line, what))

    # -- rules ---------------------------------------------------------------------------------
    def visit_Try(self, node: ast.Try) -> None:
        demonstrates = bool(node.handlers)
        if demonstrates:
            self.guarded += 1
        for stmt in node.body:
            self.visit(stmt)
        if demonstrates:
            self.guarded -= 1
        for stmt in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(stmt)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.startswith(REMOVED_MODULES):
            self.flag(node, f"imports the removed v0 module {module}")
        elif module.split(".")[0] == "mistralai":
            for alias in node.names:
                if alias.name in REMOVED_NAMES:
                    self.flag(node, f"imports the v0 SDK's {alias.name} from {module} (1.x+: from mistralai.client import Mistral)")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith(REMOVED_MODULES):
                self.flag(node, f"imports the removed v0 module {alias.name}")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in REMOVED_NAMES and isinstance(node.ctx, ast.Load):
            self.flag(node, f"uses the v0 SDK's {node.id}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = _dotted(node)
        if dotted.startswith(REMOVED_MODULES) or (dotted.startswith("mistralai.") and node.attr in REMOVED_NAMES):
            self.flag(node, f"uses the v0 SDK's {dotted}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in V0_METHODS and self._is_client(func.value):
            self.flag(node, f"calls {_dotted(func)}(...), the v0 call style (1.x+: {_dotted(func)}.complete/.stream/.create)")
        for kw in node.keywords:
            if kw.arg == "model":
                self._check_model(kw.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value == "model" and value is not None:
                self._check_model(value)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and "model" in target.id.lower():
                self._check_model(node.value)
        self.generic_visit(node)

    def _check_model(self, value: ast.AST) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value in retired_ids():
            info = retired_ids()[value.value]
            self.flag(value, f"sends the retired model id {value.value!r} (retired {info['retired']}; "
                             f"use {info['replacement']})")


def scan_source(source: str, where: str) -> list[Violation]:
    """Violations in one Python source (a file, or a notebook's code cells joined)."""
    tree = ast.parse(source)
    scanner = _Scanner(where, source.splitlines())
    scanner.collect_bindings(tree)
    scanner.visit(tree)
    return scanner.found


def notebook_source(nb) -> str:
    """A notebook's code cells as one Python source (IPython magics and shell lines blanked)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in cell.source.splitlines()]
            cells.append("\n".join(lines))
    return "\n\n".join(cells)


def scan_notebook(path: Path) -> list[Violation]:
    nb = nbformat.read(path, as_version=4)
    return scan_source(notebook_source(nb), path.name)


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
HELPERS = sorted(p for p in (ROOT / "helpers").rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name[:2] for p in NOTEBOOKS])
def test_notebook_uses_no_removed_sdk_names_or_retired_models(path):
    found = scan_notebook(path)
    assert not found, "stale API in a notebook:\n" + "\n".join(map(str, found))


def test_helpers_use_no_removed_sdk_names_or_retired_models():
    found = [v for path in HELPERS for v in scan_source(path.read_text(), str(path.relative_to(ROOT)))]
    assert not found, "stale API in helpers:\n" + "\n".join(map(str, found))


def test_retired_models_file_is_complete():
    data = json.loads((ROOT / "data" / "retired_models.json").read_text())
    assert data["source"].startswith("https://") and data["models"]
    for m in data["models"]:
        assert {"id", "retired", "replacement"} <= m.keys(), m
        assert m["retired"][:2] == "20" and len(m["retired"]) == 10, m
    family = json.loads((ROOT / "data" / "mistral_family.json").read_text())["models"]
    # Every first-generation endpoint the family data calls retired is in the machine-readable list.
    for model in family:
        if "retired" in model.get("api_note", "") and model.get("api_id", "").startswith("open-"):
            assert model["api_id"] in retired_ids(), model["api_id"]



def test_model_map_sends_no_retired_id_to_la_plateforme():
    """`data/model_names.csv` is what `helpers.connect()` sends: its La Plateforme column must be current."""
    from helpers import catalog

    retired = retired_ids()
    stale = {row.logical: row.names["mistral"] for row in catalog.model_names() if row.names["mistral"] in retired}
    assert not stale, f"these logical names would send retired ids to La Plateforme: {stale}"
    for row in catalog.model_names():
        if row.logical in retired:  # a retired id kept as a lesson name maps to Mistral's named replacement
            assert catalog.resolve(row.logical, "mistral") in retired[row.logical]["replacement"]

# -- the guard itself, on planted violations -----------------------------------------------------

V0_NOTEBOOK = [
    "from mistralai.client import MistralClient\nfrom mistralai.models.chat_completion import ChatMessage",
    'client = MistralClient(api_key="x")\nreply = client.chat(model="mistral-small-latest", '
    'messages=[ChatMessage(role="user", content="hi")])',
]


def _nb(*sources: str, markdown: str = "") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    if markdown:
        nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_guard_flags_a_v0_notebook():
    found = scan_source(notebook_source(_nb(*V0_NOTEBOOK)), "v0.ipynb")
    text = "\n".join(map(str, found))
    assert "imports the v0 SDK's MistralClient" in text and "imports the removed v0 module" in text
    assert "calls client.chat(...)" in text and "uses the v0 SDK's ChatMessage" in text
    assert len(found) >= 5


@pytest.mark.parametrize("code", [
    'bk.client.chat.complete(model="open-mistral-7b", messages=m)',
    'request = {"model": "open-mixtral-8x22b", "messages": m}',
    'CHAT_MODEL = "codestral-2501"',
    'bk = helpers.connect()\nclient = bk.client\nclient.chat(model=bk.chat_model, messages=m)',
    'import mistralai.async_client',
    'import mistralai\nmistralai.models.chat_completion.ChatMessage(role="user", content="x")',
])
def test_guard_flags_planted_violations(code):
    assert scan_source(notebook_source(_nb("m = []", code)), "planted.ipynb")


@pytest.mark.parametrize("code", [
    # the 3.x SDK, the ollama client's own chat(), prose and teaching about retired ids
    'from mistralai.client import Mistral\nclient = Mistral(api_key="x")\nclient.chat.complete(model="mistral-small-latest", messages=[])',
    'from ollama import Client\nclient = Client(host="h")\nclient.chat(model="mistral", messages=[])',
    'bk = connect_ollama()\nclient = bk.client\nclient.chat(model=bk.chat_model, messages=[])',
    'print("open-mistral-7b was retired in 2025; MistralClient is the v0 SDK")',
    'retired = ["open-mistral-7b", "open-mixtral-8x7b"]',
    'try:\n    from mistralai import MistralClient\nexcept ImportError as exc:\n    print(exc)',
    'bk.client.chat.complete(model="open-mistral-7b", messages=[])  # stale-api: ok (shows the 404)',
])
def test_guard_allows_current_code_and_teaching(code):
    nb = _nb(code, markdown="`client.chat(model='open-mistral-7b')` was the v0 call; `MistralClient` is gone.")
    assert scan_source(notebook_source(nb), "fine.ipynb") == []


def test_guard_sees_a_violation_planted_in_a_real_notebook(tmp_path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('bk.client.chat.complete(model="open-mistral-7b", messages=[])'))
    path = tmp_path / NOTEBOOKS[0].name
    nbformat.write(nb, path)
    assert [v.what for v in scan_notebook(path)] == [
        "sends the retired model id 'open-mistral-7b' (retired 2025-03-30; use ministral-8b-latest)"]
    assert scan_notebook(NOTEBOOKS[0]) == []
