"""Where the workbook keeps its data, caches and settings.

Everything has an environment override so that CI, a workshop room or a reader can move it.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def repo_root() -> Path | None:
    """The checkout the package was installed from (editable install), or None for a wheel install."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").exists() and (root / "data").is_dir() else None


def data_dir() -> Path:
    """The workbook's `data/` folder (catalogs, name maps, documents)."""
    env = os.environ.get("WORKBOOK_DATA")
    if env:
        return Path(env)
    root = repo_root()
    if root is not None:
        return root / "data"
    return PACKAGE_DIR / "data"  # wheel installs ship a copy


def cache_dir() -> Path:
    """The ignored folder the embedded models are prepared into (`WORKBOOK_CACHE` overrides)."""
    env = os.environ.get("WORKBOOK_CACHE")
    if env:
        path = Path(env)
    elif (root := repo_root()) is not None:
        path = root / ".cache" / "models"
    else:
        path = Path.home() / ".cache" / "mistral-workbook" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """Where the embedded endpoint keeps what outlives one process: uploaded files, batch jobs, conversations
    (`WORKBOOK_STATE` overrides). Restarting a notebook's kernel restarts its endpoint; this folder stays."""
    env = os.environ.get("WORKBOOK_STATE")
    if env:
        path = Path(env)
    elif (root := repo_root()) is not None:
        path = root / ".workbook" / "endpoint-state"
    else:
        path = Path.home() / ".local" / "share" / "mistral-workbook" / "endpoint-state"
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    """The reader's saved choices from notebook 00 (`WORKBOOK_SETTINGS` overrides)."""
    env = os.environ.get("WORKBOOK_SETTINGS")
    if env:
        return Path(env)
    root = repo_root()
    base = root / ".workbook" if root is not None else Path.home() / ".config" / "mistral-workbook"
    return base / "settings.json"
