"""Notebook 05's side of Ollama: find a daemon or start the stand-in, and the small tools around it.

    from helpers.ollama_backend import connect_ollama
    bk = connect_ollama()          # a real Ollama daemon when one answers, else the workbook's stand-in
    bk.client.chat(model=bk.chat_model, messages=[...])

The stand-in is the embedded endpoint, which also speaks Ollama's REST API under `/api`
(`helpers.engine.ollama_api`); the banner says which one answers. Besides the switch: a pull with a
progress bar, Modelfile text <-> `client.create(...)` arguments, stream collection, a latency
measurement, and the schema the `ollama` client builds from a Python function.
"""

from __future__ import annotations

import re
import shlex
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import httpx

from . import catalog
from .backends import ollama_host, shared_endpoint
from .engine.embedded import embedded_model_info
from .engine.serving import LocalEndpoint
from .settings import load_settings

STANDIN_MARK = "standin"
# The three Ollama tags the lesson uses, as logical names in data/model_names.csv.
LESSON_MODELS = ("open-mistral-7b", "open-mixtral-8x7b", "codestral-latest")


def daemon_version(host: str, timeout: float = 0.5) -> str | None:
    """The version string of whatever answers Ollama's `/api/version` at `host`, or None."""
    try:
        response = httpx.get(host.rstrip("/") + "/api/version", timeout=timeout)
        return str(response.json()["version"]) if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def plan(backend_choice: str, version: str | None, host: str) -> tuple[str, str]:
    """Decide what answers the lesson: ("daemon" | "standin-at-host" | "start-standin", why).

    A real daemon wins unless the workbook's backend is pinned to `embedded` (as CI does);
    a stand-in already listening at OLLAMA_HOST (`make serve-ollama`) is used as it is.
    """
    if backend_choice == "embedded":
        return "start-standin", ("the workbook's backend is set to `embedded` (WORKBOOK_BACKEND or notebook 00), "
                                 "so the offline stand-in answers")
    if version is None:
        return "start-standin", f"no Ollama daemon answers at {host}, so the offline stand-in answers"
    if STANDIN_MARK in version:
        return "standin-at-host", f"the workbook's stand-in already answers at {host} (`make serve-ollama`)"
    return "daemon", f"an Ollama daemon (version {version}) answers at {host}"


def base_tag(name: str) -> str:
    """`mistral:latest` -> `mistral`; other tags are kept (`mixtral:8x22b`)."""
    return name[: -len(":latest")] if name.endswith(":latest") else name


def daemon_name(requested: str) -> str:
    """The Ollama tag for a workbook model name (`mistral-small-latest` -> `mistral`); `mistral` when it has none."""
    try:
        name = catalog.resolve(requested, "ollama")
    except LookupError:
        name = ""
    if not name or name in embedded_model_info():
        name = catalog.resolve(LESSON_MODELS[0], "ollama")
    return name


