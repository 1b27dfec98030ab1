"""Assign personas in one command: `dbt build`, then a validation report.

This is what `make run` calls. It runs `dbt build` through dbt's Python API
(staging, the five persona models, ranking, every data test, the validation
gate and both exports), builds the reporting models, and prints the
validation report; the same report is written as self-contained HTML. dbt's
unit tests check the rules' logic, not the data, so this skips them: `make
test` (and `make dbt-test`) runs them. The exit code is non-zero when the
build or the gate failed: then nothing new was published and the previous
SQLite and Parquet outputs are unchanged.

Examples:
  python scripts/assign_personas.py
  python scripts/assign_personas.py --vars '{features_dir: /lake/epic2, as_of_date: "2025-11-04"}'
  python scripts/assign_personas.py --select +persona_assignments --target duckdb
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from persona_report import (
    GateTest,
    Report,
    read_outputs,
    read_report_models,
    render_html,
    render_text,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULT_WAREHOUSE = "target/spendsense.duckdb"
DEFAULT_HTML_REPORT = "target/persona_report.html"
REPORTING_SELECTOR = "tag:reporting"


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
        "--report-html",
        type=Path,
        default=Path(DEFAULT_HTML_REPORT),
        help="where to write the HTML report (default: %(default)s)",
    )
    return parser.parse_args(argv)


def parse_vars(text: str | None) -> dict[str, Any]:
    """The --vars YAML as a dict, or a UsageError that says how to write it."""
    if not text:
        return {}
    try:
        values = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as error:
        raise UsageError(
            f"--vars is not valid YAML ({error}). Write a mapping, and quote dates and paths, "
            'e.g. --vars \'{as_of_date: "2025-11-04", features_dir: "/lake/epic2"}\'.'
        ) from error
    if not isinstance(values, dict):
        raise UsageError(f"--vars must be a YAML mapping like '{{key: value}}', got {text!r}.")
    return values


def effective_vars(overrides: dict[str, Any]) -> dict[str, Any]:
    """dbt_project.yml's vars with the command line's overrides applied."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return {**project.get("vars", {}), **overrides}


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


def warehouse_config(target: str | None) -> dict[str, Any]:
    """The `config_options` DuckDB opens the warehouse with, from profiles.yml.

    The report must open the warehouse with the same configuration as dbt,
    which may still hold it open in this process.
    """
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["spendsense_personas"]
    output = profile["outputs"].get(target or profile["target"], {})
    return dict(output.get("config_options") or {})


def dbt_args(command: str, args: argparse.Namespace, select: str | None) -> list[str]:
    invocation = [command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if select:
        invocation += ["--select", select]
    if args.vars:
        invocation += ["--vars", args.vars]
    if args.target:
        invocation += ["--target", args.target]
    return invocation


def invoke_dbt(invocation: list[str]) -> tuple[bool, list[Any]]:
    """Run dbt in-process; (success, node results)."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(invocation)
    results = list(getattr(result.result, "results", None) or [])
    return bool(result.success), results


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


def build_report(
    build_ok: bool,
    results: list[Any],
    settings: dict[str, Any],
    warehouse: Path,
    config: dict[str, Any],
) -> Report:
    report = Report(passed=build_ok)
    read_report_models(warehouse, report, config)
    report.gate_tests, report.other_tests = gate_tests(results, report.skipped_checks)
    report.outputs = read_outputs(
        Path(settings["sqlite_path"]),
        Path(settings["parquet_path"]),
        bool(settings.get("export_sqlite", True)),
    )
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(PROJECT_DIR)
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    try:
        settings = effective_vars(parse_vars(args.vars))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    warehouse = Path(os.environ.get("SPENDSENSE_DUCKDB_PATH", DEFAULT_WAREHOUSE))

    with run_lock(warehouse) as acquired:
        if not acquired:
            print(
                f"error: another persona assignment run is already using {warehouse} "
                "(locked). Wait for it to finish, then run again.",
                file=sys.stderr,
            )
            return 1
        # Publishing into a folder that does not exist yet is what the user asked for.
        for key in ("sqlite_path", "parquet_path"):
            path = settings.get(key)
            if isinstance(path, str) and "'" not in path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)

        # Unit tests check the logic, not the data: `make test` runs them, a
        # production run does not need to repeat them on every execution.
        build_invocation = [
            *dbt_args("build", args, args.select),
            "--exclude",
            REPORTING_SELECTOR,
            "--exclude-resource-type",
            "unit_test",
        ]
        build_ok, results = invoke_dbt(build_invocation)
        if node_status(results, "persona_assignments") != "success":
            print(
                "\nPersona assignment FAILED before the assignments were built: see the error "
                "above. Nothing was published; the previous outputs are unchanged.",
                file=sys.stderr,
            )
            return 1
        reporting_ok, _ = invoke_dbt([*dbt_args("run", args, REPORTING_SELECTOR), "--quiet"])
        if not reporting_ok:
            print("\nThe reporting models failed to build: see the error above.", file=sys.stderr)
            return 1
        report = build_report(build_ok, results, settings, warehouse, warehouse_config(args.target))

    print(render_text(report))
    args.report_html.parent.mkdir(parents=True, exist_ok=True)
    args.report_html.write_text(render_html(report), encoding="utf-8")
    print(f"HTML report: {args.report_html}")
    return 0 if build_ok else 1


if __name__ == "__main__":
    sys.exit(main())
