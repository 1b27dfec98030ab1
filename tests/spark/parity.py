"""What the Spark tests share: running dbt on a target, and comparing its outputs with DuckDB's.

DuckDB's rows come from its published outputs (the SQLite table, which has
the trace, and the Parquet file); Spark's from its published Parquet folder
and from the persona_assignments table of its warehouse (the trace; Spark
does not write SQLite). Rows are compared by key: assignment id, persona
ids, names, priorities, status and ruleset version exactly, severities
within 1e-9, and the JSON traces as parsed JSON (same keys, same values,
numbers within 1e-9).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DUCKDB_DBT = Path(os.environ.get("SPENDSENSE_DUCKDB_DBT", PROJECT_DIR / ".venv/bin/dbt"))
SPARK_DBT = Path(os.environ.get("SPENDSENSE_SPARK_DBT", PROJECT_DIR / ".venv-spark/bin/dbt"))
DEMO_PYTHON = DUCKDB_DBT.parent / "python"
TOLERANCE = 1e-9
DEMO_USERS = 75
WINDOWS = 2

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

needs_both_environments = pytest.mark.skipif(
    not (DUCKDB_DBT.exists() and SPARK_DBT.exists()),
    reason="needs .venv (make setup) and .venv-spark (make setup-spark)",
)


def generate_demo(out: Path, archetypes: Path, dates: int, layout: str) -> None:
    """The 75 demo users over `dates` weekly snapshots, as five files or one folder per date."""
    subprocess.run(
        [
            str(DEMO_PYTHON),
            str(PROJECT_DIR / "scripts/generate_features.py"),
            "--out",
            str(out),
            "--archetypes",
            str(archetypes),
            "--dates",
            str(dates),
            "--layout",
            layout,
        ],
        check=True,
        capture_output=True,
    )


@dataclass(frozen=True)
class Outputs:
    """Where one engine's build publishes, and where its dbt artifacts go."""

    folder: Path

    @property
    def parquet(self) -> Path:
        return self.folder / "persona_assignments.parquet"

    @property
    def transitions(self) -> Path:
        return self.folder / "persona_transitions.parquet"

    @property
    def sqlite(self) -> Path:
        return self.folder / "spendsense.db"


def run_dbt(
    dbt: Path,
    target: str,
    outputs: Outputs,
    variables: dict[str, Any],
    env_extra: dict[str, str],
    arguments: tuple[str, ...] = (),
    cwd: Path = PROJECT_DIR,
) -> subprocess.CompletedProcess[str]:
    """`dbt build --target <target>` with these vars, publishing into `outputs`, run in `cwd`."""
    outputs.folder.mkdir(parents=True, exist_ok=True)
    variables = {
        "sqlite_path": str(outputs.sqlite),
        "parquet_path": str(outputs.parquet),
        **variables,
    }
    env = {**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR), **env_extra}
    # dbt's unit tests test the rules' logic and run once, on DuckDB (make dbt-test):
    # their fixtures use DuckDB's literals. The parity tests compare the data.
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
        str(outputs.folder / "target"),
        "--log-path",
        str(outputs.folder / "logs"),
        *arguments,
    ]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def dbt_build(
    dbt: Path,
    target: str,
    outputs: Outputs,
    inputs: dict[str, Path],
    env_extra: dict[str, str],
    extra_vars: dict[str, Any] | None = None,
    arguments: tuple[str, ...] = (),
) -> float:
    """Run `dbt build --target <target>` on the given inputs and fail the test if it fails;
    seconds taken.

    `inputs` holds features_dir and archetypes_path; the outputs go to `outputs`.
    Paths are absolute, as a Spark Thrift server on another machine needs them.
    """
    variables = {**{name: str(path) for name, path in inputs.items()}, **(extra_vars or {})}
    started = time.monotonic()
    result = run_dbt(dbt, target, outputs, variables, env_extra, arguments)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        pytest.fail(f"dbt build --target {target} failed (exit {result.returncode}):\n{tail}")
    return elapsed


def _key(row: dict) -> tuple:
    return (row["user_id"], int(row["window_days"]), str(row["as_of_date"]))


def parquet_rows(path: Path) -> dict[tuple, dict]:
    """Rows of a Parquet file or folder (Spark writes a folder of part files), by key."""
    return {_key(row): row for row in pq.read_table(path).to_pylist()}


def duckdb_traces(sqlite_path: Path) -> dict[tuple, str]:
    with sqlite3.connect(sqlite_path) as connection:
        rows = connection.execute(
            "select user_id, window_days, as_of_date, assignment_trace from persona_assignments"
        ).fetchall()
    return {(user, int(window), str(date)): trace for user, window, date, trace in rows}


def spark_traces(warehouse_table: Path) -> dict[tuple, str]:
    return {key: row["assignment_trace"] for key, row in parquet_rows(warehouse_table).items()}


def sorted_rows(path: Path) -> list[tuple]:
    """Every row of a Parquet file or folder (transitions, a what-if's changed keys), as
    sorted tuples of its columns' text (dates as ISO text)."""
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


def assert_assignments_identical(
    duck: Outputs, spark: Outputs, spark_warehouse_table: Path, expected_rows: int, label: str
) -> None:
    """Every published assignment and trace of the two engines is the same; prints N/N."""
    assert not spark.sqlite.exists(), "Spark must not write SQLite"
    duck_rows = parquet_rows(duck.parquet)
    spark_rows = parquet_rows(spark.parquet)
    duck_by_key = duckdb_traces(duck.sqlite)
    spark_by_key = spark_traces(spark_warehouse_table)

    assert len(duck_rows) == expected_rows
    assert set(duck_rows) == set(duck_by_key)
    assert set(spark_rows) == set(duck_rows), "Spark and DuckDB assigned different keys"
    assert set(spark_by_key) == set(duck_rows)

    failures = {}
    for key in sorted(duck_rows):
        differences = row_differences(
            duck_rows[key], spark_rows[key], duck_by_key[key], spark_by_key[key]
        )
        if differences:
            failures[key] = differences
    identical = len(duck_rows) - len(failures)
    print(f"{label}: {identical}/{len(duck_rows)} rows identical")
    shown = [f"{key}: " + "; ".join(diffs[:5]) for key, diffs in list(failures.items())[:10]]
    assert not failures, f"{len(failures)} rows differ:\n" + "\n".join(shown)


def assert_transitions_identical(duck: Outputs, spark: Outputs, label: str) -> None:
    """The transitions both engines published are the same, and there is at least one."""
    duck_transitions = sorted_rows(duck.transitions)
    spark_transitions = sorted_rows(spark.transitions)
    assert duck_transitions, "the two-date demo has no transition"
    same = len(set(duck_transitions) & set(spark_transitions))
    print(f"{label}: {same}/{len(duck_transitions)} transitions identical")
    assert spark_transitions == duck_transitions
