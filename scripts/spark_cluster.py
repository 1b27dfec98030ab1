"""A standalone Spark cluster on this machine, for dbt-spark's `thrift` method.

`up` starts, as separate processes, a Spark master (spark://127.0.0.1:7077),
two workers registered with it (each 1 core, offering 2 GB to executors) and a
Spark Thrift server (HiveThriftServer2) submitted to that master as an
application, so that every query dbt sends runs on the workers' executors.
`down` stops them by their PID files; `status` prints what is running and
which executor ran how many tasks. This is what `make spark-cluster-up`,
`make spark-cluster-down` and `make test-spark-cluster` call; `up` needs
pyspark (`.venv-spark`) and Java 17, `down` only the standard library.

Everything binds to 127.0.0.1 (SPARK_LOCAL_IP, --host, bind hosts), never to
another address. Logs, PID files, the Hive metastore (Derby), the warehouse,
the workers' folders and Spark's scratch space live under --dir (default
target/spark-cluster). The Thrift server runs in the project root, as dbt
does, so a relative path var means the same folder to both. Ports come from
these environment variables:

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
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = PROJECT_DIR / "target" / "spark-cluster"
HOST = "127.0.0.1"
WORKERS = 2
# Each worker offers one core and WORKER_MEMORY to executors; each executor takes
# EXECUTOR_MEMORY. Heaps in all: 3 daemons x 512 MB + 2 executors x 1 GB + the
# Thrift server's 1 GB driver, about 4.5 GB.
WORKER_CORES = 1
WORKER_MEMORY = "2g"
EXECUTOR_MEMORY = "1g"
DRIVER_MEMORY = "1g"
DAEMON_MEMORY = "512m"
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30
LOG_LINES_SHOWN = 15
# Set in every process of a cluster (executors inherit it from their worker), to the
# cluster's folder: how `down` and the tests tell its processes from any other.
MARKER = "SPENDSENSE_SPARK_CLUSTER"
# Spark logs INFO by default (15 MB per test run); warnings and errors are what a
# failed start's log tail needs.
LOG4J2_PROPERTIES = """\
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# Two warnings every dbt query causes, harmless: an unknown Hive setting, and
# cancelling a job group whose jobs have already finished.
logger.hiveconf.name = org.apache.hadoop.hive.conf.HiveConf
logger.hiveconf.level = error
logger.scheduler.name = org.apache.spark.scheduler.DAGScheduler
logger.scheduler.level = error
"""

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
# Environment variable -> default, for each port the cluster listens on by number.
PORT_VARIABLES = {
    "SPENDSENSE_SPARK_THRIFT_PORT": 10000,
    "SPENDSENSE_SPARK_MASTER_PORT": 7077,
    "SPENDSENSE_SPARK_MASTER_UI_PORT": 8090,
    "SPENDSENSE_SPARK_APP_UI_PORT": 4040,
}


class ClusterError(Exception):
    """Why the cluster could not start, stop or answer, and what to do about it."""


def _port(variable: str) -> int:
    value = os.environ.get(variable, str(PORT_VARIABLES[variable]))
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ClusterError(f"{variable}={value!r} is not a TCP port (1-65535).")
    return int(value)


@dataclass(frozen=True)
class Cluster:
    """Where one cluster keeps its state, and the ports it listens on."""

    directory: Path
    ports: dict[str, int]

    @classmethod
    def from_environment(cls, directory: Path = DEFAULT_DIR) -> Cluster:
        return cls(directory.resolve(), {name: _port(name) for name in PORT_VARIABLES})

    @property
    def thrift_port(self) -> int:
        return self.ports["SPENDSENSE_SPARK_THRIFT_PORT"]

    @property
    def master_port(self) -> int:
        return self.ports["SPENDSENSE_SPARK_MASTER_PORT"]

    @property
    def master_ui_port(self) -> int:
        return self.ports["SPENDSENSE_SPARK_MASTER_UI_PORT"]

    @property
    def app_ui_port(self) -> int:
        return self.ports["SPENDSENSE_SPARK_APP_UI_PORT"]

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def warehouse(self) -> Path:
        return self.directory / "warehouse"

    @property
    def scratch(self) -> Path:
        return self.directory / "tmp"

    @property
    def worker_names(self) -> list[str]:
        return [f"worker-{n}" for n in range(1, WORKERS + 1)]

    @property
    def names(self) -> list[str]:
        """The processes in start order."""
        return ["master", *self.worker_names, "thrift-server"]

    def log(self, name: str) -> Path:
        return self.directory / "logs" / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.directory / "pids" / f"{name}.pid"


@dataclass(frozen=True)
class Process:
    """One process of the cluster; `child` is set when this Python started it."""

    name: str
    pid: int
    log: Path
    child: subprocess.Popen[bytes] | None = field(default=None, compare=False)


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


def _java_options(cluster: Cluster) -> str:
    """Every JVM: UTC, and scratch files in the cluster's folder instead of /tmp."""
    return f"-Duser.timezone=UTC -Djava.io.tmpdir={cluster.scratch}"


