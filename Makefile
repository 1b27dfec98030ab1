# Two commands from a fresh clone: `make run` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Optional Spark environment (dbt-spark, pyspark): make test-spark and the Spark cluster targets.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

# dbt reads profiles.yml from the project, never from a home folder.
export DBT_PROFILES_DIR := $(CURDIR)

# `make test` runs the pipeline on its own copy of the demo data, so it never
# touches data/ (where `make run` publishes).
TEST_DATA := target/test_data
TEST_VARS := {features_dir: $(TEST_DATA)/features, archetypes_path: $(TEST_DATA)/user_archetypes.parquet, sqlite_path: $(TEST_DATA)/spendsense.db, parquet_path: $(TEST_DATA)/persona_assignments.parquet}

.PHONY: help setup setup-spark java data run what-if check test test-spark spark-cluster-up spark-cluster-down test-spark-cluster lint dbt-test pytest chromium docs clean

help:
	@echo "make run    set up, generate demo data if data/features is absent, assign personas, print the report"
	@echo "make what-if WHAT_IF='{var: value}'  who would change persona under other thresholds (publishes nothing)"
	@echo "make check  lint, dbt's unit tests and one build of the demo data (the inner loop)"
	@echo "make test   set up, then lint (sqlfluff, ruff), dbt build with every test, pytest and Spark parity"
	@echo "make test-spark  build the demo data on DuckDB and on Spark and compare every assignment"
	@echo "make spark-cluster-up    a Spark master, two workers and a Thrift server on 127.0.0.1 (--target spark_thrift)"
	@echo "make spark-cluster-down  stop them"
	@echo "make test-spark-cluster  a cluster of its own: the demo, a second date and a what-if through --target spark_thrift, compared with DuckDB"
	@echo "make docs   generate dbt docs and serve them on http://localhost:8080"
	@echo "make clean  remove target/ and the demo data (keeps .venv)"

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# Spark needs Java 17; checked before anything is installed (pyspark is about 630 MB).
java:
	@command -v java >/dev/null || { echo "Spark needs Java 17, and java is not on PATH: apt-get install openjdk-17-jre-headless, then re-run."; exit 1; }

# Spark gets its own virtual environment so that .venv (DuckDB) stays as light as it is.
# --no-compile: pyspark is thousands of modules the tests never import (5 s of byte-compiling).
$(SPARK_STAMP): requirements-spark.txt | java
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-spark.txt
	touch $(SPARK_STAMP)

setup-spark: $(SPARK_STAMP)

data/features:
	$(MAKE) --no-print-directory setup
	$(BIN)/python scripts/generate_features.py --out data/features --archetypes data/user_archetypes.parquet

data: data/features

# Options for scripts/assign_personas.py, e.g. make run ARGS=--full-refresh
ARGS ?=

run: setup data
	$(BIN)/python scripts/assign_personas.py $(ARGS)

# Who would change persona under other thresholds, published nothing, e.g.
#   make what-if WHAT_IF='{high_utilization_min_utilization: 0.6}'
#   make what-if SWEEP=high_utilization_min_utilization=0.40:0.70:0.05
WHAT_IF ?=
SWEEP ?=

what-if: setup data
	@test -n "$(WHAT_IF)$(SWEEP)" || { echo "make what-if needs WHAT_IF='{var: value}' or SWEEP=var=START:STOP:STEP, e.g. make what-if WHAT_IF='{high_utilization_min_utilization: 0.6}'"; exit 2; }
	$(BIN)/python scripts/assign_personas.py $(if $(WHAT_IF),--what-if '$(WHAT_IF)') $(foreach sweep,$(SWEEP),--sweep $(sweep)) $(ARGS)

$(TEST_DATA)/features: | $(STAMP)
	$(BIN)/python scripts/generate_features.py --out $(TEST_DATA)/features --archetypes $(TEST_DATA)/user_archetypes.parquet

lint: setup
	$(BIN)/ruff check scripts tests plugins benchmarks
	$(BIN)/ruff format --check scripts tests plugins benchmarks
	$(BIN)/sqlfluff lint --processes 0 models analyses tests

# dbt's unit tests (once, here) and one build of the demo data with every data test.
dbt-test: setup $(TEST_DATA)/features
	$(BIN)/dbt build --fail-fast --selector ci --vars '$(TEST_VARS)'

# The inner loop while changing models: lint, unit tests, one demo build (about a minute).
check: lint dbt-test

# The browser test drives Debian's chromium; installed here when missing.
chromium:
	scripts/ensure_chromium.sh

# Two workers, one per core (pytest-xdist). A test file is the unit each worker
# takes, so a module's shared build is made once (pytest 9.2 ignores xdist_group).
pytest: setup chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The demo data through `--target duckdb` and `--target spark`, every assignment
# row and trace compared (tests/spark/test_spark_parity.py; Spark in local mode,
# needs Java 17), and the cluster script's start-up faults (about ten seconds).
test-spark: java setup setup-spark
	$(SPARK_VENV)/bin/python -m pytest tests/spark/test_spark_parity.py tests/spark/test_spark_cluster_faults.py -q -s -p no:cacheprovider

test: lint dbt-test pytest test-spark

# A standalone Spark cluster on this machine for `--target spark_thrift`
# (scripts/spark_cluster.py): master spark://127.0.0.1:7077, two workers of one
# core each, and a Spark Thrift server on 127.0.0.1:10000 submitted to the master.
# State and logs in target/spark-cluster. Stopping needs only the standard library.
spark-cluster-up: java setup-spark
	$(SPARK_VENV)/bin/python scripts/spark_cluster.py up

spark-cluster-down:
	$(PYTHON) scripts/spark_cluster.py down

# Starts a cluster of its own (in target/spark-cluster-test, on free ports), runs
# the demo, a second date and a what-if through --target spark_thrift and DuckDB,
# compares every row, and stops the cluster in its teardown; the last line stops
# it too if pytest itself was killed. About four minutes, so .ci/run runs it as a
# step of its own rather than inside make test.
test-spark-cluster: java setup setup-spark
	$(SPARK_VENV)/bin/python -m pytest tests/spark/test_spark_cluster.py -q -s -p no:cacheprovider; \
	status=$$?; $(PYTHON) scripts/spark_cluster.py down --dir target/spark-cluster-test >/dev/null; exit $$status

docs: setup data
	$(BIN)/dbt docs generate
	$(BIN)/dbt docs serve --port 8080 --no-browser

# A cluster's PID files are under target/: stop it before they are deleted.
clean:
	$(PYTHON) scripts/spark_cluster.py down
	$(PYTHON) scripts/spark_cluster.py down --dir target/spark-cluster-test >/dev/null
	rm -rf target logs data
