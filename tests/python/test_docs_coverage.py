"""Documentation coverage, measured from dbt's own artifacts.

After `dbt build` and `dbt docs generate` in a workspace, manifest.json holds
what the YAML documents and catalog.json holds what really exists in the
warehouse. Every model, seed and source table must have a description, and
every real column (each column catalog.json lists for a node) must have a
non-empty description in manifest.json. Sources are read in place from
Parquet files (meta.external_location), so the warehouse has no table for them
and catalog.json does not list them: their declared columns are what is
measured, and columns a file has beyond those are printed for information
(the pipeline ignores them by design).

Run with `pytest -s` to see the numbers.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import Workspace

MEASURED = ("model", "seed", "snapshot")


@dataclass
class Tally:
    """Documented versus total, with the names of what is not documented."""

    total: int = 0
    missing: list[str] = field(default_factory=list)

    def add(self, name: str, documented: bool) -> None:
        self.total += 1
        if not documented:
            self.missing.append(name)

    def __str__(self) -> str:
        documented = self.total - len(self.missing)
        percent = 100 * documented / self.total if self.total else 100.0
        return f"{documented}/{self.total} ({percent:.0f} %)"


@dataclass
class Coverage:
    nodes: dict[str, Tally] = field(default_factory=dict)
    columns: dict[str, Tally] = field(default_factory=dict)
    not_in_catalog: list[str] = field(default_factory=list)
    # For information only: documented columns the relation does not have, source
    # file columns nobody declared, and resource types the test does not require.
    phantom_columns: list[str] = field(default_factory=list)
    undeclared_source_columns: list[str] = field(default_factory=list)
    other: dict[str, Tally] = field(default_factory=dict)


def described(entry: dict[str, Any]) -> bool:
    return bool((entry.get("description") or "").strip())


def source_file_columns(source: dict[str, Any]) -> list[str] | None:
    """The columns of a source's Parquet file, when its external_location names one."""
    location = (source.get("meta") or {}).get("external_location") or ""
    match = re.search(r"read_parquet\('([^']+)'\)", location)
    if not match:
        return None
    path = Path(match.group(1).replace("{name}", source["identifier"]))
    return pq.read_schema(path).names if path.is_file() else None


def measure(manifest: dict[str, Any], catalog: dict[str, Any]) -> Coverage:
    coverage = Coverage()
    tables = {**catalog["nodes"], **catalog["sources"]}
    entries = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in MEASURED and node["config"].get("materialized") != "ephemeral"
    ] + list(manifest["sources"].values())

    for entry in sorted(entries, key=lambda item: item["unique_id"]):
        kind = entry["resource_type"]
        name = f"{entry['source_name']}.{entry['name']}" if kind == "source" else entry["name"]
        coverage.nodes.setdefault(kind, Tally()).add(name, described(entry))
        documented = {column.lower(): info for column, info in entry["columns"].items()}
        columns = coverage.columns.setdefault(kind, Tally())

        table = tables.get(entry["unique_id"])
        if table is not None:
            real = [column.lower() for column in table["columns"]]
        elif kind == "source":
            real = list(documented)
            in_file = source_file_columns(entry)
            if in_file is not None:
                coverage.undeclared_source_columns += [
                    f"{name}.{column}" for column in in_file if column.lower() not in documented
                ]
        else:
            coverage.not_in_catalog.append(f"{kind} {name}")
            continue
        for column in real:
            columns.add(f"{name}.{column}", described(documented.get(column, {})))
        coverage.phantom_columns += [
            f"{name}.{column}" for column in documented if column not in real
        ]

    for node in manifest["nodes"].values():
        if node["resource_type"] == "analysis":
            coverage.other.setdefault("analyses", Tally()).add(node["name"], described(node))
    for macro in manifest["macros"].values():
        if macro["package_name"] == manifest["metadata"].get("project_name"):
            coverage.other.setdefault("macros", Tally()).add(macro["name"], described(macro))
    for exposure in manifest["exposures"].values():
        coverage.other.setdefault("exposures", Tally()).add(exposure["name"], described(exposure))
    return coverage


@pytest.fixture(scope="module")
def coverage(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coverage]:
    root = tmp_path_factory.mktemp("coverage")
    shutil.copytree(demo_data / "features", root / "features")
    shutil.copy2(demo_data / "user_archetypes.parquet", root / "user_archetypes.parquet")
    (root / "out").mkdir()
    workspace = Workspace(root)
    # catalog.json needs every relation to exist; the data tests (which `make dbt-test`
    # runs anyway) would only add time here.
    build = ("build", "--exclude-resource-type", "test", "unit_test")
    for command in (build, ("docs", "generate")):
        result = workspace.dbt(*command)
        assert result.ok, result.output
    target = root / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    measured = measure(manifest, catalog)

    print("\nDocumentation coverage (descriptions in manifest.json):")
    for kind, tally in measured.nodes.items():
        print(f"  {kind}s: {tally}; their columns: {measured.columns[kind]}")
    all_columns = Tally(
        sum(tally.total for tally in measured.columns.values()),
        [name for tally in measured.columns.values() for name in tally.missing],
    )
    print(f"  columns, all: {all_columns}")
    print("Not required, for information:")
    for kind, tally in measured.other.items():
        print(f"  {kind}: {tally}")
    for label, names in (
        ("documented columns the relation does not have", measured.phantom_columns),
        ("source file columns not declared (ignored)", measured.undeclared_source_columns),
    ):
        print(f"  {label}: {len(names)}" + "".join(f"\n    {name}" for name in names))
    yield measured


def test_every_model_seed_and_source_has_a_description(coverage: Coverage) -> None:
    assert coverage.nodes.get("model") and coverage.nodes["model"].total > 0
    assert coverage.nodes.get("seed") and coverage.nodes.get("source")
    undocumented = [
        f"{kind} {name}" for kind, tally in coverage.nodes.items() for name in tally.missing
    ]
    assert undocumented == [], "no description:\n  " + "\n  ".join(undocumented)


def test_every_real_column_is_documented(coverage: Coverage) -> None:
    assert coverage.not_in_catalog == [], (
        "not in catalog.json, so their real columns are unknown:\n  "
        + "\n  ".join(coverage.not_in_catalog)
    )
    undocumented = [
        f"{kind} column {name}"
        for kind, tally in coverage.columns.items()
        for name in tally.missing
    ]
    assert undocumented == [], "columns without a description:\n  " + "\n  ".join(undocumented)
