"""llama.cpp through llama-cpp-python: its logs, a quiet `Llama`, and batch decoding with every logit."""

from __future__ import annotations

import contextlib
import ctypes
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np


# ------------------------------------------------------------------------------------ llama.cpp logs
@contextlib.contextmanager
def quiet_llama(on_line: Callable[[str], None] | None = None) -> Iterator[list[str]]:
    """Route llama.cpp's log lines to a list (and `on_line`) instead of stderr, then restore its logger."""
    import llama_cpp
    from llama_cpp import _logger

    lines: list[str] = []
    buffer = [""]

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        buffer[0] += text.decode("utf-8", errors="replace")
        while "\n" in buffer[0]:
            line, buffer[0] = buffer[0].split("\n", 1)
            lines.append(line)
            if on_line is not None:
                on_line(line)

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    try:
        yield lines
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


@contextlib.contextmanager
def llama_model(path: Path, *, n_ctx: int = 2048, n_batch: int = 128, n_threads: int = 1) -> Iterator[Any]:
    """A llama-cpp-python `Llama` on `path` with quiet logs, closed on exit."""
    from llama_cpp import Llama

    with quiet_llama():
        llm = Llama(str(path), n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch, n_threads=n_threads,
                    n_threads_batch=n_threads, verbose=False)
        try:
            yield llm
        finally:
            llm.close()


class _Batch:
    def __init__(self, size: int):
        import llama_cpp

        self._lib = llama_cpp
        self.size = size
        self.batch = llama_cpp.llama_batch_init(size, 0, 1)

    def fill(self, tokens: Sequence[int], start: int, all_logits: bool) -> None:
        b = self.batch
        b.n_tokens = len(tokens)
        for i, tok in enumerate(tokens):
            b.token[i] = tok
            b.pos[i] = start + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = 0
            b.logits[i] = 1 if all_logits or i == len(tokens) - 1 else 0

    def close(self) -> None:
        self._lib.llama_batch_free(self.batch)


def _decode(llm: Any, batch: _Batch) -> None:
    import llama_cpp

    rc = llama_cpp.llama_decode(llm.ctx, batch.batch)
    if rc != 0:
        raise RuntimeError(f"llama_decode returned {rc}; the context is too small for these tokens (raise n_ctx).")


def _clear(llm: Any) -> None:
    import llama_cpp

    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)


def _decode_all(llm: Any, tokens: list[int], n_batch: int = 128,
                on_chunk: Callable[[np.ndarray, int], None] | None = None) -> tuple[np.ndarray | None, float]:
    """Decode `tokens` in chunks with logits for every position; returns (logits or None, seconds in decode)."""
    import llama_cpp

    _clear(llm)
    n_vocab = llm.n_vocab()
    batch = _Batch(n_batch)
    kept: list[np.ndarray] = []
    spent = 0.0
    try:
        for start in range(0, len(tokens), n_batch):
            chunk = tokens[start:start + n_batch]
            batch.fill(chunk, start, all_logits=True)
            t0 = time.perf_counter()
            _decode(llm, batch)
            spent += time.perf_counter() - t0
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits(llm.ctx), shape=(len(chunk), n_vocab))
            if on_chunk is None:
                kept.append(logits.copy())
            else:
                on_chunk(logits, start)
    finally:
        batch.close()
    return (np.concatenate(kept) if kept else None), spent
