"""DuckDB and Spark assign the same personas: a two-date demo through both targets.

Builds the project twice on one set of generated demo data (two weekly
snapshots of the 75 demo users, some of whom change persona; DuckDB reads
them as five files, Spark as one folder per date), in a temporary
folder: `--target duckdb` with the project's .venv (dbt-duckdb) and
`--target spark` with .venv-spark (dbt-spark, session method, pyspark local
mode). Then compares every assignment row: key, assignment id, persona ids,
names, priorities, status, severities (within 1e-9), and the JSON traces as
parsed JSON (same keys, same values, numbers within 1e-9), the ruleset
version, and every published transition.

DuckDB's rows come from its published outputs (the SQLite table, which has
the trace, and the Parquet file); Spark's from its published Parquet table
and from the persona_assignments table of its warehouse (the trace; Spark
does not write SQLite).

Run with `make test-spark`, or `.venv-spark/bin/python -m pytest tests/spark -q -s`.
SPENDSENSE_DUCKDB_DBT / SPENDSENSE_SPARK_DBT override the two dbt executables.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DUCKDB_DBT = Path(os.environ.get("SPENDSENSE_DUCKDB_DBT", PROJECT_DIR / ".venv/bin/dbt"))
SPARK_DBT = Path(os.environ.get("SPENDSENSE_SPARK_DBT", PROJECT_DIR / ".venv-spark/bin/dbt"))
DEMO_PYTHON = DUCKDB_DBT.parent / "python"
TOLERANCE = 1e-9
DATES = 2
EXPECTED_ROWS = 300  # 75 demo users x 2 windows x 2 as_of_dates

KEY = ("user_id", "window_days", "as_of_date")
EXACT_COLUMNS = (
    "assignment_id",
    "primary_persona_id",
    "primary_persona_name",
    "primary_priority",
    "secondary_persona_id",
    "secondary_persona_name",
    "secondary_priority",
    "status",
    "ruleset_version",
)
SEVERITY_COLUMNS = ("primary_severity", "secondary_severity")


def _dbt_build(
    dbt: Path, target: str, work: Path, features: Path, env_extra: dict[str, str]
) -> float:
    """Run `dbt build --target <target>` on the demo data in `features`; seconds taken."""
    out = work / target
    out.mkdir()
    variables = {
        "features_dir": str(features),
        "archetypes_path": str(work / "user_archetypes.parquet"),
        "sqlite_path": str(out / "spendsense.db"),
        "parquet_path": str(out / "persona_assignments.parquet"),
    }
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), **env_extra}
    # dbt's unit tests test the rules' logic and run once, on DuckDB (make dbt-test):
    # their fixtures use DuckDB's literals. The parity test compares the data.
    command = [
        str(dbt),
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--target",
        target,
        "--vars",
        json.dumps(variables),
        "--target-path",
        str(out / "target"),
        "--log-path",
        str(out / "logs"),
    ]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        pytest.fail(f"dbt build --target {target} failed (exit {result.returncode}):\n{tail}")
    return elapsed


def _key(row: dict) -> tuple:
    return (row["user_id"], int(row["window_days"]), str(row["as_of_date"]))


def _parquet_rows(path: Path) -> dict[tuple, dict]:
    """Rows of a Parquet file or folder (Spark writes a folder of part files), by key."""
    return {_key(row): row for row in pq.read_table(path).to_pylist()}


def _duckdb_traces(sqlite_path: Path) -> dict[tuple, str]:
    with sqlite3.connect(sqlite_path) as connection:
        rows = connection.execute(
            "select user_id, window_days, as_of_date, assignment_trace from persona_assignments"
        ).fetchall()
    return {(user, int(window), str(date)): trace for user, window, date, trace in rows}


def _spark_traces(warehouse_table: Path) -> dict[tuple, str]:
    return {key: row["assignment_trace"] for key, row in _parquet_rows(warehouse_table).items()}


def transition_rows(path: Path) -> list[tuple]:
    """Every published transition, as sorted tuples of its columns (dates as ISO text)."""
    rows = pq.read_table(path).to_pylist()
    return sorted(tuple(str(value) for value in row.values()) for row in rows)


def _numbers_equal(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is right
    return math.isclose(float(left), float(right), rel_tol=0.0, abs_tol=TOLERANCE)


def json_differences(left: object, right: object, path: str = "$") -> list[str]:
    """Where two parsed JSON values differ: keys, types, values; numbers within 1e-9."""
    if isinstance(left, dict) and isinstance(right, dict):
        differences = []
        if set(left) != set(right):
            differences.append(
                f"{path}: keys differ: only DuckDB {sorted(set(left) - set(right))}, "
                f"only Spark {sorted(set(right) - set(left))}"
            )
        for name in sorted(set(left) & set(right)):
            differences += json_differences(left[name], right[name], f"{path}.{name}")
        return differences
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: {len(left)} items in DuckDB, {len(right)} in Spark"]
        differences = []
        for index, (item_left, item_right) in enumerate(zip(left, right, strict=True)):
            differences += json_differences(item_left, item_right, f"{path}[{index}]")
        return differences
    is_number = [isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)]
    if all(is_number):
        return [] if _numbers_equal(left, right) else [f"{path}: {left!r} != {right!r}"]
    if type(left) is not type(right) or left != right:
        return [f"{path}: {left!r} != {right!r}"]
    return []


def row_differences(duck: dict, spark: dict, duck_trace: str, spark_trace: str) -> list[str]:
    differences = [
        f"{column}: {duck[column]!r} != {spark[column]!r}"
        for column in EXACT_COLUMNS
        if duck[column] != spark[column]
    ]
    differences += [
        f"{column}: {duck[column]!r} != {spark[column]!r}"
        for column in SEVERITY_COLUMNS
        if not _numbers_equal(duck[column], spark[column])
    ]
    differences += json_differences(json.loads(duck_trace), json.loads(spark_trace), "trace")
    return differences


def test_json_differences_compares_numbers_within_tolerance_and_keys_exactly() -> None:
    assert json_differences({"a": 1, "b": [0.1 + 0.2]}, {"b": [0.3], "a": 1.0}) == []
    assert json_differences({"a": 1}, {"a": 1.001}) == ["$.a: 1 != 1.001"]
    assert json_differences({"a": None}, {}) != []
    assert json_differences({"a": True}, {"a": 1}) != []
    assert json_differences([1, 2], [1]) != []


@pytest.mark.skipif(
    not (DUCKDB_DBT.exists() and SPARK_DBT.exists()),
    reason="needs .venv (make setup) and .venv-spark (make setup-spark)",
)
def test_duckdb_and_spark_assign_identically(tmp_path: Path) -> None:
    # The same snapshots in both layouts: DuckDB reads the five files holding every
    # date, Spark one folder per date (as_of_date=YYYY-MM-DD/<file>.parquet).
    for layout in ("files", "folders"):
        subprocess.run(
            [
                str(DEMO_PYTHON),
                str(PROJECT_DIR / "scripts/generate_features.py"),
                "--out",
                str(tmp_path / layout),
                "--archetypes",
                str(tmp_path / "user_archetypes.parquet"),
                "--dates",
                str(DATES),
                "--layout",
                layout,
            ],
            check=True,
            capture_output=True,
        )
    duckdb_seconds = _dbt_build(
        DUCKDB_DBT,
        "duckdb",
        tmp_path,
        tmp_path / "files",
        {"SPENDSENSE_DUCKDB_PATH": str(tmp_path / "duckdb/spendsense.duckdb")},
    )
    spark_dir = tmp_path / "spark-session"
    spark_seconds = _dbt_build(
        SPARK_DBT, "spark", tmp_path, tmp_path / "folders", {"SPENDSENSE_SPARK_DIR": str(spark_dir)}
    )
    print(f"\ndbt build: duckdb {duckdb_seconds:.1f} s, spark {spark_seconds:.1f} s")

    assert not (tmp_path / "spark/spendsense.db").exists(), "Spark must not write SQLite"
    duck_rows = _parquet_rows(tmp_path / "duckdb/persona_assignments.parquet")
    spark_rows = _parquet_rows(tmp_path / "spark/persona_assignments.parquet")
    duck_traces = _duckdb_traces(tmp_path / "duckdb/spendsense.db")
    spark_traces = _spark_traces(spark_dir / "warehouse/spendsense.db/persona_assignments")

    assert len(duck_rows) == EXPECTED_ROWS
    assert set(duck_rows) == set(duck_traces)
    assert set(spark_rows) == set(duck_rows), "Spark and DuckDB assigned different keys"
    assert set(spark_traces) == set(duck_rows)

    failures = {}
    for key in sorted(duck_rows):
        differences = row_differences(
            duck_rows[key], spark_rows[key], duck_traces[key], spark_traces[key]
        )
        if differences:
            failures[key] = differences
    identical = len(duck_rows) - len(failures)
    print(f"{identical}/{len(duck_rows)} rows identical")
    shown = [f"{key}: " + "; ".join(diffs[:5]) for key, diffs in list(failures.items())[:10]]
    assert not failures, f"{len(failures)} rows differ:\n" + "\n".join(shown)

    # The transitions from the first date to the second, published by both engines.
    duck_transitions = transition_rows(tmp_path / "duckdb/persona_transitions.parquet")
    spark_transitions = transition_rows(tmp_path / "spark/persona_transitions.parquet")
    assert duck_transitions, "the two-date demo has no transition"
    same = len(set(duck_transitions) & set(spark_transitions))
    print(f"{same}/{len(duck_transitions)} transitions identical")
    assert spark_transitions == duck_transitions
