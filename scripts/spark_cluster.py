"""A standalone Spark cluster on this machine, for dbt-spark's `thrift` method.

`up` starts, as separate processes, a Spark master (spark://127.0.0.1:7077),
two workers registered with it (each 1 core and bounded memory) and a Spark
Thrift server (HiveThriftServer2) submitted to that master as an application,
so that every query dbt sends runs on the workers' executors. `down` stops
them by their PID files; `status` prints what is running. This is what
`make spark-cluster-up`, `make spark-cluster-down` and `make
test-spark-cluster` call; it needs pyspark (`.venv-spark`) and Java 17.

Everything binds to 127.0.0.1 (SPARK_LOCAL_IP, --host, bind hosts), never to
another address. Logs, PID files, the Hive metastore (Derby), the warehouse,
the workers' folders and Spark's scratch space live under --dir (default
target/spark-cluster). Ports come from these environment variables:

  SPENDSENSE_SPARK_THRIFT_PORT     10000  the Thrift server (profiles.yml reads it too)
  SPENDSENSE_SPARK_MASTER_PORT     7077   the master
  SPENDSENSE_SPARK_MASTER_UI_PORT  8090   the master's web UI and JSON status
  SPENDSENSE_SPARK_APP_UI_PORT     4040   the Thrift server's Spark UI and REST API

Examples:
  .venv-spark/bin/python scripts/spark_cluster.py up
  .venv-spark/bin/python scripts/spark_cluster.py status
  .venv-spark/bin/python scripts/spark_cluster.py down
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = PROJECT_DIR / "target" / "spark-cluster"
HOST = "127.0.0.1"
WORKERS = 2
# Per worker: one core, and enough memory for one executor plus headroom. With the
# Thrift server's driver and the daemons this is about 6 GB of heap in all.
WORKER_CORES = 1
WORKER_MEMORY = "2g"
EXECUTOR_MEMORY = "1g"
DRIVER_MEMORY = "1g"
DAEMON_MEMORY = "512m"
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30
LOG_LINES_SHOWN = 15

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


class ClusterError(Exception):
    """Why the cluster could not start or stop, with the log to read."""


def _port(variable: str, default: int) -> int:
    value = os.environ.get(variable, str(default))
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ClusterError(f"{variable}={value!r} is not a TCP port (1-65535).")
    return int(value)


@dataclass(frozen=True)
class Cluster:
    """Where one cluster keeps its state, and the ports it listens on."""

    directory: Path
    thrift_port: int
    master_port: int
    master_ui_port: int
    app_ui_port: int

    @classmethod
    def from_environment(cls, directory: Path = DEFAULT_DIR) -> Cluster:
        return cls(
            directory=directory.resolve(),
            thrift_port=_port("SPENDSENSE_SPARK_THRIFT_PORT", 10000),
            master_port=_port("SPENDSENSE_SPARK_MASTER_PORT", 7077),
            master_ui_port=_port("SPENDSENSE_SPARK_MASTER_UI_PORT", 8090),
            app_ui_port=_port("SPENDSENSE_SPARK_APP_UI_PORT", 4040),
        )

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def warehouse(self) -> Path:
        return self.directory / "warehouse"

    def log(self, name: str) -> Path:
        return self.directory / "logs" / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.directory / "pids" / f"{name}.pid"

    @property
    def names(self) -> list[str]:
        """The processes in start order."""
        return ["master", *(f"worker-{n}" for n in range(1, WORKERS + 1)), "thrift-server"]


@dataclass(frozen=True)
class Process:
    name: str
    pid: int
    log: Path


def spark_home() -> Path:
    """pyspark's folder: the wheel ships bin/spark-class, spark-submit and every jar."""
    try:
        import pyspark
    except ImportError as error:
        raise ClusterError(
            "pyspark is not installed in this Python: run this with .venv-spark/bin/python "
            "(make setup-spark creates it)."
        ) from error
    return Path(pyspark.__file__).resolve().parent


