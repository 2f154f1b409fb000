# sonos-inventory developer commands. Every target creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test test-slow lint unit dev emulate clean fixtures bench dist coverage FORCE

# scripts/ensure-venv checks the Python version (3.10+, and says how to get it), rebuilds a .venv
# made by another Python, and installs only what each target needs.
$(STAMP): pyproject.toml FORCE
	@scripts/ensure-venv "$(PYTHON)" $(VENV) dev

dev: $(STAMP)  ## set up .venv with the project and its dev tools

# The tool's exit code says what the demo found (1: a conflict, as in the default scenario);
# 0 to 3 are results, so make succeeds on them and fails only on a real error.
demo:  ## run the tool against the built-in emulated Error-803 household (installs no dev tools)
	@scripts/ensure-venv "$(PYTHON)" $(VENV)
	@echo "Afterwards, run it yourself: $(BIN)/sonos-inventory --help   (or: . $(BIN)/activate)" >&2
	@scripts/in-netns $(BIN)/sonos-inventory demo; code=$$?; \
	  if [ $$code -gt 3 ]; then exit $$code; fi

dist:  ## build the single-file program dist/sonos-inventory with PyInstaller
	@scripts/ensure-venv "$(PYTHON)" $(VENV) dist
	scripts/build-dist $(BIN)/python dist build

lint: $(STAMP)  ## ruff and mypy --strict
	$(BIN)/ruff check sonos_inventory tests fixtures bench
	$(BIN)/mypy

# Tests run on pytest-xdist workers, each in a network namespace of its own (tests/conftest.py),
# so that emulators side by side never hear each other; where that cannot be (no root), in one
# process. TEST_WORKERS=0 forces one process.
TEST_WORKERS ?= auto

# Bytecode caching stays on for the suite even where the environment turns it off
# (PYTHONDONTWRITEBYTECODE): pytest rewrites and compiles every test module in every worker
# otherwise, about 5 s of CPU each. One collection first fills the cache the workers read.
PYCACHE := PYTHONDONTWRITEBYTECODE=

test: lint  ## lint, then the whole suite inside a private network namespace
	@$(PYCACHE) $(BIN)/python -m pytest -q --collect-only -n 0 -p no:cacheprovider >/dev/null
	$(PYCACHE) scripts/in-netns $(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-slow: $(STAMP)  ## the slow tier: the single-file build, memory at the caps (CI runs it)
	$(PYCACHE) SONOS_INVENTORY_TEST_SLOW=1 scripts/in-netns $(BIN)/python -m pytest -q -m slow -n 0

coverage: $(STAMP)  ## the default tier with line coverage of the package (a report, never a gate)
	scripts/in-netns $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --cov=sonos_inventory \
	  --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

unit: $(STAMP)  ## only the pure tests, with no network at all (not even loopback) where possible
	@if unshare --net true 2>/dev/null; then \
	  unshare --net $(BIN)/python -m pytest -q -n 0 -p no:cacheprovider tests/unit tests/property; \
	else $(BIN)/python -m pytest -q tests/unit tests/property; fi

emulate: $(STAMP)  ## serve the Error-803 scenario on loopback until Ctrl-C
	$(BIN)/sonos-inventory emulate fixtures/scenarios/error-803

bench: $(STAMP)  ## benchmark against the floor and soco (minutes; loopback/namespace only)
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	scripts/in-netns $(BIN)/python bench/run.py $(BENCH_ARGS)
	scripts/in-netns $(BIN)/python bench/watch.py

fixtures: $(STAMP)  ## regenerate fixtures/scenarios from the built-in scenarios
	$(BIN)/python fixtures/make_scenarios.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
