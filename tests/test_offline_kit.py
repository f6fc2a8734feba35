"""`make offline-kit`: a room with no network installs from the kit alone and runs notebook 00.

The install test is slow (a fresh environment of ~200 packages, then notebook 00 on the embedded
stand-ins): several minutes on 2 cores. The environment is made once per test session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers.engine.serving import free_port
from helpers.paths import repo_root
from helpers.workshop.offline_kit import build_kit, missing_pins, read_lock

ROOT = repo_root()
KIT = ROOT / "build" / "offline-kit"


@pytest.fixture(scope="session")
def kit() -> Path:
    """The kit in build/offline-kit, built if absent (a re-run only refreshes the project copy)."""
    report = build_kit(KIT)
    print(report)
    return KIT


def offline_env(**extra: str) -> dict[str, str]:
    """This process's environment with every route to a package index closed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and not k.startswith("WORKBOOK_")}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               # Anything that still tried the network would meet a closed port (no proxy for 127.0.0.1).
               HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def room(kit, tmp_path_factory):
    """A workbook installed from the kit into a fresh folder by its own install.sh, with no index."""
    target = tmp_path_factory.mktemp("room") / "mistral-workbook"
    started = time.perf_counter()
    run = subprocess.run(["bash", str(kit / "install.sh"), str(target), "--no-vllm"],
                         env=offline_env(PYTHON=sys._base_executable), capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    print(f"install.sh (no vLLM): {took:.0f} s")
    assert run.returncode == 0, f"install.sh failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "Installed in" in run.stdout
    (target / ".install-seconds").write_text(f"{took:.0f}")
    yield target
    shutil.rmtree(target.parent, ignore_errors=True)  # a few GiB: not kept for later sessions


@pytest.mark.slow  # the `kit` fixture builds the 1.5 GB offline kit in build/ when it is absent
def test_kit_holds_a_wheel_for_every_pin(kit):
    for lock in ("requirements.lock", "requirements-vllm.lock"):
        pins = read_lock(kit / lock)
        assert pins and missing_pins(pins, kit / "wheels") == [], f"wheels missing for {lock}"
    names = [p.name for p in (kit / "wheels").glob("*.whl")]
    assert any(n.startswith("llama_cpp_python-0.3.36-") for n in names), "the built llama-cpp-python wheel is missing"
    assert any(n.startswith("torch-2.13.0+cpu-") for n in names)
    for tool in ("pip-", "setuptools-", "wheel-"):  # not in a `pip freeze` lock, but needed by a fresh install
        assert any(n.startswith(tool) for n in names), tool
    assert list((kit / "sdists").glob("llama_cpp_python-*.tar.gz")), "the converter's sdist is missing"
    manifest = json.loads((kit / "MANIFEST.json").read_text())
    assert sorted(names) == manifest["wheels"]


@pytest.mark.slow  # the `kit` fixture builds the 1.5 GB offline kit in build/ when it is absent
def test_kit_holds_the_project_students_copies_and_instructions(kit):
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in (kit / "workbook" / "notebooks").glob("*.ipynb")) == notebooks
    assert sorted(p.name for p in (kit / "student").glob("*.ipynb")) == notebooks
    for name in ("pyproject.toml", "helpers/__init__.py", "data/model_names.csv", "data/embedded_models.json"):
        assert (kit / "workbook" / name).is_file(), name
    assert not list((kit / "workbook").rglob("__pycache__")) and not (kit / "workbook" / ".venv").exists()
    readme = (kit / "README-offline.md").read_text()
    assert "--no-index --find-links wheels -r requirements.lock" in readme and "bash install.sh" in readme
    assert os.access(kit / "install.sh", os.X_OK)


@pytest.mark.slow  # the `kit` fixture builds the 1.5 GB offline kit in build/ when it is absent
def test_rebuilding_the_kit_fetches_nothing(kit):
    started = time.perf_counter()
    report = build_kit(kit)
    assert report.fetched == 0 and report.wheels == len(list((kit / "wheels").glob("*.whl")))
    assert time.perf_counter() - started < 120


@pytest.mark.slow
def test_room_without_network_installs_and_runs_notebook_00(room, tmp_path):
    py = room / ".venv" / "bin" / "python"
    # The environment holds the locked versions, and the project is the kit's copy.
    freeze = subprocess.run([str(py), "-m", "pip", "freeze"], env=offline_env(), cwd=tmp_path, capture_output=True,
                            text=True, check=True).stdout
    for pin in ("torch==2.13.0+cpu", "llama_cpp_python==0.3.36", "mistralai==3.7.0"):
        assert pin.lower().replace("_", "-") in freeze.lower().replace("_", "-"), pin
    where = subprocess.run([str(py), "-c", "import helpers.paths as p; print(p.repo_root(), p.cache_dir())"],
                           env=offline_env(), cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert where == [str(room), str(room / ".cache" / "models")]
    assert (room / ".cache" / "models" / "llama.cpp" / "convert_hf_to_gguf.py").exists()

    out = tmp_path / "00-executed.ipynb"
    env = offline_env(WORKBOOK_BACKEND="embedded", WORKBOOK_MODEL="mistral-small-latest",
                      WORKBOOK_PORT=str(free_port()), WORKBOOK_SETTINGS=str(tmp_path / "settings.json"))
    started = time.perf_counter()
    run = subprocess.run([str(room / ".venv" / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                          "--ExecutePreprocessor.timeout=900", "--output", str(out),
                          str(room / "notebooks" / "00_setup_and_hardware_check.ipynb")],
                         env=env, cwd=room / "notebooks", capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    print(f"install: {(room / '.install-seconds').read_text()} s; notebook 00 from the kit: {took:.0f} s")
    assert run.returncode == 0, run.stderr[-4000:]
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "Answered by embedded endpoint" in text and "STAND-IN" in text
    assert "endpoint running: False" in text


def test_wheel_bookkeeping_normalizes_names_and_prunes_old_versions(tmp_path):
    from helpers.workshop.offline_kit import Pin, prune_wheels

    for name in ("GPTQModel-7.6.0-py3-none-any.whl", "foo_bar-0.9-py3-none-any.whl", "foo_bar-1.0-py3-none-any.whl",
                 "pip-26.0.1-py3-none-any.whl"):
        (tmp_path / name).write_bytes(b"")
    pins = [Pin("gptqmodel", "7.6.0"), Pin("Foo.Bar", "1.0"), Pin("torch", "2.13.0+cpu")]
    assert missing_pins(pins, tmp_path) == [Pin("torch", "2.13.0+cpu")]
    assert prune_wheels(pins, tmp_path) == ["foo_bar-0.9-py3-none-any.whl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["GPTQModel-7.6.0-py3-none-any.whl",
                                                          "foo_bar-1.0-py3-none-any.whl", "pip-26.0.1-py3-none-any.whl"]
    (tmp_path / "bad.lock").write_text("torch>=2\n")
    with pytest.raises(ValueError, match="name==version"):
        read_lock(tmp_path / "bad.lock")
