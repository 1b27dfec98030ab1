"""The benchmark's reference (benchmarks/reference_polars.py) gives the project's outputs.

The benchmark times the dbt project against that script, so the comparison only means
something while both do the same job. One dbt build of the two-date demo (the 75 demo users
on 2025-11-04 and a week later), with a few oddities the demo lacks (ODDITIES), and one run
of the reference on the same feature files, in this process. Then every row of the SQLite
table and of the Parquet file must be equal, computed_at aside, and every audit trace
byte-identical: same keys in the same order, same numbers written the same way, same
reasoning sentences.

The archetype file is left out: the oddities change personas the archetype checks expect.
"""

from __future__ import annotations

import importlib.util
import math
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import DEMO_USERS, PROJECT_DIR, Workspace, generate_demo_data

DATES = ("2025-11-04", "2025-11-11")
# A user only in the income file, with an id that needs escaping in JSON.
ODD_USER = 'u_"odd\\user\t\x1f é'
# (file, user, column, value) written on every row of that user, both dates and windows,
# so that the persona mix moves alike on both dates (the drift gate compares them).
ODDITIES = (
    ("credit", "u_0002", "max_utilization", math.nan),  # NaN reads as no credit card
    ("subscriptions", "u_0003", "monthly_recurring_spend", math.inf),
    ("savings", "u_0003", "growth_rate", -math.inf),
    ("credit", "u_0004", "max_utilization", 0.5),  # exactly on the thresholds
    ("income", "u_0004", "median_pay_gap_days", 45.0),
    ("cash_flow", "u_0004", "pct_days_below_100", 0.3),
    ("subscriptions", "u_0005", "recurring_merchant_count", 4),
    ("subscriptions", "u_0005", "monthly_recurring_spend", 50.125),  # rounds half up: $50.13
    ("savings", "u_0005", "growth_rate", 3e-6),  # JSON 0.000003
    ("savings", "u_0005", "net_inflow", 3e17),  # JSON in full, reasoning $5.000e+16
    ("credit", "u_0005", "max_utilization", None),  # no credit card
)
MISSING_CREDIT_USER = "u_0001"  # no credit row at all: missing signal, not "no card"


def load_reference() -> ModuleType:
    path = PROJECT_DIR / "benchmarks" / "reference_polars.py"
    spec = importlib.util.spec_from_file_location("reference_polars", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def generate_two_dates(root: Path) -> None:
    generate_demo_data(root, DEMO_USERS, "--dates", str(len(DATES)))


def add_oddities(features_dir: Path) -> None:
    """Write ODDITIES, drop the credit rows of MISSING_CREDIT_USER and add ODD_USER's rows."""
    for name in ("subscriptions", "savings", "credit", "income", "cash_flow"):
        path = features_dir / f"{name}.parquet"
        table = pq.read_table(path)
        for file_name, user, column, value in ODDITIES:
            if file_name == name:
                position = table.schema.get_field_index(column)
                values = pc.if_else(
                    pc.equal(table["user_id"], user),
                    pa.scalar(value, table.schema.field(column).type),
                    table[column],
                )
                table = table.set_column(position, column, values)
        if name == "credit":
            table = table.filter(pc.not_equal(table["user_id"], MISSING_CREDIT_USER))
        if name == "income":
            odd_rows = table.filter(pc.equal(table["user_id"], "u_0006"))
            odd_rows = odd_rows.set_column(0, "user_id", pa.array([ODD_USER] * len(odd_rows)))
            table = pa.concat_tables([table, odd_rows])
        pq.write_table(table, path)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Workspace]:
    """The project's build and the reference's run on the same features: (project, reference)."""
    root = tmp_path_factory.mktemp("reference")
    generate_two_dates(root)
    add_oddities(root / "features")
    (root / "out").mkdir()
    project = Workspace(root, extra_vars={"archetypes_path": str(root / "no_labels.parquet")})
    result = project.dbt("build")
    assert result.ok, result.output
    reference = Workspace(root / "reference")
    load_reference().run(
        project.features_dir, reference.sqlite_path, reference.parquet_path, PROJECT_DIR
    )
    return project, reference


