# Homeward: `make run` serves the demo on http://127.0.0.1:5000, `make test` checks everything.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export HOMEWARD_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install run test lint typecheck pytest bench diagram clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: install
	$(BIN)/homeward db upgrade
	$(BIN)/homeward demo load
	$(BIN)/homeward run --host 127.0.0.1 --port 5000

test: lint typecheck pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench.run_all
	$(BIN)/python -m bench.audit_trail
	$(BIN)/python -m bench.documents
	$(BIN)/python -m bench.forms

diagram: install
	$(BIN)/homeward workflow diagram --out docs

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
