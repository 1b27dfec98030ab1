"""The test harness reuses one parse of the project for every build (conftest.parsed_project).

That is sound only while parsing does not depend on the vars: every var must
be read when a node runs, never while dbt parses (in a config() call or a YAML
property). The one exception is var what_if, whose presence moves the
what-if models into their own schema; the harness keeps one parse per value
of it. This test parses with other paths, thresholds and windows and checks
that dbt parsed the same project.
"""

from __future__ import annotations

from pathlib import Path

from conftest import PROJECT_DIR, parsed_project, to_yaml


def parse(target_path: Path, variables: dict[str, object]) -> dict:
    args = [
        "parse",
        "--project-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
        "--vars",
        to_yaml(variables),
    ]
    manifest = parsed_project(args, cached=False).writable_manifest().to_dict()
    # Everything dbt parsed, but the time it parsed it.
    return {
        kind: {
            name: {key: value for key, value in resource.items() if key != "created_at"}
            for name, resource in manifest[kind].items()
        }
        for kind in ("nodes", "sources", "macros", "unit_tests")
    }


def test_parsing_does_not_depend_on_the_vars(tmp_path: Path) -> None:
    default = parse(tmp_path / "default", {})
    other = parse(
        tmp_path / "other",
        {
            "features_dir": str(tmp_path / "elsewhere"),
            "sqlite_path": str(tmp_path / "elsewhere.db"),
            "parquet_path": str(tmp_path / "elsewhere.parquet"),
            "windows": [30],
            "high_utilization_min_utilization": 0.6,
            "export_sqlite": False,
        },
    )
    assert default.keys() == other.keys()
    for kind, resources in default.items():
        assert resources.keys() == other[kind].keys(), kind
        changed = [name for name in resources if resources[name] != other[kind][name]]
        assert not changed, f"parsing read a var: {changed[:5]}"