def _environment(cluster: Cluster, home: Path) -> dict[str, str]:
    """What every Spark process sees: loopback only, no conf outside the cluster folder."""
    conf = cluster.directory / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    scratch = cluster.directory / "tmp"
    scratch.mkdir(exist_ok=True)
    return {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_CONF_DIR": str(conf),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOCAL_HOSTNAME": HOST,
        "SPARK_LOCAL_DIRS": str(scratch),
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        "SPARK_DAEMON_JAVA_OPTS": _java_options(cluster),
        # The master's REST submission server (port 6066) is not needed: the
        # Thrift server is submitted directly, and status is read from the UI's JSON.
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
        "SPARK_LOG_DIR": str(cluster.directory / "logs"),
        "SPARK_PID_DIR": str(cluster.directory / "pids"),
        # Results never depend on the machine: same time zone and locale everywhere.
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
    }


def _java_options(cluster: Cluster) -> str:
    """Every JVM: UTC, and scratch files in the cluster's folder instead of /tmp."""
    return f"-Duser.timezone=UTC -Djava.io.tmpdir={cluster.directory / 'tmp'}"


def _commands(cluster: Cluster, home: Path) -> dict[str, list[str]]:
    spark_class = str(home / "bin" / "spark-class")
    workers = {
        f"worker-{n}": [
            spark_class,
            WORKER_CLASS,
            "--host",
            HOST,
            "--cores",
            str(WORKER_CORES),
            "--memory",
            WORKER_MEMORY,
            "--webui-port",
            "0",
            "--work-dir",
            str(cluster.directory / f"worker-{n}"),
            cluster.master_url,
        ]
        for n in range(1, WORKERS + 1)
    }
    metastore = cluster.directory / "metastore_db"
    java_options = (
        f"{_java_options(cluster)} -Dderby.stream.error.file={cluster.directory / 'derby.log'}"
    )
    spark_conf = {
        "spark.master": cluster.master_url,
        "spark.app.name": "spendsense-thrift-server",
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.ui.port": str(cluster.app_ui_port),
        "spark.port.maxRetries": "0",
        "spark.executor.memory": EXECUTOR_MEMORY,
        "spark.executor.cores": str(WORKER_CORES),
        "spark.cores.max": str(WORKERS * WORKER_CORES),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": _java_options(cluster),
        "spark.sql.warehouse.dir": str(cluster.warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={metastore};create=true"
        ),
    }
    thrift = [
        str(home / "bin" / "spark-submit"),
        "--class",
        THRIFT_CLASS,
        *(item for key, value in spark_conf.items() for item in ("--conf", f"{key}={value}")),
        "spark-internal",
        "--hiveconf",
        f"hive.server2.thrift.bind.host={HOST}",
        "--hiveconf",
        f"hive.server2.thrift.port={cluster.thrift_port}",
        # Hive's per-session scratch folders, by default in /tmp.
        "--hiveconf",
        f"hive.exec.local.scratchdir={cluster.directory / 'tmp' / 'hive'}",
        "--hiveconf",
        "hive.downloaded.resources.dir="
        + str(cluster.directory / "tmp" / "${hive.session.id}_resources"),
    ]
    master = [
        spark_class,
        MASTER_CLASS,
        "--host",
        HOST,
        "--port",
        str(cluster.master_port),
        "--webui-port",
        str(cluster.master_ui_port),
    ]
    return {"master": master, **workers, "thrift-server": thrift}


def _is_alive(pid: int) -> bool:
    # Reap it if it is this process's child and has exited (no zombie left behind).
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _is_cluster_process(pid: int, cluster: Cluster) -> bool:
    """The PID is still ours (not reused by another program): its command names the folder."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return str(cluster.directory) in command or cluster.master_url in command


def running(cluster: Cluster) -> list[Process]:
    """The cluster's processes that are alive, by their PID files, in start order."""
    processes = []
    for name in cluster.names:
        pid_file = cluster.pid_file(name)
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text().strip())
        if _is_alive(pid) and _is_cluster_process(pid, cluster):
            processes.append(Process(name, pid, cluster.log(name)))
    return processes


def _log_tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log was written)"
    return "\n".join(lines[-LOG_LINES_SHOWN:])


