# Homeward: `make run` serves the demo on http://127.0.0.1:5000, `make test` checks everything.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TOOLS := $(VENV)/.installed-tools
PORT ?= 5000
export HOMEWARD_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: install tools run test lint typecheck pytest bench diagram messages translations clean mutation \
	lock audit

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

# The suite runs on every core (pytest-xdist; each test has a database of its own):
# PYTEST_WORKERS=0 runs it in one process, PYTEST_ARGS passes anything else to pytest.
PYTEST_WORKERS ?= auto

pytest: tools translations
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: tools
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m bench.run_all
	$(BIN)/python -m bench.audit_trail
	$(BIN)/python -m bench.audit_migration
	$(BIN)/python -m bench.documents
	$(BIN)/python -m bench.forms
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.operations
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.reads
	$(BIN)/python -m bench.duplicates
	$(BIN)/python -m bench.duplicate_check
	$(BIN)/python -m bench.intake

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
	rm -rf $(VENV) $(LOCK_VENV) instance .pytest_cache .mypy_cache .ruff_cache

# requirements.lock: the exact versions `make test` installs on a fresh machine today, frozen
# from a new venv. `make test` itself keeps installing the newest versions pyproject.toml allows,
# so that a release that breaks Homeward fails the tests at once; the lock is what `make audit`
# checks and what production installs (`pip install --constraint requirements.lock`, see
# docs/deployment.md). Run `make lock` after changing the dependencies, and before a release.
LOCK_VENV := .lock-venv

lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e ".[test]"
	$(LOCK_VENV)/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf $(LOCK_VENV)

# Known advisories (PyPI's and OSV's) against the locked versions; a new one fails CI. Ignored,
# each for its reason:
# - GHSA-wj6h-64fc-37mp: ecdsa's Minerva timing attack on signing, with no fix. ecdsa comes with
#   python-jose, which Homeward uses with its cryptography backend, so ecdsa never signs
#   (tests/security/test_jose_backend.py holds it to that).
AUDIT_IGNORED := GHSA-wj6h-64fc-37mp

# A dependency that could not be looked up is named as not audited, never passed unseen.
audit: tools
	$(BIN)/python .ci/audit.py $(AUDIT_IGNORED)

# Mutation testing of the security-critical modules against their fast unit tests (pyproject's
# [tool.mutmut]; survivors are explained in docs/mutation.md). Slow, so not part of `test`.
# mutmut works in ./mutants, rebuilt on each run so that the score is this tree's.
mutation: install
	$(BIN)/pip install --quiet -e ".[test,mutation]"
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	@echo "Mutants not killed:"
	@$(BIN)/mutmut results
	@$(BIN)/mutmut results --all true | sed -E 's/^ +//; s/\.x[^.]*: / /' | awk \
		'{ n[$$1]++; n["(overall)"]++ } \
		$$2 == "killed" { k[$$1]++; k["(overall)"]++ } \
		$$2 == "survived" { s[$$1]++; s["(overall)"]++ } \
		END { for (m in n) printf "%-30s %4d killed %3d survived %4d total\n", m, k[m], s[m], n[m] }' \
		| sort
