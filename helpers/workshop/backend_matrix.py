"""The one-setting switch, proven: the notebooks that talk to a model, executed on each backend the workbook claims.

Each backend is a real server started here on 127.0.0.1 and stopped afterwards:

- **ollama**: the workbook's Ollama stand-in playing the daemon (`OLLAMA_HOST`), with the tags
  `data/model_names.csv` expects made through the official `ollama` client, as a reader pulls them;
- **mistral**: a rehearsal of La Plateforme: `MISTRAL_API_KEY` and `MISTRAL_SERVER_URL` point at a
  local endpoint that answers La Plateforme's model names with stand-ins and enforces the key;
- **vllm**: the vLLM CPU server of notebook 06 on the tiny Mistral, under the name the map expects
  (`--served-model-name`), with Mistral's tokenizer mode and tool parser.

The embedded default is not run here: `make test` executes every notebook on it under nbval,
comparing outputs. Here outputs may differ; a notebook *runs* when every cell executes, *skips*
when the backend lacks a capability the notebook declares (`workbook.requires` in its metadata,
checked against `helpers.backends.CAPABILITIES`), and *fails* otherwise.

    python -m helpers.workshop.backend_matrix                 # run it; write build/backend_matrix.json and README's table
    python -m helpers.workshop.backend_matrix --backends ollama --notebooks 02 03 04

The backends run at the same time, each in a process of its own with its own server and kernels: most of
a notebook's time on a stand-in is one llama.cpp thread or a server starting, so two cores do two
backends at once (measured on 2 cores: 530 s one after another, 367 s side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import catalog
from ..paths import repo_root
from .notebook_outputs import execute

NOTEBOOKS = ("00", "02", "03", "04", "05", "09", "11")
README_START = "<!-- backend-matrix:start (written by python -m helpers.workshop.backend_matrix; do not edit) -->"
README_END = "<!-- backend-matrix:end -->"
CELL_TIMEOUT = 900


@dataclass
class Result:
    """How one notebook went on one backend."""

    notebook: str
    backend: str
    status: str  # "runs", "skips" or "fails"
    reason: str = ""
    seconds: float = 0.0


def root() -> Path:
    return repo_root() or Path.cwd()


def notebook_path(number: str) -> Path:
    found = sorted((root() / "notebooks").glob(f"{number}_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"No notebook numbered {number} in notebooks/.")
    return found[0]


def requirements(path: Path) -> list[str]:
    """The capabilities a notebook declares it needs (`metadata.workbook.requires`)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return list(nb.get("metadata", {}).get("workbook", {}).get("requires", []))


def la_plateforme_aliases() -> dict[str, str]:
    """La Plateforme's names in the name map, each answered by its embedded stand-in (for the rehearsal)."""
    return {row.names["mistral"]: row.names["embedded"] for row in catalog.model_names()
            if row.names["mistral"] and row.names["embedded"]}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for what runs inside (kernels started here inherit them), then restore."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def ollama_standin(say=print) -> Iterator[dict[str, str]]:
    """The Ollama stand-in as a daemon, with the map's tags made the way a reader pulls them."""
    import ollama

    from ..engine.embedded import CHAT_ALIAS
    from ..engine.serving import LocalEndpoint, free_port

    server = LocalEndpoint(port=free_port(), say=say).start()
    try:
        client = ollama.Client(host=server.base_url)
        wanted = {row.names["ollama"] for row in catalog.model_names() if row.names["ollama"]}
        for tag in sorted(wanted):
            if tag == catalog.default_embedding_model("ollama"):
                for _ in client.pull(tag, stream=True):  # the stand-in "pulls" its embedding model under this tag
                    pass
            else:  # `ollama pull mistral` cannot download here: the stand-in's chat model is created under the tag
                client.create(model=tag, from_=CHAT_ALIAS)
        yield {"WORKBOOK_BACKEND": "ollama", "OLLAMA_HOST": server.base_url}
    finally:
        server.stop()


