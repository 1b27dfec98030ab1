"""Starting the Spark cluster fails clearly, and leaves nothing running.

scripts/spark_cluster.py checks every port before it starts anything, and
when a process dies while the cluster starts it names that process and its
log and stops what had started. Cheap (no Thrift server, about ten seconds),
so `make test-spark` (part of `make test`) runs these; the full cluster run is
tests/spark/test_spark_cluster.py.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from clusters import decode_proc_address, free_port_environment, spark_cluster
from parity import needs_both_environments


@pytest.fixture(autouse=True)
def own_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, port in free_port_environment().items():
        monkeypatch.setenv(name, port)


def test_proc_addresses_decode_as_the_kernel_means_them() -> None:
    assert decode_proc_address("0100007F") == "127.0.0.1"
    assert decode_proc_address("00000000") == "0.0.0.0"
    assert decode_proc_address("0000000000000000FFFF00000100007F") == "::ffff:127.0.0.1"
    assert decode_proc_address("00000000000000000000000000000000") == "::"
    assert decode_proc_address("00000000000000000000000001000000") == "::1"


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
    assert not (tmp_path / "cluster/logs").exists(), "something started"
    assert not spark_cluster.cluster_pids(cluster)


@needs_both_environments
def test_a_process_that_fails_to_start_is_named_with_its_log_and_the_rest_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second worker is given a master URL Spark refuses, so it exits at once; the
    # master and the first worker start for real, and must be stopped again.
    commands = spark_cluster._commands

    def second_worker_broken(cluster: spark_cluster.Cluster, home: Path) -> dict[str, list[str]]:
        started = commands(cluster, home)
        started["worker-2"] = [*started["worker-2"][:-1], "spark://no-such-master"]
        return started

    monkeypatch.setattr(spark_cluster, "_commands", second_worker_broken)
    cluster = spark_cluster.Cluster.from_environment(tmp_path / "cluster")
    with pytest.raises(spark_cluster.ClusterError) as raised:
        spark_cluster.up(cluster, say=lambda _line: None)
    message = str(raised.value)
    log = cluster.log("worker-2")
    assert message.startswith("The Spark worker-2 (pid ")
    assert f"exited while starting. Its log, {log}, ends with:" in message
    assert "no-such-master" in message, "the log's tail should show why"
    assert not spark_cluster.running(cluster)
    assert not spark_cluster.cluster_pids(cluster), "the master and worker-1 were left running"
    assert not list((cluster.directory / "pids").glob("*.pid"))
