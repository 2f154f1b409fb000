# sonos-inventory developer commands. Every target creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test lint unit dev emulate clean fixtures bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

dev: $(STAMP)  ## set up .venv with the project and its dev tools

demo: $(STAMP)  ## run the tool against the built-in emulated Error-803 household
	-scripts/in-netns $(BIN)/sonos-inventory demo

lint: $(STAMP)  ## ruff and mypy --strict
	$(BIN)/ruff check sonos_inventory tests fixtures bench
	$(BIN)/mypy

test: lint  ## lint, then the whole suite inside a private network namespace
	scripts/in-netns $(BIN)/python -m pytest -q $(PYTEST_ARGS)

unit: $(STAMP)  ## only the pure tests (no sockets)
	$(BIN)/python -m pytest -q tests/unit tests/property

emulate: $(STAMP)  ## serve the Error-803 scenario on loopback until Ctrl-C
	$(BIN)/sonos-inventory emulate fixtures/scenarios/error-803

bench: $(STAMP)  ## benchmark against the floor and soco (minutes; loopback/namespace only)
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	scripts/in-netns $(BIN)/python bench/run.py $(BENCH_ARGS)

fixtures: $(STAMP)  ## regenerate fixtures/scenarios from the built-in scenarios
	$(BIN)/python fixtures/make_scenarios.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