@contextmanager
def la_plateforme_rehearsal(say=print) -> Iterator[dict[str, str]]:
    """A local endpoint answering La Plateforme's names with stand-ins; its API key is enforced."""
    from ..engine.serving import LocalEndpoint, free_port

    key = "rehearsal-" + secrets.token_hex(8)
    server = LocalEndpoint(port=free_port(), api_key=key, aliases=la_plateforme_aliases(), say=say).start()
    try:
        yield {"WORKBOOK_BACKEND": "mistral", "MISTRAL_API_KEY": key, "MISTRAL_SERVER_URL": server.base_url}
    finally:
        server.stop()


@contextmanager
def vllm_cpu(say=print) -> Iterator[dict[str, str]]:
    """vLLM's CPU server on the tiny Mistral under the name the map gives Mistral Small, with its tool parser."""
    from ..vllm_server import VLLMServer

    name = catalog.resolve("mistral-small-latest", "vllm")
    server = VLLMServer(served_name=name, tools=True, say=say).start()
    try:
        yield {"WORKBOOK_BACKEND": "vllm", "VLLM_BASE_URL": server.base_url + "/v1"}
    finally:
        server.stop()


# backend (a `backend_registry` name) -> README's column title and the server it runs on here, in README's column order
SERVERS = {
    "ollama": ("Ollama (stand-in daemon)", ollama_standin),
    "mistral": ("La Plateforme (rehearsal)", la_plateforme_rehearsal),
    "vllm": ("vLLM (CPU, tiny Mistral)", vllm_cpu),
}
BACKENDS = tuple(SERVERS)
TITLES = {backend: title for backend, (title, _) in SERVERS.items()}


def _failure(exc: BaseException) -> str:
    """One line for a failed notebook: the exception's name, the first line of its message, the failing line."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(getattr(exc, "traceback", "")))
    where = re.findall(r"-+>\s*\d+\s+(.*)", plain)
    at = f" at `{where[-1].strip()[:120]}`" if where else ""
    return f"{ename}: {evalue[0][:200] if evalue else ''}{at}".strip()


def run_backend(backend: str, notebooks: tuple[str, ...] = NOTEBOOKS, say=print) -> list[Result]:
    """Start `backend`'s server, run each notebook against it (or skip it, by capability), stop the server."""
    from ..backends import connect

    results = []
    with SERVERS[backend][1](say=lambda *_: None) as env, _environment({**env, "WORKBOOK_MODEL": "mistral-small-latest"}):
        bk = connect(quiet=True)
        say(bk.banner())
        for number in notebooks:
            path = notebook_path(number)
            if why := bk.lacks(*requirements(path)):
                results.append(Result(number, backend, "skips", why))
            else:
                started = time.perf_counter()
                try:
                    execute(path, timeout=CELL_TIMEOUT, save=False)  # outputs may differ here: nothing is stored
                    results.append(Result(number, backend, "runs", "", round(time.perf_counter() - started, 1)))
                except Exception as exc:  # a failing cell: recorded, and the matrix goes on
                    results.append(Result(number, backend, "fails", _failure(exc), round(time.perf_counter() - started, 1)))
            last = results[-1]
            say(f"  {path.stem} on {backend}: {last.status} {last.reason} ({last.seconds:.0f} s)")
    return results


def render(results: list[Result]) -> str:
    """README's matrix: notebook x backend, with the embedded default (nbval) beside the backends run here, and
    under it each skip's reason in full (the one line the notebook's first cell prints there)."""
    by = {(r.notebook, r.backend): r for r in results}
    backends = [b for b in BACKENDS if any(r.backend == b for r in results)]
    lines = ["| Notebook | embedded (default) | " + " | ".join(TITLES[b] for b in backends) + " |",
             "|---|---|" + "---|" * len(backends)]
    reasons: dict[str, str] = {}
    for number in NOTEBOOKS:
        cells = []
        for b in backends:
            r = by.get((number, b))
            if r is None:
                cells.append("not run")
            elif r.status == "runs":
                cells.append("runs")
            elif r.status == "skips":
                lacking = r.reason.split(" lacks ", 1)[-1].split(" for this notebook", 1)[0]
                cells.append(f"skips: lacks {lacking}")
                reasons.setdefault(f"{TITLES[b]}, lacks {lacking}", r.reason)
            else:
                cells.append(f"**fails**: {r.reason.replace('|', '/')}")
        lines.append(f"| {notebook_path(number).stem} | runs (nbval) | " + " | ".join(cells) + " |")
    if reasons:
        lines += ["", *(f"- {what}: {why}" for what, why in reasons.items())]
    return "\n".join(lines)


