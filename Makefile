# Thin targets over scripts/. `make test` is the README's test command and CI's.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Two steps into one .venv: the package with its runtime dependencies (all `make demo`
# needs, a few seconds), then the development tools on top (`make install`, `make test`).
RUNTIME_STAMP := $(VENV)/.runtime-installed
STAMP := $(VENV)/.installed
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check
HAND_WRITTEN := src scripts tests

.PHONY: install demo generate check-generated lint typecheck test test-lowest upstream-diff dist clean

install: $(STAMP)

$(RUNTIME_STAMP): pyproject.toml generated/pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python $(PIP_INSTALL) -e .
	touch $@

$(STAMP): $(RUNTIME_STAMP) requirements/dev.txt
	$(BIN)/python $(PIP_INSTALL) -r requirements/dev.txt -e .
	touch $@

# The README's first command: the stand-in on a free port, get-by-ids against it, stopped.
# Runtime dependencies only, so that a fresh clone shows vectors within seconds.
demo: $(RUNTIME_STAMP)
	$(BIN)/python -m scripts.demo

generate: install
	$(BIN)/python -m scripts.generate

check-generated: install
	$(BIN)/python -m scripts.check_generated

lint: install
	$(BIN)/ruff check $(HAND_WRITTEN)
	$(BIN)/ruff format --check $(HAND_WRITTEN)

typecheck: install
	$(BIN)/mypy src generated/cf_vectorize_api scripts tests

test: lint typecheck test-lowest
	$(BIN)/pytest

# The lowest versions pyproject.toml allows, runtime and extras (scripts/lowest_pins.py),
# as wheels in their own environment, and the smoke suite run there (no conftest, no
# plugins: only pytest is added). Proves the lower bounds true; about 20 s the first time
# (the wheels are cached after), 5 s after that.
LOWEST_VENV ?= .venv-lowest
LOWEST_STAMP := $(LOWEST_VENV)/.installed

$(LOWEST_STAMP): pyproject.toml scripts/lowest_pins.py
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(PYTHON) -m scripts.lowest_pins > $(LOWEST_VENV)/pins.txt
	$(LOWEST_VENV)/bin/python $(PIP_INSTALL) --only-binary :all: -r $(LOWEST_VENV)/pins.txt pytest
	touch $@

test-lowest: $(LOWEST_STAMP)
	PYTHONPATH=src:generated:. $(LOWEST_VENV)/bin/python -m pytest -q -c /dev/null \
		--rootdir . -p no:cacheprovider --noconftest tests/test_smoke.py
	PYTHONPATH=src:generated $(LOWEST_VENV)/bin/python -m pytest -q -c /dev/null \
		--rootdir . -p no:cacheprovider --noconftest -p cf_vectorize.testing tests/plugin_example

# Faults, hostile input and load, with figures: scenario, client, attempts, outcome (about 1 min).
.PHONY: reliability
reliability: install
	$(BIN)/python -m scripts.reliability

# What the pytest fixture vectorize_server costs each test (ms), as a table.
.PHONY: fixture-cost
fixture-cost: install
	$(BIN)/python -m scripts.fixture_cost

# Re-record tests/cassettes/live from a real index (see README, "Cassettes"): needs
# CLOUDFLARE_ACCOUNT_ID, a credential, CF_VECTORIZE_RECORD_INDEX and CF_VECTORIZE_RECORD_IDS.
.PHONY: record
record: install
	$(BIN)/python -m scripts.record_cassettes

# Compare Cloudflare's published description (JSON/YAML, .gz too) with openapi.yaml: every
# operation of ours, or only OPERATION=<operationId> (for a fragment or an older document).
upstream-diff: install
	@test -n "$(UPSTREAM)" || { echo "usage: make upstream-diff UPSTREAM=path/to/cloudflare-openapi.json[.gz] [OPERATION=operationId]" >&2; exit 2; }
	$(BIN)/python -m scripts.upstream_diff "$(UPSTREAM)" $(if $(OPERATION),--operation "$(OPERATION)")

# cf-vectorize against the official SDK and plain httpx on 127.0.0.1 (about 2 minutes);
# its own environment: the SDK is never installed in .venv.
BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-e '.[fast,numpy]' cloudflare==5.9.0
	touch $@

.PHONY: bench
bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m scripts.bench

# Build sdist + wheel, check them, and smoke-test the wheel in a fresh virtual environment.
dist: install
	$(BIN)/python -m scripts.dist

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(LOWEST_VENV) .pytest_cache .mypy_cache .ruff_cache build dist
