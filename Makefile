# Chronos: `make run` sets up and starts Chronos; `make test` sets up and runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The CPU build of torch; an unpinned torch pulls a multi-GB CUDA build on Linux.
TORCH ?= torch==2.13.0
PIP_TORCH_ARGS ?=

.PHONY: setup run test lint system-deps bench fixtures clean exe smoke-exe

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PIP_TORCH_ARGS) "$(TORCH)"
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: setup
	$(VENV)/bin/chronos serve $(ARGS)

# Chromium drives the browser tests; espeak-ng makes test lectures (Debian packages).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v espeak-ng >/dev/null; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium espeak-ng >/dev/null; \
	  else echo "Install chromium and espeak-ng with your package manager for the browser tests."; fi; \
	fi

# Unused imports, variables and code fail the build before the tests run.
lint: setup
	$(VENV)/bin/ruff check chronos tests bench scripts
	$(VENV)/bin/vulture

test: setup system-deps lint
	$(VENV)/bin/pytest $(ARGS)

bench: setup system-deps
	$(PY) bench/pipeline.py

fixtures: setup system-deps
	bash tests/fixtures/make_all.sh

# The one-folder executable in dist/chronos/ (README: "Build the executable"), and its smoke test.
exe: setup
	bash scripts/build_exe.sh

smoke-exe: exe
	$(PY) scripts/smoke_exe.py

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
