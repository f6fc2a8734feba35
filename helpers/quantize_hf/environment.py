"""The environment the libraries need: gptqmodel's import, and their console output captured or silenced."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# --- environment -----------------------------------------------------------------------------------

class _NoHubKernelHint(logging.Filter):
    """Drops bitsandbytes' import-time hint to `pip install kernels` on CPUs with AVX512-BF16.

    That optional kernel is downloaded from the Hugging Face Hub when first used, which an offline
    machine cannot do; bitsandbytes then uses its own CPU kernels, as it does on every other CPU.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to load CPU gemm_4bit_forward from kernels-community")


# Installed before bitsandbytes is imported (peft and transformers import it): the logger is the one it uses.
logging.getLogger("bitsandbytes.backends.cpu.ops").addFilter(_NoHubKernelHint())


def import_gptqmodel() -> Any:
    """Import gptqmodel with the environment it needs on a small CPU, protecting the reader's HF cache.

    gptqmodel's tokenizer helper sets HF_HOME to a temporary folder when none is set; pinning the
    standard locations first keeps the reader's Hugging Face cache where it was.
    """
    from huggingface_hub import constants

    os.environ.setdefault("HF_HOME", constants.HF_HOME)
    os.environ.setdefault("HF_HUB_CACHE", constants.HF_HUB_CACHE)
    os.environ.setdefault("HF_MODULES_CACHE", os.path.join(constants.HF_HOME, "modules"))
    # On 2 cores gptqmodel defaults to 1 CPU worker, and loading then fails with "Virtual pool
    # 'model_loader:cpu' requests 2 workers but parent 'cpu' only has 1".
    os.environ.setdefault("GPTQMODEL_CPU_WORKERS", str(max(2, ((os.cpu_count() or 1) + 1) // 2)))
    os.environ.setdefault("LOGBAR_DISABLE_NOTEBOOK_DETECTION", "1")  # plain text logs, which we capture
    try:
        with _captured(None):  # its import prints a banner and probes optional kernels
            import gptqmodel
    except ImportError as exc:  # pragma: no cover - the workbook's requirements install it
        raise ImportError("gptqmodel is not installed: `pip install gptqmodel==7.6.0` (CPU needs g++ and ninja).") from exc
    return gptqmodel


class _Sink:
    """A write-only stream for captured output; once finished it drops writes instead of raising.

    Libraries sometimes create logging handlers while their output is captured; those handlers keep
    this object, so it must stay writable after the capture ends.
    """

    def __init__(self, path: Path | None):
        self._file = path.open("a", encoding="utf-8") if path else None

    def write(self, text: str) -> int:
        if self._file is not None:
            self._file.write(text)
        return len(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def isatty(self) -> bool:
        return False

    def finish(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


@contextlib.contextmanager
def _captured(log_path: Path | None) -> Iterator[None]:
    """Send a library's console chatter (progress redraws, INFO tables, warnings) to a log file, or nowhere."""
    sink = _Sink(log_path)
    previous = logging.root.manager.disable
    try:
        logging.disable(logging.WARNING)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        logging.disable(previous)
        sink.finish()


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No per-tensor progress bars or load reports from transformers while the helper loads models."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(level)


@contextlib.contextmanager
def _bnb_quiet() -> Iterator[None]:
    """Silence bitsandbytes' int8 warning, which repeats on every layer of every forward pass."""
    chatty = logging.getLogger("bitsandbytes")
    level = chatty.level
    chatty.setLevel(logging.ERROR)
    try:
        yield
    finally:
        chatty.setLevel(level)
