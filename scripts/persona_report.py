"""The validation report of a persona assignment run, as text and as self-contained HTML.

Every number comes from SQL: the reporting models (models/reporting/rpt_*.sql)
in the DuckDB warehouse, and row counts of the published files. This module
only queries and presents them; scripts/assign_personas.py calls it after
`dbt build`.
"""

from __future__ import annotations

import html
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# Per-user listings (mismatches, window disagreements) show this many rows.
LISTED_ROWS = 25
LINEAGE_URL = "http://localhost:8080/#!/model/model.spendsense_personas.persona_assignments?g_v=1"
LOCAL_LINEAGE = "index.html#!/model/model.spendsense_personas.persona_assignments?g_v=1"


@dataclass(frozen=True)
class GateTest:
    """One error-severity test of the run and how it ended (and why, when skipped)."""

    name: str
    status: str
    skip_reason: str | None = None


@dataclass
class Report:
    """Everything the report shows; each list holds rows of one reporting model."""

    coverage: list[dict[str, Any]] = field(default_factory=list)
    persona_counts: list[dict[str, Any]] = field(default_factory=list)
    matrix: list[dict[str, Any]] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    mismatch_count: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    disagreement_count: int = 0
    missing_signals: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    # The persona names in id order (from the personas seed), then STABLE.
    outcomes: list[str] = field(default_factory=list)
    # var name -> value, as dbt resolved it for this run (rpt_run_settings)
    settings: dict[str, Any] = field(default_factory=dict)
    gate_tests: list[GateTest] = field(default_factory=list)
    # check_name -> why persona_gate_checks skipped it in this run
    skipped_checks: dict[str, str] = field(default_factory=dict)
    other_tests: dict[str, int] = field(default_factory=dict)
    passed: bool = False

    @property
    def has_archetypes(self) -> bool:
        return bool(self.matrix)


def query_listing(
    connection: duckdb.DuckDBPyConnection, model: str, order_by: str
) -> tuple[list[dict[str, Any]], int]:
    """The first LISTED_ROWS rows of a per-user reporting model, and how many it has.

    At a million users a listing can hold tens of thousands of rows: the
    report shows the first ones and the total, and the model has them all.
    """
    rows = query(
        connection,
        f"select *, count(*) over () as listing_total from {model} "
        f"order by {order_by} limit {LISTED_ROWS}",
    )
    count = rows[0].pop("listing_total") if rows else 0
    for row in rows[1:]:
        del row["listing_total"]
    return rows, count


def query(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_report_models(
    warehouse: Path, report: Report, config: dict[str, Any] | None = None
) -> None:
    """Fill `report` from the reporting views of the DuckDB warehouse.

    Opened read-write with `config`, the profile's `config_options`, exactly
    as dbt-duckdb opens it: dbt may still hold the database open in this
    process, and DuckDB only shares an open database with connections
    configured the same way.
    """
    with duckdb.connect(str(warehouse), config=config or {}) as connection:
        report.coverage = query(
            connection, "select * from rpt_assignment_coverage order by as_of_date, window_days"
        )
        report.persona_counts = query(
            connection,
            "select * from rpt_primary_persona_counts "
            "order by as_of_date, window_days, persona_id nulls last",
        )
        report.matrix = query(
            connection,
            "select * from rpt_archetype_persona_matrix "
            "order by as_of_date, window_days, archetype",
        )
        report.mismatches, report.mismatch_count = query_listing(
            connection, "rpt_archetype_mismatches", "as_of_date, user_id, window_days"
        )
        report.disagreements, report.disagreement_count = query_listing(
            connection, "rpt_window_disagreements", "as_of_date, user_id"
        )
        report.missing_signals = query(
            connection, "select * from rpt_missing_signals order by missing_signal"
        )
        report.outcomes = [
            row["persona_name"]
            for row in query(connection, "select persona_name from personas order by persona_id")
        ] + ["STABLE"]
        report.settings = {
            row["var_name"]: json.loads(row["value_json"])
            for row in query(connection, "select var_name, value_json from rpt_run_settings")
        }
        report.skipped_checks = {
            row["check_name"]: row["skip_reason"]
            for row in query(
                connection,
                "select check_name, skip_reason from persona_gate_checks where not is_applied",
            )
        }
    report.outputs = read_outputs(
        Path(report.settings["sqlite_path"]),
        Path(report.settings["parquet_path"]),
        bool(report.settings["export_sqlite"]),
    )


def read_outputs(sqlite_path: Path, parquet_path: Path, export_sqlite: bool) -> list[dict]:
    """Row counts of the published files, counted with SQL on the files themselves."""
    outputs: list[dict[str, Any]] = []
    if export_sqlite:
        rows: int | str = "not written"
        if sqlite_path.exists():
            with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as connection:
                rows = connection.execute("select count(*) from persona_assignments").fetchone()[0]
        outputs.append({"output": "SQLite persona_assignments", "path": sqlite_path, "rows": rows})
    parquet_rows: int | str = "not written"
    if parquet_path.exists():
        parquet_rows = duckdb.sql(
            "select count(*) from read_parquet($path)", params={"path": str(parquet_path)}
        ).fetchone()[0]
    outputs.append({"output": "Parquet", "path": parquet_path, "rows": parquet_rows})
    return outputs


# ---------------------------------------------------------------- text


def table(rows: list[dict[str, Any]], columns: list[str]) -> list[str]:
    if not rows:
        return ["  (none)"]
    widths = [max(len(column), *(len(str(row[column])) for row in rows)) for column in columns]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    for row in rows:
        cells = (str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True))
        lines.append("  " + "  ".join(cells))
    return lines


