"""Differential test: the real dbt pipeline against a pure-Python reading of SPEC sections 4-5.

Hypothesis draws a large random set of Epic 2 feature rows (exact threshold values and their
neighbours, random values, NULL, NaN, +-inf, and rows missing from some files). The same data
is evaluated twice:

(a) by the project: `dbt build` in an isolated workspace, which must succeed and publish;
(b) by `reference()` below, a short, independent restatement of the persona rules and the
    ranking. It does not import or read anything from the project's SQL.

Every dataset also holds a few hand-picked "anchor" users (values exactly on a threshold,
the no-credit-card vs missing-credit-row distinction, NaN/inf, a key present in one file only).
Both the published SQLite rows (with their JSON `assignment_trace`) and the published Parquet
rows are then compared key by key.

Every example costs one `dbt build`, so there are few examples, each with many users, and the
shrink phase is off: a failure message names the disagreeing keys together with their inputs.
"""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

WINDOWS = (30, 180)
FILES = ("subscriptions", "savings", "credit", "income", "cash_flow")
PRIORITY_ORDER = {1: 0, 2: 1, 5: 1, 3: 2, 4: 3}  # CRITICAL, HIGH, HIGH, MEDIUM, LOW
SEVERITY_TOL = 1e-9
NAN, INF = float("nan"), float("inf")

# SPEC section 2, exact Arrow types of the required columns (beyond the keys).
COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "subscriptions": {
        "recurring_merchant_count": pa.int32(),
        "monthly_recurring_spend": pa.float64(),
        "subscription_share": pa.float64(),
    },
    "savings": {"net_inflow": pa.float64(), "growth_rate": pa.float64()},
    "credit": {
        "max_utilization": pa.float64(),
        "interest_charges_present": pa.bool_(),
        "minimum_payment_only": pa.bool_(),
        "is_overdue": pa.bool_(),
    },
    "income": {"median_pay_gap_days": pa.float64(), "cash_flow_buffer_months": pa.float64()},
    "cash_flow": {"pct_days_below_100": pa.float64(), "balance_volatility": pa.float64()},
}
KEY_SCHEMA = [("user_id", pa.string()), ("window_days", pa.int32()), ("as_of_date", pa.date32())]

Row = dict[str, Any]  # one key's feature values; a file missing for the key has no columns here


# --- the reference: SPEC sections 4 and 5, stated independently --------------------------------


