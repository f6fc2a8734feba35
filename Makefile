# Mistral Workbook: two commands on a fresh machine, `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# vLLM (CPU build) lives in its own environment: it pins a different transformers.
VLLM_VENV := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
PIP_VERSION := 26.0.1
# Portable llama.cpp build (no -march=native): the wheel also works in the offline kit on other CPUs.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
PORT ?= 8765
OLLAMA_PORT ?= 11435
LAB_PORT ?= 8888
# Tests pin the embedded default (the committed notebook outputs come from it) and never touch the reader's saved choices.
TEST_ENV := WORKBOOK_BACKEND=embedded WORKBOOK_MODEL=mistral-small-latest WORKBOOK_SETTINGS=$(CURDIR)/build/test-settings.json
NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=900

.PHONY: setup vllm lock-vllm models assistant assistant-data assistant-eval fim fim-data fim-eval lab test test-fast lint notebooks test-helpers test-notebooks serve serve-ollama book bench lock clean offline-kit student

setup: $(STAMP) models vllm

# Creates or updates .venv from the lock. pip keeps the llama-cpp-python wheel it builds from the sdist
# in its own cache, so later setups on this machine (fresh clones too) reuse it instead of rebuilding.
$(STAMP): requirements.lock requirements-models.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --progress-bar off --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --progress-bar off --disable-pip-version-check --no-deps -r requirements-models.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

vllm: $(VLLM_STAMP)

$(VLLM_STAMP): requirements-vllm.lock
	@test -x $(VLLM_VENV)/bin/python || $(PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(VLLM_VENV)/bin/python -m pip install --progress-bar off --disable-pip-version-check --no-deps -r requirements-vllm.lock
	@touch $(VLLM_STAMP)

models: $(STAMP)
	$(BIN)/python -m helpers
	$(BIN)/python -m helpers.engine.llama_sources

# Retrain the workbook assistant's LoRA adapter from data/assistant/train (seeded; setup never trains).
assistant: $(STAMP)
	$(BIN)/python -m helpers.engine.llama_sources
	$(BIN)/python -m helpers.assistant train

# Rebuild the training data from its scripts, decontaminated against the held-out set.
assistant-data: $(STAMP)
	$(BIN)/python scripts/assistant_data/build.py

# Score the three chat stand-ins on the held-out instruction set through the mistralai SDK.
assistant-eval: setup
	$(BIN)/python -m helpers.assistant evaluate --out data/assistant/heldout_scores.json

# Retrain the fill-in-the-middle adapter (Codestral's stand-in) from data/fim/train.jsonl (seeded; setup never trains).
fim: $(STAMP)
	$(BIN)/python -m helpers.engine.llama_sources
	$(BIN)/python -m helpers.assistant train-fim

# Rebuild the FIM data from the functions in scripts/fim_data/, decontaminated against the held-out functions.
fim-data: $(STAMP)
	$(BIN)/python scripts/fim_data/build.py

# Fill every held-out middle through client.fim.complete and run each function's tests.
fim-eval: setup
	$(BIN)/python -m helpers.assistant evaluate-fim --out data/fim/heldout_scores.json

# Lab does not wait for vLLM's environment, which only notebook 06 needs: `make vllm` runs in the background
# (log in build/vllm-setup.log, last line `exit <status>`), and notebook 06 says so if it has not finished.
lab: $(STAMP) models
	@if [ -f build/vllm-setup.log ] && ! tail -n 1 build/vllm-setup.log | grep -q '^exit '; then \
	  echo "vLLM's environment is still being built in the background (log: build/vllm-setup.log; if that build was stopped, run make vllm)"; \
	elif [ ! -f $(VLLM_STAMP) ]; then mkdir -p build; \
	  echo "Building vLLM's environment for notebook 06 in the background; log: build/vllm-setup.log"; \
	  ( $(MAKE) --no-print-directory vllm > build/vllm-setup.log 2>&1; echo "exit $$?" >> build/vllm-setup.log ) & \
	fi
	@echo "Starting JupyterLab on http://127.0.0.1:$(LAB_PORT)/lab (the URL with its token is printed below)."
	$(BIN)/jupyter lab --no-browser --ip 127.0.0.1 --port $(LAB_PORT) --notebook-dir notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# The JUnit report times every notebook cell: `python -m helpers.workshop.agenda build/test-results.xml` turns it into
# the facilitator guide's agenda.
test: setup lint
	$(TEST_ENV) $(BIN)/python -m pytest tests notebooks $(NBVAL) --junitxml=build/test-results.xml

# The inner loop: unit and API tests against one shared endpoint; no notebooks, no extra servers, no kit build.
test-fast: $(STAMP) models lint
	$(TEST_ENV) $(BIN)/python -m pytest tests -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check helpers tests scripts
	$(BIN)/mypy

test-helpers: setup
	$(TEST_ENV) $(BIN)/python -m pytest tests

test-notebooks: setup
	$(TEST_ENV) $(BIN)/python -m pytest notebooks $(NBVAL)

# Re-execute notebooks in place on the embedded default, progress bars stored finished: make notebooks NB="notebooks/02_*.ipynb"
NB ?= notebooks/*.ipynb
notebooks: setup
	$(TEST_ENV) $(BIN)/python -m helpers.workshop.notebook_outputs $(NB)

serve: setup
	$(BIN)/python -m helpers.engine.endpoint --port $(PORT)

# The same endpoint on Ollama's side of the street: the ollama client (and OLLAMA_HOST) point here.
serve-ollama: setup
	$(BIN)/python -m helpers.engine.endpoint --port $(OLLAMA_PORT) --ollama

# The committed, executed notebooks as an HTML book (Jupyter Book; nothing is re-executed).
book: $(STAMP)
	$(BIN)/python -m helpers.workshop.book build/book

# Copies of the notebooks with the exercise solutions removed, for the room.
student: $(STAMP)
	$(BIN)/python -m helpers.workshop.student build/student

# Everything a room without network needs: wheels, models' packages, project, student copies, install script.
# Re-running only fetches what is missing.
offline-kit: $(STAMP)
	$(BIN)/python -m helpers.workshop.offline_kit build/offline-kit

bench: setup
	$(BIN)/python scripts/bench_endpoint.py

lock:
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v -e '^-e' -e '^pip==' > requirements.lock.new
	{ echo "# Generated by \`make lock\` from requirements.in (pip freeze of a working .venv). Python 3.11, CPU."; \
	  echo "# torch 2.13.0+cpu is the CPU build; for a GPU see README (GPU setup)."; \
	  cat requirements.lock.new; } > requirements.lock && rm requirements.lock.new

lock-vllm:
	$(VLLM_VENV)/bin/python -m pip freeze > requirements-vllm.lock.new
	{ sed -n '1,3p' requirements-vllm.lock; cat requirements-vllm.lock.new; } > requirements-vllm.lock.tmp
	mv requirements-vllm.lock.tmp requirements-vllm.lock && rm requirements-vllm.lock.new

clean:
	rm -rf $(VENV) $(VLLM_VENV) .cache build
