"""The validation report of a persona assignment run, as text and as self-contained HTML.

Every number comes from SQL: the reporting models (models/reporting/rpt_*.sql)
in the DuckDB warehouse, the gate's models, and row counts of the published
files. This module only queries and presents them; scripts/assign_personas.py
calls it after `dbt build`. The text and the HTML have the same sections, in
the same order:

  run        verdict, invocation, time, target, inputs, outputs, thresholds
  gate       the validation checks and why a check was skipped
  coverage   keys, users, ASSIGNED and STABLE per window
  rules      per persona: matches as primary / secondary / lower; per criterion
             its pass rate and the share of matches it triggered
  boundary   keys just below and just above each numeric threshold
  severity   severity distribution of each persona's matches
  pairs      primary x secondary persona
  archetypes archetype x primary persona (labelled data only)
  quality    missing signals, ignored windows, warnings
  listings   archetype mismatches and window disagreements, by user
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# Per-user listings (mismatches, window disagreements) show this many rows.
LISTED_ROWS = 25
LINEAGE_FOCUS = "?g_v=1&g_i=1%2Bpersona_assignments%2B1"
MODEL_PAGE = "#!/model/model.spendsense_personas.persona_assignments"
SERVED_DOCS = "http://localhost:8080/"


@dataclass(frozen=True)
class GateTest:
    """One error-severity test of the run and how it ended (and why, when skipped)."""

    name: str
    status: str
    skip_reason: str | None = None


@dataclass(frozen=True)
class RunInfo:
    """Which dbt invocation this is, when it ran and on what."""

    invocation_id: str
    started_at: str
    finished_at: str
    elapsed_s: float
    target: str
    engine: str


@dataclass
class Report:
    """Everything the report shows; each list holds rows of one reporting model."""

    passed: bool = False
    run: RunInfo | None = None
    # var name -> value as dbt resolved it (rpt_run_settings), and its default
    settings: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    thresholds: list[dict[str, Any]] = field(default_factory=list)
    personas: list[dict[str, Any]] = field(default_factory=list)
    feature_files: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    persona_matches: list[dict[str, Any]] = field(default_factory=list)
    criteria: list[dict[str, Any]] = field(default_factory=list)
    severity: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    matrix: list[dict[str, Any]] = field(default_factory=list)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    mismatch_count: int = 0
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    disagreement_count: int = 0
    missing_signals: list[dict[str, Any]] = field(default_factory=list)
    # history: what this run evaluated, the mix of every stored date, the latest transitions
    evaluation: list[dict[str, Any]] = field(default_factory=list)
    mix: list[dict[str, Any]] = field(default_factory=list)
    latest_transitions: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    gate_tests: list[GateTest] = field(default_factory=list)
    # check_name -> why persona_gate_checks skipped it in this run
    skipped_checks: dict[str, str] = field(default_factory=dict)
    other_tests: dict[str, int] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    docs_index: Path | None = None

    @property
    def has_archetypes(self) -> bool:
        return bool(self.matrix)

    @property
    def outcomes(self) -> list[str]:
        """The persona names in id order, then STABLE."""
        return [persona["persona_name"] for persona in self.personas] + ["STABLE"]

    @property
    def windows(self) -> list[tuple[Any, int]]:
        """(as_of_date, window_days) of every evaluated window, in order."""
        return [(row["as_of_date"], row["window_days"]) for row in self.coverage]

    @property
    def persona_names(self) -> dict[int, str]:
        return {persona["persona_id"]: persona["persona_name"] for persona in self.personas}


# ---------------------------------------------------------------- reading


def query(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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


def read_report_models(
    warehouse: Path, report: Report, config: dict[str, Any] | None = None
) -> None:
    """Fill `report` from the reporting views of the DuckDB warehouse.

    Opened read-write with `config`, the profile's `config_options`, exactly
    as dbt-duckdb opens it: dbt may still hold the database open in this
    process, and DuckDB only shares an open database with connections
    configured the same way.
    """
    by_window = "as_of_date, window_days"
    with duckdb.connect(str(warehouse), config=config or {}) as connection:
        report.personas = query(
            connection, "select persona_id, persona_name, priority from personas order by 1"
        )
        settings = query(connection, "select * from rpt_run_settings")
        report.settings = {row["var_name"]: json.loads(row["value_json"]) for row in settings}
        report.thresholds = [
            {**row, "value": json.loads(row["value_json"])}
            for row in settings
            if row["var_group"] == "threshold"
        ]
        report.feature_files = query(
            connection,
            "select * from rpt_feature_files order by file_name, as_of_date, window_days",
        )
        report.coverage = query(
            connection, f"select * from rpt_assignment_coverage order by {by_window}"
        )
        report.persona_matches = query(
            connection, f"select * from rpt_persona_matches order by {by_window}, persona_id"
        )
        report.criteria = query(
            connection,
            "select * from rpt_persona_criteria "
            f"order by {by_window}, persona_id, criterion_position",
        )
        report.severity = query(
            connection, f"select * from rpt_persona_severity order by {by_window}, persona_id"
        )
        report.pairs = query(
            connection, f"select * from rpt_primary_secondary_matrix order by {by_window}"
        )
        report.matrix = query(
            connection,
            f"select * from rpt_archetype_persona_matrix order by {by_window}, archetype",
        )
        report.mismatches, report.mismatch_count = query_listing(
            connection, "rpt_archetype_mismatches", "as_of_date, user_id, window_days"
        )
        report.disagreements, report.disagreement_count = query_listing(
            connection, "rpt_window_disagreements", "as_of_date, user_id"
        )
        report.missing_signals = query(
            connection, f"select * from rpt_missing_signals order by missing_signal, {by_window}"
        )
        report.evaluation = query(
            connection, "select * from rpt_evaluation_summary order by first_as_of_date"
        )
        report.mix = query(
            connection,
            "select * from rpt_persona_mix_over_time "
            "order by window_days, as_of_date, persona_id nulls last",
        )
        report.latest_transitions = query(
            connection, "select * from rpt_latest_transitions order by window_days"
        )
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
        Path(report.settings["transitions_parquet_path"]),
        bool(report.settings["export_sqlite"]),
    )


def read_outputs(
    sqlite_path: Path, parquet_path: Path, transitions_path: Path, export_sqlite: bool
) -> list[dict]:
    """Row counts of the published files, counted with SQL on the files themselves."""
    outputs: list[dict[str, Any]] = []
    if export_sqlite:
        for table_name in ("persona_assignments", "persona_transitions"):
            rows: int | str = "not written"
            if sqlite_path.exists():
                with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as connection:
                    found = connection.execute(
                        "select count(*) from sqlite_master where type = 'table' and name = ?",
                        (table_name,),
                    ).fetchone()[0]
                    if found:
                        rows = connection.execute(f"select count(*) from {table_name}").fetchone()[
                            0
                        ]
            outputs.append({"output": f"SQLite {table_name}", "path": sqlite_path, "rows": rows})
    for label, path in (("Parquet", parquet_path), ("Parquet transitions", transitions_path)):
        parquet_rows: int | str = "not written"
        if path.exists():
            parquet_rows = duckdb.sql(
                "select count(*) from read_parquet($path)", params={"path": str(path)}
            ).fetchone()[0]
        outputs.append({"output": label, "path": path, "rows": parquet_rows})
    return outputs


# ---------------------------------------------------------------- the story, engine-neutral


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def band_text(band: Any) -> str:
    """The near-threshold band as people read it: 0.05 is +-5 % of the threshold's value."""
    return f"+-{100 * band:g} %" if isinstance(band, int | float) else "the band"


