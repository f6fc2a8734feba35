"""Model names across backends, kept as data in `data/model_names.csv`.

One logical name (La Plateforme's id, e.g. `mistral-small-latest`) maps to the name each backend
uses: an Ollama tag (`mistral`), a Hugging Face repo id served by vLLM
(`mistralai/Mistral-7B-Instruct-v0.3`) and the embedded stand-in's alias.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from . import backend_registry
from .paths import data_dir

BACKEND_COLUMNS = backend_registry.names()  # the backends the map names models for, each from its spec's `column`


@dataclass(frozen=True)
class ModelName:
    logical: str
    kind: str  # "chat" or "embeddings"
    names: dict[str, str]  # backend -> that backend's name ("" when it has none)
    note: str


def model_names() -> tuple[ModelName, ...]:
    """Every row of the name map."""
    return _read_names(tuple((s.name, s.column) for s in backend_registry.specs()))


@cache
def _read_names(columns: tuple[tuple[str, str], ...]) -> tuple[ModelName, ...]:
    with (data_dir() / "model_names.csv").open(newline="") as f:
        return tuple(
            ModelName(row["logical"], row["kind"], {b: row[column] for b, column in columns}, row["note"])
            for row in csv.DictReader(f)
        )


def logical_names(kind: str | None = None) -> list[str]:
    return [m.logical for m in model_names() if kind is None or m.kind == kind]


def find(name: str) -> ModelName | None:
    """The row whose logical name, or any backend's name, is `name` (the first such row: most specific first)."""
    for row in model_names():
        if name == row.logical:
            return row
    for row in model_names():  # a name that serves every row (the stand-in's alias) identifies none of them
        if name in (row.names[s.name] for s in backend_registry.specs() if s.names_identify_rows):
            return row
    return None


def resolve(name: str, backend: str) -> str:
    """The name `backend` uses for `name` (a logical name or any backend's name).

    Names the map does not know are passed through unchanged, so a reader can use any model their
    backend serves; the backend's own model list then decides whether it exists.
    """
    backends = backend_registry.names()
    if backend not in backends:
        raise ValueError(f"Unknown backend {backend!r}; choose one of: {', '.join(backends)}")
    if any(row.names[backend] == name for row in model_names()):
        return name  # already this backend's own name
    row = find(name)
    if row is None:
        return name
    native = row.names[backend]
    if not native:
        have = [b for b in backends if row.names[b]]
        raise LookupError(f"{row.logical} has no equivalent on the {backend} backend ({row.note}). It exists on: {', '.join(have)}.")
    return native


def default_embedding_model(backend: str) -> str | None:
    """The embedding model name for a backend, or None when it has none."""
    for row in model_names():
        if row.kind == "embeddings" and row.names[backend]:
            return row.names[backend]
    return None