def _environment(cluster: Cluster, home: Path) -> dict[str, str]:
    """What every Spark process sees: loopback only, no conf outside the cluster folder."""
    conf = cluster.directory / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
    cluster.scratch.mkdir(exist_ok=True)
    return {
        **os.environ,
        MARKER: str(cluster.directory),
        "SPARK_HOME": str(home),
        "SPARK_CONF_DIR": str(conf),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOCAL_HOSTNAME": HOST,
        "SPARK_LOCAL_DIRS": str(cluster.scratch),
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        # A port taken between the check and the bind is an error, not a move to the next one.
        "SPARK_DAEMON_JAVA_OPTS": f"{_java_options(cluster)} -Dspark.port.maxRetries=0",
        # The master's REST submission server (on by default since Spark 4.1) is not
        # needed: the Thrift server is submitted directly, and status is read from the UI.
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
        # Results never depend on the machine: same time zone and locale everywhere.
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
    }


def _commands(cluster: Cluster, home: Path) -> dict[str, list[str]]:
    spark_class = str(home / "bin" / "spark-class")
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
    workers = {
        name: [
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
            str(cluster.directory / name),
            cluster.master_url,
        ]
        for name in cluster.worker_names
    }
    metastore = cluster.directory / "metastore_db"
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
        "spark.driver.extraJavaOptions": (
            f"{_java_options(cluster)} -Dderby.stream.error.file={cluster.directory / 'derby.log'}"
        ),
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
        # One resources folder per session, as Hive's default (in /tmp) has: two
        # sessions opening at once raced creating a shared one.
        "--hiveconf",
        "hive.downloaded.resources.dir=" + str(cluster.scratch / "${hive.session.id}_resources"),
    ]
    return {"master": master, **workers, "thrift-server": thrift}


def _proc_state(pid: int) -> str | None:
    """The process's state letter from /proc (R, S, Z, ...), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (OSError, IndexError):
        return None


def _is_alive(process: Process) -> bool:
    if process.child is not None:
        return process.child.poll() is None
    # An exited process whose parent has not reaped it yet (a zombie) is not running.
    return _proc_state(process.pid) not in (None, "Z")


def cluster_pids(cluster: Cluster) -> set[int]:
    """Every live process carrying this cluster's marker: its daemons and their executors."""
    expected = f"{MARKER}={cluster.directory}".encode()
    pids = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            variables = environ.read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(environ.parent.name)
        if expected in variables and _proc_state(pid) not in (None, "Z"):
            pids.add(pid)
    return pids


def running(cluster: Cluster) -> list[Process]:
    """The cluster's processes that are alive, by their PID files, in start order.

    A PID counts only while it carries the cluster's marker, so a PID the
    system has since given to another program is never mistaken for ours.
    """
    ours = cluster_pids(cluster)
    processes = []
    for name in cluster.names:
        try:
            pid = int(cluster.pid_file(name).read_text().strip())
        except (OSError, ValueError):
            continue
        if pid in ours:
            processes.append(Process(name, pid, cluster.log(name)))
    return processes