def window_label(as_of_date: Any, window_days: int) -> str:
    return f"{as_of_date}, {window_days}-day window"


def rows_of(rows: Iterable[dict[str, Any]], as_of_date: Any, window_days: int) -> list[dict]:
    return [
        row for row in rows if row["as_of_date"] == as_of_date and row["window_days"] == window_days
    ]


def run_rows(report: Report) -> list[tuple[str, str]]:
    """The run header as (label, value) pairs."""
    rows = [("verdict", verdict_text(report))]
    if report.run is not None:
        rows += [
            ("dbt invocation", report.run.invocation_id),
            ("started (UTC)", report.run.started_at),
            ("finished (UTC)", report.run.finished_at),
            ("duration", f"{report.run.elapsed_s:.1f} s"),
            ("target", f"{report.run.target} ({report.run.engine})"),
        ]
    settings = report.settings
    rows += [
        ("input folder", str(settings.get("features_dir"))),
        ("windows", ", ".join(str(w) for w in settings.get("windows") or [])),
        ("as_of_date", settings.get("as_of_date") or "every date in the files"),
        ("evaluated", evaluation_text(report)),
        ("ruleset", report.evaluation[0]["ruleset_version"] if report.evaluation else "-"),
        (
            "drift limit",
            f"{100 * settings.get('max_persona_share_shift', 0):g} points of share "
            "(var max_persona_share_shift)",
        ),
    ]
    return rows


def verdict_text(report: Report) -> str:
    if not report.passed:
        return "FAILED - nothing published"
    if report.evaluation and all(
        row["evaluation_reason"] == "not evaluated" for row in report.evaluation
    ):
        return "PASSED - up to date, nothing new to publish"
    return "PASSED - published"


def evaluation_text(report: Report) -> str:
    """What this run evaluated and why, and what it left as stored, in one line."""
    evaluated = [row for row in report.evaluation if row["evaluation_reason"] != "not evaluated"]
    kept = [row for row in report.evaluation if row["evaluation_reason"] == "not evaluated"]
    kept_text = (
        f"{kept[0]['date_count']:,} stored as_of_date(s) up to date, left as published"
        if kept
        else ""
    )
    if not evaluated:
        return "nothing: " + (kept_text or "no as_of_date in the inputs")
    parts = [
        f"{row['date_count']:,} as_of_date(s) {date_span(row)} ({row['evaluation_reason']})"
        for row in evaluated
    ]
    return "; ".join(parts + ([kept_text] if kept_text else []))


def date_span(row: dict[str, Any]) -> str:
    first, last = row["first_as_of_date"], row["last_as_of_date"]
    return str(first) if first == last else f"{first} to {last}"


def input_rows(report: Report) -> list[dict[str, Any]]:
    """One row per feature file: rows, as_of_dates and windows it holds."""
    files: dict[str, dict[str, Any]] = {}
    for row in report.feature_files:
        entry = files.setdefault(
            row["file_name"],
            {"file": row["file_path"], "rows": 0, "dates": set(), "windows": set()},
        )
        entry["rows"] += row["row_count"]
        entry["dates"].add(str(row["as_of_date"]))
        entry["windows"].add(row["window_days"])
    return [
        {
            "file": entry["file"],
            "rows": entry["rows"],
            "as_of_dates": ", ".join(sorted(entry["dates"])),
            "windows": ", ".join(str(w) for w in sorted(entry["windows"])),
        }
        for entry in files.values()
    ]


def threshold_rows(report: Report) -> list[dict[str, Any]]:
    names = report.persona_names
    rows = []
    for row in report.thresholds:
        default = report.defaults.get(row["var_name"])
        rows.append(
            {
                "persona": names.get(row["persona_id"], ""),
                "var": row["var_name"],
                "value": row["value"],
                "default": default,
                "changed": default is not None and default != row["value"],
            }
        )
    return rows


