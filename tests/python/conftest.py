"""Shared fixtures: the demo data, and isolated workspaces that run the real pipeline.

Every pipeline test runs `dbt build` (or another dbt command) against this
project, with all inputs and outputs redirected into a temporary workspace
through vars and environment variables, so tests never touch data/ or target/
and never share a DuckDB file. dbt runs in this process (dbtRunner), as
dbt-core's own functional tests do, which spares each build the Python start
and dbt's import; a test that kills dbt, needs another time zone or runs a
script starts a subprocess instead (`dbt_command`, `script`). In this process
the project is parsed once and every build reuses the parse (`parsed_project`).
Builds leave out dbt's unit tests, which `make dbt-test` runs once.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
DEMO_USERS = 75
# The demo's as_of_date. A run of a workspace that was already published evaluates
# nothing new; passing as_of_date=DEMO_DATE re-evaluates and re-publishes it (a late
# correction), which is how the tests of a second write make one.
DEMO_DATE = "2025-11-04"


@dataclass(frozen=True)
class DbtResult:
    """Outcome of one dbt command: exit code and everything it printed."""

    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class Workspace:
    """A private copy of the inputs plus private output paths for one test."""

    root: Path
    extra_vars: dict[str, object] = field(default_factory=dict)

    @property
    def features_dir(self) -> Path:
        return self.root / "features"

    @property
    def archetypes_path(self) -> Path:
        return self.root / "user_archetypes.parquet"

    @property
    def sqlite_path(self) -> Path:
        return self.root / "out" / "spendsense.db"

    @property
    def parquet_path(self) -> Path:
        return self.root / "out" / "persona_assignments.parquet"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    def feature_file(self, name: str) -> Path:
        return self.features_dir / f"{name}.parquet"

    def vars(self, **overrides: object) -> dict[str, object]:
        values: dict[str, object] = {
            "features_dir": str(self.features_dir),
            "archetypes_path": str(self.archetypes_path),
            "sqlite_path": str(self.sqlite_path),
            "parquet_path": str(self.parquet_path),
        }
        values.update(self.extra_vars)
        values.update(overrides)
        return values

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DBT_PROFILES_DIR": str(PROJECT_DIR),
                "SPENDSENSE_DUCKDB_PATH": str(self.duckdb_path),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
        )
        return env

    def dbt_command(
        self, *args: str, vars_yaml: str | None = None, **var_overrides: object
    ) -> list[str]:
        """The command line of `dbt <args>` on this project with this workspace's paths."""
        vars_text = vars_yaml if vars_yaml is not None else to_yaml(self.vars(**var_overrides))
        return [
            str(BIN_DIR / "dbt"),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(self.root / "target"),
            "--log-path",
            str(self.root / "logs"),
            "--vars",
            vars_text,
        ]

    def dbt(
        self,
        *args: str,
        vars_yaml: str | None = None,
        env: dict[str, str] | None = None,
        separate_process: bool = False,
        **var_overrides: object,
    ) -> DbtResult:
        """Run `dbt <args>` on this project with this workspace's paths.

        In this process, unless `env` asks for environment variables that only
        a new process honours (TZ), or the test needs dbt in another process
        than its own (file locks are per process): then in a subprocess.
        """
        command = self.dbt_command(*args, vars_yaml=vars_yaml, **var_overrides)
        if env or separate_process:
            return run(command, env={**self.env(), **(env or {})})
        return run_in_process(command[1:], env=self.env())

    def script(self, script: str, *args: str) -> DbtResult:
        """Run one of the project's scripts/ entry points with this workspace's env."""
        return run([sys.executable, str(PROJECT_DIR / "scripts" / script), *args], env=self.env())


def run(command: list[str], env: dict[str, str]) -> DbtResult:
    completed = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtResult(completed.returncode, completed.stdout + completed.stderr)


# Commands that run nodes of the parsed project; `parse` and `docs` parse for themselves.
COMMANDS_ON_A_MANIFEST = ("build", "run", "test", "seed", "compile", "show")
_parsed_projects: dict[tuple[str, str, bool], Any] = {}


