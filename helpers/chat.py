"""Chat requests beyond the first answer: what they cost, how fast they stream, and what goes wrong.

* prices: `load_prices()` reads La Plateforme's dated list prices from `data/prices.json`;
  `estimate_cost()` and `cost_table()` turn a response's token usage into dollars;
* streaming: `stream_with_stats()` consumes `client.chat.stream(...)` and returns the text with
  time to first token, chunk count and tokens per second;
* structured output: `json_schema_format()` turns a pydantic model into a `response_format`;
* errors: `context_limit()` and `oversized_prompt()` reproduce the context-length error on purpose
  (`helpers.friendly_errors(bk)`, in `errors.py`, turns the SDK's failures into WorkbookErrors whose
  message says what to do).

Nothing here starts a server or calls a model at import time.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import WorkbookError
from .paths import data_dir

if TYPE_CHECKING:
    from pydantic import BaseModel

PER_MILLION = 1_000_000


# --------------------------------------------------------------------------------------- prices
class UnknownPrice(WorkbookError, LookupError):
    """The price table has no entry for a model."""


@dataclass(frozen=True)
class Price:
    """One model's list price in US dollars per million tokens."""

    model: str
    points_to: str
    kind: str
    input: float
    output: float

    def cost(self, prompt_tokens: int, completion_tokens: int = 0) -> float:
        """Dollars for one request with these token counts."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / PER_MILLION


@dataclass(frozen=True)
class PriceTable:
    """La Plateforme's list prices on one date, with where they come from."""

    source: str
    as_of: str
    currency: str
    notes: tuple[str, ...]
    prices: dict[str, Price] = field(repr=False)
    batch_discount: float = 0.0  # the share of the list price the Batch API takes off (0.5: half price)
    batch_source: str = ""  # where that discount is stated

    def __getitem__(self, model: str) -> Price:
        if model not in self.prices:
            raise UnknownPrice(
                f"No La Plateforme price for {model!r} in data/prices.json (as of {self.as_of}). "
                f"Priced models: {', '.join(self.prices)}. A stand-in or self-hosted model has no per-token "
                f"price; pick one of these names to see what the same tokens would cost on La Plateforme."
            )
        return self.prices[model]

    def __contains__(self, model: object) -> bool:
        return model in self.prices

    def models(self, kind: str | None = None) -> list[str]:
        """Priced model names, optionally only one kind ("chat" or "embeddings")."""
        return [p.model for p in self.prices.values() if kind is None or p.kind == kind]

    def caption(self) -> str:
        """One line saying what the prices are, when they were read and where from."""
        return (f"La Plateforme list prices in {self.currency} per million tokens, as of {self.as_of} "
                f"(source: {self.source}). Prices change: re-check the source before you budget.")

    def table(self) -> pd.DataFrame:
        """The price list as a table (one row per model)."""
        rows = [(p.model, p.points_to, p.kind, p.input, p.output) for p in self.prices.values()]
        columns = ["model", "what it is", "kind", f"input {self.currency}/M", f"output {self.currency}/M"]
        return pd.DataFrame(rows, columns=columns).set_index("model")


