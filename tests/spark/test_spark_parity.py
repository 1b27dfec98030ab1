"""DuckDB and Spark assign the same personas: a two-date demo through both targets.

Builds the project twice on one set of generated demo data (two weekly
snapshots of the 75 demo users, some of whom change persona; DuckDB reads
them as five files, Spark as one folder per date), in a temporary
folder: `--target duckdb` with the project's .venv (dbt-duckdb) and
`--target spark` with .venv-spark (dbt-spark, session method, pyspark local
mode). Then compares every assignment row and trace, the ruleset version
and every published transition (tests/spark/parity.py says how).

Run with `make test-spark`, or
`.venv-spark/bin/python -m pytest tests/spark/test_spark_parity.py -q -s`.
SPENDSENSE_DUCKDB_DBT / SPENDSENSE_SPARK_DBT override the two dbt executables.
The same comparison on a standalone cluster is tests/spark/test_spark_cluster.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from parity import (
    DEMO_USERS,
    DUCKDB_DBT,
    SPARK_DBT,
    WINDOWS,
    Outputs,
    assert_assignments_identical,
    assert_transitions_identical,
    dbt_build,
    generate_demo,
    json_differences,
    needs_both_environments,
)

DATES = 2


def test_json_differences_compares_numbers_within_tolerance_and_keys_exactly() -> None:
    assert json_differences({"a": 1, "b": [0.1 + 0.2]}, {"b": [0.3], "a": 1.0}) == []
    assert json_differences({"a": 1}, {"a": 1.001}) == ["$.a: 1 != 1.001"]
    assert json_differences({"a": None}, {}) != []
    assert json_differences({"a": True}, {"a": 1}) != []
    assert json_differences([1, 2], [1]) != []


@needs_both_environments
def test_duckdb_and_spark_assign_identically(tmp_path: Path) -> None:
    # The same snapshots in both layouts: DuckDB reads the five files holding every
    # date, Spark one folder per date (as_of_date=YYYY-MM-DD/<file>.parquet).
    archetypes = tmp_path / "user_archetypes.parquet"
    for layout in ("files", "folders"):
        generate_demo(tmp_path / layout, archetypes, DATES, layout)
    duck, spark = Outputs(tmp_path / "duckdb"), Outputs(tmp_path / "spark")
    spark_dir = tmp_path / "spark-session"
    # The two builds are independent; DuckDB's (seconds) runs while Spark's (a JVM
    # answering query after query) waits on itself. This test compares, it does not time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        duckdb_build = pool.submit(
            dbt_build,
            DUCKDB_DBT,
            "duckdb",
            duck,
            {"features_dir": tmp_path / "files", "archetypes_path": archetypes},
            {"SPENDSENSE_DUCKDB_PATH": str(duck.folder / "spendsense.duckdb")},
        )
        spark_build = pool.submit(
            dbt_build,
            SPARK_DBT,
            "spark",
            spark,
            {"features_dir": tmp_path / "folders", "archetypes_path": archetypes},
            {"SPENDSENSE_SPARK_DIR": str(spark_dir)},
        )
        duckdb_seconds, spark_seconds = duckdb_build.result(), spark_build.result()
    print(f"\ndbt build: duckdb {duckdb_seconds:.1f} s, spark {spark_seconds:.1f} s")

    assert_assignments_identical(
        duck,
        spark,
        spark_dir / "warehouse/spendsense.db/persona_assignments",
        DEMO_USERS * WINDOWS * DATES,
        "two dates",
    )
    # The transitions from the first date to the second, published by both engines.
    assert_transitions_identical(duck, spark, "two dates")
