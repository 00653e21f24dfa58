# Thin targets over scripts/. `make test` is the README's test command and CI's.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HAND_WRITTEN := src scripts tests

.PHONY: install demo generate check-generated lint typecheck test upstream-diff dist clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/dev.txt generated/pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt -e .
	touch $@

# The README's first command: the stand-in on a free port, get-by-ids against it, stopped.
demo: install
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

test: lint typecheck
	$(BIN)/pytest

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

# Compare Cloudflare's published description (JSON/YAML, .gz too) with openapi.yaml.
upstream-diff: install
	@test -n "$(UPSTREAM)" || { echo "usage: make upstream-diff UPSTREAM=path/to/cloudflare-openapi.json[.gz]" >&2; exit 2; }
	$(BIN)/python -m scripts.upstream_diff "$(UPSTREAM)"

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
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache build dist
