"""Bad input stops the run with a message that names what is wrong and where (SPEC section 4).

Each case mutates a private copy of the demo data, runs the real `dbt build`,
and asserts the exit status, the message, and that the outputs published by an
earlier good run are byte-for-byte unchanged. Accepted oddities (ISO dates, NaN,
extra windows, missing rows) are asserted to publish every expected key.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import DEMO_USERS, Workspace

DEMO_KEYS = DEMO_USERS * 2
NUMERIC_COLUMNS = {
    "subscriptions": ["recurring_merchant_count", "monthly_recurring_spend", "subscription_share"],
    "savings": ["net_inflow", "growth_rate"],
    "credit": ["max_utilization"],
    "income": ["median_pay_gap_days", "cash_flow_buffer_months"],
    "cash_flow": ["pct_days_below_100", "balance_volatility"],
}


def digests(workspace: Workspace) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (workspace.sqlite_path, workspace.parquet_path)
    )


def rewrite(workspace: Workspace, name: str, change: Callable[[pa.Table], pa.Table]) -> None:
    path = workspace.feature_file(name)
    pq.write_table(change(pq.read_table(path)), path)


def replace_column(table: pa.Table, column: str, values: list, type_: pa.DataType) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, type_))


def set_value(table: pa.Table, column: str, row: int, value: object) -> pa.Table:
    values = table[column].to_pylist()
    values[row] = value
    return replace_column(table, column, values, table.schema.field(column).type)


def published_rows(workspace: Workspace) -> list[tuple]:
    with sqlite3.connect(workspace.sqlite_path) as connection:
        return connection.execute(
            "select user_id, window_days, as_of_date, status, assignment_trace "
            "from persona_assignments order by 1, 2, 3"
        ).fetchall()


# ---------------------------------------------------------------- rejected input


def drop_file(w: Workspace) -> None:
    w.feature_file("credit").unlink()


def empty_file(w: Workspace) -> None:
    rewrite(w, "credit", lambda t: t.slice(0, 0))


def random_bytes(w: Workspace) -> None:
    w.feature_file("income").write_bytes(bytes(range(256)) * 40)


def truncated_file(w: Workspace) -> None:
    data = w.feature_file("savings").read_bytes()
    w.feature_file("savings").write_bytes(data[: len(data) // 2])


def missing_column(w: Workspace) -> None:
    rewrite(w, "credit", lambda t: t.drop_columns(["max_utilization"]))


def utilization_as_text(w: Workspace) -> None:
    rewrite(
        w,
        "credit",
        lambda t: replace_column(
            t,
            "max_utilization",
            pc.cast(t["max_utilization"], pa.string()).to_pylist(),
            pa.string(),
        ),
    )


def duplicate_key(w: Workspace) -> None:
    rewrite(w, "income", lambda t: pa.concat_tables([t, t.slice(4, 1)]))


def null_user_id(w: Workspace) -> None:
    rewrite(w, "cash_flow", lambda t: set_value(t, "user_id", 6, None))


def bad_date_text(w: Workspace) -> None:
    rewrite(
        w,
        "savings",
        lambda t: set_value(
            replace_column(
                t, "as_of_date", [str(d) for d in t["as_of_date"].to_pylist()], pa.string()
            ),
            "as_of_date",
            2,
            "2025-13-45",
        ),
    )


def negative_utilization(w: Workspace) -> None:
    rewrite(w, "credit", lambda t: set_value(t, "max_utilization", 3, -0.25))


def share_above_one(w: Workspace) -> None:
    rewrite(w, "subscriptions", lambda t: set_value(t, "subscription_share", 8, 1.5))


def pct_above_one(w: Workspace) -> None:
    rewrite(w, "cash_flow", lambda t: set_value(t, "pct_days_below_100", 9, 1.01))


def negative_count(w: Workspace) -> None:
    rewrite(w, "subscriptions", lambda t: set_value(t, "recurring_merchant_count", 10, -2))


def negative_spend(w: Workspace) -> None:
    rewrite(w, "subscriptions", lambda t: set_value(t, "monthly_recurring_spend", 11, -5.0))


def negative_pay_gap(w: Workspace) -> None:
    rewrite(w, "income", lambda t: set_value(t, "median_pay_gap_days", 12, -1.0))


def other_date(w: Workspace, name: str, day: str) -> None:
    rewrite(
        w,
        name,
        lambda t: replace_column(t, "as_of_date", [day] * t.num_rows, pa.string()).cast(
            t.schema.set(2, pa.field("as_of_date", pa.string()))
        ),
    )


def credit_and_income_a_day_older(w: Workspace) -> None:
    other_date(w, "credit", "2025-11-03")
    other_date(w, "income", "2025-11-03")


def credit_only_in_a_90_day_window(w: Workspace) -> None:
    def relabel(table: pa.Table) -> pa.Table:
        table = table.filter(pc.equal(table["window_days"], 30))
        return replace_column(table, "window_days", [90] * table.num_rows, pa.int32())

    rewrite(w, "credit", relabel)


def fractional_window(w: Workspace) -> None:
    rewrite(
        w,
        "credit",
        lambda t: set_value(
            replace_column(
                t, "window_days", [float(v) for v in t["window_days"].to_pylist()], pa.float64()
            ),
            "window_days",
            0,
            30.4,
        ),
    )


REJECTED = {
    "a file a day older than the others": (
        credit_and_income_a_day_older,
        [
            "do not hold the same as_of_dates and windows",
            "credit.parquet holds 2025-11-03: 30, 180; missing 2025-11-04: 30, 180",
            "income.parquet holds 2025-11-03: 30, 180; missing 2025-11-04: 30, 180",
            "subscriptions.parquet holds 2025-11-04: 30, 180; missing 2025-11-03: 30, 180",
            "allow_incomplete_feature_files",
        ],
    ),
    "a file holding only another window": (
        credit_only_in_a_90_day_window,
        ["credit.parquet holds 2025-11-04: 90; missing 2025-11-04: 30, 180"],
    ),
    "window_days not a whole number": (
        fractional_window,
        [
            "credit.parquet has window_days 30.4",
            "user_id=u_0001, as_of_date=2025-11-04",
            "not a whole number of days",
        ],
    ),
    "missing file": (drop_file, ["credit.parquet not found", "features_dir"]),
    "empty file": (empty_file, ["credit.parquet has no rows"]),
    "not parquet (random bytes)": (random_bytes, ["income.parquet is not a readable Parquet"]),
    "not parquet (truncated)": (truncated_file, ["savings.parquet is not a readable Parquet"]),
    "missing required column": (missing_column, ["credit.parquet has no column 'max_utilization'"]),
    "wrong column type": (
        utilization_as_text,
        ["credit.parquet column 'max_utilization' has type VARCHAR, expected double"],
    ),
    "duplicate key": (duplicate_key, ["Duplicate key in", "income.parquet", "user_id=u_0003"]),
    "NULL user_id": (null_user_id, ["Invalid key in", "cash_flow.parquet", "user_id is NULL"]),
    "as_of_date not a date": (
        bad_date_text,
        ["Invalid key in", "savings.parquet", "as_of_date is not a date", "2025-13-45"],
    ),
    "negative utilization": (
        negative_utilization,
        ["Impossible value in", "credit.parquet, column max_utilization: -0.25", "user_id=u_0002"],
    ),
    "share above 1": (
        share_above_one,
        ["subscriptions.parquet, column subscription_share: 1.5", "1 or less"],
    ),
    "pct above 1": (pct_above_one, ["cash_flow.parquet, column pct_days_below_100: 1.01"]),
    "negative count": (
        negative_count,
        ["subscriptions.parquet, column recurring_merchant_count: -2", "0 or more"],
    ),
    "negative spend": (negative_spend, ["column monthly_recurring_spend: -5"]),
    "negative pay gap": (negative_pay_gap, ["income.parquet, column median_pay_gap_days: -1"]),
}


@pytest.mark.parametrize("case", REJECTED, ids=list(REJECTED))
def test_rejected_input_names_the_problem_and_publishes_nothing(
    built: Workspace, case: str
) -> None:
    mutate, expected_messages = REJECTED[case]
    before = digests(built)
    mutate(built)

    result = built.dbt("build")

    assert not result.ok
    for message in expected_messages:
        assert message in result.output, f"{message!r} not in output:\n{result.output[-3000:]}"
    assert "Traceback" not in result.output
    assert digests(built) == before


# ---------------------------------------------------------------- accepted oddities


def test_iso_string_as_of_date_is_accepted(workspace: Workspace) -> None:
    rewrite(
        workspace,
        "credit",
        lambda t: replace_column(
            t, "as_of_date", [d.isoformat() for d in t["as_of_date"].to_pylist()], pa.string()
        ),
    )
    result = workspace.dbt("build")
    assert result.ok, result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    assert all(json.loads(row[4])["missing_signals"] == [] for row in rows)


def test_two_as_of_dates_in_one_file_are_both_assigned(workspace: Workspace) -> None:
    for name in NUMERIC_COLUMNS:

        def add_second_date(table: pa.Table) -> pa.Table:
            later = replace_column(
                table, "as_of_date", ["2025-12-04"] * table.num_rows, pa.string()
            ).cast(table.schema.set(2, pa.field("as_of_date", pa.string())))
            return pa.concat_tables([table.cast(later.schema), later])

        rewrite(workspace, name, add_second_date)
    result = workspace.dbt("build")
    assert result.ok, result.output
    dates = [row[2] for row in published_rows(workspace)]
    assert dates.count("2025-11-04") == DEMO_KEYS
    assert dates.count("2025-12-04") == DEMO_KEYS


def test_a_retired_signal_may_be_incomplete_when_allowed(workspace: Workspace) -> None:
    credit_only_in_a_90_day_window(workspace)
    result = workspace.dbt(
        "build",
        allow_incomplete_feature_files=["credit"],
        archetypes_path=str(workspace.root / "no_labels.parquet"),
    )
    assert result.ok, result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    assert all(json.loads(row[4])["missing_signals"] == ["credit"] for row in rows)


def test_whole_number_window_stored_as_a_double_is_accepted(workspace: Workspace) -> None:
    rewrite(
        workspace,
        "credit",
        lambda t: replace_column(
            t, "window_days", [float(v) for v in t["window_days"].to_pylist()], pa.float64()
        ),
    )
    result = workspace.dbt("build")
    assert result.ok, result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    assert all(json.loads(row[4])["missing_signals"] == [] for row in rows)


def instants(workspace: Workspace, name: str, utc_time: str) -> None:
    """Store as_of_date as TIMESTAMP WITH TIME ZONE: 2025-11-04 at `utc_time` UTC."""
    instant = datetime.fromisoformat(f"2025-11-04T{utc_time}+00:00")
    rewrite(
        workspace,
        name,
        lambda t: replace_column(
            t, "as_of_date", [instant] * t.num_rows, pa.timestamp("us", tz="UTC")
        ).cast(t.schema.set(2, pa.field("as_of_date", pa.timestamp("us", tz="UTC")))),
    )


def test_instant_as_of_dates_are_utc_dates_in_every_time_zone(
    workspace: Workspace, published_baseline: Workspace
) -> None:
    # Early in the UTC day in two files (the previous day in Los Angeles), late in
    # the others (the next day in Tokyo): every machine must read 2025-11-04.
    for name in ("credit", "income"):
        instants(workspace, name, "03:00:00")
    for name in ("subscriptions", "savings", "cash_flow"):
        instants(workspace, name, "23:30:00")
    with sqlite3.connect(published_baseline.sqlite_path) as connection:
        expected = connection.execute(
            "select assignment_id, status, primary_persona_id from persona_assignments order by 1"
        ).fetchall()
    for zone in ("America/Los_Angeles", "Asia/Tokyo"):
        result = workspace.dbt("build", env={"TZ": zone})
        assert result.ok, f"TZ={zone}:\n{result.output[-3000:]}"
        with sqlite3.connect(workspace.sqlite_path) as connection:
            published = connection.execute(
                "select assignment_id, status, primary_persona_id from persona_assignments "
                "order by 1"
            ).fetchall()
        assert published == expected, f"TZ={zone} gave other assignments"


def test_a_folder_of_parquet_parts_is_read_as_the_file(
    workspace: Workspace, published_baseline: Workspace
) -> None:
    # How Spark (and this project's Spark target) writes Parquet: a folder of parts.
    table = pq.read_table(workspace.feature_file("credit"))
    workspace.feature_file("credit").unlink()
    folder = workspace.feature_file("credit")
    folder.mkdir()
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), folder / "part-00000.snappy.parquet")
    pq.write_table(table.slice(half), folder / "part-00001.snappy.parquet")
    (folder / "_SUCCESS").write_text("")
    result = workspace.dbt("build")
    assert result.ok, result.output
    with sqlite3.connect(published_baseline.sqlite_path) as connection:
        expected = connection.execute(
            "select user_id, window_days, as_of_date, status, assignment_trace "
            "from persona_assignments order by 1, 2, 3"
        ).fetchall()
    assert published_rows(workspace) == expected


def test_huge_finite_values_give_valid_traces(workspace: Workspace) -> None:
    rewrite(workspace, "credit", lambda t: set_value(t, "max_utilization", 0, 1e17))
    rewrite(workspace, "savings", lambda t: set_value(t, "growth_rate", 2, -1e308))
    result = workspace.dbt("build", archetypes_path=str(workspace.root / "no_labels.parquet"))
    assert result.ok, result.output
    traces = {(row[0], row[1]): json.loads(row[4]) for row in published_rows(workspace)}
    assert len(traces) == DEMO_KEYS
    huge = traces[("u_0001", 30)]
    assert huge["evaluations"]["persona_1"]["criteria"]["max_utilization"]["value"] == 1e17
    assert huge["result"]["primary_persona_id"] == 1
    assert "max_utilization (1.000e+19% vs 50% threshold)" in huge["result"]["primary_reasoning"]
    assert "Severity: 1.000e+17." in huge["result"]["primary_reasoning"]
    tiny = traces[("u_0002", 30)]
    assert tiny["evaluations"]["persona_4"]["criteria"]["growth_rate"]["value"] == -1e308


def test_nan_and_inf_are_read_as_null(workspace: Workspace) -> None:
    # Rows 0-2 are u_0001 (30 and 180 days) and u_0002 (30 days) in every file.
    poisoned_keys = {("u_0001", 30), ("u_0001", 180), ("u_0002", 30)}
    for name, columns in NUMERIC_COLUMNS.items():

        def poison(table: pa.Table, columns: list[str] = columns) -> pa.Table:
            for column in columns:
                values = [None if v is None else float(v) for v in table[column].to_pylist()]
                values[0], values[1], values[2] = float("nan"), float("inf"), float("-inf")
                table = replace_column(table, column, values, pa.float64())
            return table

        rewrite(workspace, name, poison)
    # No labels: the poisoned users no longer behave like their archetype.
    result = workspace.dbt("build", archetypes_path=str(workspace.root / "no_labels.parquet"))
    assert result.ok, result.output
    assert "archetype checks (SPEC 7.5, 7.6) are skipped" in result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    numeric = {column for columns in NUMERIC_COLUMNS.values() for column in columns}
    for user_id, window_days, _, _status, trace_text in rows:
        if (user_id, window_days) not in poisoned_keys:
            continue
        trace = json.loads(trace_text)
        for evaluation in trace["evaluations"].values():
            for criterion_name, criterion in evaluation["criteria"].items():
                if criterion_name in numeric:
                    assert criterion["value"] is None, (user_id, window_days, criterion_name)
        # A NaN utilization reads exactly like "no credit card" (SPEC section 4).
        credit_rule = trace["evaluations"]["persona_4"]["criteria"]["max_utilization"]
        assert credit_rule == {
            "value": None,
            "operator": "<",
            "threshold": 0.3,
            "passed": True,
            "no_credit_card": True,
        }
        assert trace["evaluations"]["persona_2"]["matched"] is False
        assert trace["evaluations"]["persona_5"]["matched"] is False


def test_window_outside_the_configured_ones_is_ignored_and_reported(
    workspace: Workspace,
) -> None:
    def add_90_day_window(table: pa.Table) -> pa.Table:
        # The 30-day rows of u_0001 and u_0002, copied as a 90-day window.
        extra = replace_column(table.take([0, 2]), "window_days", [90] * 2, pa.int32())
        return pa.concat_tables([table, extra])

    for name in NUMERIC_COLUMNS:
        rewrite(workspace, name, add_90_day_window)
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert "window_is_configured" in result.output and "WARN" in result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    assert {row[1] for row in rows} == {30, 180}


def test_user_absent_from_some_files_is_assigned_with_missing_signals(
    workspace: Workspace,
) -> None:
    rewrite(workspace, "credit", lambda t: t.filter(pc.not_equal(t["user_id"], "u_0001")))
    rewrite(workspace, "income", lambda t: t.filter(pc.not_equal(t["user_id"], "u_0001")))
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert "missing signals" in result.output
    assert "credit: 2 keys" in result.output and "income: 2 keys" in result.output
    rows = published_rows(workspace)
    assert len(rows) == DEMO_KEYS
    traces = [json.loads(row[4]) for row in rows if row[0] == "u_0001"]
    assert [trace["missing_signals"] for trace in traces] == [["credit", "income"]] * 2
    for trace in traces:
        credit_rule = trace["evaluations"]["persona_4"]["criteria"]["max_utilization"]
        assert credit_rule["passed"] is False  # missing data is not "no credit card"


# ---------------------------------------------------------------- vars


BAD_VARS = {
    "as_of_date not a date": (
        {"as_of_date": "2025-02-30"},
        ["var 'as_of_date' must be a real date", "2025-02-30"],
    ),
    "as_of_date absent from the data": (
        {"as_of_date": "2025-12-01"},
        ["as_of_date = 2025-12-01 matches no row", "Dates present: 2025-11-04"],
    ),
    "threshold not a number": (
        {"savings_min_growth_rate": "two percent"},
        ["var 'savings_min_growth_rate' must be a number", "two percent"],
    ),
    "windows not a list of days": (
        {"windows": "30,180"},
        ["var 'windows' must be a non-empty list of positive whole numbers"],
    ),
    "threshold typed as a percent": (
        {"high_utilization_min_utilization": 50},
        [
            "var 'high_utilization_min_utilization' = 50 is above 3",
            "50 looks like a percent; write 0.5",
        ],
    ),
    "share threshold above 1": (
        {"subscription_min_share": 10},
        ["var 'subscription_min_share' = 10 is above 1", "write 0.1"],
    ),
    "negative dollar threshold": (
        {"subscription_min_monthly_spend": -5},
        ["var 'subscription_min_monthly_spend' = -5 must be 0 or more", "an amount in dollars"],
    ),
    "fractional merchant count": (
        {"subscription_min_merchant_count": 2.5},
        ["var 'subscription_min_merchant_count' = 2.5 must be a whole number"],
    ),
    "unknown file allowed to be incomplete": (
        {"allow_incomplete_feature_files": ["cards"]},
        ["var 'allow_incomplete_feature_files' must be a list of feature file names"],
    ),
    "path with a quote": (
        {"features_dir": "/tmp/x'; drop table persona_assignments; --"},
        ["var 'features_dir'", "contains a quote", "no var can inject SQL"],
    ),
}


@pytest.mark.parametrize("case", BAD_VARS, ids=list(BAD_VARS))
def test_bad_var_is_refused_before_any_sql(built: Workspace, case: str) -> None:
    overrides, expected_messages = BAD_VARS[case]
    before = digests(built)
    result = built.dbt("build", **overrides)
    assert not result.ok
    for message in expected_messages:
        assert message in result.output, f"{message!r} not in output:\n{result.output[-3000:]}"
    assert "Traceback" not in result.output
    assert "START sql" not in result.output  # refused before any model ran
    assert digests(built) == before


def test_path_with_a_semicolon_is_just_a_path(workspace: Workspace) -> None:
    odd_folder = workspace.root / "epic2; select 1"
    shutil.copytree(workspace.features_dir, odd_folder)
    result = workspace.dbt("build", features_dir=str(odd_folder))
    assert result.ok, result.output
    assert len(published_rows(workspace)) == DEMO_KEYS
