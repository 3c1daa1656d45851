# The two commands a newcomer needs: `make build` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The example board is built as of this date, so its open, closing-soon and closed projects look
# the same whenever it is built. A real board builds as of today: `board build`.
EXAMPLE_DATE := 2026-11-25

.PHONY: build serve test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: $(VENV)/.installed
	$(BIN)/board build --now $(EXAMPLE_DATE)

serve: $(VENV)/.installed
	$(BIN)/board serve --now $(EXAMPLE_DATE)

# Test tools from the npm registry (the W3C HTML checker, axe-core); `npm ci` keeps them to the lock file.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest

# Build speed on generated boards of 1,000 and 10,000 briefs against the floor of any build (not part of
# `make test`: about 15 minutes). Prints a markdown table; see bench/bench.py.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) public .cache node_modules
