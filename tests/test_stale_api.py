"""Stale-API guard: no notebook or helper may use the removed v0 `mistralai` SDK or a retired model id.

What fails, in the code cells of `notebooks/*.ipynb` and in `helpers/**/*.py` (parsed, so prose,
comments and strings that merely *mention* these are fine):

* the v0 SDK's names: `MistralClient`, `MistralAsyncClient`, `ChatMessage` (imported or used), and
  the v0 modules `mistralai.models.chat_completion`, `mistralai.async_client`;
* the v0 call style on a `mistralai` client: `client.chat(...)`, `client.chat_stream(...)`,
  `client.embeddings(...)`, `client.list_models()` (1.x and later: `client.chat.complete(...)`, ...).
  A client is a name bound to `Mistral(...)`/`MistralClient(...)`, or `bk.client` of a
  `bk = helpers.connect(...)`: the `ollama` client's own `client.chat(...)` is not flagged;
* a retired model id from `data/retired_models.json` (generated from Mistral's docs repository by
  `scripts/mistral_models.py`) written as a literal where it would be sent:
  `model="..."`, a `"model": "..."` dict entry, or an assignment to a name containing "model".

A deliberate demonstration is allowed: code inside a `try:` whose handlers catch the failure it
shows, or a line ending in `# stale-api: ok (<why>)`.

The data a reader's code sends or is told to send is checked too: no `-latest` alias in the data
files or helpers, no price row, no `mistral` column of the name map, no selector recommendation and
no "pin this id" advice in the family notes may name a retired id, and every price must cite the
model file and commit its figures came from. Each check is shown to catch an id planted in a copy.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
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


# -- the data a reader's code sends or is told to send ------------------------------------------
#
# Each check takes the data (so a test can plant a retired id in a copy) and returns what is wrong.

DATA = ROOT / "data"
LATEST = re.compile(r"(?<![a-z0-9.-])[a-z0-9][a-z0-9.-]*-latest(?![a-z0-9-])")
MIRROR = Path("/work/.mirror/mistralai+platform-docs-public/repo")


def _load(name: str, data_dir: Path = DATA) -> dict:
    return json.loads((data_dir / name).read_text())


def retired_latest_aliases(texts: dict[str, str], retired: dict[str, dict]) -> list[str]:
    """Every `-latest` alias written in these files that no longer answers (e.g. magistral-small-latest)."""
    return [f"{where}: {alias} (retired {retired[alias]['retired']}; use {retired[alias]['replacement']})"
            for where, text in texts.items() for alias in sorted(set(LATEST.findall(text))) if alias in retired]


def stale_price_rows(prices: dict, retired: dict[str, dict]) -> list[str]:
    """Price rows that sell a retired id, or say a retired id is behind them."""
    bad = []
    for row in prices["models"]:
        named = {row["model"], *re.findall(r"[a-z0-9][a-z0-9.-]+", row.get("points_to", ""))}
        bad += [f"{row['model']}: names the retired {i}" for i in sorted(named & retired.keys())]
    return bad


def prices_not_from_their_source(prices: dict, docs: dict) -> list[str]:
    """Prices whose cited source is not where their figures came from.

    The table cites the docs repository; each row names the model file and commit it was read from,
    and that file's pricing (as data/mistral_models.json recorded it) must give the row's figures
    for the row's id.
    """
    bad = []
    if not prices["source"].startswith("https://github.com/mistralai/platform-docs-public/tree/"):
        bad.append(f"the table cites {prices['source']}, but its figures come from the docs repository's model files")
    files = {m["source"]["path"]: m for m in docs["models"]}
    for row in prices["models"]:
        path, _, commit = row.get("source", "").partition("@")
        m = files.get(path)
        if m is None or not commit or not m["source"]["commit"].startswith(commit):
            bad.append(f"{row['model']}: cites {row.get('source')!r}, which is no model file read at that commit")
            continue
        price = m["price_per_million"]
        if row["model"] not in m["api_names"] or (row["input"], row["output"]) != (price["input"], price["output"] or 0.0):
            bad.append(f"{row['model']}: {row['input']}/{row['output']} is not what {path} says for it "
                       f"({price['input']}/{price['output']} for {', '.join(m['api_names'])})")
    return bad


def stale_name_map(rows: list[dict], retired: dict[str, dict]) -> list[str]:
    """Rows of model_names.csv whose `mistral` column (what connect() sends) is retired."""
    return [f"{r['logical']} -> {r['mistral']} (retired {retired[r['mistral']]['retired']})" for r in rows
            if r["mistral"] in retired]


def stale_recommendations(recommendations, retired: dict[str, dict]) -> list[str]:
    """Selector answers that tell the reader to call, or point them at, a retired id."""
    bad = []
    for r in recommendations:
        told = {r.api_id, *re.findall(r"[a-z0-9][a-z0-9.-]+", f"{r.tip} {r.api_option}")}
        bad += [f"{r.use_case} on {r.hardware}: {i}" for i in sorted(told & retired.keys())]
    return bad


def stale_pin_advice(family: dict, retired: dict[str, dict]) -> list[str]:
    """Family notes that tell readers to pin (or call) an id that no longer answers."""
    bad = []
    for m in family["models"]:
        for sentence in re.split(r"(?<=[a-z0-9)]\.)\s+(?=[A-Z])", m.get("api_note", "")):
            if re.search(r"\b(pin|call|use)\b", sentence, re.I) and "retired" not in sentence.lower():
                bad += [f"{m['key']}: {i!r} in {sentence!r}" for i in re.findall(r"[a-z0-9][a-z0-9.-]+", sentence)
                        if i in retired]
    return bad


def _texts(data_dir: Path = DATA) -> dict[str, str]:
    names = ["prices.json", "model_names.csv", "use_cases.json", "mistral_family.json"]
    texts = {n: (data_dir / n).read_text() for n in names}
    texts.update({str(p.relative_to(ROOT)): p.read_text() for p in HELPERS})
    return texts


def _name_rows(data_dir: Path = DATA) -> list[dict]:
    with (data_dir / "model_names.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _all_recommendations():
    from helpers.selector import recommend_mistral_model, use_cases

    return [recommend_mistral_model(c, hw, memory_gb=mem) for c in use_cases()
            for hw, mem in (("cpu", None), ("cpu", 4), ("apple-silicon", None), ("consumer-gpu", None), ("A100 80GB", None))]


def test_no_latest_alias_price_row_name_map_entry_or_recommendation_names_a_retired_id():
    retired = retired_ids()
    assert retired_latest_aliases(_texts(), retired) == []
    assert stale_price_rows(_load("prices.json"), retired) == []
    assert prices_not_from_their_source(_load("prices.json"), _load("mistral_models.json")) == []
    assert stale_name_map(_name_rows(), retired) == []
    assert stale_recommendations(_all_recommendations(), retired) == []
    assert stale_pin_advice(_load("mistral_family.json"), retired) == []


def test_each_check_catches_a_retired_id_planted_in_a_copy(tmp_path):
    retired = retired_ids()
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy, ignore=shutil.ignore_patterns("*.sqlite", "finetune", "assistant", "rag", "heldout",
                                                               "benchmarks", "calibration"))
    # a -latest alias that moved to retirement (Magistral's reasoning is reasoning_effort on current models now)
    cases = _load("use_cases.json", copy)
    cases["use_cases"]["analysis"]["api_model"] = "magistral-medium-latest"
    (copy / "use_cases.json").write_text(json.dumps(cases))
    assert retired_latest_aliases(_texts(copy), retired) == [
        "use_cases.json: magistral-medium-latest (retired 2026-07-31; use mistral-medium-latest)"]
    # a price row for a retired model, and one naming a retired id behind an alias
    prices = _load("prices.json", copy)
    prices["models"].append({**prices["models"][0], "model": "open-mistral-nemo"})
    prices["models"][1] = {**prices["models"][1], "points_to": "Mistral Medium 3 (mistral-medium-2508)"}
    assert stale_price_rows(prices, retired) == ["mistral-medium-latest: names the retired mistral-medium-2508",
                                                 "open-mistral-nemo: names the retired open-mistral-nemo"]
    # a price that cites a page its figures did not come from, and one whose figures its file does not give
    prices = _load("prices.json", copy)
    assert prices_not_from_their_source({**prices, "source": "https://mistral.ai/pricing#api-pricing"},
                                        _load("mistral_models.json", copy))[0].startswith("the table cites https://mistral.ai/pricing")
    prices["models"][0] = {**prices["models"][0], "input": 0.2}
    wrong = prices_not_from_their_source(prices, _load("mistral_models.json", copy))
    assert len(wrong) == 1 and wrong[0].startswith("mistral-small-latest: 0.2/0.6 is not what")
    prices["models"][0] = {**prices["models"][0], "input": 0.15, "source": "https://mistral.ai/pricing"}
    assert "no model file read at that commit" in prices_not_from_their_source(prices, _load("mistral_models.json", copy))[0]
    # the name map sending a retired id to La Plateforme
    rows = _name_rows(copy)
    rows[5] = {**rows[5], "mistral": "open-mistral-nemo"}
    assert stale_name_map(rows, retired) == ["open-mistral-nemo -> open-mistral-nemo (retired 2026-07-31)"]
    # a selector answer that tells the reader to call a retired id
    recs = _all_recommendations()[:3]
    planted = [recs[0], replace(recs[1], api_id="mistral-large-2411"), recs[2]]
    assert stale_recommendations(planted, retired) == [f"{recs[1].use_case} on {recs[1].hardware}: mistral-large-2411"]
    # a family note that tells readers to pin a retired id (the old Mistral Large advice)
    family = _load("mistral_family.json", copy)
    family["models"][3]["api_note"] += " Pin a dated id (e.g. mistral-large-2411) for reproducible results."
    assert stale_pin_advice(family, retired) == [
        "mistral-large: 'mistral-large-2411' in 'Pin a dated id (e.g. mistral-large-2411) for reproducible results.'"]


@pytest.mark.parametrize("model_id", ["open-mistral-nemo", "magistral-small-latest", "mistral-large-2411", "devstral-latest"])
def test_guard_flags_a_newly_retired_id_in_a_notebook_request(model_id):
    found = scan_source(notebook_source(_nb(f'bk.client.chat.complete(model="{model_id}", messages=[])')), "planted.ipynb")
    assert [v.what.split(" (")[0] for v in found] == [f"sends the retired model id {model_id!r}"]


def test_retired_list_covers_what_the_docs_repository_retired():
    data = _load("retired_models.json")
    assert data["as_of"] >= "2026-12-02" and "platform-docs-public" in data["source"]
    for m in data["models"]:
        assert m["source"].startswith("src/schema/models/models/") and "@" in m["source"], m
        assert m["status_in_docs"] == "Retired" or m["retired"] <= data["as_of"], m
    # first-generation endpoints: deprecated 2024-11-30 (not 2024-11-25), retired 2025-03-30
    for i in ("open-mistral-7b", "open-mixtral-8x7b", "open-mixtral-8x22b"):
        assert (retired_ids()[i]["deprecated"], retired_ids()[i]["retired"]) == ("2024-11-30", "2025-03-30")
    current = {i for m in _load("mistral_models.json")["models"] if not m["retired_on_as_of"] for i in m["api_names"]}
    assert not current & retired_ids().keys()  # an alias a current model lists is not retired
    assert {"mistral-small-latest", "mistral-medium-latest", "mistral-large-latest", "codestral-latest",
            "ministral-8b-latest", "mistral-embed", "mistral-moderation-2603"} <= current


@pytest.mark.skipif(not MIRROR.exists(), reason="no local clone of mistralai/platform-docs-public")
def test_generated_data_is_what_the_script_writes_from_the_docs_clone():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "mistral_models.py"), "--check", "--mirror", str(MIRROR)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
