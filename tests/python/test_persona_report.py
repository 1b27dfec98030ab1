"""The validation report: every section, numbers that agree with the published SQLite, and
per-user listings that stay readable at any scale.

The numbers are checked twice over: here, the reporting models the report is drawn
from are compared with what an independent reading of the published SQLite table
(its columns and every JSON trace) says; test_docs_browser compares what the
browser shows with the reporting models.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
from conftest import ReportRun

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from persona_report import (
    LISTED_ROWS,
    Report,
    query_listing,
    render_html,
    render_text,
)

BAND = 0.05  # var report_threshold_band's default
SECTIONS = (
    ("Run", "run"),
    ("Gate tests", "gate"),
    ("Coverage", "coverage"),
    ("Persona rules", "rules"),
    ("Near the thresholds", "boundary"),
    ("Severity of the matches", "severity"),
    ("Primary x secondary persona", "pairs"),
    ("Archetype x primary persona", "archetypes"),
    ("Data quality", "quality"),
    ("Users whose primary persona differs between windows", "listings"),
)
Window = tuple[str, int]

# ---------------------------------------------------------------- listings


def disagreements_connection(rows: int) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(
        "create table rpt_window_disagreements as select "
        "printf('u_%04d', i) as user_id, date '2025-11-04' as as_of_date, "
        "'30d: Savings Builder; 180d: STABLE' as primary_by_window from range(?) t(i)",
        [rows],
    )
    return connection


def test_long_listing_shows_the_first_rows_and_the_total() -> None:
    total = LISTED_ROWS + 7
    rows, count = query_listing(
        disagreements_connection(total), "rpt_window_disagreements", "as_of_date, user_id"
    )
    assert count == total
    assert [row["user_id"] for row in rows] == [f"u_{i:04d}" for i in range(LISTED_ROWS)]

    report = Report(disagreements=rows, disagreement_count=count)
    note = f"showing the first {LISTED_ROWS} of {total}; query rpt_window_disagreements"
    text = render_text(report)
    assert note in text
    assert f"u_{LISTED_ROWS - 1:04d}" in text and f"u_{LISTED_ROWS:04d}" not in text
    assert note in render_html(report)


def test_short_listing_has_no_note() -> None:
    rows, count = query_listing(
        disagreements_connection(3), "rpt_window_disagreements", "as_of_date, user_id"
    )
    assert (len(rows), count) == (3, 3)
    assert "showing the first" not in render_text(Report(disagreements=rows, disagreement_count=3))


# ---------------------------------------------------------------- sections


def test_labelled_report_has_every_section(demo_report: ReportRun) -> None:
    text, page = demo_report.output, demo_report.html.read_text()
    for title, section_id in SECTIONS:
        assert f"\n{title}" in text, f"the text report has no {title!r} section"
        assert f"<section id='{section_id}'>" in page, f"the HTML report has no #{section_id}"
    assert "No archetype file" not in text
    assert "columns: HU = High Utilization" in text  # names abbreviated with a legend
    assert "! marks" not in text  # no mismatch in the demo, so no legend for the mark


def test_unlabelled_report_has_every_section_and_says_why_archetypes_are_absent(
    unlabelled_report: ReportRun,
) -> None:
    text, page = unlabelled_report.output, unlabelled_report.html.read_text()
    for title, section_id in SECTIONS:
        assert f"\n{title}" in text, f"the text report has no {title!r} section"
        assert f"<section id='{section_id}'>" in page, f"the HTML report has no #{section_id}"
    absence = "No archetype file at "
    assert absence in text and absence in page
    assert "archetype_expectations seed" in text
    assert re.search(r"gate_archetype_gets_expected_persona\s+SKIPPED\s+no archetype file", text)


def test_data_quality_counts_missing_signals_ignored_windows_and_warnings(
    unlabelled_report: ReportRun,
) -> None:
    quality = unlabelled_report.output.split("\nData quality\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"credit\s+2025-11-04\s+30\s+1\n", quality)
    assert re.search(r"credit\s+2025-11-04\s+180\s+1\n", quality)
    for name in ("subscriptions", "savings", "income", "cash_flow"):
        assert re.search(rf"{name}\s+2025-11-04\s+90\s+2\n", quality), name
    # u_0001 has no credit row, so one 90-day credit row is left
    assert re.search(r"credit\s+2025-11-04\s+90\s+1\n", quality)
    assert re.search(r"window_is_configured_stg_features__credit_\s+1\n", quality)
    assert re.search(r"window_is_configured_stg_features__income_\s+2\n", quality)
    assert re.search(r"missing_signals_reported_int_feature_signals_\s+1$", quality, re.M)
    expected = expected_numbers(published(unlabelled_report.workspace.sqlite_path))
    missing = {
        (row["missing_signal"], *window_of(row)): row["key_count"]
        for row in reporting(unlabelled_report, "select * from rpt_missing_signals")
    }
    assert (
        missing
        == dict(expected["missing"])
        == {
            ("credit", "2025-11-04", 30): 1,
            ("credit", "2025-11-04", 180): 1,
        }
    )


# ---------------------------------------------------------------- numbers


def published(sqlite_path: Path) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(sqlite_path)) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("select * from persona_assignments").fetchall()
    return [{**dict(row), "trace": json.loads(row["assignment_trace"])} for row in rows]


def reporting(report: ReportRun, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(report.workspace.duckdb_path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def window_of(row: dict[str, Any]) -> Window:
    return (str(row["as_of_date"]), int(row["window_days"]))


def percentile(values: list[float], fraction: float) -> float:
    """SQL's percentile_cont: linear between the two nearest of the sorted values."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def expected_numbers(rows: list[dict[str, Any]]) -> dict[str, dict]:
    """Every number the report shows, computed from the published rows and traces alone."""
    matches: dict[tuple, Counter] = defaultdict(Counter)
    criteria: dict[tuple, Counter] = defaultdict(Counter)
    severities: dict[tuple, list[float]] = defaultdict(list)
    pairs: Counter = Counter()
    missing: Counter = Counter()
    for row in rows:
        window, trace = window_of(row), row["trace"]
        pairs[
            (
                *window,
                row["primary_persona_name"] or "STABLE",
                row["secondary_persona_name"] or "none",
            )
        ] += 1
        for signal in trace["missing_signals"]:
            missing[(signal, *window)] += 1
        for name, evaluation in trace["evaluations"].items():
            persona_id = int(name.removeprefix("persona_"))
            key = (*window, persona_id)
            matched = evaluation["matched"]
            matches[key]["matched_count"] += matched
            matches[key]["primary_count"] += row["primary_persona_id"] == persona_id
            matches[key]["secondary_count"] += row["secondary_persona_id"] == persona_id
            if matched:
                severities[key].append(evaluation["severity"])
            for criterion_name, criterion in evaluation["criteria"].items():
                counts = criteria[(*key, criterion_name)]
                counts["passed_count"] += criterion["passed"]
                counts["triggered_count"] += matched and criterion["passed"]
                value, threshold = criterion["value"], criterion.get("threshold")
                if threshold is None or value is None or isinstance(value, bool):
                    continue
                counts["just_below_count"] += threshold - BAND * abs(threshold) <= value < threshold
                counts["just_above_count"] += (
                    threshold <= value <= threshold + BAND * abs(threshold)
                )
    for counts in matches.values():
        counts["not_in_top_two_count"] = (
            counts["matched_count"] - counts["primary_count"] - counts["secondary_count"]
        )
    severity = {
        key: {
            "matched_count": len(values),
            "min_severity": min(values),
            "p25_severity": percentile(values, 0.25),
            "median_severity": percentile(values, 0.5),
            "p75_severity": percentile(values, 0.75),
            "max_severity": max(values),
        }
        for key, values in severities.items()
    }
    return {
        "matches": matches,
        "criteria": criteria,
        "severity": severity,
        "pairs": pairs,
        "missing": missing,
    }


