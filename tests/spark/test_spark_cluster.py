"""The project on a Spark cluster, as it is deployed: dbt-spark's thrift method.

Starts a standalone cluster on this machine (scripts/spark_cluster.py: a
master, two workers of one core each and a Spark Thrift server submitted to
the master, all on 127.0.0.1, with their state under target/spark-cluster-test),
then runs the demo through `--target spark_thrift` in two steps, as a team
running it every week would: the 75 demo users on one date, then the same
warehouse after the next week's snapshot arrived. DuckDB builds the same
inputs in the same two steps. After each step every assignment and trace is
compared (tests/spark/parity.py), after the second every transition too; the
test prints "N/N rows identical" and which executors, on which workers, ran
the work (read from the master's JSON status and the Thrift server's Spark
REST API). The cluster is stopped by its PID files when the module ends,
whether the builds passed or not, and the test fails if any of its processes
is left.

Run with `make test-spark-cluster` (about four minutes here), or
`.venv-spark/bin/python -m pytest tests/spark/test_spark_cluster.py -q -s`.
"""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
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

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import spark_cluster

CLUSTER_DIR = PROJECT_DIR / "target" / "spark-cluster-test"
LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}

pytestmark = needs_both_environments


def _cluster_pids(cluster: spark_cluster.Cluster) -> set[int]:
    """Every live process whose command line names the cluster's folder (executors included)."""
    pids = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(cluster.directory) in command and int(cmdline.parent.name) != _own_pid():
            pids.add(int(cmdline.parent.name))
    return pids


def _own_pid() -> int:
    return int(Path("/proc/self").resolve().name)


def _listening_addresses(pids: set[int]) -> dict[int, set[str]]:
    """The local addresses of every listening TCP socket those processes hold, by port."""
    inodes: set[str] = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                link = str(fd.readlink())
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[len("socket:[") : -1])
    listening: dict[int, set[str]] = {}
    for table, decode in (("/proc/net/tcp", _ipv4), ("/proc/net/tcp6", _ipv6)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.rsplit(":", 1)
                listening.setdefault(int(port, 16), set()).add(decode(address))
    return listening


def _ipv4(hex_address: str) -> str:
    return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))


def _ipv6(hex_address: str) -> str:
    # /proc shows an IPv6 address as four 32-bit words, each in host (little-endian) order.
    words = [bytes.fromhex(hex_address[i : i + 8])[::-1] for i in range(0, 32, 8)]
    raw = b"".join(words)
    if raw[:12] == b"\0" * 10 + b"\xff\xff":
        return "::ffff:" + ".".join(str(b) for b in raw[12:])
    return ":".join(raw[i : i + 2].hex() for i in range(0, 16, 2))


def test_a_port_in_use_is_named_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        monkeypatch.setenv("SPENDSENSE_SPARK_MASTER_UI_PORT", str(port))
        cluster = spark_cluster.Cluster.from_environment(tmp_path / "cluster")
        message = f"Port {port} on 127.0.0.1 is already in use .* SPENDSENSE_SPARK_MASTER_UI_PORT"
        with pytest.raises(spark_cluster.ClusterError, match=message):
            spark_cluster.up(cluster, say=lambda _line: None)
    assert not spark_cluster.running(cluster)
    assert not _cluster_pids(cluster)


def test_a_process_that_fails_to_start_is_named_with_its_log_and_the_rest_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second worker gets an option Spark's Worker refuses; the master and the
    # first worker start for real, and must be stopped again.
    commands = spark_cluster._commands

    def second_worker_broken(cluster: spark_cluster.Cluster, home: Path) -> dict[str, list[str]]:
        started = commands(cluster, home)
        started["worker-2"] = [*started["worker-2"][:2], "--no-such-option"]
        return started

    monkeypatch.setattr(spark_cluster, "_commands", second_worker_broken)
    cluster = spark_cluster.Cluster.from_environment(tmp_path / "cluster")
    with pytest.raises(spark_cluster.ClusterError) as raised:
        spark_cluster.up(cluster, say=lambda _line: None)
    message = str(raised.value)
    log = cluster.log("worker-2")
    assert message.startswith("The Spark worker-2 (pid ")
    assert f"exited while starting. Its log, {log}, ends with:" in message
    assert "--no-such-option" in log.read_text()
    assert not spark_cluster.running(cluster)
    assert not _cluster_pids(cluster), "the master and worker-1 were left running"
    assert not list((cluster.directory / "pids").glob("*.pid"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[spark_cluster.Cluster]:
    cluster = spark_cluster.Cluster.from_environment(CLUSTER_DIR)
    # A run killed before its teardown leaves PID files: stop that cluster first.
    spark_cluster.down(cluster, say=lambda _line: None)
    shutil.rmtree(CLUSTER_DIR, ignore_errors=True)
    try:
        spark_cluster.up(cluster)
        yield cluster
    finally:
        spark_cluster.down(cluster)
        left = _cluster_pids(cluster)
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
        traces = cluster.warehouse / "spendsense.db/persona_assignments"
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
    listening = _listening_addresses(_cluster_pids(cluster))
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


def test_a_missing_relative_features_dir_names_the_servers_folder(builds: Builds) -> None:
    # The Thrift server resolves a relative path in its own working directory (here
    # the project root, where make spark-cluster-up starts it): the message says so.
    result = run_dbt(
        SPARK_DBT,
        "spark_thrift",
        Outputs(builds.work / "relative"),
        {"features_dir": "no/such/features"},
        {},
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
        print(f"executor {executor.executor_id} on {executor.worker_id}: {executor.tasks} tasks")
    working = {executor.worker_id for executor in executors if executor.tasks > 0}
    print(f"{len(working)} of {len(alive)} workers ran tasks, on {len(executors)} executors")
    assert len(alive) == spark_cluster.WORKERS
    assert working == set(alive), f"workers that ran no task: {sorted(set(alive) - working)}"