def _num(value: float | int | None) -> float | int | None:
    """NULL, NaN and +-inf all read as NULL (SPEC 4, missing and invalid values)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def _ge(value: float | int | None, threshold: float) -> bool:
    return value is not None and value >= threshold


def _gt(value: float | int | None, threshold: float) -> bool:
    return value is not None and value > threshold


def _lt(value: float | int | None, threshold: float) -> bool:
    return value is not None and value < threshold


@dataclass
class Expected:
    matched: dict[int, bool] = field(default_factory=dict)
    severity: dict[int, float | None] = field(default_factory=dict)
    triggered_by: dict[int, list[str]] = field(default_factory=dict)
    ranked: list[int] = field(default_factory=list)
    missing_signals: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "ASSIGNED" if self.ranked else "STABLE"

    @property
    def primary(self) -> int | None:
        return self.ranked[0] if self.ranked else None

    @property
    def secondary(self) -> int | None:
        return self.ranked[1] if len(self.ranked) > 1 else None


# SPEC section 4's thresholds, by the name of the var that sets each.
SPEC_THRESHOLDS = {
    "high_utilization_min_utilization": 0.50,
    "variable_income_min_pay_gap_days": 45.0,
    "variable_income_max_buffer_months": 1.0,
    "subscription_min_merchant_count": 3,
    "subscription_min_monthly_spend": 50.0,
    "subscription_min_share": 0.10,
    "savings_min_growth_rate": 0.02,
    "savings_min_net_inflow_monthly": 200.0,
    "savings_max_utilization": 0.30,
    "cash_flow_min_pct_days_below_100": 0.30,
    "cash_flow_min_balance_volatility": 1.0,
}


def reference(row: Row, window_days: int, thresholds: dict[str, float] | None = None) -> Expected:
    """What SPEC sections 4-5 say the assignment of one key must be (with other
    `thresholds` for some vars, as a what-if asks)."""
    t = {**SPEC_THRESHOLDS, **(thresholds or {})}
    v = {name: _num(row.get(name)) for columns in COLUMNS.values() for name in columns}
    util = v["max_utilization"]
    credit_row_present = "max_utilization" in row
    net_inflow = v["net_inflow"]
    monthly = None if net_inflow is None else net_inflow / (window_days / 30)

    # persona id -> ([(criterion, passed), ...], matched, severity input)
    criteria: dict[int, tuple[list[tuple[str, bool]], Any]] = {}
    p1 = [
        ("max_utilization", _ge(util, t["high_utilization_min_utilization"])),
        ("interest_charges_present", v["interest_charges_present"] is True),
        ("minimum_payment_only", v["minimum_payment_only"] is True),
        ("is_overdue", v["is_overdue"] is True),
    ]
    criteria[1] = (p1, any(ok for _, ok in p1))
    p2 = [
        (
            "median_pay_gap_days",
            _gt(v["median_pay_gap_days"], t["variable_income_min_pay_gap_days"]),
        ),
        (
            "cash_flow_buffer_months",
            _lt(v["cash_flow_buffer_months"], t["variable_income_max_buffer_months"]),
        ),
    ]
    criteria[2] = (p2, all(ok for _, ok in p2))
    p3 = [
        (
            "recurring_merchant_count",
            _ge(v["recurring_merchant_count"], t["subscription_min_merchant_count"]),
        ),
        (
            "monthly_recurring_spend",
            _ge(v["monthly_recurring_spend"], t["subscription_min_monthly_spend"]),
        ),
        ("subscription_share", _ge(v["subscription_share"], t["subscription_min_share"])),
    ]
    criteria[3] = (p3, p3[0][1] and (p3[1][1] or p3[2][1]))
    p4 = [
        ("growth_rate", _ge(v["growth_rate"], t["savings_min_growth_rate"])),
        ("net_inflow_monthly", _ge(monthly, t["savings_min_net_inflow_monthly"])),
        (
            "max_utilization",
            _lt(util, t["savings_max_utilization"]) or (credit_row_present and util is None),
        ),
    ]
    criteria[4] = (p4, (p4[0][1] or p4[1][1]) and p4[2][1])
    p5 = [
        ("pct_days_below_100", _ge(v["pct_days_below_100"], t["cash_flow_min_pct_days_below_100"])),
        ("balance_volatility", _gt(v["balance_volatility"], t["cash_flow_min_balance_volatility"])),
    ]
    criteria[5] = (p5, all(ok for _, ok in p5))

    severity_input = {
        1: util,
        2: None
        if v["median_pay_gap_days"] is None
        else v["median_pay_gap_days"] / t["variable_income_min_pay_gap_days"],
        3: v["subscription_share"],
        4: v["growth_rate"],
        5: v["pct_days_below_100"],
    }
    out = Expected()
    for pid, (checks, matched) in criteria.items():
        out.matched[pid] = matched
        out.severity[pid] = (severity_input[pid] or 0.0) if matched else None
        out.triggered_by[pid] = [name for name, ok in checks if ok] if matched else []
    out.ranked = sorted(
        (pid for pid, matched in out.matched.items() if matched),
        key=lambda pid: (PRIORITY_ORDER[pid], -(out.severity[pid] or 0.0), pid),
    )
    present = {name for name, columns in COLUMNS.items() if next(iter(columns)) in row}
    out.missing_signals = sorted(set(FILES) - present)
    return out


# --- data generation ----------------------------------------------------------------------------

# Hypothesis has a per-example size budget, and a dataset here holds ~2,000 values: each value is
# therefore ONE small integer draw, mapped through a menu (cheap to generate, still reproducible).
SPECIALS = (None, NAN, INF, -INF)
MENU = 10_000


def _value(
    edges: tuple[float, ...], lo: float, hi: float, decimals: int = 4
) -> st.SearchStrategy[float | None]:
    """35 % exact thresholds or their neighbours, 55 % random in [lo, hi], 10 % NULL/NaN/+-inf."""

    def pick(i: int) -> float | None:
        if i < 3_500:
            return edges[i % len(edges)]
        if i < 9_000:
            return round(lo + (hi - lo) * (i - 3_500) / 5_499, decimals)
        return SPECIALS[i % len(SPECIALS)]

    return st.integers(0, MENU - 1).map(pick)


def _net_inflow(window_days: int) -> st.SearchStrategy[float | None]:
    # net_inflow / (window_days / 30) == 200 exactly for the first edge; the neighbours and the
    # 2-decimal random values stay far from 200 in float64 whatever the order of operations.
    k = window_days // 30
    edges = (200.0 * k, 200.0 * k - 0.01, 200.0 * k + 0.01, 0.0, -200.0 * k)
    return _value(edges, -3000.0 * k, 3000.0 * k, decimals=2)


_BOOL = st.sampled_from((False, False, False, True, None))
_COUNT = st.integers(0, 99).map(
    lambda i: (3, 2, 4, 0)[i % 4] if i < 40 else (i - 40) % 21 if i < 90 else None
)


def _row(window_days: int) -> st.SearchStrategy[Row]:
    return st.fixed_dictionaries(
        {
            "recurring_merchant_count": _COUNT,
            "monthly_recurring_spend": _value((50.0, 49.99, 50.01, 0.0), 0.0, 400.0),
            "subscription_share": _value((0.10, 0.0999, 0.1001, 0.0, 1.0), 0.0, 1.0),
            "net_inflow": _net_inflow(window_days),
            "growth_rate": _value((0.02, 0.0199, 0.0201, 0.0, 39.0), -0.5, 2.0),
            "max_utilization": _value((0.50, 0.4999, 0.5001, 0.30, 0.2999, 0.3001), 0.0, 1.5),
            "interest_charges_present": _BOOL,
            "minimum_payment_only": _BOOL,
            "is_overdue": _BOOL,
            "median_pay_gap_days": _value((45.0, 45.01, 44.99, 0.0), 0.0, 120.0),
            "cash_flow_buffer_months": _value((1.0, 0.9999, 1.0001), -3.0, 12.0),
            "pct_days_below_100": _value((0.30, 0.2999, 0.3001, 0.0, 1.0), 0.0, 1.0),
            "balance_volatility": _value((1.0, 0.9999, 1.0001), -0.5, 3.0),
        }
    )


def _dropped(i: int) -> frozenset[str]:
    """Files without a row for one key: none 3 times in 4; otherwise a bitmask, never all five."""
    mask = i - 96
    if mask <= 0 or mask == 2 ** len(FILES) - 1:
        return frozenset()
    return frozenset(f for bit, f in enumerate(FILES) if mask & (1 << bit))


_DROPPED = st.integers(0, 127).map(_dropped)


def _keep(row: Row, dropped: frozenset[str]) -> Row:
    return {
        name: value
        for file, columns in COLUMNS.items()
        if file not in dropped
        for name, value in row.items()
        if name in columns
    }


def _base(**overrides: Any) -> Row:
    """A row that matches nothing, for the hand-picked anchor users."""
    row: Row = {
        "recurring_merchant_count": 0,
        "monthly_recurring_spend": 0.0,
        "subscription_share": 0.0,
        "net_inflow": 0.0,
        "growth_rate": 0.0,
        "max_utilization": 0.2,
        "interest_charges_present": False,
        "minimum_payment_only": False,
        "is_overdue": False,
        "median_pay_gap_days": 14.0,
        "cash_flow_buffer_months": 3.0,
        "pct_days_below_100": 0.0,
        "balance_volatility": 0.5,
    }
    row.update(overrides)
    return row


# Anchors present in every example, so the sharpest edge cases are always exercised:
# (name, overrides of _base(), files without a row). A "monthly_inflow" override is written as
# net_inflow = monthly_inflow * window_days / 30, exact for these values.
ANCHORS: list[tuple[str, Row, frozenset[str]]] = [
    (
        "all_at_threshold",
        {
            "max_utilization": 0.5,
            "median_pay_gap_days": 45.0,
            "cash_flow_buffer_months": 1.0,
            "recurring_merchant_count": 3,
            "monthly_recurring_spend": 50.0,
            "subscription_share": 0.10,
            "growth_rate": 0.02,
            "monthly_inflow": 200.0,
            "pct_days_below_100": 0.30,
            "balance_volatility": 1.0,
        },
        frozenset(),
    ),
    ("p4_exact_inflow_no_card", {"monthly_inflow": 200.0, "max_utilization": None}, frozenset()),
    ("p4_inflow_just_below", {"monthly_inflow": 199.99, "max_utilization": None}, frozenset()),
    ("p4_nan_utilization_is_no_card", {"growth_rate": 0.05, "max_utilization": NAN}, frozenset()),
    ("p4_missing_credit_row_fails", {"growth_rate": 0.05}, frozenset({"credit"})),
    ("p4_util_at_030_fails", {"growth_rate": 0.05, "max_utilization": 0.30}, frozenset()),
    (
        "p1_flag_null_util_severity_0",
        {
            "max_utilization": None,
            "is_overdue": True,
            "pct_days_below_100": 0.4,
            "balance_volatility": 1.5,
        },
        frozenset(),
    ),
    (
        "p3_spend_null_share_severity_0",
        {
            "recurring_merchant_count": 3,
            "monthly_recurring_spend": 50.0,
            "subscription_share": None,
        },
        frozenset(),
    ),
    (
        "p2_p5_same_priority",
        {
            "median_pay_gap_days": 90.0,
            "cash_flow_buffer_months": -1.0,
            "pct_days_below_100": 1.0,
            "balance_volatility": 2.0,
        },
        frozenset(),
    ),
    (
        "inf_and_nan_everywhere",
        {
            "max_utilization": INF,
            "median_pay_gap_days": INF,
            "cash_flow_buffer_months": -INF,
            "monthly_recurring_spend": INF,
            "subscription_share": NAN,
            "growth_rate": INF,
            "monthly_inflow": INF,
            "pct_days_below_100": NAN,
            "balance_volatility": INF,
            "recurring_merchant_count": 5,
        },
        frozenset(),
    ),
    (
        "only_cash_flow_file",
        {"pct_days_below_100": 0.3001, "balance_volatility": 1.0001},
        frozenset(FILES) - {"cash_flow"},
    ),
]


def _anchor_row(overrides: Row, window_days: int) -> Row:
    values = dict(overrides)
    if "monthly_inflow" in values:
        values["net_inflow"] = values.pop("monthly_inflow") * (window_days // 30)
    return _base(**values)


@dataclass
class Dataset:
    as_of: date
    rows: dict[tuple[str, int], Row]  # (user_id, window_days) -> the values actually written

    def __repr__(self) -> str:  # Hypothesis prints the example; the rows would be ~100 kB
        return f"Dataset(as_of={self.as_of}, keys={len(self.rows)})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # Hypothesis' pretty-printer
        printer.text(repr(self))


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    as_of = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    n_users = draw(st.integers(50, 80))
    data: dict[tuple[str, int], Row] = {}
    for name, overrides, dropped in ANCHORS:
        for w in WINDOWS:
            data[(f"anchor_{name}", w)] = _keep(_anchor_row(overrides, w), dropped)
    for i in range(n_users):
        for w in WINDOWS:
            data[(f"u_{i:04d}", w)] = _keep(draw(_row(w)), draw(_DROPPED))
    return Dataset(as_of, data)


def _write_features(workspace: Any, as_of: date, data: dict[tuple[str, int], Row]) -> None:
    workspace.features_dir.mkdir(parents=True, exist_ok=True)
    for file, columns in COLUMNS.items():
        present = [(key, row) for key, row in sorted(data.items()) if next(iter(columns)) in row]
        arrays = [
            pa.array([key[0] for key, _ in present], pa.string()),
            pa.array([key[1] for key, _ in present], pa.int32()),
            pa.array([as_of] * len(present), pa.date32()),
        ]
        arrays += [pa.array([row[c] for _, row in present], t) for c, t in columns.items()]
        schema = pa.schema(KEY_SCHEMA + list(columns.items()))
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), workspace.feature_file(file))


# --- comparison ---------------------------------------------------------------------------------


def _close(actual: Any, expected: float | None) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=SEVERITY_TOL, abs_tol=SEVERITY_TOL)


def _compare_sqlite_row(key: tuple[str, int], db: Row, exp: Expected) -> list[str]:
    problems: list[str] = []

    def check(what: str, ok: bool, actual: Any, expected: Any) -> None:
        if not ok:
            problems.append(f"{key} {what}: pipeline={actual!r} reference={expected!r}")

    check("status", db["status"] == exp.status, db["status"], exp.status)
    for slot, pid in (("primary", exp.primary), ("secondary", exp.secondary)):
        check(f"{slot}_persona_id", db[f"{slot}_persona_id"] == pid, db[f"{slot}_persona_id"], pid)
        sev = exp.severity[pid] if pid is not None else None
        check(f"{slot}_severity", _close(db[f"{slot}_severity"], sev), db[f"{slot}_severity"], sev)

    trace = json.loads(db["assignment_trace"])
    missing = sorted(trace["missing_signals"])
    check("trace.missing_signals", missing == exp.missing_signals, missing, exp.missing_signals)
    ranked = trace["result"]["ranked_persona_ids"]
    check("trace.ranked_persona_ids", ranked == exp.ranked, ranked, exp.ranked)
    for pid in range(1, 6):
        ev = trace["evaluations"][f"persona_{pid}"]
        check(
            f"persona_{pid}.matched",
            ev["matched"] is exp.matched[pid],
            ev["matched"],
            exp.matched[pid],
        )
        check(
            f"persona_{pid}.severity",
            _close(ev["severity"], exp.severity[pid]),
            ev["severity"],
            exp.severity[pid],
        )
        # triggered_by in the SPEC's criterion order for the persona
        check(
            f"persona_{pid}.triggered_by",
            ev["triggered_by"] == exp.triggered_by[pid],
            ev["triggered_by"],
            exp.triggered_by[pid],
        )
    return problems


def _compare_parquet_row(key: tuple[str, int], pq_row: Row, exp: Expected) -> list[str]:
    problems = []
    if pq_row["status"] != exp.status:
        problems.append(f"{key} parquet status: {pq_row['status']!r} vs {exp.status!r}")
    for slot, pid in (("primary", exp.primary), ("secondary", exp.secondary)):
        sev = exp.severity[pid] if pid is not None else None
        if pq_row[f"{slot}_persona_id"] != pid or not _close(pq_row[f"{slot}_severity"], sev):
            problems.append(
                f"{key} parquet {slot}: ({pq_row[f'{slot}_persona_id']!r}, "
                f"{pq_row[f'{slot}_severity']!r}) vs ({pid!r}, {sev!r})"
            )
    return problems


# --- the test -----------------------------------------------------------------------------------


@settings(
    max_examples=3,
    deadline=None,
    database=None,  # never write a .hypothesis folder into the project
    print_blob=True,  # a failure prints @reproduce_failure(...) to replay the same dataset
    phases=(Phase.explicit, Phase.generate),  # no shrinking: every example is a dbt build
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(dataset=datasets())
def test_pipeline_agrees_with_reference_on_random_features(
    workspace: Any, dataset: Dataset
) -> None:
    as_of, data = dataset.as_of, dataset.rows
    # The workspace is shared by the examples of one run: start each from nothing published
    # and no history (the warehouse keeps every evaluated date).
    for path in (
        workspace.sqlite_path,
        workspace.parquet_path,
        workspace.archetypes_path,
        workspace.duckdb_path,
    ):
        path.unlink(missing_ok=True)
    workspace.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    _write_features(workspace, as_of, data)

    result = workspace.dbt("build")
    assert result.ok, result.output[-4000:]
    assert workspace.sqlite_path.exists() and workspace.parquet_path.exists(), result.output[-2000:]

    with closing(sqlite3.connect(workspace.sqlite_path)) as conn:
        conn.row_factory = sqlite3.Row
        db_list = [dict(r) for r in conn.execute("select * from persona_assignments")]
    pq_list = pq.read_table(workspace.parquet_path).to_pylist()
    # SPEC 3: one row per input key, nothing dropped, nothing extra, one as_of_date.
    assert len(db_list) == len(pq_list) == len(data)
    assert {r["as_of_date"] for r in db_list} == {as_of.isoformat()}
    assert {r["as_of_date"] for r in pq_list} == {as_of}
    db_rows = {(r["user_id"], r["window_days"]): r for r in db_list}
    pq_rows = {(r["user_id"], r["window_days"]): r for r in pq_list}
    assert set(db_rows) == set(data), "SQLite keys differ from the input keys (SPEC 3)"
    assert set(pq_rows) == set(data), "Parquet keys differ from the input keys (SPEC 3)"

    problems: list[str] = []
    for key, row in sorted(data.items()):
        exp = reference(row, key[1])
        found = _compare_sqlite_row(key, db_rows[key], exp)
        found += _compare_parquet_row(key, pq_rows[key], exp)
        if found:
            problems += [*found, f"    input {key}: {row!r}"]
    note(f"{len(data)} keys, as_of_date {as_of}")
    assert not problems, f"{len(problems)} disagreement lines:\n" + "\n".join(problems[:60])