def rule_rows(report: Report, as_of_date: Any, window_days: int) -> list[dict[str, Any]]:
    """Per persona of a window: its matches, and per criterion pass rate and trigger share."""
    criteria = rows_of(report.criteria, as_of_date, window_days)
    rows = []
    for match in rows_of(report.persona_matches, as_of_date, window_days):
        rows.append({"kind": "persona", **match})
        for criterion in criteria:
            if criterion["persona_id"] == match["persona_id"]:
                rows.append({"kind": "criterion", **criterion})
    return rows


def criterion_label(criterion: dict[str, Any]) -> str:
    if criterion["operator"] is None:
        return criterion["criterion_name"]
    return f"{criterion['criterion_name']} {criterion['operator']} {number(criterion['threshold'])}"


def passing_side(criterion: dict[str, Any]) -> str:
    """Which side of the threshold passes: values above it, or below."""
    return "below" if criterion["operator"] in ("<", "<=") else "above"


def boundary_rows(report: Report, as_of_date: Any, window_days: int) -> list[dict[str, Any]]:
    names = report.persona_names
    return [
        {
            "persona": names[row["persona_id"]],
            "criterion": criterion_label(row),
            "just_below": row["just_below_count"],
            "just_above": row["just_above_count"],
            "passes": passing_side(row),
            "persona_id": row["persona_id"],
            "criterion_name": row["criterion_name"],
        }
        for row in rows_of(report.criteria, as_of_date, window_days)
        if row["operator"] is not None
    ]


def pair_cells(report: Report, as_of_date: Any, window_days: int) -> dict[tuple[str, str], int]:
    return {
        (row["primary_outcome"], row["secondary_outcome"]): row["key_count"]
        for row in rows_of(report.pairs, as_of_date, window_days)
    }


def matrix_cells(report: Report) -> dict[tuple, dict[str, dict[str, dict[str, Any]]]]:
    """{(as_of_date, window_days): {archetype: {outcome: matrix row}}}."""
    cells: dict[tuple, dict[str, dict[str, dict[str, Any]]]] = {}
    for row in report.matrix:
        key = (row["as_of_date"], row["window_days"])
        cells.setdefault(key, {}).setdefault(row["archetype"], {})[row["outcome"]] = row
    return cells


def ignored_rows(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "file": row["file_name"],
            "as_of_date": row["as_of_date"],
            "window_days": row["window_days"],
            "rows": row["row_count"],
        }
        for row in report.feature_files
        if not row["is_configured_window"]
    ]


def archetype_absence(report: Report) -> str | None:
    """Why the archetype section is empty, in one line, or None when it has data."""
    if report.has_archetypes:
        return None
    return (
        f"No archetype file at {report.settings.get('archetypes_path')}: nothing to compare the "
        "personas with (real Epic 2 data has no labels). To check labelled users, point var "
        "archetypes_path at a Parquet file with columns user_id and archetype, and list each "
        "archetype's expected outcome in the archetype_expectations seed."
    )


def mix_by_window(report: Report) -> dict[int, list[dict[str, Any]]]:
    """{window_days: rows of rpt_persona_mix_over_time}, dates in order."""
    by_window: dict[int, list[dict[str, Any]]] = {}
    for row in report.mix:
        by_window.setdefault(row["window_days"], []).append(row)
    return by_window


def mix_dates(rows: list[dict[str, Any]]) -> list[Any]:
    return sorted({row["as_of_date"] for row in rows})


