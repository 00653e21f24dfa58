# Thin targets over scripts/. `make test` is the README's test command and CI's.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HAND_WRITTEN := src scripts tests

.PHONY: install generate check-generated lint typecheck test clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/dev.txt generated/pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt -e .
	touch $@

generate: install
	$(BIN)/python -m scripts.generate

check-generated: install
	$(BIN)/python -m scripts.check_generated

lint: install
	$(BIN)/ruff check $(HAND_WRITTEN)
	$(BIN)/ruff format --check $(HAND_WRITTEN)

typecheck: install
	$(BIN)/mypy src generated/cf_vectorize_api scripts tests

test: lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
