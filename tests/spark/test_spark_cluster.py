"""The project on a Spark cluster, as it is deployed: dbt-spark's thrift method.

Starts a standalone cluster of its own on this machine (scripts/spark_cluster.py:
a master, two workers of one core each and a Spark Thrift server submitted to
the master, all on 127.0.0.1 and on free ports, so a cluster started with
`make spark-cluster-up` can keep running; state under target/spark-cluster-test),
then runs the demo through `--target spark_thrift` in two steps, as a team
running it every week would: the 75 demo users on one date, then the same
warehouse after the next week's snapshot arrived. DuckDB builds the same
inputs in the same two steps. After each step every assignment and trace is
compared (tests/spark/parity.py), after the second every transition too; the
test prints "N/N rows identical" and which executors, on which workers, ran
the work (read from the master's JSON status and the Thrift server's Spark
REST API). A what-if runs on both engines too, and every port the cluster
opened must be on 127.0.0.1. The cluster is stopped by its PID files when the
module ends, whether the builds passed or not, and the test fails if any of
its processes is left.

Run with `make test-spark-cluster` (about four minutes here), or
`.venv-spark/bin/python -m pytest tests/spark/test_spark_cluster.py -q -s`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from clusters import LOOPBACK, free_port_environment, listening_addresses, spark_cluster
from parity import (
    DEMO_USERS,
    DUCKDB_DBT,
    PROJECT_DIR,
    SPARK_DBT,
    WINDOWS,
    Outputs,
    assert_assignments_identical,
    assert_transitions_identical,
    dbt_build,
    generate_demo,
    needs_both_environments,
    run_dbt,
    sorted_rows,
)

CLUSTER_DIR = PROJECT_DIR / "target" / "spark-cluster-test"
SCHEMA = os.environ.get("SPENDSENSE_SPARK_SCHEMA", "spendsense")

pytestmark = needs_both_environments


@pytest.fixture(scope="module")
def cluster() -> Iterator[spark_cluster.Cluster]:
    """A cluster of its own, on ports of its own (dbt reads the Thrift port from the same
    environment variable), stopped whatever the tests did."""
    with pytest.MonkeyPatch.context() as environment:
        for name, port in free_port_environment().items():
            environment.setenv(name, port)
        cluster = spark_cluster.Cluster.from_environment(CLUSTER_DIR)
        # A run killed before its teardown leaves its processes: stop them first.
        spark_cluster.down(cluster, say=lambda _line: None)
        shutil.rmtree(CLUSTER_DIR, ignore_errors=True)
        try:
            spark_cluster.up(cluster)
            yield cluster
        finally:
            spark_cluster.down(cluster)
            left = spark_cluster.cluster_pids(cluster)
            assert not left, f"processes of the cluster still running after down: {sorted(left)}"


SNAPSHOT_TRACES = "warehouse_persona_assignments"
# The what-if: one threshold at two candidate values, each moving some demo users.
WHAT_IF = {"high_utilization_min_utilization": [0.5, 0.6]}


@dataclass(frozen=True)
class Builds:
    """The demo's two steps on both engines: their inputs, outputs and DuckDB warehouse."""

    work: Path
    inputs: dict[str, Path]
    duck: Outputs
    spark: Outputs
    duck_env: dict[str, str]


