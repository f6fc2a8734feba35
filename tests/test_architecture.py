"""The layer rule of docs/architecture.md: inside helpers/, a module imports its own layer or a lower one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"

# Top-level names under helpers/ (a subpackage counts as one name), lowest layer first.
LAYERS = [
    "paths errors hardware model_files",
    "engine",
    "backend_registry settings catalog backends ollama_backend ollama_pull_create ollama_inspect __init__",
    "tokens family sizing moe selector chat tools threatdb rag gguf_tools quantize_hf bench finetune vllm_server ocr moderation batch "
    "widgets report",
    "workshop assistant exercises __main__",
]
LAYER = {name: n for n, names in enumerate(LAYERS) for name in names.split()}


def upward_imports(path: Path, source: str) -> list[str]:
    """Every relative import in `source` (the file at `path` under helpers/) that points to a higher layer."""
    parts = path.relative_to(HELPERS).parts
    here = parts[0].removesuffix(".py")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ImportFrom) and node.level):
            continue
        if len(parts) > 1 and node.level == 1:  # `from .x import` inside a subpackage: its own modules
            continue
        targets = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
        found += [f"{path.relative_to(HELPERS)}: {here} (layer {LAYER[here]}) imports {t} (layer {LAYER[t]})"
                  for t in targets if LAYER[t] > LAYER[here]]
    return found


def helper_files() -> list[Path]:
    return sorted(HELPERS.rglob("*.py"))


def test_every_top_level_name_has_a_layer():
    names = {p.relative_to(HELPERS).parts[0].removesuffix(".py") for p in helper_files()}
    assert names - set(LAYER) == set(), "add the new module or package to a layer here and in docs/architecture.md"
    assert set(LAYER) - names == set(), "a layer names a module that no longer exists"


def test_no_module_imports_a_higher_layer():
    bad = [line for p in helper_files() for line in upward_imports(p, p.read_text(encoding="utf-8"))]
    assert bad == []


@pytest.mark.parametrize("where, statement", [
    ("engine/serving.py", "from ..backends import connect"),          # the server process reaching the switch
    ("backends.py", "from .workshop import book"),                     # the switch reaching workshop tooling
    ("engine/chat_format.py", "from ..tokens import encode_chat"),     # the engine reaching a lesson's module
])
def test_the_check_finds_a_planted_upward_import(where, statement):
    path = HELPERS / where
    assert upward_imports(path, path.read_text(encoding="utf-8")) == []
    assert len(upward_imports(path, path.read_text(encoding="utf-8") + "\n" + statement + "\n")) == 1


SERVER_ONLY = ("endpoint", "endpoint_app", "endpoint_checks", "endpoint_models", "endpoint_guard", "ollama_api",
               "ollama_models", "ollama_convert", "tool_grammar", "chat_handlers")


def test_server_only_modules_are_reached_over_http():
    """Outside engine/, nothing imports the endpoint's own modules: the kernel talks to the server over HTTP."""
    bad = []
    for path in helper_files():
        if path.relative_to(HELPERS).parts[0] == "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = node.module.split(".")
                named = module[-1:] if module[-1] in SERVER_ONLY else [a.name for a in node.names if module[-1] == "engine"]
                bad += [f"{path.relative_to(HELPERS)} imports {m}" for m in named if m in SERVER_ONLY]
    assert bad == []