def parsed_project(args: list[str], cached: bool = True) -> Any:
    """A private copy of the project as dbt parsed it, parsed once per test process.

    Parsing (3 of a demo build's 7 seconds) depends on the project's files,
    the target, the warehouse file's name (DuckDB's database name) and
    whether var what_if is set (a what-if builds into its own schema), not
    on the other vars: every var is read when a node
    runs (paths and thresholds reach the SQL through var() at compile time,
    and no config() or YAML property reads a var). So each workspace's build reuses
    one parse, as dbt's own programmatic users do (dbtRunner(manifest=...)),
    with a copy per build because a run records compiled SQL on the nodes.
    test_parse_reuse.py checks that the vars do not change the parse.
    """
    from dbt.cli.main import dbtRunner

    target = args[args.index("--target") + 1] if "--target" in args else ""
    # DuckDB names the database after the warehouse file, and relation names carry it.
    database = Path(os.environ.get("SPENDSENSE_DUCKDB_PATH", "spendsense.duckdb")).stem
    key = (target, database, is_what_if(args))
    if key not in _parsed_projects or not cached:
        parse = dbtRunner().invoke(["parse", *parse_options(args), "--quiet"])
        if not parse.success:
            # The command's own parse reports the error (e.g. a what-if refused at parse time).
            return None
        _parsed_projects[key] = parse.result
    return copy_of(_parsed_projects[key])


def copy_of(manifest: Any) -> Any:
    """Manifest.deepcopy(), which cannot copy the selectors (plain dicts): copied aside."""
    selectors, manifest.selectors = manifest.selectors, {}
    try:
        copied = manifest.deepcopy()
    finally:
        manifest.selectors = selectors
    copied.selectors = copy.deepcopy(selectors)
    return copied


def is_what_if(args: list[str]) -> bool:
    """Whether the command sets var what_if, the one var parsing reads (the what-if schema)."""
    import yaml

    if "--vars" not in args:
        return False
    variables = yaml.safe_load(args[args.index("--vars") + 1]) or {}
    return variables.get("what_if") not in (None, {})  # as macro what_if_mode() decides


def parse_options(args: list[str]) -> list[str]:
    """The options of a dbt command line that `dbt parse` takes too."""
    kept = []
    for name in ("--project-dir", "--target-path", "--log-path", "--vars", "--target"):
        if name in args:
            kept += [name, args[args.index(name) + 1]]
    return kept


def run_in_process(args: list[str], env: dict[str, str]) -> DbtResult:
    """`dbt <args>` through dbtRunner in this process, with `env` as os.environ meanwhile.

    The output is what dbt would print (its info, warning and error events),
    then the error that ended the run, if any. Afterwards dbt-duckdb's open
    warehouse connection is closed, so the test can open the file itself.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    lines: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level in ("info", "warn", "error") and event.info.msg:
            lines.append(event.info.msg)

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        manifest = parsed_project(args) if args[0] in COMMANDS_ON_A_MANIFEST else None
        result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(args)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()
    if result.exception is not None:
        lines.append(f"Encountered an error:\n{result.exception}")
    return DbtResult(0 if result.success else 1, "\n".join(lines))


def to_yaml(values: dict[str, object]) -> str:
    """Inline YAML for --vars; strings are double-quoted so any path survives."""

    def scalar(value: object) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(scalar(item) for item in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{key}: {scalar(item)}" for key, item in value.items()) + "}"
        text = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"'

    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in values.items()) + "}"


def generate_demo_data(root: Path, users: int = DEMO_USERS, *options: str) -> Path:
    """Run the demo generator into root/features and root/user_archetypes.parquet, with
    more generator `options` (e.g. --dates 2 --layout folders)."""
    completed = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "generate_features.py"),
            "--users",
            str(users),
            "--out",
            str(root / "features"),
            "--archetypes",
            str(root / "user_archetypes.parquet"),
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return root


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default 75-user demo data, generated once per session (read-only)."""
    return generate_demo_data(tmp_path_factory.mktemp("demo"))


