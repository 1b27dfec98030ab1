"""The validation report keeps per-user listings readable at any scale."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from persona_report import (
    LISTED_ROWS,
    Report,
    query_listing,
    render_html,
    render_text,
)


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