def _log_tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log was written)"
    return "\n".join(lines[-LOG_LINES_SHOWN:]) or "(the log is empty)"


def _refuse_busy_ports(cluster: Cluster) -> None:
    """Stop before starting anything when a port the cluster needs is taken, naming its var."""
    for variable, port in cluster.ports.items():
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
    """Every executor the Thrift server's application has had (REST API of its Spark UI)."""
    base = f"http://{HOST}:{cluster.app_ui_port}/api/v1/applications"
    application = _get_json(base)[0]["id"]
    return [e for e in _get_json(f"{base}/{application}/allexecutors") if e["id"] != "driver"]


@dataclass(frozen=True)
class Executor:
    """One executor of the Thrift server's application, and the worker it ran on."""

    executor_id: str
    worker: str
    tasks: int
    active_tasks: int
    is_active: bool


def executors_by_worker(cluster: Cluster) -> list[Executor]:
    """The application's executors, each with its worker's id (an executor's log links
    point at its worker's UI, which the master lists with the worker's id)."""
    workers = {
        worker["webuiaddress"].rstrip("/"): worker["id"]
        for worker in master_status(cluster)["workers"]
        if worker["state"] == "ALIVE"
    }
    executors = []
    for executor in application_executors(cluster):
        worker_ui = executor.get("executorLogs", {}).get("stderr", "").split("/logPage", 1)[0]
        executors.append(
            Executor(
                executor_id=executor["id"],
                worker=workers.get(worker_ui, f"an unknown worker ({worker_ui or 'no link'})"),
                tasks=int(executor["totalTasks"]),
                active_tasks=int(executor["activeTasks"]),
                is_active=bool(executor["isActive"]),
            )
        )
    return executors