@pytest.fixture(scope="module")
def builds(cluster: spark_cluster.Cluster, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The demo on one date, then with the next date added, on both engines.

    Both engines read the folder layout, one folder per date, so adding the
    next date is adding its folder. Each engine keeps one warehouse and one
    set of outputs across the two steps, as a weekly run would; after each
    step they are copied aside (step-1/, step-2/) for the tests to compare,
    with the Spark warehouse's persona_assignments table (the traces).
    """
    work = tmp_path_factory.mktemp("cluster-parity")
    generate_demo(work / "one-date", work / "labels-1.parquet", 1, "folders")
    generate_demo(work / "two-dates", work / "labels-2.parquet", 2, "folders")
    features = work / "features"
    duck, spark = Outputs(work / "duckdb"), Outputs(work / "spark")
    duck_env = {"SPENDSENSE_DUCKDB_PATH": str(work / "spendsense.duckdb")}
    traces = cluster.warehouse / f"{SCHEMA}.db" / "persona_assignments"
    seconds = []
    inputs: dict[str, Path] = {}
    for step, (source, labels) in enumerate(
        [(work / "one-date", "labels-1.parquet"), (work / "two-dates", "labels-2.parquet")], 1
    ):
        for folder in sorted(source.glob("as_of_date=*")):
            if not (features / folder.name).exists():
                shutil.copytree(folder, features / folder.name)
        inputs = {"features_dir": features, "archetypes_path": work / labels}
        seconds.append(dbt_build(DUCKDB_DBT, "duckdb", duck, inputs, duck_env))
        seconds.append(dbt_build(SPARK_DBT, "spark_thrift", spark, inputs, {}))
        snapshot = work / f"step-{step}"
        for outputs in (duck, spark):
            shutil.copytree(outputs.folder, snapshot / outputs.folder.name, ignore=_dbt_artifacts)
        shutil.copytree(traces, snapshot / SNAPSHOT_TRACES)
    print(
        "\ndbt build: one date: duckdb {:.1f} s, spark_thrift {:.1f} s; "
        "second date added: duckdb {:.1f} s, spark_thrift {:.1f} s".format(*seconds)
    )
    return Builds(work, inputs, duck, spark, duck_env)


def _dbt_artifacts(_folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in ("target", "logs")]


def _compare_step(builds: Builds, step: int, dates: int, label: str) -> Path:
    snapshot = builds.work / f"step-{step}"
    assert_assignments_identical(
        Outputs(snapshot / "duckdb"),
        Outputs(snapshot / "spark"),
        snapshot / SNAPSHOT_TRACES,
        DEMO_USERS * WINDOWS * dates,
        label,
    )
    return snapshot


def test_the_cluster_listens_on_loopback_only(cluster: spark_cluster.Cluster) -> None:
    listening = listening_addresses(spark_cluster.cluster_pids(cluster))
    assert cluster.thrift_port in listening
    assert cluster.master_port in listening
    elsewhere = {port: sorted(a - LOOPBACK) for port, a in listening.items() if a - LOOPBACK}
    assert not elsewhere, f"cluster ports bound beyond 127.0.0.1: {elsewhere}"
    print(f"\n{len(listening)} listening ports, all on 127.0.0.1: {sorted(listening)}")


def test_the_demo_on_the_cluster_is_identical_to_duckdb(builds: Builds) -> None:
    _compare_step(builds, 1, 1, "demo, one date")


def test_the_next_date_on_the_cluster_is_identical_to_duckdb(builds: Builds) -> None:
    snapshot = _compare_step(builds, 2, 2, "second date added")
    assert_transitions_identical(
        Outputs(snapshot / "duckdb"), Outputs(snapshot / "spark"), "second date added"
    )


def test_a_what_if_on_the_cluster_changes_the_same_keys_as_on_duckdb(builds: Builds) -> None:
    # On the stored two dates, after the second step: the what-if selector only, nothing published.
    changed = {}
    for dbt, target, outputs, env in (
        (DUCKDB_DBT, "duckdb", builds.duck, builds.duck_env),
        (SPARK_DBT, "spark_thrift", builds.spark, {}),
    ):
        what_if_dir = builds.work / f"what-if-{target}"
        seconds = dbt_build(
            dbt,
            target,
            outputs,
            builds.inputs,
            env,
            extra_vars={"what_if": WHAT_IF, "what_if_dir": str(what_if_dir)},
            arguments=("--selector", "what_if"),
        )
        print(f"\nwhat-if on {target}: {seconds:.1f} s")
        changed[target] = sorted_rows(what_if_dir / "changed_keys.parquet")
    assert changed["duckdb"], "the what-if's candidates change no demo key"
    same = len(set(changed["duckdb"]) & set(changed["spark_thrift"]))
    print(f"what-if: {same}/{len(changed['duckdb'])} changed keys identical")
    assert changed["spark_thrift"] == changed["duckdb"]


def test_a_missing_relative_features_dir_names_the_servers_folder(
    builds: Builds, tmp_path: Path
) -> None:
    # The Thrift server resolves a relative path in its own working directory (the
    # project root, where spark_cluster.py starts it), not in dbt's: dbt runs elsewhere.
    dbt_folder = tmp_path / "elsewhere"
    dbt_folder.mkdir()
    result = run_dbt(
        SPARK_DBT,
        "spark_thrift",
        Outputs(builds.work / "relative"),
        {"features_dir": "no/such/features"},
        {},
        ("--project-dir", str(PROJECT_DIR)),
        cwd=dbt_folder,
    )
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Feature file no/such/features/credit.parquet not found" in printed
    assert f"against its own working directory {PROJECT_DIR}." in printed
    assert not (builds.work / "relative/persona_assignments.parquet").exists()


def test_both_workers_ran_the_builds(builds: Builds, cluster: spark_cluster.Cluster) -> None:
    workers = spark_cluster.master_status(cluster)["workers"]
    alive = sorted(worker["id"] for worker in workers if worker["state"] == "ALIVE")
    executors = spark_cluster.executors_by_worker(cluster)
    for executor in executors:
        print(f"executor {executor.executor_id} on {executor.worker}: {executor.tasks} tasks")
    working = {executor.worker for executor in executors if executor.tasks > 0}
    print(f"{len(working)} of {len(alive)} workers ran tasks, on {len(executors)} executors")
    assert len(alive) == spark_cluster.WORKERS
    assert working == set(alive), f"workers that ran no task: {sorted(set(alive) - working)}"
