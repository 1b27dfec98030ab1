"""Assign personas in one command: run `dbt build`, then print what it produced.

This is what `make run` calls. It runs the whole dbt pipeline (staging, the
five persona models, ranking, the gate tests and both exports) through dbt's
Python API, then prints a short report of what was published. The exit code
is non-zero when the build or the validation gate failed; in that case
nothing new was published and the previous outputs are unchanged.

Examples:
  python scripts/assign_personas.py
  python scripts/assign_personas.py --vars '{features_dir: /lake/epic2, as_of_date: 2025-11-04}'
  python scripts/assign_personas.py --select +persona_assignments --target duckdb
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="\n".join(__doc__.splitlines()[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--vars", help="dbt vars as YAML, passed to `dbt build --vars`")
    parser.add_argument("--select", help="dbt node selection, passed to `dbt build --select`")
    parser.add_argument("--target", help="profile target, passed to `dbt build --target`")
    return parser.parse_args(argv)


def dbt_build_args(args: argparse.Namespace) -> list[str]:
    """The `dbt build` command line for the options given."""
    command = ["build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    for flag in ("vars", "select", "target"):
        value = getattr(args, flag)
        if value:
            command += [f"--{flag}", value]
    return command


def run_dbt_build(command: list[str]) -> bool:
    """Run dbt in-process; True when every node succeeded."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(command)
    return bool(result.success)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(PROJECT_DIR)
    ok = run_dbt_build(dbt_build_args(args))
    if not ok:
        print(
            "\nPersona assignment FAILED: see the errors above. Nothing new was published; "
            "the previous SQLite and Parquet outputs are unchanged.",
            file=sys.stderr,
        )
        return 1
    print("\nPersona assignment passed the validation gate and was published.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