def _accepts_connections(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def _wait_for(started: list[Process], ready: Callable[[], bool], what: str) -> None:
    """Until `ready()`; raise, naming the process and its log, if any started one exits."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for process in started:
            if not _is_alive(process):
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
    waiting = started[-1]
    raise ClusterError(
        f"The Spark {waiting.name} (pid {waiting.pid}) did not {what} within "
        f"{START_TIMEOUT_SECONDS} s. Its log, {waiting.log}, ends with:\n{_log_tail(waiting.log)}"
    )


def _launch(cluster: Cluster, name: str, command: list[str], env: dict[str, str]) -> Process:
    """Start one process in a session of its own (so `down` stops it with its executors),
    its output in its log, its PID in its PID file."""
    log = cluster.log(name)
    cwd = PROJECT_DIR if name == "thrift-server" else cluster.directory
    with log.open("w") as output:
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
    return Process(name, child.pid, log, child)


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
    # The workers' folders hold the last run's executor logs and jars: start clean.
    for name in cluster.worker_names:
        shutil.rmtree(cluster.directory / name, ignore_errors=True)
    env = _environment(cluster, home)
    commands = _commands(cluster, home)
    started_at = time.monotonic()
    started: list[Process] = []
    try:
        started.append(_launch(cluster, "master", commands["master"], env))
        _wait_for(started, lambda: master_status(cluster)["status"] == "ALIVE", "answer on its UI")
        master_ui = f"http://{HOST}:{cluster.master_ui_port}"
        say(f"{'master':<14} pid {started[0].pid}  {cluster.master_url}, UI {master_ui}")
        for name in cluster.worker_names:
            started.append(_launch(cluster, name, commands[name], env))
        _wait_for(
            started,
            lambda: _alive_workers(cluster) == WORKERS,
            f"register with the master ({WORKERS} workers expected)",
        )
        for worker in started[1:]:
            say(f"{worker.name:<14} pid {worker.pid}  {WORKER_CORES} core, {WORKER_MEMORY}")
        # Spark's launcher sizes a Thrift server's driver by SPARK_DAEMON_MEMORY
        # (not --driver-memory).
        thrift_env = {**env, "SPARK_DAEMON_MEMORY": DRIVER_MEMORY}
        started.append(_launch(cluster, "thrift-server", commands["thrift-server"], thrift_env))
        _wait_for(
            started,
            lambda: (
                _accepts_connections(cluster.thrift_port)
                and sum(e.is_active for e in executors_by_worker(cluster)) == WORKERS
            ),
            f"accept connections on port {cluster.thrift_port} with {WORKERS} executors",
        )
        say(
            f"{'thrift-server':<14} pid {started[-1].pid}  {HOST}:{cluster.thrift_port}, "
            f"{WORKERS} executors, UI http://{HOST}:{cluster.app_ui_port}"
        )
    except BaseException:
        _stop_all(cluster, list(reversed(started)))
        raise
    seconds = time.monotonic() - started_at
    say(f"Spark cluster up in {seconds:.0f} s; logs in {cluster.directory / 'logs'}")
    return started


def _alive_workers(cluster: Cluster) -> int:
    return sum(w["state"] == "ALIVE" for w in master_status(cluster)["workers"])


def _process_group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _stop_all(cluster: Cluster, processes: list[Process]) -> list[int]:
    """SIGTERM to each process's group (a worker's executors are in the worker's) and to
    the group of anything else carrying the cluster's marker, then SIGKILL to what is
    left; remove the PID files once nothing is left. Returns the PIDs still running."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        groups = {p.pid for p in processes if _is_alive(p)}
        groups |= {_process_group(pid) for pid in cluster_pids(cluster)} - {None}
        for group in groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and (
            any(_is_alive(p) for p in processes) or cluster_pids(cluster)
        ):
            time.sleep(0.2)
        if not cluster_pids(cluster):
            break
    for process in processes:
        if process.child is not None:
            process.child.wait()
    left = sorted(cluster_pids(cluster))
    if not left:
        for name in cluster.names:
            cluster.pid_file(name).unlink(missing_ok=True)
    return left


def down(cluster: Cluster, say: Callable[[str], None] = print) -> list[Process]:
    """Stop every process of the cluster, last started first, and any executor left
    behind by a worker that died; raise if one survives SIGKILL."""
    processes = list(reversed(running(cluster)))
    # Executors are in their worker's process group; a stray is in none of the groups.
    groups = {p.pid for p in processes}
    strays = {pid for pid in cluster_pids(cluster) if _process_group(pid) not in groups}
    if not processes and not strays:
        say(f"No Spark cluster is running from {cluster.directory}.")
        return []
    left = _stop_all(cluster, processes)
    if left:
        raise ClusterError(
            f"Processes of the cluster in {cluster.directory} survived SIGKILL: {left}. "
            "Their PID files are kept; see ps -fp " + ",".join(map(str, left)) + "."
        )
    for process in processes:
        say(f"stopped {process.name} (pid {process.pid})")
    if strays:
        say(f"stopped {len(strays)} process(es) whose cluster process had died: {sorted(strays)}")
    return processes


def status(cluster: Cluster, say: Callable[[str], None] = print) -> None:
    """Print the processes, the workers the master knows and each executor's task count."""
    processes = running(cluster)
    if not processes:
        say(f"No Spark cluster is running from {cluster.directory}.")
        return
    for process in processes:
        say(f"{process.name:<14} pid {process.pid}  log {process.log}")
    try:
        for worker in master_status(cluster)["workers"]:
            cores = f"{worker['coresused']}/{worker['cores']} cores in use"
            say(f"worker {worker['id']}: {worker['state']}, {cores}")
        for executor in executors_by_worker(cluster):
            say(
                f"executor {executor.executor_id} on {executor.worker}: "
                f"{executor.tasks} tasks run, {executor.active_tasks} running"
            )
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError) as error:
        raise ClusterError(
            f"The cluster is only partly up ({', '.join(p.name for p in processes)} running; "
            f"the master or the Thrift server does not answer: {error}). Restart it: "
            "make spark-cluster-down, then make spark-cluster-up."
        ) from error


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: an action, and the cluster's folder."""
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
    """Run the action; a ClusterError is printed as a message, exit code 1."""
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
