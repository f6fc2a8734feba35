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
from .offline_kit_texts import INSTALL_SH, README

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