def largest_shift(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The largest share shift of an evaluated date against the date before it, if any."""
    compared = [
        row for row in rows if row["is_evaluated"] and row["previous_outcome_share"] is not None
    ]
    return max(compared, key=lambda row: abs(row["share_shift"]), default=None)


def drift_text(report: Report, rows: list[dict[str, Any]]) -> str:
    """The drift check's verdict for one window, with its largest shift."""
    limit = report.settings.get("max_persona_share_shift")
    status = next(
        (t.status for t in report.gate_tests if t.name == "gate_persona_mix_is_stable"), None
    )
    shift = largest_shift(rows)
    if shift is None:
        return (
            "drift check: nothing to compare (this run evaluated no date of this window "
            "that has an earlier stored date)"
        )
    points = 100 * abs(shift["share_shift"])
    within = round(abs(shift["share_shift"]), 9) <= (limit or 0)
    if status == "pass":
        verdict = "passed"
    elif status == "fail":
        verdict = "FAILED, publication stopped"
    else:
        verdict = "not run, " + ("within the limit" if within else "over the limit")
    return (
        f"drift check {verdict}: largest shift {points:.1f} points ({shift['outcome']}, "
        f"{100 * shift['previous_outcome_share']:.1f} % on {shift['previous_as_of_date']} to "
        f"{100 * shift['outcome_share']:.1f} % on {shift['as_of_date']}); "
        f"var max_persona_share_shift is {100 * (limit or 0):g} points"
    )


def transition_cells(report: Report, window_days: int) -> dict[tuple[str, str], int]:
    return {
        (row["previous_outcome"], row["outcome"]): row["key_count"]
        for row in report.latest_transitions
        if row["window_days"] == window_days
    }


def transition_title(report: Report, window_days: int) -> str | None:
    for row in report.latest_transitions:
        if row["window_days"] == window_days:
            return (
                f"{window_days}-day window: {row['previous_as_of_date']} (rows) to "
                f"{row['as_of_date']} (columns)"
            )
    return None


def docs_links(report: Report, report_path: Path | None) -> list[tuple[str, str]]:
    """(label, href) of the dbt docs lineage of persona_assignments (1+persona_assignments+1).

    The generated site is linked only when it exists, relative to the HTML
    report (so the pair can be moved together); the served one is always named.
    """
    links = []
    if report.docs_index is not None and report.docs_index.exists():
        index = report.docs_index.resolve()
        href = os.path.relpath(index, report_path.resolve().parent) if report_path else str(index)
        links.append(("dbt docs (generated)", href + MODEL_PAGE + LINEAGE_FOCUS))
    links.append(("dbt docs served by make docs", SERVED_DOCS + MODEL_PAGE + LINEAGE_FOCUS))
    return links


def listing_note(rows: list[dict[str, Any]], count: int, model: str) -> list[str]:
    """A line saying the listing is cut short, when it is."""
    if count <= len(rows):
        return []
    return [f"  ... showing the first {len(rows):,} of {count:,}; query {model} for all of them."]


# ---------------------------------------------------------------- text


def table(rows: list[dict[str, Any]], columns: list[str]) -> list[str]:
    if not rows:
        return ["  none"]
    cells = [[number(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += [
        "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells
    ]
    return [line.rstrip() for line in lines]


def section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def abbreviations(names: list[str]) -> dict[str, str]:
    """Short column labels for outcome names: initials (HU, VIB, SH, SB, CFS, S)."""
    short = {}
    for name in names:
        initials = "".join(part[0] for part in name.replace("-", " ").split()).upper()
        while initials in short.values():
            initials += "'"
        short[name] = initials
    return short


def text_matrix(
    rows: list[str], columns: list[str], cell: Callable[[str, str], str], corner: str
) -> list[str]:
    short = abbreviations(columns)
    data = [{corner: row, **{short[c]: cell(row, c) for c in columns}} for row in rows]
    return table(data, [corner, *short.values()])


def legend(names: list[str]) -> str:
    return "  columns: " + ", ".join(f"{s} = {n}" for n, s in abbreviations(names).items())


def text_history(report: Report) -> list[str]:
    """Per window: the shares by date, the drift verdict, the latest transition matrix."""
    by_window = mix_by_window(report)
    if not by_window:
        return ["  none: nothing stored yet"]
    lines = [legend(report.outcomes)]
    for window_days, rows in by_window.items():
        lines.append(f"  {window_days}-day window")
        shares = {(str(row["as_of_date"]), row["outcome"]): row for row in rows}

        def share_cell(day: str, outcome: str, shares=shares) -> str:
            return f"{100 * shares[(day, outcome)]['outcome_share']:.1f}"

        lines += text_matrix(
            [str(day) for day in mix_dates(rows)], report.outcomes, share_cell, "as_of_date %"
        )
        lines.append("  " + drift_text(report, rows))
        title = transition_title(report, window_days)
        if title:
            cells = transition_cells(report, window_days)
            lines.append(f"  primary outcome, {title}:")
            lines += text_matrix(
                report.outcomes,
                report.outcomes,
                lambda row, column, cells=cells: str(cells.get((row, column), "")),
                "previous",
            )
    return lines


def render_text(report: Report) -> str:
    lines = ["", "=" * 78, "Persona assignment validation report", "=" * 78]
    lines += section("Run")
    lines += table(
        [{"": label, "value": value} for label, value in run_rows(report)], ["", "value"]
    )
    lines.append("  inputs:")
    lines += table(input_rows(report), ["file", "rows", "as_of_dates", "windows"])
    lines.append("  outputs:")
    lines += table(report.outputs, ["output", "path", "rows"])
    lines.append("  thresholds (* = changed from the default in dbt_project.yml):")
    lines += table(
        [
            {**row, "var": row["var"] + (" *" if row["changed"] else "")}
            for row in threshold_rows(report)
        ],
        ["persona", "var", "value", "default"],
    )

    lines += section("Gate tests (SPEC section 7)")
    gate = [
        {"test": t.name, "status": t.status.upper(), "why skipped": t.skip_reason or ""}
        for t in report.gate_tests
    ]
    lines += table(
        gate, ["test", "status", "why skipped"] if report.skipped_checks else ["test", "status"]
    )
    if report.other_tests:
        summary = ", ".join(
            f"{count} {status}" for status, count in sorted(report.other_tests.items())
        )
        lines.append(f"  other data tests: {summary}")

    lines += section("Coverage")
    lines += table(
        report.coverage,
        ["as_of_date", "window_days", "key_count", "user_count", "assigned_count", "stable_count"],
    )

    lines += section("Persona mix over time (share of keys by primary outcome)")
    lines += text_history(report)

    lines += section("Persona rules: matches, and what each criterion did")
    for as_of_date, window_days in report.windows:
        lines.append(f"  {window_label(as_of_date, window_days)}")
        rule_table = []
        for row in rule_rows(report, as_of_date, window_days):
            if row["kind"] == "persona":
                rule_table.append(
                    {
                        "rule": row["persona_name"],
                        "matched": row["matched_count"],
                        "primary": row["primary_count"],
                        "secondary": row["secondary_count"],
                        "lower": row["not_in_top_two_count"],
                        "pass rate": "",
                        "of matches": "",
                    }
                )
            else:
                rule_table.append(
                    {
                        "rule": "  " + criterion_label(row),
                        "matched": "",
                        "primary": "",
                        "secondary": "",
                        "lower": "",
                        "pass rate": percent(row["passed_count"], row["key_count"]),
                        "of matches": percent(row["triggered_count"], row["matched_count"]),
                    }
                )
        lines += table(
            rule_table,
            ["rule", "matched", "primary", "secondary", "lower", "pass rate", "of matches"],
        )

    band = report.settings.get("report_threshold_band")
    lines += section(f"Near the thresholds (keys within {band_text(band)} of the threshold)")
    for as_of_date, window_days in report.windows:
        lines.append(f"  {window_label(as_of_date, window_days)}")
        lines += table(
            boundary_rows(report, as_of_date, window_days),
            ["persona", "criterion", "just_below", "just_above", "passes"],
        )

    lines += section("Severity of the matches (min / p25 / median / p75 / max)")
    names = report.persona_names
    for as_of_date, window_days in report.windows:
        lines.append(f"  {window_label(as_of_date, window_days)}")
        lines += table(
            [
                {"persona": names[row["persona_id"]], **row}
                for row in rows_of(report.severity, as_of_date, window_days)
            ],
            [
                "persona",
                "matched_count",
                "min_severity",
                "p25_severity",
                "median_severity",
                "p75_severity",
                "max_severity",
            ],
        )

    lines += section("Primary x secondary persona (rows: primary, columns: secondary)")
    secondaries = [*report.outcomes[:-1], "none"]
    lines.append(legend(secondaries))
    for as_of_date, window_days in report.windows:
        cells = pair_cells(report, as_of_date, window_days)
        lines.append(f"  {window_label(as_of_date, window_days)}")
        lines += text_matrix(
            report.outcomes,
            secondaries,
            lambda row, column, cells=cells: str(cells.get((row, column), "")),
            "primary",
        )

    lines += section("Archetype x primary persona")
    absence = archetype_absence(report)
    if absence:
        lines.append("  " + absence)
    elif "archetype_gets_expected_persona" in report.skipped_checks:
        reason = report.skipped_checks["archetype_gets_expected_persona"]
        lines.append(f"  The archetype checks were skipped: {reason}.")
    if report.has_archetypes:
        mismatched = any(not row["is_expected"] for row in report.matrix)
        lines.append(legend(report.outcomes))
        for (as_of_date, window_days), by_archetype in matrix_cells(report).items():
            lines.append(f"  {window_label(as_of_date, window_days)}")

            def archetype_cell(archetype: str, outcome: str, by_archetype=by_archetype) -> str:
                cell = by_archetype[archetype].get(outcome)
                if cell is None:
                    return ""
                return f"{cell['user_count']}{'' if cell['is_expected'] else '!'}"

            lines += text_matrix(sorted(by_archetype), report.outcomes, archetype_cell, "archetype")
        if mismatched:
            lines.append("  ! marks users whose outcome is not the archetype's expected one")
        lines.append("  Archetype mismatches, by user:")
        lines += table(report.mismatches, ["user_id", "window_days", "as_of_date", "detail"])
        lines += listing_note(report.mismatches, report.mismatch_count, "rpt_archetype_mismatches")

    lines += section("Data quality")
    lines.append("  keys with a missing signal (assigned anyway):")
    lines += table(
        report.missing_signals, ["missing_signal", "as_of_date", "window_days", "key_count"]
    )
    lines.append("  rows in windows that are not configured (ignored):")
    lines += table(ignored_rows(report), ["file", "as_of_date", "window_days", "rows"])
    lines.append("  warnings of this run:")
    lines += table(report.warnings, ["test", "failures"])

    lines += section("Users whose primary persona differs between windows")
    lines += table(report.disagreements, ["user_id", "as_of_date", "primary_by_window"])
    lines += listing_note(
        report.disagreements, report.disagreement_count, "rpt_window_disagreements"
    )

    lines += section("Documentation")
    lines += [f"  {label}: {href}" for label, href in docs_links(report, None)]
    lines.append("")
    lines.append("RESULT: " + verdict_text(report))
    return "\n".join(lines)


# ---------------------------------------------------------------- html


def escape(value: Any) -> str:
    return html.escape(number(value))


def html_table(
    rows: list[dict[str, Any]], columns: list[str], data: Callable[[dict, str], str] | None = None
) -> str:
    """A table, or "none"; `data(row, column)` may add attributes to a cell (data-* for tests)."""
    if not rows:
        return "<p class='none'>none</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td{data(row, c) if data else ''}>{escape(row[c])}</td>" for c in columns)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_notes(lines: list[str]) -> str:
    return "".join(f"<p class='note'>{html.escape(line.strip())}</p>" for line in lines)


def heatmap(
    title: str,
    rows: list[str],
    columns: list[str],
    count: Callable[[str, str], int | None],
    kind: Callable[[str, str], str],
    metric: str,
    corner: str,
) -> str:
    """A table of cells shaded by count; each cell has data-metric, data-row, data-column."""
    peak = max((count(r, c) or 0 for r in rows for c in columns), default=0) or 1
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            value = count(row, column)
            attributes = (
                f" data-metric='{metric}' data-row='{html.escape(row)}'"
                f" data-column='{html.escape(column)}'"
            )
            if not value:
                cells.append(f"<td class='cell empty'{attributes}></td>")
                continue
            alpha = 0.15 + 0.85 * value / peak
            cells.append(
                f"<td class='cell {kind(row, column)}' style='--alpha:{alpha:.2f}'{attributes} "
                f"title='{html.escape(row)} &rarr; {html.escape(column)}'>{value}</td>"
            )
        body.append(f"<tr><th class='row'>{html.escape(row)}</th>{''.join(cells)}</tr>")
    return (
        f"<h3>{html.escape(title)}</h3><table class='heatmap'><thead><tr>"
        f"<th>{html.escape(corner)}</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def severity_chart(rows: list[dict[str, Any]], names: dict[int, str]) -> str:
    """One box per persona (whiskers min-max, box p25-p75, line at the median), own scale each."""
    if not rows:
        return "<p class='none'>none: no persona matched</p>"
    width, label_width, row_height = 640, 210, 34
    plot = width - label_width - 90
    parts = []
    for index, row in enumerate(rows):
        low, high = row["min_severity"], row["max_severity"]
        span = (high - low) or 1.0

        def x(value: float, low: float = low, span: float = span) -> float:
            return label_width + plot * (value - low) / span

        top = index * row_height + 8
        middle = top + 10
        parts.append(
            f"<g data-persona='{row['persona_id']}' data-median='{row['median_severity']}'>"
            f"<text x='0' y='{middle + 4}' class='label'>{html.escape(names[row['persona_id']])}"
            f" ({row['matched_count']:,})</text>"
            f"<line x1='{x(low):.1f}' y1='{middle}' x2='{x(high):.1f}' y2='{middle}' "
            "class='whisker'/>"
            f"<rect x='{x(row['p25_severity']):.1f}' y='{top}' "
            f"width='{max(1.0, x(row['p75_severity']) - x(row['p25_severity'])):.1f}' "
            f"height='20' class='box'/>"
            f"<line x1='{x(row['median_severity']):.1f}' y1='{top}' "
            f"x2='{x(row['median_severity']):.1f}' y2='{top + 20}' class='median'/>"
            f"<text x='{label_width + plot + 8}' y='{middle + 4}' class='scale'>"
            f"{number(low)} - {number(high)}</text></g>"
        )
    height = len(rows) * row_height + 10
    return (
        f"<svg class='severity' width='{width}' height='{height}' role='img' "
        f"aria-label='severity distribution per persona'>{''.join(parts)}</svg>"
    )


OUTCOME_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#7f7f7f")


@dataclass(frozen=True)
class Point:
    """One point of a share chart: where it sits on the x axis (0-1), its share, its
    tooltip, and the data-* attributes a test reads it back by."""

    x: float
    share: float
    title: str
    data: str


def share_lines(
    svg_attributes: str,
    x_ticks: list[tuple[float, str]],
    series: dict[str, list[Point]],
    marker: tuple[float, str] | None = None,
) -> str:
    """An SVG line chart of shares (0 % to the largest): one coloured line per series,
    a circle per point, labels under the x axis, a legend, and an optional dashed
    vertical marker (x, label)."""
    width, height, left, right, top, bottom = 720, 260, 50, 190, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((point.share for points in series.values() for point in points), default=0) or 1.0

    def x(position: float) -> float:
        return left + plot_w * position

    def y(share: float) -> float:
        return top + plot_h * (1 - share / peak)

    parts = [
        f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
        "class='axis'/>",
        f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' class='axis'/>",
        f"<text x='{left - 6}' y='{top + 4}' class='tick' text-anchor='end'>"
        f"{100 * peak:.0f} %</text>",
        f"<text x='{left - 6}' y='{top + plot_h + 4}' class='tick' text-anchor='end'>0 %</text>",
    ]
    if marker is not None:
        at, label = marker
        parts += [
            f"<line x1='{x(at):.1f}' y1='{top}' x2='{x(at):.1f}' y2='{top + plot_h}' "
            f"class='marker' data-marker='{html.escape(label)}'/>",
            f"<text x='{x(at):.1f}' y='{top + 10}' class='tick' text-anchor='middle'>"
            f"{html.escape(label)}</text>",
        ]
    parts += [
        f"<text x='{x(at):.1f}' y='{top + plot_h + 18}' class='tick' text-anchor='middle'>"
        f"{html.escape(label)}</text>"
        for at, label in x_ticks
    ]
    for index, (name, points) in enumerate(series.items()):
        colour = OUTCOME_COLOURS[index % len(OUTCOME_COLOURS)]
        path = " ".join(f"{x(point.x):.1f},{y(point.share):.1f}" for point in points)
        parts.append(f"<polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'/>")
        parts += [
            f"<circle cx='{x(point.x):.1f}' cy='{y(point.share):.1f}' r='3' fill='{colour}' "
            f"data-outcome='{html.escape(name)}' {point.data} "
            f"data-share='{point.share:.6f}'><title>{html.escape(point.title)}</title></circle>"
            for point in points
        ]
        legend_y = top + 14 + 18 * index
        parts.append(
            f"<rect x='{left + plot_w + 16}' y='{legend_y - 9}' width='10' height='10' "
            f"fill='{colour}'/><text x='{left + plot_w + 32}' y='{legend_y}' class='tick'>"
            f"{html.escape(name)}</text>"
        )
    return (
        f"<svg {svg_attributes} width='{width}' height='{height}' role='img'>{''.join(parts)}</svg>"
    )


def share_chart(rows: list[dict[str, Any]], outcomes: list[str], window_days: int) -> str:
    """Share of keys by primary outcome over the stored dates: one line per outcome.

    Each point is a circle with data-outcome, data-date and data-share, so
    the test can read the chart back.
    """
    dates = mix_dates(rows)

    def position(index: int) -> float:
        return index / (len(dates) - 1) if len(dates) > 1 else 0.5

    at = {day: position(index) for index, day in enumerate(dates)}
    series = {
        outcome: [
            Point(
                at[row["as_of_date"]],
                row["outcome_share"],
                f"{outcome} on {row['as_of_date']}: {100 * row['outcome_share']:.1f} % of "
                f"{row['key_count']:,} keys",
                f"data-date='{row['as_of_date']}'",
            )
            for row in sorted(rows, key=lambda row: at[row["as_of_date"]])
            if row["outcome"] == outcome
        ]
        for outcome in outcomes
    }
    return share_lines(
        f"class='mix' data-window='{window_days}' "
        f"aria-label='persona shares by as_of_date, {window_days}-day window'",
        [(position, str(day)) for day, position in at.items()],
        series,
    )


STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1f2933}
h1{margin-bottom:.2rem} .verdict{font-size:1.3rem;font-weight:700;padding:.6rem 1rem;
border-radius:6px;display:inline-block} .pass{background:#d3f9d8;color:#1b5e20}
.fail{background:#ffe3e3;color:#b71c1c} table{border-collapse:collapse;margin:.5rem 0 1.2rem}
th,td{border:1px solid #d9e2ec;padding:.3rem .6rem;text-align:left;font-size:.9rem}
thead th{background:#f0f4f8} .heatmap td.cell{text-align:center;min-width:5.5rem;font-weight:600}
.cell.expected,.cell.count{background:rgba(46,125,50,var(--alpha))}
.cell.mismatch{background:rgba(198,40,40,var(--alpha));outline:2px solid #b71c1c}
.cell.empty{background:#fafafa} th.row{background:#f0f4f8} .none{color:#829ab1}
.note{color:#627d98;font-style:italic} tr.criterion td:first-child{padding-left:1.6rem}
tr.persona td{font-weight:600;background:#f8fafc} .changed{color:#8d6e00;font-weight:700}
.status-pass{color:#1b5e20;font-weight:700}
.status-fail,.status-error{color:#b71c1c;font-weight:700}
.status-skipped{color:#8d6e00;font-weight:700}
svg.severity .label,svg.severity .scale{font-size:12px;fill:#334e68}
svg.severity .whisker{stroke:#627d98;stroke-width:1.5}
svg.severity .box{fill:#9fd3c7;stroke:#2c7a7b} svg.severity .median{stroke:#1f2933;stroke-width:2}
svg.mix .axis,svg.sweep .axis{stroke:#627d98}
svg.mix .tick,svg.sweep .tick{font-size:11px;fill:#334e68}
svg .marker{stroke:#1f2933;stroke-dasharray:4 3}
"""


def html_history(report: Report) -> str:
    """The "Persona mix over time" section: chart, drift verdict and transitions per window."""
    by_window = mix_by_window(report)
    parts = []
    for window_days, rows in by_window.items():
        parts.append(
            f"<h3>{window_days}-day window</h3>" + share_chart(rows, report.outcomes, window_days)
        )
        parts.append(
            f"<p class='drift' data-window='{window_days}'>"
            f"{html.escape(drift_text(report, rows))}</p>"
        )
        title = transition_title(report, window_days)
        if title:
            cells = transition_cells(report, window_days)
            parts.append(
                heatmap(
                    f"Primary outcome, {title}",
                    report.outcomes,
                    report.outcomes,
                    lambda row, column, cells=cells: cells.get((row, column)),
                    lambda row, column: "count",
                    f"transitions-{window_days}",
                    "previous \\ new",
                )
            )
    body = "".join(parts) or "<p class='none'>none: nothing stored yet</p>"
    return (
        "<section id='history'><h2>Persona mix over time</h2><p>Per window, the share of keys "
        "by primary outcome on every stored as_of_date; the drift check compares each date "
        "this run evaluated with the date before it; and how keys moved between the last "
        f"two dates (the diagonal: unchanged).</p>{body}</section>"
    )


def render_html(report: Report, report_path: Path | None = None) -> str:
    verdict = (
        f"<p class='verdict pass'>{html.escape(verdict_text(report))}</p>"
        if report.passed
        else f"<p class='verdict fail'>{html.escape(verdict_text(report))}</p>"
    )
    names = report.persona_names
    sections = [f"<h1>Persona assignment validation report</h1>{verdict}"]

    links = " &middot; ".join(
        f"<a href='{html.escape(href)}'>{html.escape(label)}</a>"
        for label, href in docs_links(report, report_path)
    )
    run = "".join(
        f"<tr><th>{html.escape(label)}</th><td data-run='{html.escape(label)}'>"
        f"{html.escape(str(value))}</td></tr>"
        for label, value in run_rows(report)
    )
    thresholds = "".join(
        f"<tr><td>{html.escape(row['persona'])}</td>"
        f"<td class='{'changed' if row['changed'] else ''}'>{html.escape(row['var'])}"
        f"{' (changed)' if row['changed'] else ''}</td>"
        f"<td data-threshold='{html.escape(row['var'])}'>{escape(row['value'])}</td>"
        f"<td>{escape(row['default'])}</td></tr>"
        for row in threshold_rows(report)
    )
    sections.append(
        "<section id='run'><h2>Run</h2>"
        f"<table><tbody>{run}</tbody></table><p>Lineage: {links}</p>"
        "<h3>Inputs</h3>"
        + html_table(
            input_rows(report),
            ["file", "rows", "as_of_dates", "windows"],
            lambda row, c: f" data-input='{html.escape(row['file'])}' data-column='{c}'",
        )
        + "<h3>Outputs</h3>"
        + html_table(report.outputs, ["output", "path", "rows"])
        + "<h3>Thresholds</h3><table><thead><tr><th>persona</th><th>var</th><th>value</th>"
        f"<th>default</th></tr></thead><tbody>{thresholds}</tbody></table></section>"
    )

    gate_rows = "".join(
        f"<tr><td>{html.escape(t.name)}</td>"
        f"<td class='status-{html.escape(t.status)}'>{html.escape(t.status.upper())}</td>"
        f"<td>{html.escape(t.skip_reason or '')}</td></tr>"
        for t in report.gate_tests
    )
    other = ", ".join(f"{count} {status}" for status, count in sorted(report.other_tests.items()))
    sections.append(
        "<section id='gate'><h2>Gate tests</h2><table><thead><tr><th>test</th><th>status</th>"
        f"<th>why skipped</th></tr></thead><tbody>{gate_rows}</tbody></table>"
        + (f"<p>Other data tests: {html.escape(other)}</p>" if other else "")
        + "</section>"
    )

    sections.append(
        "<section id='coverage'><h2>Coverage</h2>"
        + html_table(
            report.coverage,
            [
                "as_of_date",
                "window_days",
                "key_count",
                "user_count",
                "assigned_count",
                "stable_count",
            ],
        )
        + "</section>"
    )

    sections.append(html_history(report))

    rules = []
    for as_of_date, window_days in report.windows:
        body = []
        for row in rule_rows(report, as_of_date, window_days):
            where = f" data-window='{window_days}' data-persona='{row['persona_id']}'"
            if row["kind"] == "persona":
                body.append(
                    f"<tr class='persona'{where}><td>{html.escape(row['persona_name'])}</td>"
                    + "".join(
                        f"<td data-metric='{metric}'>{escape(row[metric])}</td>"
                        for metric in (
                            "matched_count",
                            "primary_count",
                            "secondary_count",
                            "not_in_top_two_count",
                        )
                    )
                    + "<td></td><td></td></tr>"
                )
            else:
                body.append(
                    f"<tr class='criterion'{where} data-criterion='{row['criterion_name']}'>"
                    f"<td>{html.escape(criterion_label(row))}</td><td></td><td></td><td></td><td></td>"
                    f"<td data-metric='passed_count' data-value='{row['passed_count']}'>"
                    f"{percent(row['passed_count'], row['key_count'])}</td>"
                    f"<td data-metric='triggered_count' data-value='{row['triggered_count']}'>"
                    f"{percent(row['triggered_count'], row['matched_count'])}</td></tr>"
                )
        rules.append(
            f"<h3>{html.escape(window_label(as_of_date, window_days))}</h3><table><thead><tr>"
            "<th>rule / criterion</th><th>matched</th><th>as primary</th><th>as secondary</th>"
            "<th>ranked lower</th><th>pass rate (all keys)</th><th>share of matches triggered</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    sections.append(
        "<section id='rules'><h2>Persona rules</h2><p>How often each rule matched, and for each "
        "criterion how often it passed among all keys and how many of the rule's matches it "
        "triggered.</p>" + "".join(rules) + "</section>"
    )

    band = report.settings.get("report_threshold_band")
    boundary = "".join(
        f"<h3>{html.escape(window_label(d, w))}</h3>"
        + html_table(
            boundary_rows(report, d, w),
            ["persona", "criterion", "just_below", "just_above", "passes"],
            lambda row, c, w=w: (
                f" data-window='{w}' data-persona='{row['persona_id']}'"
                f" data-criterion='{row['criterion_name']}' data-metric='{c}'"
            ),
        )
        for d, w in report.windows
    )
    sections.append(
        f"<section id='boundary'><h2>Near the thresholds</h2><p>Keys whose value lies within "
        f"{html.escape(band_text(band))} of the threshold (var report_threshold_band), just "
        "below and just above: the users a small threshold change would move.</p>"
        + boundary
        + "</section>"
    )

    severity = "".join(
        f"<h3>{html.escape(window_label(d, w))}</h3>"
        + severity_chart(rows_of(report.severity, d, w), names)
        for d, w in report.windows
    )
    sections.append(
        "<section id='severity'><h2>Severity of the matches</h2><p>Per persona among its matched "
        "keys: the line spans minimum to maximum, the box the middle half, the bar the median; "
        "each persona has its own scale (shown on the right).</p>" + severity + "</section>"
    )

    secondaries = [*report.outcomes[:-1], "none"]
    pair_maps = [(d, w, pair_cells(report, d, w)) for d, w in report.windows]
    pairs = "".join(
        heatmap(
            window_label(d, w),
            report.outcomes,
            secondaries,
            lambda row, column, cells=cells: cells.get((row, column)),
            lambda row, column: "count",
            f"pairs-{w}",
            "primary \\ secondary",
        )
        for d, w, cells in pair_maps
    )
    sections.append(
        "<section id='pairs'><h2>Primary &times; secondary persona</h2><p>Rows: the primary "
        "outcome; columns: the secondary persona (none when only one matched).</p>"
        + pairs
        + "</section>"
    )

    absence = archetype_absence(report)
    if absence:
        archetypes = f"<p class='none'>{html.escape(absence)}</p>"
    else:
        skipped = report.skipped_checks.get("archetype_gets_expected_persona")
        archetypes = (
            (
                f"<p class='note'>The archetype checks were skipped: {html.escape(skipped)}.</p>"
                if skipped
                else ""
            )
            + "<p>Green: the archetype's expected outcome. Red, outlined: users whose outcome is "
            "not the expected one.</p>"
            + "".join(
                heatmap(
                    window_label(d, w),
                    sorted(by_archetype),
                    report.outcomes,
                    lambda row, column, b=by_archetype: (b[row].get(column) or {}).get(
                        "user_count"
                    ),
                    lambda row, column, b=by_archetype: (
                        "expected" if b[row][column]["is_expected"] else "mismatch"
                    ),
                    f"archetypes-{w}",
                    "archetype",
                )
                for (d, w), by_archetype in matrix_cells(report).items()
            )
            + "<h3>Archetype mismatches</h3>"
            + html_table(report.mismatches, ["user_id", "window_days", "as_of_date", "detail"])
            + html_notes(
                listing_note(report.mismatches, report.mismatch_count, "rpt_archetype_mismatches")
            )
        )
    sections.append(
        f"<section id='archetypes'><h2>Archetype &times; primary persona</h2>{archetypes}</section>"
    )

    sections.append(
        "<section id='quality'><h2>Data quality</h2>"
        "<h3>Keys with a missing signal (assigned anyway)</h3>"
        + html_table(
            report.missing_signals, ["missing_signal", "as_of_date", "window_days", "key_count"]
        )
        + "<h3>Rows in windows that are not configured (ignored)</h3>"
        + html_table(ignored_rows(report), ["file", "as_of_date", "window_days", "rows"])
        + "<h3>Warnings of this run</h3>"
        + html_table(report.warnings, ["test", "failures"])
        + "</section>"
    )

    sections.append(
        "<section id='listings'><h2>Users whose primary persona differs between windows</h2>"
        + html_table(report.disagreements, ["user_id", "as_of_date", "primary_by_window"])
        + html_notes(
            listing_note(
                report.disagreements, report.disagreement_count, "rpt_window_disagreements"
            )
        )
        + "</section>"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Persona assignment report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
