# Quick start targets. `make demo` and `make test` install what they need themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean-index chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned: pip takes the CPU wheel on disk instead of resolving CUDA builds.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/copc ask "How was the service level target set?"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# tests/reports renders the HTML report in Debian's headless Chromium; install it when missing.
chromium:
	test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q chromium chromium-driver)

test: lint chromium
	$(BIN)/python -m pytest

# BENCH_ARGS, e.g. `make bench BENCH_ARGS="--scale-only --sizes 1000,10000"`.
bench: install
	$(BIN)/python -m evals.bench $(BENCH_ARGS)

clean-index:
	rm -rf indexes/index
