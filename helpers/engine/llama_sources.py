"""llama.cpp's Hugging Face → GGUF converter, taken from the llama-cpp-python sdist at setup time.

No wheel installs `convert_hf_to_gguf.py`: it lives in the llama.cpp sources that llama-cpp-python
vendors (`vendor/llama.cpp/`). `ensure_llama_cpp_sources()` downloads the sdist of the installed
llama-cpp-python version with pip (pip's cache makes repeats fast), extracts only the converter,
its `conversion/` package, `gguf-py/` and the licence into the ignored cache folder, and records
what it extracted. Run `python -m helpers.engine.llama_sources` (setup does) to prepare it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ..paths import cache_dir
from .embedded import sha256_of

DIST = "llama-cpp-python"
# The files the converter needs, relative to the vendored llama.cpp tree (folders end with "/").
NEEDED = ("convert_hf_to_gguf.py", "convert_lora_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")
# sha256 of the sdists this workbook was checked against; another version is accepted unchecked.
KNOWN_SDIST_SHA256 = {"0.3.36": "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"}
SETUP_COMMAND = "python -m helpers.engine.llama_sources"
MARKER = ".source.json"


def installed_version() -> str:
    """The llama-cpp-python version installed here: the converter should match the engine."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DIST)
    except PackageNotFoundError as exc:
        raise RuntimeError(f"{DIST} is not installed; run `make setup` (it builds it from source).") from exc


def sources_dir() -> Path:
    """The ignored folder the converter is extracted into (`<cache>/llama.cpp`)."""
    return cache_dir() / "llama.cpp"


def _read_marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _complete(folder: Path, version: str) -> bool:
    marker = _read_marker(folder)
    return bool(marker and marker.get("version") == version
                and all((folder / name.rstrip("/")).exists() for name in NEEDED))


def download_sdist(version: str, dest: Path) -> Path:
    """Download the llama-cpp-python sdist with pip (no dependencies, no build) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "--disable-pip-version-check", "--quiet", f"{DIST}=={version}", "-d", str(dest)]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True)
    found = sorted(dest.glob(f"{DIST.replace('-', '_')}-{version}.tar.gz"))
    if run.returncode != 0 or not found:
        raise RuntimeError(
            f"`pip download {DIST}=={version}` failed (exit {run.returncode}): {run.stderr.strip()[-600:]}\n"
            "It needs the package index once (pip's cache serves later runs). Check the network or your pip "
            f"index settings, then run `{SETUP_COMMAND}` again.")
    return found[0]


def extract_converter(sdist: Path, folder: Path) -> list[str]:
    """Extract only the converter's files from an sdist into `folder`; returns their relative paths."""
    prefix = None
    staging = Path(tempfile.mkdtemp(prefix=".llama-src-", dir=folder.parent))
    names: list[str] = []
    try:
        with tarfile.open(sdist, "r:gz") as tar:
            members = []
            for member in tar.getmembers():
                parts = member.name.split("/", 3)
                if len(parts) < 4 or parts[1:3] != ["vendor", "llama.cpp"]:
                    continue
                prefix = "/".join(parts[:3]) + "/"
                rel = parts[3]
                if (member.isfile() and any(rel == n or (n.endswith("/") and rel.startswith(n)) for n in NEEDED)
                        and "__pycache__" not in rel):
                    member = member.replace(name=rel, deep=False)
                    members.append(member)
                    names.append(rel)
            if prefix is None or "convert_hf_to_gguf.py" not in names:
                raise RuntimeError(f"{sdist.name} has no vendor/llama.cpp/convert_hf_to_gguf.py; "
                                   "is it a llama-cpp-python sdist?")
            tar.extractall(staging, members=members, filter="data")
        if folder.exists():
            shutil.rmtree(folder)
        staging.replace(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return sorted(names)


def ensure_llama_cpp_sources(version: str | None = None, force: bool = False) -> Path:
    """The folder holding `convert_hf_to_gguf.py` for the installed llama-cpp-python; fetched once.

    Idempotent: a complete extraction for the same version is kept. The sdist is checked against
    `KNOWN_SDIST_SHA256` when its version is listed there.
    """
    version = version or installed_version()
    folder = sources_dir()
    if not force and _complete(folder, version):
        return folder
    with tempfile.TemporaryDirectory(prefix="llama-sdist-") as tmp:
        sdist = download_sdist(version, Path(tmp))
        digest = sha256_of(sdist)
        expected = KNOWN_SDIST_SHA256.get(version)
        if expected and digest != expected:
            raise RuntimeError(f"{sdist.name} has sha256 {digest}, expected {expected}. "
                               f"Clear pip's cache (`pip cache remove {DIST.replace('-', '_')}`) and run "
                               f"`{SETUP_COMMAND}` again.")
        files = extract_converter(sdist, folder)
    (folder / MARKER).write_text(json.dumps(
        {"dist": DIST, "version": version, "sdist": sdist.name, "sha256": digest, "files": len(files)}, indent=2))
    return folder


def converter_script() -> Path:
    """Path of `convert_hf_to_gguf.py`, prepared by setup; raises with the command to run if missing."""
    folder = sources_dir()
    script = folder / "convert_hf_to_gguf.py"
    marker = _read_marker(folder)
    if not script.exists() or marker is None:
        raise FileNotFoundError(
            f"llama.cpp's converter is not prepared in {folder}. Run `.venv/bin/{SETUP_COMMAND}` "
            "(`make models` does) once; it fetches the llama-cpp-python sdist with pip and keeps only the converter.")
    return script


def source_info() -> dict:
    """What was extracted: version, sdist name, its sha256 and the number of files."""
    converter_script()
    return _read_marker(sources_dir()) or {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Prepare llama.cpp's convert_hf_to_gguf.py from the sdist.")
    parser.add_argument("--version", help="llama-cpp-python version (default: the installed one)")
    parser.add_argument("--force", action="store_true", help="download and extract again")
    args = parser.parse_args(argv)
    folder = ensure_llama_cpp_sources(args.version, force=args.force)
    info = _read_marker(folder) or {}
    print(f"llama.cpp converter {info.get('version')} ({info.get('files')} files) in {folder}")


if __name__ == "__main__":
    main()
