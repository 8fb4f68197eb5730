# Homeward: `make run` serves the demo on http://127.0.0.1:5000, `make test` checks everything.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TOOLS := $(VENV)/.installed-tools
PORT ?= 5000
export HOMEWARD_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install tools run test lint typecheck pytest bench diagram messages translations clean

# `install` is what running needs; `tools` adds the test, lint and type-check tools.
install: $(INSTALLED)

tools: $(TOOLS)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TOOLS): $(INSTALLED)
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: install translations
	$(BIN)/homeward db upgrade
	$(BIN)/homeward demo load
	$(BIN)/homeward serve --host 127.0.0.1 --port $(PORT)

test: lint typecheck pytest

lint: tools
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: tools
	$(BIN)/mypy

pytest: tools translations
	$(BIN)/pytest $(PYTEST_ARGS)

bench: tools
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench.run_all
	$(BIN)/python -m bench.audit_trail
	$(BIN)/python -m bench.documents
	$(BIN)/python -m bench.forms
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.load

# The web pages' catalogs: `messages` gathers new English texts into each language's .po file
# for translating; `translations` compiles the .po files the pages read.
CATALOGS := workflow/web/translations

messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k lazy_gettext \
		-o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(CATALOGS)/messages.pot -d $(CATALOGS)

translations: install
	$(BIN)/pybabel compile -d $(CATALOGS)

diagram: install
	$(BIN)/homeward workflow diagram --out docs

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