def _refuse_busy_ports(cluster: Cluster) -> None:
    ports = {
        "SPENDSENSE_SPARK_THRIFT_PORT": cluster.thrift_port,
        "SPENDSENSE_SPARK_MASTER_PORT": cluster.master_port,
        "SPENDSENSE_SPARK_MASTER_UI_PORT": cluster.master_ui_port,
        "SPENDSENSE_SPARK_APP_UI_PORT": cluster.app_ui_port,
    }
    for variable, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers bind: a port whose last connections are in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError as error:
                raise ClusterError(
                    f"Port {port} on {HOST} is already in use ({error.strerror}), so the cluster "
                    f"cannot start. Stop what holds it (another Spark cluster: make "
                    f"spark-cluster-down), or choose another port with {variable}=<port>."
                ) from error


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def master_status(cluster: Cluster) -> dict[str, Any]:
    """The master's own JSON status: workers, their cores in use, applications."""
    return _get_json(f"http://{HOST}:{cluster.master_ui_port}/json/")


def application_executors(cluster: Cluster) -> list[dict[str, Any]]:
    """Every executor of the Thrift server's application (REST API of its Spark UI)."""
    base = f"http://{HOST}:{cluster.app_ui_port}/api/v1/applications"
    application = _get_json(base)[0]["id"]
    return [e for e in _get_json(f"{base}/{application}/allexecutors") if e["id"] != "driver"]


@dataclass(frozen=True)
class Executor:
    """One executor of the Thrift server's application, and the worker it runs on."""

    executor_id: str
    worker_id: str
    tasks: int
    active_tasks: int


def executors_by_worker(cluster: Cluster) -> list[Executor]:
    """The application's executors, each matched to its worker by the worker's UI address
    (an executor's log links point at its worker's UI)."""
    workers = {
        worker["webuiaddress"].rstrip("/"): worker["id"]
        for worker in master_status(cluster)["workers"]
        if worker["state"] == "ALIVE"
    }
    executors = []
    for executor in application_executors(cluster):
        log_url = executor.get("executorLogs", {}).get("stderr", "")
        worker_ui = log_url.split("/logPage", 1)[0]
        executors.append(
            Executor(
                executor_id=executor["id"],
                worker_id=workers.get(worker_ui, f"an unknown worker ({worker_ui or 'no link'})"),
                tasks=int(executor["totalTasks"]),
                active_tasks=int(executor["activeTasks"]),
            )
        )
    return executors