def copy_inputs(data: Path, root: Path) -> Workspace:
    """A workspace at `root` holding a private copy of the feature and label files in `data`."""
    shutil.copytree(data / "features", root / "features")
    shutil.copy2(data / "user_archetypes.parquet", root / "user_archetypes.parquet")
    (root / "out").mkdir(exist_ok=True)
    return Workspace(root)


def built_workspace(data: Path, root: Path) -> Workspace:
    """A workspace whose demo data was built and published (one `dbt build`)."""
    workspace = copy_inputs(data, root)
    result = workspace.dbt("build")
    assert result.ok, result.output
    return workspace


@pytest.fixture
def workspace(demo_data: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace holding a private copy of the demo data."""
    yield copy_inputs(demo_data, tmp_path)


@pytest.fixture(scope="session")
def published_baseline(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One good build of the demo data, made once: its outputs and its warehouse."""
    return built_workspace(demo_data, tmp_path_factory.mktemp("baseline"))


def copy_build(source: Workspace, target: Workspace) -> Workspace:
    """Give `target` the published outputs and the warehouse of `source`'s build."""
    shutil.copytree(source.sqlite_path.parent, target.sqlite_path.parent, dirs_exist_ok=True)
    shutil.copy2(source.duckdb_path, target.duckdb_path)
    return target


@pytest.fixture
def built(workspace: Workspace, published_baseline: Workspace) -> Workspace:
    """A workspace as a good build left it: outputs published, warehouse built.

    Copied from one shared build, not rebuilt: a test that needs "something
    was published before" then costs one dbt run, its own. (The warehouse's
    source views point at the shared build's files until this workspace's
    first run registers its own.)
    """
    return copy_build(published_baseline, workspace)


@dataclass(frozen=True)
class ReportRun:
    """One run of the make-run entry point: its workspace, output and HTML report."""

    workspace: Workspace
    output: str
    html: Path


def run_entry_point(workspace: Workspace, name: str, **var_overrides: object) -> ReportRun:
    """Run scripts/assign_personas.py on the workspace, as `make run` does; it must pass."""
    report = workspace.root / "target" / f"{name}.html"
    env = {
        **workspace.env(),
        "DBT_TARGET_PATH": str(workspace.root / "target"),
        "DBT_LOG_PATH": str(workspace.root / "logs"),
    }
    arguments = ["--vars", to_yaml(workspace.vars(**var_overrides)), "--report-html", str(report)]
    result = run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "assign_personas.py"), *arguments], env
    )
    assert result.ok, result.output[-4000:]
    return ReportRun(workspace, result.output, report)


@pytest.fixture(scope="session")
def demo_report(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """The first `make run` of the labelled demo: its report, and the docs it generated."""
    return run_entry_point(
        copy_inputs(demo_data, tmp_path_factory.mktemp("docs")), "persona_report"
    )


@pytest.fixture(scope="session")
def docs_workspace(demo_report: ReportRun) -> Workspace:
    """The workspace of the demo report, whose run generated dbt docs into its target/."""
    return demo_report.workspace


@pytest.fixture(scope="session")
def unlabelled_report(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """The report of the demo features without an archetype file, as for real data, and
    with the oddities its data-quality section counts: u_0001 has no credit row, and
    every file has two rows of a 90-day window, which is not configured."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    workspace = copy_inputs(demo_data, tmp_path_factory.mktemp("unlabelled"))
    for name in ("subscriptions", "savings", "credit", "income", "cash_flow"):
        path = workspace.feature_file(name)
        table = pq.read_table(path)
        extra = table.take([0, 2])
        extra = extra.set_column(1, "window_days", pa.array([90, 90], pa.int32()))
        table = pa.concat_tables([table, extra])
        if name == "credit":
            table = table.filter(pc.not_equal(table["user_id"], "u_0001"))
        pq.write_table(table, path)
    return run_entry_point(
        workspace, "report", archetypes_path=str(workspace.root / "none.parquet")
    )
