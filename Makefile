# Two commands from a fresh clone: `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# dbt reads profiles.yml from the project, never from a home folder.
export DBT_PROFILES_DIR := $(CURDIR)
export SPENDSENSE_DUCKDB_EXTENSION_DIR := $(CURDIR)/$(VENV)/duckdb_extensions

# `make test` runs the pipeline on its own copy of the demo data, so it never
# touches data/ (where `make run` publishes).
TEST_DATA := target/test_data
TEST_VARS := {features_dir: $(TEST_DATA)/features, archetypes_path: $(TEST_DATA)/user_archetypes.parquet, sqlite_path: $(TEST_DATA)/spendsense.db, parquet_path: $(TEST_DATA)/persona_assignments.parquet}
export SPENDSENSE_DUCKDB_PATH ?= target/spendsense.duckdb

.PHONY: help setup data run test lint dbt-test pytest chromium docs clean

help:
	@echo "make run    set up, generate demo data if data/features is absent, assign personas, print the report"
	@echo "make test   set up, then lint (sqlfluff, ruff), dbt build with every test, and pytest"
	@echo "make docs   generate dbt docs and serve them on http://localhost:8080"
	@echo "make clean  remove target/ and the demo data (keeps .venv)"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python scripts/install_duckdb_extensions.py
	touch $(STAMP)

setup: $(STAMP)

data/features:
	$(MAKE) --no-print-directory setup
	$(BIN)/python scripts/generate_features.py --out data/features

data: data/features

run: setup data
	$(BIN)/python scripts/assign_personas.py

$(TEST_DATA)/features: | $(STAMP)
	$(BIN)/python scripts/generate_features.py --out $(TEST_DATA)/features

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/sqlfluff lint models analyses tests

dbt-test: setup $(TEST_DATA)/features
	$(BIN)/dbt build --fail-fast --vars '$(TEST_VARS)'

# The browser test drives Debian's chromium; installed here when missing.
chromium:
	scripts/ensure_chromium.sh

pytest: setup chromium
	$(BIN)/python -m pytest

test: lint dbt-test pytest

docs: setup data
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --port 8080 --no-browser

clean:
	rm -rf target logs data
