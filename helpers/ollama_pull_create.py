"""Getting a model onto an Ollama server, as notebook 05 shows it: `ollama pull` and `ollama create`.

    from helpers.ollama_pull_create import pull_with_progress, parse_modelfile   # also from helpers.ollama_backend
    report = pull_with_progress(bk.client, "mistral")
    bk.client.create(**parse_modelfile(text, "my-mistral"))

Holds the tag helper `base_tag` (which `ollama_backend` uses), a pull with a tqdm bar per layer, and Modelfile
text <-> `client.create(...)` arguments, with the equivalent call and CLI command for showing.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any


def base_tag(name: str) -> str:
    """`mistral:latest` -> `mistral`; other tags are kept (`mixtral:8x22b`)."""
    return name[: -len(":latest")] if name.endswith(":latest") else name


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
