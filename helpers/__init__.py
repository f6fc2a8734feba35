"""Helpers for the Mistral Workbook notebooks.

Notebooks import from here; nothing starts a server or loads a model at import time.

    import helpers
    bk = helpers.connect()          # the backend switch: a ready mistralai client + model names
"""

from .backends import Backend, connect, detect
from .errors import (
    BackendUnreachable,
    ContextTooLong,
    InvalidKey,
    MissingKey,
    ModelNotFound,
    WorkbookError,
    friendly_errors,
)
from .serving import LocalEndpoint
from .settings import Settings, load_settings, save_settings

__all__ = [
    "Backend",
    "BackendUnreachable",
    "ContextTooLong",
    "InvalidKey",
    "LocalEndpoint",
    "MissingKey",
    "ModelNotFound",
    "Settings",
    "WorkbookError",
    "connect",
    "detect",
    "friendly_errors",
    "load_settings",
    "save_settings",
]