def test_report_numbers_agree_with_the_published_sqlite(demo_report: ReportRun) -> None:
    expected = expected_numbers(published(demo_report.workspace.sqlite_path))

    for row in reporting(demo_report, "select * from rpt_persona_matches"):
        counts = expected["matches"][(*window_of(row), row["persona_id"])]
        for metric in ("matched_count", "primary_count", "secondary_count", "not_in_top_two_count"):
            assert row[metric] == counts[metric], (row, metric)

    criterion_rows = reporting(demo_report, "select * from rpt_persona_criteria")
    assert len(criterion_rows) == len(expected["criteria"])
    for row in criterion_rows:
        counts = expected["criteria"][(*window_of(row), row["persona_id"], row["criterion_name"])]
        for metric in ("passed_count", "triggered_count", "just_below_count", "just_above_count"):
            assert row[metric] == counts[metric], (row, metric)
    assert sum(row["just_below_count"] + row["just_above_count"] for row in criterion_rows) > 0

    for row in reporting(demo_report, "select * from rpt_persona_severity"):
        distribution = expected["severity"][(*window_of(row), row["persona_id"])]
        for metric, value in distribution.items():
            assert math.isclose(row[metric], value, abs_tol=1e-9), (row, metric)

    pairs = {
        (*window_of(row), row["primary_outcome"], row["secondary_outcome"]): row["key_count"]
        for row in reporting(demo_report, "select * from rpt_primary_secondary_matrix")
    }
    assert pairs == dict(expected["pairs"])

    missing = {
        (row["missing_signal"], *window_of(row)): row["key_count"]
        for row in reporting(demo_report, "select * from rpt_missing_signals")
    }
    assert missing == dict(expected["missing"])