def _accepts_connections(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def _wait_for(processes: list[Process], ready: Callable[[], bool], what: str) -> None:
    """Until `ready()`; raise, naming the process and its log, if one of them exits first."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for process in processes:
            if not _is_alive(process.pid):
                raise ClusterError(
                    f"The Spark {process.name} (pid {process.pid}) exited while starting. "
                    f"Its log, {process.log}, ends with:\n{_log_tail(process.log)}"
                )
        try:
            if ready():
                return
        except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError):
            pass
        time.sleep(0.5)
    names = " and ".join(f"{p.name} (pid {p.pid}, log {p.log})" for p in processes)
    raise ClusterError(
        f"The Spark {names} did not {what} within {START_TIMEOUT_SECONDS} s. "
        f"The log of the last ends with:\n{_log_tail(processes[-1].log)}"
    )


def _launch(cluster: Cluster, name: str, command: list[str], env: dict[str, str]) -> Process:
    log = cluster.log(name)
    # The Thrift server runs in the project root, as dbt does: a relative path var
    # (data/features) means the same folder to both. Its own files go under the
    # cluster's folder (warehouse, metastore, logs, scratch), never there.
    cwd = PROJECT_DIR if name == "thrift-server" else cluster.directory
    with log.open("w") as output:
        # Its own session, so `down` can stop it with everything it started (executors).
        child = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    cluster.pid_file(name).write_text(f"{child.pid}\n")
    return Process(name, child.pid, log)


def up(cluster: Cluster, say: Callable[[str], None] = print) -> list[Process]:
    """Start master, workers and Thrift server; on any failure stop what started, and raise."""
    if alive := running(cluster):
        names = ", ".join(f"{p.name} (pid {p.pid})" for p in alive)
        raise ClusterError(
            f"A cluster is already running from {cluster.directory}: {names}. "
            "Stop it first with make spark-cluster-down."
        )
    _refuse_busy_ports(cluster)
    home = spark_home()
    for folder in ("logs", "pids"):
        (cluster.directory / folder).mkdir(parents=True, exist_ok=True)
    env = _environment(cluster, home)
    commands = _commands(cluster, home)
    started = time.monotonic()
    try:
        master = _launch(cluster, "master", commands["master"], env)
        _wait_for([master], lambda: master_status(cluster)["status"] == "ALIVE", "answer on its UI")
        master_ui = f"http://{HOST}:{cluster.master_ui_port}"
        say(f"{'master':<14} pid {master.pid}  {cluster.master_url}, UI {master_ui}")
        workers = [_launch(cluster, name, commands[name], env) for name in cluster.names[1:-1]]
        _wait_for(
            workers,
            lambda: _alive_workers(cluster) == WORKERS,
            f"register with the master ({WORKERS} workers expected)",
        )
        for worker in workers:
            say(f"{worker.name:<14} pid {worker.pid}  {WORKER_CORES} core, {WORKER_MEMORY}")
        # Spark's launcher sizes a Thrift server's driver by SPARK_DAEMON_MEMORY
        # (not --driver-memory).
        thrift_env = {**env, "SPARK_DAEMON_MEMORY": DRIVER_MEMORY}
        thrift = _launch(cluster, "thrift-server", commands["thrift-server"], thrift_env)
        _wait_for(
            [thrift],
            lambda: (
                _accepts_connections(cluster.thrift_port)
                and len(application_executors(cluster)) == WORKERS
            ),
            f"accept connections on port {cluster.thrift_port} with {WORKERS} executors",
        )
        say(
            f"{'thrift-server':<14} pid {thrift.pid}  {HOST}:{cluster.thrift_port}, "
            f"{WORKERS} executors, UI http://{HOST}:{cluster.app_ui_port}"
        )
    except BaseException:
        down(cluster, say=lambda _line: None)
        raise
    seconds = time.monotonic() - started
    say(f"Spark cluster up in {seconds:.0f} s; logs in {cluster.directory / 'logs'}")
    return running(cluster)


def _alive_workers(cluster: Cluster) -> int:
    return sum(w["state"] == "ALIVE" for w in master_status(cluster)["workers"])


def _stop(process: Process) -> None:
    """SIGTERM to its process group (a worker's executors included), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if not _is_alive(process.pid) and not _group_members(process.pid):
                return
            time.sleep(0.2)


def _group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields: state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def down(cluster: Cluster, say: Callable[[str], None] = print) -> list[Process]:
    """Stop every process of the cluster, last started first; remove their PID files."""
    stopped = []
    for process in reversed(running(cluster)):
        _stop(process)
        say(f"stopped {process.name} (pid {process.pid})")
        stopped.append(process)
    for name in cluster.names:
        cluster.pid_file(name).unlink(missing_ok=True)
    if not stopped:
        say(f"No Spark cluster is running from {cluster.directory}.")
    return stopped


def status(cluster: Cluster, say: Callable[[str], None] = print) -> None:
    processes = running(cluster)
    if not processes:
        say(f"No Spark cluster is running from {cluster.directory}.")
        return
    for process in processes:
        say(f"{process.name:<14} pid {process.pid}  log {process.log}")
    for worker in master_status(cluster)["workers"]:
        cores = f"{worker['coresused']}/{worker['cores']} cores in use"
        say(f"worker {worker['id']}: {worker['state']}, {cores}")
    for executor in executors_by_worker(cluster):
        say(
            f"executor {executor.executor_id} on {executor.worker_id}: "
            f"{executor.tasks} tasks run, {executor.active_tasks} running"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    lines = (__doc__ or "").splitlines()
    parser = argparse.ArgumentParser(
        description=lines[0],
        epilog="\n".join(lines[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_DIR,
        help="where logs, PID files, metastore and warehouse live (default: target/spark-cluster)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cluster = Cluster.from_environment(args.dir)
        {"up": up, "down": down, "status": status}[args.action](cluster)
    except ClusterError as error:
        print(f"spark_cluster {args.action}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
