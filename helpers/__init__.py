"""Helpers for the Mistral Workbook notebooks.

Notebooks import from here; nothing starts a server or loads a model at import time.

    import helpers
    bk = helpers.connect()          # the backend switch: a ready mistralai client + model names
"""

import logging as _logging

# torchao (a dependency of gptqmodel) logs warnings about GPU kernels a CPU cannot load the first time
# transformers builds a model; they say nothing to a reader and would break nbval's output comparison.
for _name in ("torchao", "torch.utils._pytree"):
    _logging.getLogger(_name).setLevel(_logging.ERROR)

from .backends import Backend, connect, detect  # noqa: E402
from .engine.serving import LocalEndpoint  # noqa: E402
from .errors import (  # noqa: E402
    BackendLacks,
    BackendUnreachable,
    ContextTooLong,
    InvalidKey,
    MissingKey,
    ModelNotFound,
    WorkbookError,
    friendly_errors,
)
from .settings import Settings, load_settings, save_settings  # noqa: E402

__all__ = [
    "Backend",
    "BackendLacks",
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
