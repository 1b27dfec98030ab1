"""Shared fixtures: the demo data, and isolated workspaces that run the real pipeline.

Every pipeline test runs `dbt build` (or another dbt command) as a subprocess
against this project, with all inputs and outputs redirected into a temporary
workspace through vars and environment variables, so tests never touch data/
or target/ and never share a DuckDB file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
DEMO_USERS = 75


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
        **var_overrides: object,
    ) -> DbtResult:
        """Run `dbt <args>` on this project with this workspace's paths (and `env` on top)."""
        command = self.dbt_command(*args, vars_yaml=vars_yaml, **var_overrides)
        return run(command, env={**self.env(), **(env or {})})

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
        text = str(value).replace("\\", "\\\\").replace('"', '\\"')
        return f'"{text}"'

    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in values.items()) + "}"


def generate_demo_data(root: Path, users: int = DEMO_USERS) -> Path:
    """Run the demo generator into root/features and root/user_archetypes.parquet."""
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


@pytest.fixture
def workspace(demo_data: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace holding a private copy of the demo data."""
    shutil.copytree(demo_data / "features", tmp_path / "features")
    shutil.copy2(demo_data / "user_archetypes.parquet", tmp_path / "user_archetypes.parquet")
    (tmp_path / "out").mkdir()
    yield Workspace(tmp_path)
