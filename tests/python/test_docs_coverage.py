"""Documentation coverage, measured from dbt's own artifacts.

After `dbt build` and `dbt docs generate` in a workspace, manifest.json holds
what the YAML documents and catalog.json holds what really exists in the
warehouse. Every model, seed and source table must have a description, every
real column (each column catalog.json lists for a node) a non-empty
description in manifest.json, and every macro of the project (macros/ and the
generic tests) a description in macros/_macros.yml. Sources are the views the
preflight registers over the feature files, with their declared columns. The
what-if models are measured against the catalog of a what-if run, the only
one that builds them.

Run with `pytest -s` to see the numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import Workspace, copy_build, copy_inputs

# Shares the docs build with test_docs_browser: the same xdist worker runs both.

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
    macros: Tally = field(default_factory=Tally)
    # For information only: documented columns the relation does not have, and
    # resource types the test does not require.
    phantom_columns: list[str] = field(default_factory=list)
    other: dict[str, Tally] = field(default_factory=dict)


def described(entry: dict[str, Any]) -> bool:
    return bool((entry.get("description") or "").strip())


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
        if table is None:
            coverage.not_in_catalog.append(f"{kind} {name}")
            continue
        real = [column.lower() for column in table["columns"]]
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
            coverage.macros.add(macro["name"], described(macro))
    for exposure in manifest["exposures"].values():
        coverage.other.setdefault("exposures", Tally()).add(exposure["name"], described(exposure))
    return coverage


def what_if_catalog(docs_workspace: Workspace, demo_data: Path, root: Path) -> dict[str, Any]:
    """catalog.json of a what-if run on a copy of the docs build: the what-if models
    exist only in the what-if schema, so the production catalog cannot list them."""
    workspace = copy_build(docs_workspace, copy_inputs(demo_data, root))
    what_if = {
        "what_if": {"high_utilization_min_utilization": 0.6},
        "what_if_dir": str(root / "what_if"),
    }
    assert workspace.dbt("build", "--selector", "what_if", **what_if).ok
    generated = workspace.dbt("docs", "generate", "--selector", "what_if", **what_if)
    assert generated.ok, generated.output[-2000:]
    return json.loads((root / "target" / "catalog.json").read_text())


@pytest.fixture(scope="module")
def coverage(
    docs_workspace: Workspace, demo_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Coverage]:
    target = docs_workspace.root / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    what_if = what_if_catalog(docs_workspace, demo_data, tmp_path_factory.mktemp("what_if_docs"))
    catalog["nodes"] = {**what_if["nodes"], **catalog["nodes"]}
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
    print(f"  macros: {measured.macros}")
    names = measured.phantom_columns
    print(
        f"  documented columns the relation does not have: {len(names)}"
        + "".join(f"\n    {name}" for name in names)
    )
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


def test_every_macro_is_documented(coverage: Coverage) -> None:
    assert coverage.macros.total > 0
    assert coverage.macros.missing == [], "macros without a description in _macros.yml:\n  " + (
        "\n  ".join(sorted(coverage.macros.missing))
    )
