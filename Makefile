# Two commands for a fresh machine: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := bubblewrap tesseract-ocr tesseract-ocr-kor fonts-nanum chromium fonts-noto-color-emoji
DEMO_HOME ?= $(CURDIR)/.mwo-demo
SANDBOX_PACKAGES := $(CURDIR)/.sandbox-packages
SANDBOX_PYTHON ?= /usr/bin/python3
# llama-cpp-python is built from source (~4 min, needs a C++ compiler; uv caches the wheel): for any
# x86-64 CPU with AVX2, not only this one (docs/performance.md compares it with a native build).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: setup system-deps sandbox-packages demo test test-fast lint bench clean

setup: $(STAMP) system-deps sandbox-packages

# The virtual environment, from the lock file (uv, from PyPI, is fast; pip installs it if missing).
$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; \
	  echo "setting up $(VENV) from uv.lock (the first time takes a few minutes)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $$UV sync --quiet --frozen --extra dev --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	@touch $(STAMP)

# Debian packages the product uses; installed when missing and we may (root with apt-get).
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; \`mwo doctor\` says what is missing"; \
	  else echo "warning: please install Debian packages:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

# The allow-listed packages of PYTHON_SCRIPT steps (sandbox-requirements.txt), for the sandbox's
# interpreter, world-readable (scripts run as uid 65534). Optional: without it, scripts get the
# standard library only, and `mwo doctor` says so.
sandbox-packages: $(SANDBOX_PACKAGES)/.installed

$(SANDBOX_PACKAGES)/.installed: sandbox-requirements.txt $(STAMP)
	@UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; \
	  if [ -x "$(SANDBOX_PYTHON)" ] && $$UV pip install --quiet --compile-bytecode --target "$(SANDBOX_PACKAGES)" \
	      --python "$(SANDBOX_PYTHON)" -r sandbox-requirements.txt; then \
	    chmod -R a+rX "$(SANDBOX_PACKAGES)" && touch "$@"; \
	  else echo "warning: sandbox packages not installed; PYTHON_SCRIPT steps get the standard library only"; fi

demo: setup
	@MWO_HOME="$(DEMO_HOME)" MWO_SANDBOX_PACKAGES_DIR="$(SANDBOX_PACKAGES)" bash scripts/demo.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: setup lint
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_HOME) $(SANDBOX_PACKAGES) .pytest_cache .mypy_cache .ruff_cache