@dataclass
class OllamaSession:
    """A ready `ollama.Client` with the names to use, on a real daemon or on the stand-in."""

    host: str
    client: Any
    standin: bool
    chat_model: str
    embed_model: str
    requested: str
    version: str
    reason: str
    server: LocalEndpoint | None = field(repr=False, default=None)

    @property
    def label(self) -> str:
        if self.standin:
            return "the workbook's Ollama stand-in (embedded endpoint, not an Ollama daemon)"
        return f"Ollama {self.version}"

    def describe_model(self, model: str) -> str:
        """The model name, marked as a stand-in when it is one."""
        model = base_tag(model)
        info = embedded_model_info().get(model)
        if self.standin and info:
            return f"{model} - a STAND-IN ({info['description']}), not a Mistral model"
        return model

    def banner(self) -> str:
        lines = [f"Ollama API: {self.label} at {self.host}", f"  why: {self.reason}",
                 f"  chat model: {self.describe_model(self.chat_model)}"]
        if self.standin:
            lines[-1] += f" | a real daemon would serve `{daemon_name(self.requested)}`"
        lines.append(f"  embeddings model: {self.describe_model(self.embed_model)}")
        return "\n".join(lines)

    def answered_by(self, response: Any) -> str:
        """One line naming the server and the model that produced `response` (ollama or openai)."""
        model = getattr(response, "model", None) or self.chat_model
        return f"Answered by {self.label}, model {self.describe_model(model)}"

    def pulled(self) -> list[str]:
        """The model names the server lists right now (`ollama list`), without `:latest`."""
        return [base_tag(m.model or "") for m in self.client.list().models]

    def lesson_tags(self) -> list[str]:
        """The Ollama tags this lesson is about (`mistral`, `mixtral`, `codestral`), from data/model_names.csv."""
        return [catalog.resolve(name, "ollama") for name in LESSON_MODELS]

    def model_for(self, tag: str) -> str:
        """The model to call for an Ollama tag: the tag when it is pulled here, else the chat model (said so)."""
        tag = catalog.resolve(tag, "ollama")
        if base_tag(tag) in self.pulled():
            return tag
        where = "the stand-in serves no Mistral model" if self.standin else f"`{tag}` is not pulled on this daemon"
        print(f"{tag}: {where}; these cells use {base_tag(self.chat_model)} instead "
              f"(on a real daemon: `ollama pull {tag}`).")
        return self.chat_model

    def missing_tag(self) -> str:
        """A real Ollama tag that is not pulled here (for the 'model not found' lesson)."""
        here = set(self.pulled())
        candidates = [*self.lesson_tags()[1:], "mixtral:8x22b", "mistral-large"]
        return next((t for t in candidates if base_tag(t) not in here), "mistral:7b-instruct-v0.3-never-pulled")

    def tag_table(self):
        """The lesson's three tags: what each is, whether it is pulled here, and which model answers for it."""
        import pandas as pd

        here = set(self.pulled())
        rows = []
        for logical in LESSON_MODELS:
            tag = catalog.resolve(logical, "ollama")
            row = catalog.find(logical)
            present = base_tag(tag) in here
            rows.append((tag, row.note if row else "", f"ollama pull {tag}", "yes" if present else "no",
                         tag if present else base_tag(self.chat_model)))
        return pd.DataFrame(rows, columns=["Ollama tag", "what it is", "CLI", "pulled here", "answers in this notebook"])

    def async_client(self):
        """An `ollama.AsyncClient` for the same server."""
        import ollama

        return ollama.AsyncClient(host=self.host)

    def openai(self):
        """An `openai.OpenAI` client on the server's OpenAI-compatible API (`host + "/v1"`)."""
        from openai import OpenAI

        return OpenAI(base_url=self.host + "/v1", api_key="ollama")  # Ollama ignores the key; the client wants one

    def close(self) -> None:
        """Stop the stand-in if this session started it (a daemon or `make serve-ollama` is left running)."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> OllamaSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pick_embed_model(client: Any, chat_model: str) -> str:
    """On a real daemon: the first pulled model that says it embeds, else the chat model."""
    for m in client.list().models[:20]:
        try:
            if "embedding" in (client.show(m.model).capabilities or []):
                return base_tag(m.model)
        except Exception:  # a model the daemon cannot describe is simply skipped
            continue
    return chat_model


def connect_ollama(model: str | None = None, *, backend: str | None = None, quiet: bool = False,
                   timeout: float = 0.5) -> OllamaSession:
    """A ready `ollama.Client`: a real daemon when one answers, else the stand-in (started here); prints a banner."""
    import ollama

    settings = load_settings()
    requested = model or settings.model
    choice = backend or settings.backend
    host = ollama_host()
    version = None if choice == "embedded" else daemon_version(host, timeout)
    decision, reason = plan(choice, version, host)
    server = None
    if decision == "start-standin":
        server = shared_endpoint()
        host = server.base_url
        version = daemon_version(host, 5.0) or "?"
    standin = decision != "daemon"
    client = ollama.Client(host=host)
    if standin:
        chat_model = catalog.resolve(requested, "embedded")
        embed_model = catalog.default_embedding_model("embedded") or chat_model
    else:
        chat_model = daemon_name(requested)
        embed_model = _pick_embed_model(client, chat_model)
    session = OllamaSession(host, client, standin, chat_model, embed_model, requested, str(version), reason, server)
    if not quiet:
        print(session.banner())
    return session


# --- pull -------------------------------------------------------------------------------------------------


@dataclass
class PullReport:
    """What a streamed pull reported: every status line and, per layer, the last completed/total."""

    statuses: list[str]
    layers: dict[str, tuple[int, int]]

    @property
    def succeeded(self) -> bool:
        return bool(self.statuses) and self.statuses[-1] == "success"

    @property
    def complete(self) -> bool:
        """Every layer's completed reached its total, and the last status is "success"."""
        return self.succeeded and all(done == total for done, total in self.layers.values())

    @property
    def total_bytes(self) -> int:
        return sum(total for _, total in self.layers.values())