def sqlite_rows(path: Path) -> dict[str, dict[str, object]]:
    """Every row of persona_assignments by assignment_id, without computed_at."""
    with sqlite3.connect(path) as connection:
        cursor = connection.execute("select * from persona_assignments")
        names = [column[0] for column in cursor.description]
        rows = {}
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            del row["computed_at"]
            rows[row["assignment_id"]] = row
    return rows


def sqlite_layout(path: Path) -> tuple[object, ...]:
    """Page size, columns (name, declared type, not null, primary key) and indexed columns."""
    with sqlite3.connect(path) as connection:
        columns = connection.execute("pragma table_info(persona_assignments)").fetchall()
        indexes = {
            (unique, tuple(c[2] for c in connection.execute(f"pragma index_info('{name}')")))
            for _, name, unique, *_ in connection.execute(
                "pragma index_list('persona_assignments')"
            )
        }
        page_size = connection.execute("pragma page_size").fetchone()
        kinds = connection.execute(
            "select distinct typeof(window_days), typeof(primary_persona_id), "
            "typeof(primary_severity), typeof(computed_at) from persona_assignments "
            "where status = 'ASSIGNED'"
        ).fetchall()
    return page_size, [column[1:] for column in columns], indexes, kinds


def differences(project: dict[str, dict], reference: dict[str, dict]) -> list[str]:
    """What differs, key by key, for the failure message (at most ten differences)."""
    found = [f"only in the project: {key!r}" for key in sorted(project.keys() - reference.keys())]
    found += [f"only in the reference: {key!r}" for key in sorted(reference.keys() - project)]
    for key in sorted(project.keys() & reference.keys()):
        for column, expected in project[key].items():
            actual = reference[key][column]
            if actual != expected:
                found.append(f"{key!r} {column}:\n{where_they_differ(expected, actual)}")
    return found[:10]


def where_they_differ(expected: object, actual: object) -> str:
    """Both values; of two texts (traces are long), from just before where they part."""
    if not (isinstance(expected, str) and isinstance(actual, str)):
        return f"  project:   {expected!r}\n  reference: {actual!r}"
    pairs = zip(expected, actual, strict=False)
    first = next((i for i, (a, b) in enumerate(pairs) if a != b), len(expected))
    start = max(first - 80, 0)
    prefix = "..." if start else ""
    return (
        f"  project:   {prefix}{expected[start : start + 200]!r}\n"
        f"  reference: {prefix}{actual[start : start + 200]!r}"
    )


def test_sqlite_rows_and_traces_are_the_projects(outputs: tuple[Workspace, Workspace]) -> None:
    project, reference = (sqlite_rows(w.sqlite_path) for w in outputs)
    assert len(project) == 2 * 2 * 76  # dates x windows x (75 demo users + ODD_USER)
    found = differences(project, reference)
    assert not found, "\n".join(found)
    traces = "\n".join(row["assignment_trace"] for row in project.values())
    # The oddities reached the traces this compares.
    assert '"no_credit_card":true' in traces
    assert '"missing_signals":["credit"]' in traces
    assert '"missing_signals":["subscriptions","savings","credit","cash_flow"]' in traces
    assert "(no credit card)" in traces and "$50.13" in traces and "e+16" in traces


def test_sqlite_table_has_the_projects_layout(outputs: tuple[Workspace, Workspace]) -> None:
    project, reference = (sqlite_layout(w.sqlite_path) for w in outputs)
    assert reference == project


def test_parquet_file_is_the_projects(outputs: tuple[Workspace, Workspace]) -> None:
    project, reference = (pq.read_table(w.parquet_path) for w in outputs)
    assert reference.schema == project.schema
    assert "assignment_trace" not in reference.column_names
    # Same rows in the same order (as_of_date, user_id, window_days).
    assert (
        reference.drop_columns(["computed_at"]).to_pylist()
        == project.drop_columns(["computed_at"]).to_pylist()
    )
    assert len(set(reference["computed_at"].to_pylist())) == 1