def readme_table(text: str) -> str | None:
    """The matrix currently in README's text, or None when its markers are missing."""
    if README_START not in text or README_END not in text:
        return None
    return text.split(README_START, 1)[1].split(README_END, 1)[0].strip()


def write_readme(results: list[Result], readme: Path | None = None) -> None:
    readme = readme or root() / "README.md"
    text = readme.read_text(encoding="utf-8")
    if readme_table(text) is None:
        raise ValueError(f"{readme.name} has no backend-matrix markers ({README_START} ... {README_END}).")
    before, rest = text.split(README_START, 1)
    after = rest.split(README_END, 1)[1]
    readme.write_text(f"{before}{README_START}\n{render(results)}\n{README_END}{after}", encoding="utf-8")


def results_path() -> Path:
    return root() / "build" / "backend_matrix.json"


def run(backends: tuple[str, ...] = BACKENDS, notebooks: tuple[str, ...] = NOTEBOOKS, say=print,
        parallel: bool = True, out: Path | None = None) -> list[Result]:
    """Every backend's notebooks; with `parallel`, each backend in a process of its own, all at once.

    The results go to `out`, by default `build/backend_matrix.json`.
    """
    results: list[Result] = []
    if parallel and len(backends) > 1:
        results = _run_side_by_side(backends, notebooks, say)
    else:
        for backend in backends:
            started = time.perf_counter()
            results += run_backend(backend, notebooks, say=say)
            say(f"{backend}: {time.perf_counter() - started:.0f} s with its server")
    write_results(results, out or results_path())
    return results


def write_results(results: list[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")


def read_results(path: Path) -> list[Result]:
    return [Result(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def _run_side_by_side(backends: tuple[str, ...], notebooks: tuple[str, ...], say=print) -> list[Result]:
    """One `python -m helpers.workshop.backend_matrix --backends B` process per backend, all started at once.

    Each process sets its own backend's environment for its kernels, so no variable is shared. An interrupt
    reaches every process as SIGINT: each stops its server and kernels on the way out.
    """
    with tempfile.TemporaryDirectory(prefix="backend-matrix-") as folder:
        runs: dict[str, tuple[subprocess.Popen, Path, Path]] = {}
        try:
            for backend in backends:
                out, log = Path(folder) / f"{backend}.json", Path(folder) / f"{backend}.log"
                with log.open("w", encoding="utf-8") as sink:
                    command = [sys.executable, "-m", "helpers.workshop.backend_matrix", "--backends", backend,
                               "--notebooks", *notebooks, "--no-readme", "--results", str(out)]
                    runs[backend] = (subprocess.Popen(command, cwd=root(), stdout=sink, stderr=subprocess.STDOUT), out, log)
            started = time.perf_counter()
            for backend, (proc, _, _) in runs.items():
                proc.wait()
                say(f"{backend}: finished after {time.perf_counter() - started:.0f} s (all backends side by side)")
        finally:
            for proc, _, _ in runs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc, _, _ in runs.values():
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
        results: list[Result] = []
        for backend, (proc, out, log) in runs.items():
            text = log.read_text(encoding="utf-8", errors="replace")
            for line in text.splitlines():
                if line.startswith("  ") or line.startswith(f"{backend}:"):
                    say(line)
            if not out.exists():
                tail = "\n".join(text.splitlines()[-15:])
                raise RuntimeError(f"The {backend} run stopped (exit {proc.returncode}) before it wrote its results:\n{tail}")
            results += read_results(out)
        return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the model notebooks on every backend; write README's matrix.")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--notebooks", nargs="+", default=list(NOTEBOOKS))
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README's matrix")
    parser.add_argument("--results", type=Path, help="write the results here instead of build/backend_matrix.json")
    parser.add_argument("--one-by-one", action="store_true", help="run the backends one after another")
    args = parser.parse_args(argv)
    results = run(tuple(args.backends), tuple(args.notebooks), parallel=not args.one_by_one, out=args.results)
    if not args.no_readme:
        write_readme(results)
    failed = [r for r in results if r.status == "fails"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