def listing_note(rows: list[dict[str, Any]], count: int, model: str) -> list[str]:
    """A line saying the listing is cut short, when it is."""
    if count <= len(rows):
        return []
    return [f"  ... showing the first {len(rows):,} of {count:,}; query {model} for all of them."]


def matrix_cells(report: Report) -> dict[tuple, dict[str, dict[str, Any]]]:
    """{(as_of_date, window_days): {archetype: {outcome: matrix row}}}."""
    cells: dict[tuple, dict[str, dict[str, Any]]] = {}
    for row in report.matrix:
        key = (row["as_of_date"], row["window_days"])
        cells.setdefault(key, {}).setdefault(row["archetype"], {})[row["outcome"]] = row
    return cells


def render_text(report: Report) -> str:
    lines = ["", "=" * 78, "Persona assignment validation report", "=" * 78]
    lines.append("Coverage (keys, users, ASSIGNED/STABLE per window):")
    lines += table(
        report.coverage,
        ["as_of_date", "window_days", "key_count", "user_count", "assigned_count", "stable_count"],
    )
    lines.append("\nPrimary persona per window:")
    lines += table(report.persona_counts, ["as_of_date", "window_days", "outcome", "key_count"])
    lines.append("\nArchetype x primary persona (rows: archetype, columns: outcome):")
    if not report.has_archetypes:
        lines.append("  SKIPPED: no archetype file, so the archetype checks did not apply.")
    elif "archetype_gets_expected_persona" in report.skipped_checks:
        reason = report.skipped_checks["archetype_gets_expected_persona"]
        lines.append(f"  The archetype checks were skipped: {reason}.")
    for (as_of_date, window_days), by_archetype in matrix_cells(report).items():
        lines.append(f"  {as_of_date}, {window_days}-day window")
        header = ["archetype"] + [o[:12] for o in report.outcomes]
        rows = []
        for archetype, outcomes in sorted(by_archetype.items()):
            row: dict[str, Any] = {"archetype": archetype}
            for outcome, short in zip(report.outcomes, header[1:], strict=True):
                cell = outcomes.get(outcome)
                row[short] = (
                    ""
                    if cell is None
                    else f"{cell['user_count']}{'' if cell['is_expected'] else '!'}"
                )
            rows.append(row)
        lines += ["  " + line for line in table(rows, header)]
    lines.append("  (! marks users whose outcome is not the archetype's expected one)")
    lines.append("\nArchetype mismatches, by user:")
    lines += table(report.mismatches, ["user_id", "window_days", "as_of_date", "detail"])
    lines += listing_note(report.mismatches, report.mismatch_count, "rpt_archetype_mismatches")
    lines.append("\nUsers whose primary persona differs between windows:")
    lines += table(report.disagreements, ["user_id", "as_of_date", "primary_by_window"])
    lines += listing_note(
        report.disagreements, report.disagreement_count, "rpt_window_disagreements"
    )
    lines.append("\nKeys with a missing signal (assigned anyway):")
    lines += table(report.missing_signals, ["missing_signal", "key_count"])
    lines.append("\nOutputs:")
    lines += table(report.outputs, ["output", "path", "rows"])
    lines.append("\nGate tests (SPEC section 7):")
    lines += table(
        [
            {"test": t.name, "status": t.status.upper(), "why skipped": t.skip_reason or ""}
            for t in report.gate_tests
        ],
        ["test", "status", "why skipped"] if report.skipped_checks else ["test", "status"],
    )
    if report.other_tests:
        summary = ", ".join(
            f"{count} {status}" for status, count in sorted(report.other_tests.items())
        )
        lines.append(f"  other data tests: {summary}")
    lines.append("")
    lines.append(
        "RESULT: " + ("PASSED - published" if report.passed else "FAILED - nothing published")
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- html


def _html_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    if not rows:
        return "<p class='none'>(none)</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_notes(lines: list[str]) -> str:
    return "".join(f"<p class='note'>{html.escape(line.strip())}</p>" for line in lines)


def _heatmap(
    title: str, by_archetype: dict[str, dict[str, dict[str, Any]]], outcomes: list[str]
) -> str:
    peak = max(
        (cell["user_count"] for outcomes in by_archetype.values() for cell in outcomes.values()),
        default=1,
    )
    head = "".join(f"<th>{html.escape(o)}</th>" for o in outcomes)
    body = []
    for archetype, outcomes in sorted(by_archetype.items()):
        cells = []
        for outcome in outcomes:
            cell = outcomes.get(outcome)
            if cell is None:
                cells.append("<td class='cell empty'></td>")
                continue
            alpha = 0.15 + 0.85 * cell["user_count"] / peak
            kind = "expected" if cell["is_expected"] else "mismatch"
            cells.append(
                f"<td class='cell {kind}' style='--alpha:{alpha:.2f}' "
                f"title='{html.escape(archetype)} -> {html.escape(outcome)}'>"
                f"{cell['user_count']}</td>"
            )
        body.append(f"<tr><th class='row'>{html.escape(archetype)}</th>{''.join(cells)}</tr>")
    return (
        f"<h3>{html.escape(title)}</h3><table class='heatmap'><thead><tr><th>archetype</th>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933}
h1{margin-bottom:.2rem} .verdict{font-size:1.3rem;font-weight:700;padding:.6rem 1rem;
border-radius:6px;display:inline-block} .pass{background:#d3f9d8;color:#1b5e20}
.fail{background:#ffe3e3;color:#b71c1c} table{border-collapse:collapse;margin:.5rem 0 1.2rem}
th,td{border:1px solid #d9e2ec;padding:.3rem .6rem;text-align:left;font-size:.9rem}
thead th{background:#f0f4f8} .heatmap td.cell{text-align:center;min-width:5.5rem;font-weight:600}
.cell.expected{background:rgba(46,125,50,var(--alpha))}
.cell.mismatch{background:rgba(198,40,40,var(--alpha));outline:2px solid #b71c1c}
.cell.empty{background:#fafafa} th.row{background:#f0f4f8} .none{color:#829ab1}
.note{color:#627d98;font-style:italic}
.status-pass{color:#1b5e20;font-weight:700}
.status-fail,.status-error{color:#b71c1c;font-weight:700}
.status-skipped{color:#8d6e00;font-weight:700}
"""


def render_html(report: Report) -> str:
    verdict = (
        "<p class='verdict pass'>PASSED &mdash; published</p>"
        if report.passed
        else "<p class='verdict fail'>FAILED &mdash; nothing published</p>"
    )
    heatmaps = (
        "".join(
            _heatmap(f"{as_of_date} - {window_days}-day window", by_archetype, report.outcomes)
            for (as_of_date, window_days), by_archetype in matrix_cells(report).items()
        )
        or "<p class='none'>Skipped: no archetype file, so the archetype checks did not apply.</p>"
    )
    gate_rows = "".join(
        f"<tr><td>{html.escape(t.name)}</td>"
        f"<td class='status-{html.escape(t.status)}'>{html.escape(t.status.upper())}</td>"
        f"<td>{html.escape(t.skip_reason or '')}</td></tr>"
        for t in report.gate_tests
    )
    sections = [
        f"<h1>Persona assignment validation report</h1>{verdict}",
        f"<p>Lineage of the published model: <a href='{LOCAL_LINEAGE}'>dbt docs (generated)</a>"
        f" &middot; <a href='{LINEAGE_URL}'>dbt docs served by <code>make docs</code></a></p>",
        "<h2>Gate tests</h2><table><thead><tr><th>test</th><th>status</th><th>why skipped</th>"
        "</tr></thead>"
        f"<tbody>{gate_rows}</tbody></table>",
        "<h2>Coverage</h2>"
        + _html_table(
            report.coverage,
            [
                "as_of_date",
                "window_days",
                "key_count",
                "user_count",
                "assigned_count",
                "stable_count",
            ],
        ),
        "<h2>Primary persona per window</h2>"
        + _html_table(report.persona_counts, ["as_of_date", "window_days", "outcome", "key_count"]),
        "<h2>Archetype &times; primary persona</h2>"
        "<p>Green: the archetype's expected outcome. Red, outlined: users whose outcome is not "
        "the expected one.</p>" + heatmaps,
        "<h2>Archetype mismatches</h2>"
        + _html_table(report.mismatches, ["user_id", "window_days", "as_of_date", "detail"])
        + _html_notes(
            listing_note(report.mismatches, report.mismatch_count, "rpt_archetype_mismatches")
        ),
        "<h2>Users whose primary persona differs between windows</h2>"
        + _html_table(report.disagreements, ["user_id", "as_of_date", "primary_by_window"])
        + _html_notes(
            listing_note(
                report.disagreements, report.disagreement_count, "rpt_window_disagreements"
            )
        ),
        "<h2>Missing signals</h2>"
        + _html_table(report.missing_signals, ["missing_signal", "key_count"]),
        "<h2>Outputs</h2>" + _html_table(report.outputs, ["output", "path", "rows"]),
    ]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Persona assignment report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
