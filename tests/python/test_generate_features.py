"""Tests for scripts/generate_features.py, the labelled Epic 2 demo data generator.

The persona rules below are restated independently of the dbt models on purpose: they
prove that the generated data encodes the archetypes it claims, whatever the models do.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_features.py"
AS_OF = date(2025, 11, 4)
FEATURE_FILES = ("subscriptions", "savings", "credit", "income", "cash_flow")

KEY_TYPES = {"user_id": pa.string(), "window_days": pa.int32(), "as_of_date": pa.date32()}
EXPECTED_TYPES: dict[str, dict[str, pa.DataType]] = {
    "subscriptions": {
        **KEY_TYPES,
        "recurring_merchant_count": pa.int32(),
        "monthly_recurring_spend": pa.float64(),
        "subscription_share": pa.float64(),
    },
    "savings": {
        **KEY_TYPES,
        "net_inflow": pa.float64(),
        "growth_rate": pa.float64(),
        "emergency_fund_coverage_months": pa.float64(),
        "avg_monthly_expenses": pa.float64(),
    },
    "credit": {
        **KEY_TYPES,
        "max_utilization": pa.float64(),
        "min_utilization": pa.float64(),
        "avg_utilization": pa.float64(),
        "has_high_utilization": pa.bool_(),
        "interest_charges_present": pa.bool_(),
        "minimum_payment_only": pa.bool_(),
        "is_overdue": pa.bool_(),
    },
    "income": {
        **KEY_TYPES,
        "median_pay_gap_days": pa.float64(),
        "cash_flow_buffer_months": pa.float64(),
        "payroll_count": pa.int32(),
    },
    "cash_flow": {
        **KEY_TYPES,
        "pct_days_below_100": pa.float64(),
        "balance_volatility": pa.float64(),
        "min_balance": pa.float64(),
        "max_balance": pa.float64(),
        "avg_balance": pa.float64(),
    },
}

COUNTS = {
    "High Utilizer": 10,
    "Variable Income": 8,
    "Subscription Heavy": 8,
    "Savings Builder": 9,
    "Cash Flow Stressed": 8,
    "Stable": 12,
    "High Utilizer + Cash Flow Stressed": 5,
    "Variable Income + Subscription Heavy": 5,
    "Recent Cash Flow Stress": 5,
    "Threshold Match": 3,
    "Threshold Miss": 2,
}
# archetype -> {window_days: matched persona ids in rank order}
EXPECTED_PERSONAS: dict[str, dict[int, tuple[int, ...]]] = {
    "High Utilizer": {30: (1,), 180: (1,)},
    "Variable Income": {30: (2,), 180: (2,)},
    "Subscription Heavy": {30: (3,), 180: (3,)},
    "Savings Builder": {30: (4,), 180: (4,)},
    "Cash Flow Stressed": {30: (5,), 180: (5,)},
    "Stable": {30: (), 180: ()},
    "High Utilizer + Cash Flow Stressed": {30: (1, 5), 180: (1, 5)},
    "Variable Income + Subscription Heavy": {30: (2, 3), 180: (2, 3)},
    "Recent Cash Flow Stress": {30: (5,), 180: (4,)},
    "Threshold Match": {30: (1,), 180: (1,)},
    "Threshold Miss": {30: (), 180: ()},
}
THRESHOLDS = {
    "max_utilization": 0.50,
    "pay_gap": 45.0,
    "buffer": 1.0,
    "merchants": 3,
    "spend": 50.0,
    "share": 0.10,
    "growth": 0.02,
    "net_monthly": 200.0,
    "p4_utilization": 0.30,
    "pct_below": 0.30,
    "volatility": 1.0,
}
PRIORITY_RANK = {1: 0, 2: 1, 5: 1, 3: 2, 4: 3}  # CRITICAL, HIGH, HIGH, MEDIUM, LOW

Row = dict[str, Any]


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_features", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module while it loads
    spec.loader.exec_module(module)
    return module


gf = _load_module()


def _generate(root: Path, users: int = 75, seed: int = 42) -> dict[str, pa.Table]:
    paths = gf.generate(users, seed, AS_OF, root / "features", root / "user_archetypes.parquet")
    return {name: pq.read_table(path) for name, path in paths.items()}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    return _generate(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def rows(default_run: dict[str, pa.Table]) -> list[Row]:
    """One merged dict per (user, window) holding every feature and the archetype."""
    archetype = dict(zip(*default_run["archetypes"].to_pydict().values(), strict=True))
    merged: dict[tuple[str, int], Row] = {}
    for name in FEATURE_FILES:
        for row in default_run[name].to_pylist():
            key = (row["user_id"], row["window_days"])
            merged.setdefault(key, {"archetype": archetype[row["user_id"]]}).update(row)
    return list(merged.values())


def _ok(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def ranked_personas(row: Row, t: Mapping[str, float] = THRESHOLDS) -> tuple[int, ...]:
    """Matched persona ids in rank order (priority, severity desc, id), per SPEC section 4."""
    util = row["max_utilization"]
    severity: dict[int, float] = {}
    flags = (row["interest_charges_present"], row["minimum_payment_only"], row["is_overdue"])
    if (_ok(util) and util >= t["max_utilization"]) or any(flags):
        severity[1] = util if _ok(util) else 0.0
    gap, buffer = row["median_pay_gap_days"], row["cash_flow_buffer_months"]
    if _ok(gap) and _ok(buffer) and gap > t["pay_gap"] and buffer < t["buffer"]:
        severity[2] = gap / t["pay_gap"]
    spend, share = row["monthly_recurring_spend"], row["subscription_share"]
    if row["recurring_merchant_count"] >= t["merchants"] and (
        (_ok(spend) and spend >= t["spend"]) or (_ok(share) and share >= t["share"])
    ):
        severity[3] = share if _ok(share) else 0.0
    growth, monthly = row["growth_rate"], row["net_inflow"] / (row["window_days"] / 30)
    no_card = util is None  # every user has a credit row in the demo data
    if (growth >= t["growth"] or monthly >= t["net_monthly"]) and (
        no_card or util < t["p4_utilization"]
    ):
        severity[4] = growth
    pct, volatility = row["pct_days_below_100"], row["balance_volatility"]
    if pct >= t["pct_below"] and volatility > t["volatility"]:
        severity[5] = pct
    return tuple(sorted(severity, key=lambda p: (PRIORITY_RANK[p], -severity[p], p)))


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist()


# --- shape ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FEATURE_FILES)
def test_feature_file_has_expected_columns_and_types(
    default_run: dict[str, pa.Table], name: str
) -> None:
    table = default_run[name]
    assert dict(zip(table.schema.names, table.schema.types, strict=True)) == EXPECTED_TYPES[name]


@pytest.mark.parametrize("name", FEATURE_FILES)
def test_feature_file_has_one_row_per_user_and_window_in_order(
    default_run: dict[str, pa.Table], name: str
) -> None:
    table = default_run[name]
    keys = list(zip(_column(table, "user_id"), _column(table, "window_days"), strict=True))
    expected = [(f"u_{i:04d}", w) for i in range(1, 76) for w in (30, 180)]
    assert table.num_rows == 150
    assert keys == expected
    assert set(_column(table, "as_of_date")) == {AS_OF}


def test_archetype_file_labels_every_user_with_the_planned_counts(
    default_run: dict[str, pa.Table],
) -> None:
    table = default_run["archetypes"]
    assert table.schema.names == ["user_id", "archetype"]
    assert table.schema.types == [pa.string(), pa.string()]
    assert _column(table, "user_id") == [f"u_{i:04d}" for i in range(1, 76)]
    assert Counter(_column(table, "archetype")) == COUNTS
    assert dict(gf.ARCHETYPE_COUNTS) == COUNTS


def test_archetypes_are_interleaved_not_blocked(default_run: dict[str, pa.Table]) -> None:
    first_fifteen = _column(default_run["archetypes"], "archetype")[:15]
    assert len(set(first_fifteen)) >= 8


# --- determinism and scale ------------------------------------------------------------------


def test_same_seed_gives_identical_tables(default_run: dict[str, pa.Table], tmp_path: Path) -> None:
    again = _generate(tmp_path)
    for name, table in default_run.items():
        assert again[name].equals(table), name


def test_different_seed_gives_different_values_but_same_users(
    default_run: dict[str, pa.Table], tmp_path: Path
) -> None:
    other = _generate(tmp_path, seed=7)
    assert other["archetypes"].equals(default_run["archetypes"])
    for name in FEATURE_FILES:
        assert other[name].select(list(KEY_TYPES)).equals(default_run[name].select(list(KEY_TYPES)))
        assert not other[name].equals(default_run[name]), name


def test_750_users_have_exactly_ten_times_the_archetype_counts(
    default_run: dict[str, pa.Table], tmp_path: Path
) -> None:
    big = _generate(tmp_path, users=750)
    assert Counter(_column(big["archetypes"], "archetype")) == {
        label: 10 * count for label, count in COUNTS.items()
    }
    for name in FEATURE_FILES:
        assert big[name].num_rows == 1500
        # Growing the population keeps the existing users exactly as they were.
        assert big[name].slice(0, 150).equals(default_run[name]), name


def test_user_id_width_grows_with_the_user_count(tmp_path: Path) -> None:
    ids = _column(_generate(tmp_path, users=10_001)["archetypes"], "user_id")
    assert ids[0] == "u_00001"
    assert ids[-1] == "u_10001"


# --- plausibility ---------------------------------------------------------------------------


def test_fractions_and_counts_are_in_range(rows: list[Row]) -> None:
    for row in rows:
        assert 0.0 <= row["subscription_share"] <= 1.0
        assert 0.0 <= row["pct_days_below_100"] <= 1.0
        assert row["recurring_merchant_count"] >= 0
        assert row["monthly_recurring_spend"] >= 0.0
        assert row["payroll_count"] >= 1
        assert row["median_pay_gap_days"] > 0.0
        assert row["avg_monthly_expenses"] > 0.0
        if row["max_utilization"] is not None:
            assert 0.0 <= row["max_utilization"] <= 1.05


def test_min_avg_max_are_ordered(rows: list[Row]) -> None:
    for row in rows:
        assert row["min_balance"] <= row["avg_balance"] <= row["max_balance"]
        if row["max_utilization"] is not None:
            assert row["min_utilization"] <= row["avg_utilization"] <= row["max_utilization"]
            assert row["has_high_utilization"] == (row["max_utilization"] >= 0.5)


def test_utilization_is_null_exactly_for_the_savers_without_a_card(rows: list[Row]) -> None:
    no_card = [row for row in rows if row["max_utilization"] is None]
    assert {row["archetype"] for row in no_card} == {"Savings Builder"}
    assert len({row["user_id"] for row in no_card}) == 3  # every third of the nine savers
    assert len(no_card) == 6  # both windows
    for row in no_card:
        assert row["min_utilization"] is None
        assert row["avg_utilization"] is None
        assert not row["has_high_utilization"]
        assert not row["interest_charges_present"]
        assert not row["minimum_payment_only"]
        assert not row["is_overdue"]


def test_savers_180_day_net_inflow_is_about_six_months_of_the_30_day(rows: list[Row]) -> None:
    by_user: dict[str, dict[int, float]] = {}
    for row in rows:
        if row["archetype"] == "Savings Builder":
            by_user.setdefault(row["user_id"], {})[row["window_days"]] = row["net_inflow"]
    assert len(by_user) == 9
    for user, net in by_user.items():
        assert net[30] > 0.0, user
        assert 5.5 <= net[180] / net[30] <= 6.5, user


def test_savers_grow_at_plausible_rates(rows: list[Row]) -> None:
    savers = [row for row in rows if row["archetype"] == "Savings Builder"]
    assert all(0.025 <= row["growth_rate"] <= 0.08 for row in savers)


def test_regular_earners_are_paid_bi_weekly_or_monthly(rows: list[Row]) -> None:
    irregular = {"Variable Income", "Variable Income + Subscription Heavy"}
    irregular |= {"Threshold Match", "Threshold Miss"}
    for row in rows:
        if row["archetype"] not in irregular:
            gap = row["median_pay_gap_days"]
            assert 13.0 <= gap <= 16.0 or 28.0 <= gap <= 31.0, row["user_id"]


def test_threshold_match_users_sit_exactly_on_the_boundaries(rows: list[Row]) -> None:
    matched = [row for row in rows if row["archetype"] == "Threshold Match"]
    assert len(matched) == 6
    for row in matched:
        assert row["max_utilization"] == 0.5
        flags = ("interest_charges_present", "minimum_payment_only", "is_overdue")
        assert [row[flag] for flag in flags] == [False, False, False]
        assert (row["median_pay_gap_days"], row["cash_flow_buffer_months"]) == (45.0, 0.5)
        assert (row["balance_volatility"], row["pct_days_below_100"]) == (1.0, 0.5)
        assert (row["recurring_merchant_count"], row["monthly_recurring_spend"]) == (2, 80.0)


def test_threshold_miss_users_sit_exactly_on_the_boundaries(rows: list[Row]) -> None:
    missed = [row for row in rows if row["archetype"] == "Threshold Miss"]
    assert len(missed) == 4
    for row in missed:
        assert row["max_utilization"] == 0.3
        assert row["growth_rate"] == 0.02
        assert row["net_inflow"] / (row["window_days"] / 30) == 250.0
        assert (row["median_pay_gap_days"], row["cash_flow_buffer_months"]) == (45.0, 0.4)
        assert (row["balance_volatility"], row["pct_days_below_100"]) == (1.0, 0.45)
        assert row["recurring_merchant_count"] == 2


# --- the data encodes the archetypes --------------------------------------------------------


def test_every_user_and_window_matches_its_archetype_personas(rows: list[Row]) -> None:
    wrong = [
        (row["user_id"], row["archetype"], row["window_days"], ranked_personas(row))
        for row in rows
        if ranked_personas(row) != EXPECTED_PERSONAS[row["archetype"]][row["window_days"]]
    ]
    assert wrong == []


def test_some_user_changes_primary_persona_between_windows(rows: list[Row]) -> None:
    primary: dict[str, dict[int, int | None]] = {}
    for row in rows:
        ranked = ranked_personas(row)
        primary.setdefault(row["user_id"], {})[row["window_days"]] = ranked[0] if ranked else None
    assert any(p[30] != p[180] for p in primary.values())


def _shifted(factor: float) -> dict[str, float]:
    return {name: value * factor for name, value in THRESHOLDS.items()}


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_non_threshold_archetypes_match_with_clear_margins(rows: list[Row], factor: float) -> None:
    """Moving every threshold by 10 % changes nothing except for the threshold users."""
    shifted = _shifted(factor)
    for row in rows:
        if not row["archetype"].startswith("Threshold"):
            expected = EXPECTED_PERSONAS[row["archetype"]][row["window_days"]]
            assert ranked_personas(row, shifted) == expected, (row["user_id"], factor)


@pytest.mark.parametrize(
    ("archetype", "nudge"),
    [
        ("Threshold Match", lambda r: {**r, "max_utilization": 0.4999}),
        ("Threshold Miss", lambda r: {**r, "max_utilization": 0.2999}),
        ("Threshold Miss", lambda r: {**r, "median_pay_gap_days": 45.01}),
        (
            "Threshold Miss",
            lambda r: {**r, "balance_volatility": 1.0001, "pct_days_below_100": 0.45},
        ),
        ("Threshold Miss", lambda r: {**r, "recurring_merchant_count": 3}),
    ],
)
def test_threshold_users_flip_with_the_smallest_nudge(
    rows: list[Row], archetype: str, nudge: Callable[[Row], Row]
) -> None:
    for row in rows:
        if row["archetype"] == archetype:
            assert ranked_personas(nudge(row)) != ranked_personas(row), row["user_id"]


# --- command line ---------------------------------------------------------------------------


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_cli_help_explains_the_outputs() -> None:
    result = _run_cli("--help")
    assert result.returncode == 0
    for word in ("--users", "--seed", "--as-of-date", "--out", "--archetypes", "credit.parquet"):
        assert word in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "0"], "--users"),
        (["--users", "many"], "--users"),
        (["--as-of-date", "2025-13-01"], "--as-of-date"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_cli_rejects_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    result = _run_cli(*args, "--out", str(tmp_path / "features"))
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "features").exists()


def test_cli_writes_the_files_and_summarises_them(tmp_path: Path) -> None:
    out = tmp_path / "data" / "features"
    result = _run_cli("--users", "3", "--as-of-date", "2025-01-31", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in FEATURE_FILES:
        table = pq.read_table(out / f"{name}.parquet")
        assert table.num_rows == 6
        assert set(_column(table, "as_of_date")) == {date(2025, 1, 31)}
        assert f"{name}.parquet" in result.stdout
    # Everything lands in --out, the labels too; nothing is written next to it.
    assert pq.read_table(out / "user_archetypes.parquet").num_rows == 3
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.parquet" for n in FEATURE_FILES] + ["user_archetypes.parquet"]
    )
    assert sorted(p.name for p in out.parent.iterdir()) == ["features"]
