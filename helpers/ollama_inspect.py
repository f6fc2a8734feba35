"""Looking at what an Ollama call sends and returns, as notebook 05 does: streams, listings, schemas, latency.

    from helpers.ollama_inspect import collect_stream, measure_latency   # also from helpers.ollama_backend
    collected = collect_stream(bk.client.chat(model=bk.chat_model, messages=[...], stream=True))

A stream folded back into one answer, the embedding width from `client.show(...)`, the tool schema the `ollama`
client builds from a Python function, a latency measurement from the server's own counters, and `client.list()`
as a table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Collected:
    """A stream folded back into one answer."""

    text: str
    chunks: int  # chunks that carried text
    last: Any  # the final (done=True) chunk, with the statistics


def collect_stream(parts: Iterable[Any], *, echo: Callable[[str], None] | None = None) -> Collected:
    """Join a streamed chat or generate response; count the chunks that carried text."""
    pieces, last = [], None
    for part in parts:
        message = getattr(part, "message", None)
        piece = (message.content if message is not None else getattr(part, "response", "")) or ""
        if piece:
            pieces.append(piece)
            if echo:
                echo(piece)
        last = part
    return Collected("".join(pieces), len(pieces), last)


def embedding_length(shown: Any) -> int | None:
    """The embedding width a model reports in `client.show(...).modelinfo` (`<architecture>.embedding_length`)."""
    info = dict(getattr(shown, "modelinfo", None) or {})
    arch = info.get("general.architecture")
    value = info.get(f"{arch}.embedding_length")
    return int(value) if value is not None else None


def tool_schema(function: Callable[..., Any]) -> dict[str, Any]:
    """The tool schema the `ollama` client builds from a Python function's signature and docstring."""
    try:
        from ollama._utils import convert_function_to_tool
    except ImportError as exc:  # a private helper of the client: say what to do if it moves
        raise ImportError("This ollama client version moved convert_function_to_tool; pass the function to "
                          "client.chat(tools=[...]) and read the request instead.") from exc
    return convert_function_to_tool(function).model_dump(exclude_none=True)


@dataclass
class Latency:
    """Wall-clock seconds per request, and generation speed from the server's own counters."""

    seconds: list[float]
    tokens_per_second: list[float]

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_tokens_per_second(self) -> float:
        return statistics.median(self.tokens_per_second) if self.tokens_per_second else 0.0

    def __str__(self) -> str:
        runs = ", ".join(f"{s:.2f}" for s in self.seconds)
        return (f"{len(self.seconds)} requests: median {self.median_s:.2f} s (each: {runs} s); "
                f"median generation speed {self.median_tokens_per_second:.1f} tokens/s")


def measure_latency(ask: Callable[[str], Any], prompts: list[str]) -> Latency:
    """Time `ask(prompt)` once per prompt; read eval_count/eval_duration from each Ollama response."""
    if not prompts:
        raise ValueError("Give at least one prompt to time; the median of 3 to 5 is a fair first look.")
    seconds, speeds = [], []
    for prompt in prompts:
        started = time.perf_counter()
        response = ask(prompt)
        seconds.append(time.perf_counter() - started)
        count, duration = getattr(response, "eval_count", None), getattr(response, "eval_duration", None)
        if count and duration:
            speeds.append(count / (duration / 1e9))
    return Latency(seconds, speeds)


def models_table(listing: Any):
    """`client.list()` as a table: name, size, digest, family, parameters, quantization."""
    import pandas as pd

    rows = [(m.model, f"{(m.size or 0) / 2**20:,.0f} MiB", (m.digest or "")[:12], m.details.family if m.details else "",
             m.details.parameter_size if m.details else "", m.details.quantization_level if m.details else "")
            for m in listing.models]
    return pd.DataFrame(rows, columns=["model", "size", "digest", "family", "parameters", "quantization"])
