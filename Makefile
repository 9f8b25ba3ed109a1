# Two commands for a fresh machine: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := bubblewrap
DEMO_HOME ?= $(CURDIR)/.mwo-demo

.PHONY: setup system-deps demo test test-fast lint bench clean

setup: $(STAMP) system-deps

# The virtual environment, from the lock file (uv, from PyPI, is fast; pip installs it if missing).
$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@UV="$$(command -v uv || echo "$(PYTHON) -m uv")"; \
	  echo "setting up $(VENV) from uv.lock (the first time takes a few minutes)"; \
	  $$UV sync --quiet --frozen --extra dev --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
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

demo: setup
	@MWO_HOME="$(DEMO_HOME)" bash scripts/demo.sh

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
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache
