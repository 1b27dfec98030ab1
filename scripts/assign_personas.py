"""Assign personas in one command: `dbt build`, then a validation report.

This is what `make run` calls. It runs `dbt build` through dbt's Python API
(staging, the five persona models, ranking, every data test, the validation
gate, both exports and the reporting models), and prints the
validation report; the same report is written as self-contained HTML. dbt's
unit tests check the rules' logic, not the data, so this skips them: `make
test` (and `make dbt-test`) runs them. The exit code is non-zero when the
build or the gate failed: then nothing new was published and the previous
SQLite and Parquet outputs are unchanged.

With --what-if or --sweep it publishes nothing: it evaluates candidate
thresholds on the stored assignments' dates (`dbt build --selector what_if`)
and writes what would change to target/what_if (var what_if_dir): report.html
and changed_keys.parquet.

Examples:
  python scripts/assign_personas.py
  python scripts/assign_personas.py --vars '{features_dir: /lake/epic2, as_of_date: "2025-11-04"}'
  python scripts/assign_personas.py --select +persona_assignments --target duckdb
  python scripts/assign_personas.py --what-if '{high_utilization_min_utilization: 0.6}'
  python scripts/assign_personas.py --sweep high_utilization_min_utilization=0.40:0.70:0.05
"""

from __future__ import annotations

import argparse
import decimal
import fcntl
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import what_if_report
import yaml
from persona_report import GateTest, Report, RunInfo, read_report_models, render_html, render_text

PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULT_HTML_REPORT = "target/persona_report.html"
REPORTING_SELECTOR = "tag:reporting"
WHAT_IF_SELECTOR = "what_if"
WHAT_IF_MODELS = "path:models/what_if"
# A sweep of at most this many values per var (a typo in the step should not start 10,000).
MAX_SWEEP_VALUES = 50


class UsageError(Exception):
    """A problem with the command line, explained for the person who typed it."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    lines = (__doc__ or "").splitlines()
    parser = argparse.ArgumentParser(
        description=lines[0],
        epilog="\n".join(lines[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--vars", help="dbt vars as YAML, passed to `dbt build --vars`")
    parser.add_argument("--select", help="dbt node selection, passed to `dbt build --select`")
    parser.add_argument("--target", help="profile target, passed to `dbt build --target`")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="re-evaluate every as_of_date of the inputs (`dbt build --full-refresh`), e.g. "
        "after a threshold change",
    )
    parser.add_argument(
        "--target-path",
        type=Path,
        default=Path(os.environ.get("DBT_TARGET_PATH", "target")),
        help="dbt's artifacts folder for the build (run_results.json, manifest.json); the "
        "reporting models' run uses <target-path>/reporting (default: $DBT_TARGET_PATH or "
        "%(default)s)",
    )
    parser.add_argument(
        "--what-if",
        metavar="YAML",
        help="candidate threshold vars as YAML, e.g. '{high_utilization_min_utilization: 0.6}': "
        "show who would change persona, publish nothing",
    )
    parser.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="VAR=START:STOP:STEP",
        help="evaluate every value of a threshold from START to STOP (inclusive) by STEP, in one "
        "query; give it twice to sweep two vars",
    )
    parser.add_argument(
        "--report-html",
        type=Path,
        default=Path(DEFAULT_HTML_REPORT),
        help="where to write the HTML report (default: %(default)s)",
    )
    return parser.parse_args(argv)


def parse_vars(text: str | None, option: str = "--vars") -> dict[str, Any]:
    """The --vars (or --what-if) YAML as a dict, or a UsageError that says how to write it."""
    if not text:
        return {}
    try:
        values = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as error:
        raise UsageError(
            f"{option} is not valid YAML ({error}). Write a mapping, and quote dates and paths, "
            'e.g. --vars \'{as_of_date: "2025-11-04", features_dir: "/lake/epic2"}\'.'
        ) from error
    if not isinstance(values, dict):
        raise UsageError(f"{option} must be a YAML mapping like '{{key: value}}', got {text!r}.")
    return values


def parse_sweep(text: str) -> tuple[str, list[float]]:
    """`name=start:stop:step` as (name, the values from start to stop inclusive)."""
    name, _, bounds = text.partition("=")
    name, parts = name.strip(), bounds.split(":")
    if not name or len(parts) != 3:
        raise UsageError(
            f"--sweep {text!r} is not VAR=START:STOP:STEP, e.g. "
            "--sweep high_utilization_min_utilization=0.40:0.70:0.05."
        )
    try:
        start, stop, step = (decimal.Decimal(part) for part in parts)
    except decimal.InvalidOperation as error:
        raise UsageError(f"--sweep {text!r}: START, STOP and STEP must be numbers.") from error
    if not all(bound.is_finite() for bound in (start, stop, step)):
        raise UsageError(f"--sweep {text!r}: START, STOP and STEP must be finite numbers.")
    if step <= 0:
        raise UsageError(f"--sweep {text!r}: the step must be above 0, or the range is empty.")
    if start > stop:
        raise UsageError(
            f"--sweep {text!r}: the range is inverted (START {start} is above STOP {stop}); "
            f"write {name}={stop}:{start}:{step}."
        )
    steps, remainder = divmod(stop - start, step)
    if remainder:
        raise UsageError(
            f"--sweep {text!r}: STOP {stop} is not START plus a whole number of steps of {step} "
            f"(the last would be {start + steps * step}); the range includes STOP."
        )
    if steps + 1 > MAX_SWEEP_VALUES:
        raise UsageError(
            f"--sweep {text!r} has {steps + 1} values, more than {MAX_SWEEP_VALUES}: "
            "use a larger step."
        )
    return name, [float(start + index * step) for index in range(int(steps) + 1)]


def what_if_candidates(args: argparse.Namespace, cli_vars: dict[str, Any]) -> dict[str, Any]:
    """var what_if from --what-if and --sweep (a value, or a list of values per var)."""
    candidates = parse_vars(args.what_if, "--what-if") if args.what_if else {}
    if "what_if" in cli_vars:
        raise UsageError("give the candidates with --what-if or --sweep, not in --vars' what_if.")
    if len(args.sweep) > 2:
        raise UsageError(f"--sweep sweeps at most two vars at once, not {len(args.sweep)}.")
    for text in args.sweep:
        name, values = parse_sweep(text)
        if name in candidates:
            twice = (
                "--sweep twice" if isinstance(candidates[name], list) else "--what-if and --sweep"
            )
            raise UsageError(f"{name} is given by {twice}: give it once.")
        candidates[name] = values
    if not candidates:
        raise UsageError(
            "--what-if needs at least one threshold, e.g. '{savings_min_growth_rate: 0.03}'."
        )
    if args.select or args.full_refresh:
        raise UsageError(
            "a what-if evaluates every stored as_of_date and publishes nothing: "
            "--select and --full-refresh do not apply to it."
        )
    return candidates


@contextmanager
def run_lock(warehouse: Path) -> Iterator[bool]:
    """Hold an exclusive lock per warehouse; yields False when another run holds it."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Project:
    """What dbt resolves from profiles.yml and dbt_project.yml before the run."""

    target: str
    warehouse: Path
    # the warehouse schema of the production models (a what-if builds into <schema>_what_if)
    schema: str
    # the `config_options` dbt opens the warehouse with
    config: dict[str, Any]
    # dbt_project.yml's vars: the defaults the report compares the run's values with
    default_vars: dict[str, Any]


def resolve_project(target: str | None, cli_vars: dict[str, Any]) -> Project:
    """The target, the DuckDB warehouse and the project's default vars, as dbt resolves them.

    The report must open the warehouse with the same configuration as dbt,
    which may still hold it open in this process.
    """
    from dbt.config.runtime import load_profile, load_project
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(os.environ)
    set_from_args(argparse.Namespace(profiles_dir=str(PROJECT_DIR), target=target), None)
    profile = load_profile(str(PROJECT_DIR), cli_vars, target_override=target)
    credentials = profile.credentials
    if credentials.type != "duckdb":
        raise UsageError(
            f"the validation report reads the DuckDB warehouse, and target {target!r} is "
            f"{credentials.type}: run `dbt build --target {target}` instead."
        )
    project = load_project(str(PROJECT_DIR), False, profile, cli_vars)
    return Project(
        target=profile.target_name,
        warehouse=Path(credentials.path),
        schema=credentials.schema,
        config=dict(credentials.config_options or {}),
        default_vars=dict(project.vars.vars),
    )


def dbt_args(
    command: str, args: argparse.Namespace, select: str | None, target_path: Path
) -> list[str]:
    invocation = [command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    invocation += ["--target-path", str(target_path)]
    if select:
        invocation += ["--select", select]
    if args.vars:
        invocation += ["--vars", args.vars]
    if args.target:
        invocation += ["--target", args.target]
    if command == "build" and args.full_refresh:
        invocation += ["--full-refresh"]
    return invocation


def invoke_dbt(invocation: list[str], manifest: Any = None) -> tuple[bool, Any]:
    """Run dbt in-process; (success, dbt's result object, which may be None).

    With `manifest` (what `dbt parse` returned), dbt uses it instead of parsing
    the project again: the build, the reporting run and the docs share one parse.
    """
    from dbt.cli.main import dbtRunner

    result = dbtRunner(manifest=manifest).invoke(invocation)
    return bool(result.success), result.result


def node_results(result: Any) -> list[Any]:
    return list(getattr(result, "results", None) or [])


def reporting_models(manifest: Any) -> set[str]:
    """The names of the reporting models (tag reporting) in the parsed project."""
    return {
        node.name
        for node in manifest.nodes.values()
        if node.resource_type == "model" and "reporting" in node.tags
    }


def built_models(results: list[Any]) -> set[str]:
    """The names of the models a dbt invocation built successfully."""
    return {
        result.node.name
        for result in results
        if result.node.resource_type == "model" and str(result.status) == "success"
    }


def run_info(result: Any, project: Project, invocation_id: str, started_at: str) -> RunInfo:
    """When the build ran (dbt's run_started_at to its result's time, UTC) and on what."""
    finished = getattr(result, "generated_at", None)
    started = datetime.strptime(started_at, "%Y-%m-%d %H:%M:%S") if started_at else None
    elapsed = (finished - started).total_seconds() if finished and started else 0.0
    return RunInfo(
        invocation_id,
        started_at,
        finished.strftime("%Y-%m-%d %H:%M:%S") if finished else "",
        elapsed,
        project.target,
        "duckdb",
    )


def warnings_of(results: list[Any]) -> list[dict[str, Any]]:
    """The tests that ended with a warning, and how many rows each found."""
    return [
        {"test": result.node.name, "failures": result.failures or 0}
        for result in results
        if str(result.status) == "warn"
    ]


def node_status(results: list[Any], name: str) -> str | None:
    for result in results:
        if result.node.name == name:
            return str(result.status)
    return None


def gate_tests(
    results: list[Any], skipped_checks: dict[str, str]
) -> tuple[list[GateTest], dict[str, int]]:
    """The gate's tests (a check persona_gate_checks skipped shows as skipped) and a tally
    of the other tests by status."""
    gate: list[GateTest] = []
    other: Counter[str] = Counter()
    for result in results:
        resource_type = str(result.node.resource_type)
        if resource_type not in {"test", "unit_test"}:
            continue
        check_name = result.node.name.removeprefix("gate_")
        if check_name != result.node.name:
            status = "skipped" if check_name in skipped_checks else str(result.status)
            gate.append(GateTest(result.node.name, status, skipped_checks.get(check_name)))
        else:
            other[str(result.status)] += 1
    return sorted(gate, key=lambda test: test.name), dict(other)


def gate_invocation(warehouse: Path, config: dict[str, Any]) -> tuple[str, str]:
    """(invocation id, start time) of the build that evaluated the gate (persona_gate_result)."""
    import duckdb

    with duckdb.connect(str(warehouse), config=config) as connection:
        row = connection.execute(
            "select invocation_id, strftime(evaluated_at, '%Y-%m-%d %H:%M:%S') "
            "from persona_gate_result"
        ).fetchone()
    return (row[0], row[1]) if row else ("", "")


def run_what_if(
    args: argparse.Namespace, project: Project, cli_vars: dict[str, Any], candidates: dict
) -> int:
    """Evaluate the candidates (`dbt build --selector what_if`), then print and write
    what would change. Publishes nothing."""
    variables = yaml.safe_dump({**cli_vars, "what_if": candidates}, default_flow_style=True)
    invocation = [
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(args.target_path / "what_if"),
        "--selector",
        WHAT_IF_SELECTOR,
        "--vars",
        variables.strip(),
        *(["--target", args.target] if args.target else []),
    ]
    with run_lock(project.warehouse) as acquired:
        if not acquired:
            print(
                f"error: another persona assignment run is already using {project.warehouse} "
                "(locked). Wait for it to finish, then run again.",
                file=sys.stderr,
            )
            return 1
        built, _ = invoke_dbt(invocation)
        if not built:
            print(
                "\nWhat-if FAILED: see the error above. Nothing was published; the SQLite and "
                "Parquet outputs are unchanged.",
                file=sys.stderr,
            )
            return 1
        what_if = what_if_report.read_what_if(
            project.warehouse, f"{project.schema}_what_if", project.config, candidates
        )
    folder = Path(cli_vars.get("what_if_dir", project.default_vars["what_if_dir"]))
    report_path = folder / "report.html"
    folder.mkdir(parents=True, exist_ok=True)
    report_path.write_text(what_if_report.render_html(what_if), encoding="utf-8")
    paths = [("HTML report", report_path), ("changed keys", folder / "changed_keys.parquet")]
    print(what_if_report.render_text(what_if, paths))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(PROJECT_DIR)
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    try:
        cli_vars = parse_vars(args.vars)
        candidates = what_if_candidates(args, cli_vars) if args.what_if or args.sweep else None
        project = resolve_project(args.target, cli_vars)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if candidates is not None:
        return run_what_if(args, project, cli_vars, candidates)
    warehouse = project.warehouse

    with run_lock(warehouse) as acquired:
        if not acquired:
            print(
                f"error: another persona assignment run is already using {warehouse} "
                "(locked). Wait for it to finish, then run again.",
                file=sys.stderr,
            )
            return 1
        # Unit tests check the logic, not the data: `make test` runs them, a
        # production run does not need to repeat them on every execution.
        # --exclude bypasses the default selector, so the what-if models are excluded too.
        build_invocation = [
            *dbt_args("build", args, args.select, args.target_path),
            "--exclude",
            WHAT_IF_MODELS,
            "--exclude-resource-type",
            "unit_test",
        ]
        # One parse for the dbt commands below (about 3 s each otherwise). The
        # build writes manifest.json, so the parse does not (0.4 s at 1M users).
        parse = [*dbt_args("parse", args, None, args.target_path), "--quiet", "--no-write-json"]
        parsed, manifest = invoke_dbt(parse)
        build_ok, build = invoke_dbt(build_invocation, manifest) if parsed else (False, None)
        results = node_results(build)
        if node_status(results, "persona_assignments") != "success":
            print(
                "\nPersona assignment FAILED before the assignments were built: see the error "
                "above. Nothing was published; the previous outputs are unchanged.",
                file=sys.stderr,
            )
            return 1
        # The build builds the reporting models, as plain `dbt build` does. When
        # it did not build them all (a failed gate or test skips them: the
        # report must show that run too; so does a --select without them), they
        # run on their own, with their own artifacts folder, so the build's
        # run_results.json stays as the build left it.
        reporting_ok = True
        if not reporting_models(manifest) <= built_models(results):
            reporting = dbt_args("run", args, REPORTING_SELECTOR, args.target_path / "reporting")
            reporting_ok, _ = invoke_dbt([*reporting, "--quiet"], manifest)
        if not reporting_ok:
            print("\nThe reporting models failed to build: see the error above.", file=sys.stderr)
            return 1
        # The lineage the report links to, from the build's manifest (nothing recompiled).
        docs = dbt_args("docs", args, None, args.target_path)
        docs_ok, _ = invoke_dbt(
            [docs[0], "generate", *docs[1:], "--no-compile", "--quiet"], manifest
        )
        report = Report(passed=build_ok, defaults=project.default_vars)
        read_report_models(warehouse, report, project.config)
        report.run = run_info(build, project, *gate_invocation(warehouse, project.config))
        report.gate_tests, report.other_tests = gate_tests(results, report.skipped_checks)
        report.warnings = warnings_of(results)
        report.docs_index = args.target_path / "index.html" if docs_ok else None

    print(render_text(report))
    args.report_html.parent.mkdir(parents=True, exist_ok=True)
    args.report_html.write_text(render_html(report, args.report_html), encoding="utf-8")
    print(f"HTML report: {args.report_html}")
    return 0 if build_ok else 1


if __name__ == "__main__":
    sys.exit(main())