def pull_with_progress(client: Any, model: str, *, progress: bool = True) -> PullReport:
    """`client.pull(model, stream=True)` with a tqdm bar per layer, driven by the streamed completed/total."""
    from tqdm.auto import tqdm

    statuses: list[str] = []
    layers: dict[str, tuple[int, int]] = {}
    bars: dict[str, Any] = {}
    try:
        for part in client.pull(model, stream=True):
            if not statuses or statuses[-1] != part.status:
                statuses.append(part.status)
            if part.digest and part.total:
                key = part.digest
                if key not in bars:
                    bars[key] = tqdm(total=part.total, desc=f"{base_tag(model)} {key.split(':')[-1][:12]}",
                                     unit="B", unit_scale=True, disable=not progress)
                done = part.completed or 0
                bars[key].update(done - bars[key].n)
                layers[key] = (done, part.total)
    finally:
        for bar in bars.values():
            bar.close()
    return PullReport(statuses, layers)


# --- Modelfile --------------------------------------------------------------------------------------------


def _format_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if (not value or re.search(r"\s", value)) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_modelfile(from_: str, system: str | None = None, parameters: dict[str, Any] | None = None,
                     template: str | None = None) -> str:
    """The Modelfile text that `ollama create NAME -f Modelfile` reads, for these settings."""
    lines = [f"FROM {from_}"]
    if template:
        lines.append(f'TEMPLATE """{template}"""')
    if system:
        lines.append(f'SYSTEM """{system}"""')
    for key, value in (parameters or {}).items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"PARAMETER {key} {_format_value(item)}")
    return "\n".join(lines) + "\n"


def _parse_value(text: str) -> Any:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text in ("true", "false"):
        return text == "true"
    return text


def parse_modelfile(text: str, model: str) -> dict[str, Any]:
    """The `client.create(...)` keyword arguments equivalent to a Modelfile (FROM, SYSTEM, TEMPLATE, PARAMETER)."""
    kwargs: dict[str, Any] = {"model": model}
    parameters: dict[str, Any] = {}
    pattern = re.compile(r'^(FROM|SYSTEM|TEMPLATE|PARAMETER|LICENSE|ADAPTER|MESSAGE)\s+("""(.*?)"""|[^\n]*)',
                         re.IGNORECASE | re.MULTILINE | re.DOTALL)
    for match in pattern.finditer(text):
        command, raw, quoted = match.group(1).upper(), match.group(2), match.group(3)
        value = quoted if quoted is not None else raw.strip()
        if command == "FROM":
            kwargs["from_"] = value
        elif command == "SYSTEM":
            kwargs["system"] = _parse_value(value) if quoted is None else value
        elif command == "TEMPLATE":
            kwargs["template"] = _parse_value(value) if quoted is None else value
        elif command == "PARAMETER":
            key, _, rest = value.partition(" ")
            item = _parse_value(rest)
            if key == "stop":
                parameters.setdefault("stop", []).append(item)
            else:
                parameters[key] = item
        else:
            raise ValueError(f"{command} is valid in a Modelfile but this lesson's parser reads only FROM, SYSTEM, "
                             "TEMPLATE and PARAMETER; pass it to client.create(...) yourself.")
    if "from_" not in kwargs:
        raise ValueError("A Modelfile needs a FROM line naming the base model, e.g. `FROM mistral`.")
    if parameters:
        kwargs["parameters"] = parameters
    return kwargs


def create_call_text(kwargs: dict[str, Any]) -> str:
    """The `client.create(...)` call for these arguments, as Python source (for showing)."""
    return "client.create(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def modelfile_summary(text: str) -> str:
    """A shown Modelfile's instructions, with FROM's blob path shortened to its file name (paths differ per machine)."""
    out = []
    for line in text.splitlines():
        if line.startswith("FROM ") and "/" in line:
            out.append(f"FROM .../{PurePosixPath(line[5:].strip()).name}")
        elif line.strip():
            out.append(line)
    return "\n".join(out)


def cli_command(kwargs: dict[str, Any]) -> str:
    """The shell command equivalent to a create call: `ollama create NAME -f Modelfile`."""
    return f"ollama create {shlex.quote(kwargs['model'])} -f Modelfile"


# --- streams, embeddings, tools, latency ---------------------------------------------------------------


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