@cache
def _load(path: str) -> PriceTable:
    raw = json.loads(Path(path).read_text())
    prices = {
        row["model"]: Price(row["model"], row.get("points_to", ""), row.get("kind", "chat"),
                            float(row["input"]), float(row.get("output") or 0.0))
        for row in raw["models"]
    }
    batch = raw.get("batch_discount") or {}
    return PriceTable(raw["source"], raw["as_of"], raw.get("currency", "USD"), tuple(raw.get("notes", [])), prices,
                      float(batch.get("fraction", 0.0)), batch.get("source", ""))


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The price table from `data/prices.json` (or another file of the same shape)."""
    return _load(str(path or data_dir() / "prices.json"))


def estimate_cost(prompt_tokens: int, completion_tokens: int, model: str,
                  prices: PriceTable | None = None) -> float:
    """What these token counts would cost on La Plateforme with `model`, in dollars."""
    return (prices or load_prices())[model].cost(prompt_tokens, completion_tokens)


def cost_table(prompt_tokens: int, completion_tokens: int, models: Iterable[str] | None = None, *,
               requests: int = 1000, prices: PriceTable | None = None) -> pd.DataFrame:
    """The same token counts priced on several La Plateforme models: per request and per `requests` requests."""
    prices = prices or load_prices()
    names = list(models) if models is not None else prices.models("chat")
    rows = []
    for name in names:
        price = prices[name]
        one = price.cost(prompt_tokens, completion_tokens)
        rows.append((name, price.input, price.output, one, one * requests))
    cur = prices.currency
    columns = ["model", f"input {cur}/M", f"output {cur}/M", f"this request ({cur})", f"{requests:,} requests ({cur})"]
    return pd.DataFrame(rows, columns=columns).set_index("model")


# ------------------------------------------------------------------------------------ streaming
@dataclass
class StreamStats:
    """A streamed answer and how it arrived.

    `tokens_per_s` is the generation rate after the first token: completion tokens divided by the
    time from the first text chunk to the end of the stream. The token count comes from the final
    chunk's `usage` when the server sends one (La Plateforme does), otherwise from the number of
    text chunks (one chunk is about one token on llama.cpp and vLLM).
    """

    text: str
    chunks: int
    events: int
    ttft_s: float | None
    total_s: float
    completion_tokens: int
    tokens_source: str
    finish_reason: str | None
    usage: Any = None
    arrivals: list[float] = field(default_factory=list, repr=False)

    @property
    def tokens_per_s(self) -> float | None:
        if self.ttft_s is None or self.completion_tokens == 0 or self.total_s <= self.ttft_s:
            return None
        return self.completion_tokens / (self.total_s - self.ttft_s)

    def summary(self) -> str:
        """One line: chunks, time to first token, tokens and tokens per second."""
        if self.ttft_s is None:
            return f"{self.events} events and no text (finish reason: {self.finish_reason})"
        rate = self.tokens_per_s
        counted = "from the final chunk's usage" if self.tokens_source == "usage" else "counted as text chunks"
        speed = f"{rate:.1f} tokens/s" if rate else "too short to time"
        return (f"{self.chunks} text chunks; first token after {self.ttft_s:.2f} s; {self.completion_tokens} "
                f"tokens ({counted}) in {self.total_s:.2f} s: {speed} after the first token")


def collect_stream(events: Iterable[Any], started: float, *, echo: bool = False,
                   clock: Callable[[], float] = time.perf_counter) -> StreamStats:
    """Read a `chat.stream` event iterator to the end, timing each text chunk from `started`."""
    pieces: list[str] = []
    arrivals: list[float] = []
    count = 0
    finish = None
    usage = None
    for event in events:
        count += 1
        data = getattr(event, "data", event)
        if getattr(data, "usage", None):
            usage = data.usage
        for choice in getattr(data, "choices", None) or []:
            content = getattr(choice.delta, "content", None)
            if isinstance(content, str) and content:
                arrivals.append(clock() - started)
                pieces.append(content)
                if echo:
                    print(content, end="", flush=True)
            if choice.finish_reason:
                finish = str(choice.finish_reason)
    total = clock() - started
    if echo:
        print()
    tokens = getattr(usage, "completion_tokens", None) if usage is not None else None
    return StreamStats(
        text="".join(pieces), chunks=len(pieces), events=count, ttft_s=arrivals[0] if arrivals else None,
        total_s=total, completion_tokens=tokens if tokens is not None else len(pieces),
        tokens_source="usage" if tokens is not None else "chunks", finish_reason=finish, usage=usage,
        arrivals=arrivals,
    )


def stream_with_stats(client: Any, model: str, messages: list[dict[str, Any]], *, echo: bool = False,
                      **kwargs: Any) -> StreamStats:
    """Stream a chat answer with `client.chat.stream(...)`; return its text and timings.

    `echo=True` prints the text as it arrives. Other keyword arguments go to `chat.stream`.
    """
    started = time.perf_counter()
    events = client.chat.stream(model=model, messages=messages, **kwargs)
    return collect_stream(events, started, echo=echo)


# ---------------------------------------------------------------------------- structured output
def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items()}
        if node.get("type") == "object":
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def json_schema_format(model_cls: type[BaseModel], *, name: str | None = None, strict: bool = True) -> dict[str, Any]:
    """A `response_format` asking for JSON that matches a pydantic model's schema.

    With `strict=True` every object in the schema gets `additionalProperties: false`, as strict
    structured output requires (the SDK's `client.chat.parse` does the same).
    """
    schema = copy.deepcopy(model_cls.model_json_schema())
    if strict:
        schema = _strict(schema)
    return {"type": "json_schema", "json_schema": {"name": name or model_cls.__name__, "schema": schema, "strict": strict}}


# ---------------------------------------------------------------------------------------- errors
def context_limit(client: Any, model: str) -> int | None:
    """The model's context window as the backend's model list states it, or None when it does not say."""
    try:
        cards = client.models.list().data or []
    except Exception:  # a backend whose model list the SDK cannot read (Ollama, some vLLM versions)
        return None
    for card in cards:
        if card.id == model or model in (getattr(card, "aliases", None) or []):
            limit = getattr(card, "max_context_length", None)
            return int(limit) if isinstance(limit, int) and limit > 0 else None
    return None


def oversized_prompt(limit: int, margin: int = 500) -> str:
    """A prompt longer than `limit` tokens (about `limit + margin` tokens for common tokenizers)."""
    if limit <= 0:
        raise ValueError(f"limit must be a positive number of tokens, not {limit}")
    return "alpha " * (limit + margin)
