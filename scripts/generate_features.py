"""Generate labelled demo data shaped like the Epic 2 feature files.

Writes five Parquet files into --out (default data/features/), each holding one row per
user and window (window_days 30 and 180), ordered by user_id then window_days:

    subscriptions.parquet  recurring_merchant_count, monthly_recurring_spend, subscription_share
    savings.parquet        net_inflow, growth_rate, emergency_fund_coverage_months,
                           avg_monthly_expenses
    credit.parquet         max/min/avg_utilization (NULL = no credit card), has_high_utilization,
                           interest_charges_present, minimum_payment_only, is_overdue
    income.parquet         median_pay_gap_days, cash_flow_buffer_months, payroll_count
    cash_flow.parquet      pct_days_below_100, balance_volatility, min/max/avg_balance

Every file also carries the keys user_id (u_0001, ...), window_days and as_of_date.
A sixth file, user_archetypes.parquet (default: in the --out folder too; --archetypes puts
it elsewhere, as `make run` does with data/user_archetypes.parquet), labels every user with
the archetype the data was drawn from, so the persona assignment can be checked against what
the data was built to show.

Users cycle through a fixed 75-slot table of archetypes (ARCHETYPE_COUNTS), so any user
count that is a multiple of 75 has exactly those proportions. Values are drawn per chunk of
users from numpy generators seeded by (--seed, chunk index): the same arguments always give
the same values, and growing --users keeps the values of the users that already existed.

History (--dates N, --every-days D): N snapshots, D days apart, starting at --as-of-date.
Every user keeps their user_id; from one snapshot to the next a few percent of them
(--move-rate) change archetype along realistic paths (ARCHETYPE_MOVES: a saver slides into
cash-flow stress, a high utilizer pays down, ...), and everyone's values are drawn afresh
around their archetype. The first snapshot is exactly what --dates 1 writes. With
several dates the label file has an as_of_date column (the archetype on each date).
--layout files (default) writes each feature file once with every date in it;
--layout folders writes one folder per date, as_of_date=YYYY-MM-DD/<file>.parquet.

Example:
    python scripts/generate_features.py --users 75 --seed 42 --out data/features \
        --archetypes data/user_archetypes.parquet
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

WINDOWS: tuple[int, int] = (30, 180)
CHUNK_USERS = 100_000
DEFAULT_USERS = 75
DEFAULT_SEED = 42
DEFAULT_AS_OF_DATE = date(2025, 11, 4)
DEFAULT_OUT = Path("data/features")
ARCHETYPES_FILE = "user_archetypes.parquet"

ARCHETYPE_COUNTS: Mapping[str, int] = MappingProxyType(
    {
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
)
SLOTS_PER_CYCLE = sum(ARCHETYPE_COUNTS.values())
# Where a user who moves goes next, from one snapshot to the next.
ARCHETYPE_MOVES: Mapping[str, str] = MappingProxyType(
    {
        "Savings Builder": "Cash Flow Stressed",
        "High Utilizer": "Stable",
        "Stable": "Subscription Heavy",
        "Cash Flow Stressed": "Stable",
        "Subscription Heavy": "Savings Builder",
        "Variable Income": "Stable",
    }
)
DEFAULT_MOVE_RATE = 0.03

_KEY_FIELDS = (
    pa.field("user_id", pa.string()),
    pa.field("window_days", pa.int32()),
    pa.field("as_of_date", pa.date32()),
)
FEATURE_SCHEMAS: Mapping[str, pa.Schema] = MappingProxyType(
    {
        "subscriptions": pa.schema(
            [
                *_KEY_FIELDS,
                pa.field("recurring_merchant_count", pa.int32()),
                pa.field("monthly_recurring_spend", pa.float64()),
                pa.field("subscription_share", pa.float64()),
            ]
        ),
        "savings": pa.schema(
            [
                *_KEY_FIELDS,
                pa.field("net_inflow", pa.float64()),
                pa.field("growth_rate", pa.float64()),
                pa.field("emergency_fund_coverage_months", pa.float64()),
                pa.field("avg_monthly_expenses", pa.float64()),
            ]
        ),
        "credit": pa.schema(
            [
                *_KEY_FIELDS,
                pa.field("max_utilization", pa.float64()),
                pa.field("min_utilization", pa.float64()),
                pa.field("avg_utilization", pa.float64()),
                pa.field("has_high_utilization", pa.bool_()),
                pa.field("interest_charges_present", pa.bool_()),
                pa.field("minimum_payment_only", pa.bool_()),
                pa.field("is_overdue", pa.bool_()),
            ]
        ),
        "income": pa.schema(
            [
                *_KEY_FIELDS,
                pa.field("median_pay_gap_days", pa.float64()),
                pa.field("cash_flow_buffer_months", pa.float64()),
                pa.field("payroll_count", pa.int32()),
            ]
        ),
        "cash_flow": pa.schema(
            [
                *_KEY_FIELDS,
                pa.field("pct_days_below_100", pa.float64()),
                pa.field("balance_volatility", pa.float64()),
                pa.field("min_balance", pa.float64()),
                pa.field("max_balance", pa.float64()),
                pa.field("avg_balance", pa.float64()),
            ]
        ),
    }
)
ARCHETYPE_SCHEMA = pa.schema([pa.field("user_id", pa.string()), pa.field("archetype", pa.string())])
DATED_ARCHETYPE_SCHEMA = pa.schema([*ARCHETYPE_SCHEMA, _KEY_FIELDS[2]])


# --- archetype profiles -------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Uniform range (lo, hi) of a feature in the 30-day and in the 180-day window.

    Both windows use the same uniform draw, so a user's two windows are correlated; a band
    with lo == hi yields that exact value (used for the threshold archetypes).
    """

    lo30: float
    hi30: float
    lo180: float
    hi180: float


def both(lo: float, hi: float) -> Band:
    """The same range in both windows."""
    return Band(lo, hi, lo, hi)


def exactly(value: float) -> Band:
    """A fixed value in both windows."""
    return Band(value, value, value, value)


@dataclass(frozen=True)
class Profile:
    """How one archetype (or a variant of it) draws its features.

    Defaults describe a user who matches no persona, with clear margins: regular pay,
    low utilization, no savings momentum, few subscriptions, healthy balances.
    """

    archetype: str
    # credit
    has_card: bool = True
    max_utilization: Band = Band(0.05, 0.35, 0.05, 0.35)
    p_interest: float = 0.0
    p_minimum_payment: float = 0.0
    p_overdue: float = 0.0
    # savings; net_inflow is drawn per month, scaled to the window, and jittered in 180 days
    net_inflow_monthly: Band = Band(-150.0, 120.0, -150.0, 120.0)
    net_inflow_jitter: float = 0.05
    growth_rate: Band = Band(-0.03, 0.008, -0.03, 0.008)
    emergency_fund_months: Band = Band(0.5, 3.0, 0.5, 3.0)
    avg_monthly_expenses: Band = Band(1800.0, 4500.0, 1800.0, 4500.0)
    # subscriptions; the share is derived as spend / expenses
    recurring_merchants: tuple[int, int] = (0, 2)
    recurring_spend: Band = Band(8.0, 35.0, 8.0, 35.0)
    # income; None means a regular bi-weekly or monthly earner
    pay_gap_days: Band | None = None
    buffer_months: Band = Band(1.3, 4.0, 1.3, 4.0)
    # cash flow
    pct_days_below_100: Band = Band(0.0, 0.0, 0.0, 0.0)
    balance_volatility: Band = Band(0.15, 0.6, 0.15, 0.6)
    avg_balance: Band = Band(1500.0, 8000.0, 1500.0, 8000.0)


_HIGH_UTILIZATION: Mapping[str, Any] = MappingProxyType(
    {
        "max_utilization": both(0.55, 1.05),
        "p_interest": 0.7,
        "p_minimum_payment": 0.3,
        "p_overdue": 0.15,
        "net_inflow_monthly": both(-400.0, 50.0),
        "growth_rate": both(-0.06, 0.0),
        "emergency_fund_months": both(0.0, 0.5),
        "buffer_months": both(0.3, 1.5),
        "pct_days_below_100": both(0.0, 0.15),
        "balance_volatility": both(0.3, 0.7),
        "avg_balance": both(400.0, 2500.0),
    }
)
_VARIABLE_INCOME: Mapping[str, Any] = MappingProxyType(
    {
        "max_utilization": both(0.1, 0.4),
        "net_inflow_monthly": both(-300.0, 100.0),
        "growth_rate": both(-0.05, 0.01),
        "emergency_fund_months": both(0.1, 1.0),
        "pay_gap_days": both(50.0, 90.0),
        "buffer_months": both(0.1, 0.7),
        "pct_days_below_100": both(0.0, 0.2),
        "balance_volatility": both(0.4, 0.85),
        "avg_balance": both(500.0, 2500.0),
    }
)
_SUBSCRIPTION_HEAVY: Mapping[str, Any] = MappingProxyType(
    {
        "recurring_merchants": (4, 9),
        "recurring_spend": both(90.0, 260.0),
        "avg_monthly_expenses": both(1800.0, 3500.0),
    }
)
_CASH_FLOW_STRESSED: Mapping[str, Any] = MappingProxyType(
    {
        "max_utilization": both(0.1, 0.4),
        "net_inflow_monthly": both(-300.0, 50.0),
        "growth_rate": both(-0.1, 0.0),
        "emergency_fund_months": both(0.0, 0.3),
        "buffer_months": both(0.05, 0.5),
        "pct_days_below_100": both(0.4, 0.7),
        "balance_volatility": both(1.3, 2.5),
        "avg_balance": both(100.0, 600.0),
    }
)
_SAVINGS_BUILDER: Mapping[str, Any] = MappingProxyType(
    {
        "max_utilization": both(0.02, 0.2),
        "net_inflow_monthly": both(250.0, 700.0),
        "growth_rate": both(0.025, 0.08),
        "emergency_fund_months": both(3.0, 9.0),
        "buffer_months": both(2.0, 6.0),
        "balance_volatility": both(0.1, 0.4),
        "avg_balance": both(4000.0, 15000.0),
    }
)
_THRESHOLD_COMMON: Mapping[str, Any] = MappingProxyType(
    {
        "net_inflow_jitter": 0.0,
        "pay_gap_days": exactly(45.0),
        "balance_volatility": exactly(1.0),
        "recurring_merchants": (2, 2),
        "avg_balance": both(300.0, 800.0),
    }
)


_ARCHETYPE_PROFILES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        name: MappingProxyType(dict(overrides))
        for name, overrides in {
            "High Utilizer": _HIGH_UTILIZATION,
            "Variable Income": _VARIABLE_INCOME,
            "Subscription Heavy": _SUBSCRIPTION_HEAVY,
            "Savings Builder": _SAVINGS_BUILDER,
            "Cash Flow Stressed": _CASH_FLOW_STRESSED,
            "Stable": {"buffer_months": both(1.5, 4.0)},
            "High Utilizer + Cash Flow Stressed": {
                **_CASH_FLOW_STRESSED,
                "max_utilization": both(0.6, 0.98),
                "p_interest": 0.6,
                "p_minimum_payment": 0.3,
                "p_overdue": 0.2,
            },
            "Variable Income + Subscription Heavy": {**_VARIABLE_INCOME, **_SUBSCRIPTION_HEAVY},
            # A saver whose last month went bad: stressed in 30 days, saving over 180 days.
            "Recent Cash Flow Stress": {
                "max_utilization": both(0.03, 0.2),
                "net_inflow_monthly": Band(-600.0, -250.0, 300.0, 450.0),
                "growth_rate": Band(-0.12, -0.04, 0.03, 0.06),
                "emergency_fund_months": Band(1.0, 2.0, 1.5, 3.0),
                "buffer_months": Band(0.2, 0.6, 1.2, 2.5),
                "pct_days_below_100": Band(0.4, 0.6, 0.4 / 6, 0.1),
                "balance_volatility": Band(1.3, 2.2, 0.5, 0.8),
                "avg_balance": Band(150.0, 500.0, 1500.0, 3500.0),
            },
            # Exactly on every boundary: persona 1 matches (>=), the rest just miss.
            "Threshold Match": {
                **_THRESHOLD_COMMON,
                "max_utilization": exactly(0.5),
                "buffer_months": exactly(0.5),
                "pct_days_below_100": exactly(0.5),
                "recurring_spend": exactly(80.0),
            },
            # Would be a saver, but utilization 0.30 fails the strict < 0.30 rule.
            "Threshold Miss": {
                **_THRESHOLD_COMMON,
                "max_utilization": exactly(0.3),
                "net_inflow_monthly": exactly(250.0),
                "growth_rate": exactly(0.02),
                "emergency_fund_months": both(1.0, 2.0),
                "buffer_months": exactly(0.4),
                "pct_days_below_100": exactly(0.45),
                "recurring_spend": exactly(50.0),
            },
        }.items()
    }
)


def _profile_for(archetype: str, occurrence: int) -> Profile:
    """Profile of the `occurrence`-th slot (0-based) of `archetype` in the 75-slot cycle."""
    overrides = dict(_ARCHETYPE_PROFILES[archetype])
    if archetype == "High Utilizer" and occurrence % 5 == 4:
        # Matches persona 1 through interest charges alone, not through utilization.
        overrides |= {"max_utilization": both(0.35, 0.45), "p_interest": 1.0}
    if archetype == "Savings Builder" and occurrence % 3 == 2:
        # No credit card: the credit row is present with NULL utilization.
        overrides["has_card"] = False
    return Profile(archetype, **overrides)


def slot_layout() -> list[tuple[str, int]]:
    """The 75 slots as (archetype, occurrence), archetypes spread evenly over the cycle.

    The k-th of c slots of an archetype sits at fractional position (k + 0.5) / c, so
    every archetype appears early and throughout, without depending on any seed.
    """
    slots = [
        ((k + 0.5) / count, order, name, k)
        for order, (name, count) in enumerate(ARCHETYPE_COUNTS.items())
        for k in range(count)
    ]
    return [(name, k) for _, _, name, k in sorted(slots)]


@dataclass(frozen=True)
class ProfileTables:
    """Profiles of the 75 slots as numpy lookup tables (built per run, never mutated)."""

    slot_profile: np.ndarray  # (75,) profile index of each slot
    labels: pa.Array  # archetype label of each profile
    bands: Mapping[str, np.ndarray]  # name -> (profiles, 2 windows, 2 = lo/hi)
    scalars: Mapping[str, np.ndarray]  # name -> (profiles,)


def build_tables() -> ProfileTables:
    """Turn the profiles of the 75 slots into per-field numpy lookup tables."""
    profiles: list[Profile] = []
    slot_profile = []
    for name, occurrence in slot_layout():
        profile = _profile_for(name, occurrence)
        if profile not in profiles:
            profiles.append(profile)
        slot_profile.append(profiles.index(profile))

    bands: dict[str, np.ndarray] = {}
    scalars: dict[str, np.ndarray] = {}
    for f in fields(Profile):
        if f.name == "archetype":
            continue
        values = [getattr(p, f.name) for p in profiles]
        if f.name == "pay_gap_days":
            scalars["regular_pay"] = np.array([v is None for v in values])
            values = [exactly(0.0) if v is None else v for v in values]
        if isinstance(values[0], Band):
            bands[f.name] = np.array([[[b.lo30, b.hi30], [b.lo180, b.hi180]] for b in values])
        elif f.name == "recurring_merchants":
            bands[f.name] = np.array([[lohi, lohi] for lohi in values], dtype=np.float64)
        else:
            scalars[f.name] = np.array(values)
    return ProfileTables(
        slot_profile=np.array(slot_profile, dtype=np.int64),
        labels=pa.array([p.archetype for p in profiles], pa.string()),
        bands=MappingProxyType(bands),
        scalars=MappingProxyType(scalars),
    )


# --- drawing one chunk ----------------------------------------------------------------------

_UNIFORMS = (
    "pay_cadence",
    "pay_gap",
    "buffer",
    "utilization",
    "min_util_30",
    "min_util_180",
    "avg_util_30",
    "avg_util_180",
    "interest",
    "minimum_payment",
    "overdue",
    "net_inflow",
    "net_inflow_jitter",
    "growth",
    "emergency_fund",
    "expenses",
    "expenses_jitter",
    "merchants",
    "spend",
    "pct_below",
    "volatility",
    "avg_balance",
    "min_balance_30",
    "min_balance_180",
    "max_balance_30",
    "max_balance_180",
    "min_balance_cap_30",
    "min_balance_cap_180",
)


def draw_uniforms(
    seed: int, chunk_index: int, n: int, step: int = 0
) -> Callable[[str], np.ndarray]:
    """Per-user uniforms in [0, 1) for one chunk (and snapshot), looked up by name.

    One row of the matrix per user, filled in order, so a user's draws depend only on the
    seed, the chunk, the snapshot and the user's position in it (not on how many users
    follow). The first snapshot (step 0) draws what a single-date run draws.
    """
    spawn_key = (chunk_index,) if step == 0 else (chunk_index, step)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn_key))
    matrix = rng.random((n, len(_UNIFORMS)))
    column = {name: i for i, name in enumerate(_UNIFORMS)}
    return lambda name: matrix[:, column[name]]


def _band(tables: ProfileTables, name: str, profile: np.ndarray, u: np.ndarray) -> np.ndarray:
    """(n, 2) values of a band feature; column 0 is the 30-day window, 1 the 180-day."""
    lo = tables.bands[name][profile, :, 0]
    hi = tables.bands[name][profile, :, 1]
    return lo + u[:, None] * (hi - lo)


def _pair(u30: np.ndarray, u180: np.ndarray) -> np.ndarray:
    return np.column_stack([u30, u180])


def _window_scale() -> np.ndarray:
    return np.array(WINDOWS, dtype=np.float64) / 30.0


@dataclass(frozen=True)
class ChunkContext:
    tables: ProfileTables
    profile: np.ndarray  # (n,) profile index per user
    uniform: Callable[[str], np.ndarray]

    def band(self, name: str, uniform_name: str) -> np.ndarray:
        return _band(self.tables, name, self.profile, self.uniform(uniform_name))

    def is_fixed(self, name: str) -> np.ndarray:
        """(n, 2) mask of the users whose profile pins this band to one exact value."""
        table = self.tables.bands[name][self.profile]
        return table[:, :, 0] == table[:, :, 1]

    def scalar(self, name: str) -> np.ndarray:
        return self.tables.scalars[name][self.profile]


def credit_features(ctx: ChunkContext) -> dict[str, np.ndarray]:
    has_card = ctx.scalar("has_card")[:, None]
    max_util = np.where(has_card, ctx.band("max_utilization", "utilization"), np.nan)
    min_util = max_util * (
        0.3 + 0.5 * _pair(ctx.uniform("min_util_30"), ctx.uniform("min_util_180"))
    )
    avg_frac = 0.3 + 0.5 * _pair(ctx.uniform("avg_util_30"), ctx.uniform("avg_util_180"))
    max_util, min_util = np.round(max_util, 4), np.round(min_util, 4)
    avg_util = np.round(min_util + (max_util - min_util) * avg_frac, 4)

    def flag(probability: str, uniform_name: str) -> np.ndarray:
        hit = ctx.uniform(uniform_name) < ctx.scalar(probability)
        return np.repeat(hit[:, None], len(WINDOWS), axis=1)

    return {
        "max_utilization": max_util,
        "min_utilization": min_util,
        "avg_utilization": avg_util,
        "has_high_utilization": max_util >= 0.5,
        "interest_charges_present": flag("p_interest", "interest"),
        "minimum_payment_only": flag("p_minimum_payment", "minimum_payment"),
        "is_overdue": flag("p_overdue", "overdue"),
    }


def savings_features(ctx: ChunkContext) -> dict[str, np.ndarray]:
    monthly = ctx.band("net_inflow_monthly", "net_inflow")
    jitter = ctx.scalar("net_inflow_jitter") * (2.0 * ctx.uniform("net_inflow_jitter") - 1.0)
    monthly[:, 1] *= 1.0 + jitter
    expenses = ctx.band("avg_monthly_expenses", "expenses")
    expenses[:, 1] *= 1.0 + 0.04 * (2.0 * ctx.uniform("expenses_jitter") - 1.0)
    return {
        "net_inflow": np.round(monthly * _window_scale(), 2),
        "growth_rate": np.round(ctx.band("growth_rate", "growth"), 4),
        "emergency_fund_coverage_months": np.round(
            ctx.band("emergency_fund_months", "emergency_fund"), 2
        ),
        "avg_monthly_expenses": np.round(expenses, 2),
    }


def subscription_features(ctx: ChunkContext, expenses: np.ndarray) -> dict[str, np.ndarray]:
    lohi = ctx.tables.bands["recurring_merchants"][ctx.profile, 0, :]
    span = lohi[:, 1] - lohi[:, 0] + 1.0
    count = (lohi[:, 0] + np.floor(ctx.uniform("merchants") * span)).astype(np.int32)
    count = np.repeat(count[:, None], len(WINDOWS), axis=1)
    spend = np.where(count > 0, np.round(ctx.band("recurring_spend", "spend"), 2), 0.0)
    return {
        "recurring_merchant_count": count,
        "monthly_recurring_spend": spend,
        "subscription_share": np.round(np.clip(spend / expenses, 0.0, 1.0), 4),
    }


def income_features(ctx: ChunkContext) -> dict[str, np.ndarray]:
    u_gap = ctx.uniform("pay_gap")
    biweekly = ctx.uniform("pay_cadence") < 0.6
    regular_gap = np.where(biweekly, 13.0, 28.0) + 3.0 * u_gap
    gap = np.where(
        ctx.scalar("regular_pay")[:, None],
        regular_gap[:, None],
        ctx.band("pay_gap_days", "pay_gap"),
    )
    gap = np.round(gap * 2.0) / 2.0  # medians of whole-day gaps land on half days
    payroll = np.maximum(1.0, np.rint(np.array(WINDOWS, dtype=np.float64) / gap))
    return {
        "median_pay_gap_days": gap,
        "cash_flow_buffer_months": np.round(ctx.band("buffer_months", "buffer"), 2),
        "payroll_count": payroll.astype(np.int32),
    }


def cash_flow_features(ctx: ChunkContext) -> dict[str, np.ndarray]:
    pct = ctx.band("pct_days_below_100", "pct_below")
    days = np.array(WINDOWS, dtype=np.float64)
    # A share of days is a whole number of days, except where a profile pins an exact value.
    pct = np.where(ctx.is_fixed("pct_days_below_100"), pct, np.round(pct * days) / days)
    pct = np.round(pct, 4)
    volatility = np.round(ctx.band("balance_volatility", "volatility"), 4)
    avg = ctx.band("avg_balance", "avg_balance")
    spread = volatility * avg
    low = avg - spread * (
        1.0 + _pair(ctx.uniform("min_balance_30"), ctx.uniform("min_balance_180"))
    )
    high = avg + spread * (
        1.5 + 1.5 * _pair(ctx.uniform("max_balance_30"), ctx.uniform("max_balance_180"))
    )
    # A user with days below $100 must have dipped below $100; one without must not have.
    cap = 95.0 - 400.0 * _pair(
        ctx.uniform("min_balance_cap_30"), ctx.uniform("min_balance_cap_180")
    )
    low = np.where(
        pct > 0.0, np.minimum(low, cap), np.minimum(np.maximum(low, 100.0 + 0.1 * avg), avg)
    )
    # The 180-day window contains the 30-day one.
    low[:, 1] = np.minimum(low[:, 1], low[:, 0])
    high[:, 1] = np.maximum(high[:, 1], high[:, 0])
    return {
        "pct_days_below_100": pct,
        "balance_volatility": volatility,
        "min_balance": np.round(low, 2),
        "max_balance": np.round(high, 2),
        "avg_balance": np.round(avg, 2),
    }


def user_ids(start: int, stop: int, width: int) -> pa.Array:
    """user_id strings u_<zero-padded 1-based index> for users start..stop-1 (0-based)."""
    numbers = pa.array(np.arange(start + 1, stop + 1)).cast(pa.string())
    return pc.binary_join_element_wise("u_", pc.utf8_lpad(numbers, width, "0"), "")


@dataclass(frozen=True)
class RunConfig:
    """What every chunk of one run shares."""

    seed: int
    as_of_date: date
    id_width: int
    tables: ProfileTables
    move_rate: float = DEFAULT_MOVE_RATE
    dated_labels: bool = False


def profiles_at(run: RunConfig, chunk_index: int, start: int, stop: int, step: int) -> np.ndarray:
    """Each user's profile at snapshot `step`: the slot's profile, then the moves so far.

    At every step a user moves along ARCHETYPE_MOVES with probability move_rate
    (drawn per user and step from the seed), to the first profile of the new archetype.
    """
    profile = run.tables.slot_profile[np.arange(start, stop) % SLOTS_PER_CYCLE]
    labels = run.tables.labels.to_pylist()
    first_profile = {label: labels.index(label) for label in dict.fromkeys(labels)}
    destination = np.array(
        [
            first_profile.get(ARCHETYPE_MOVES.get(label, ""), index)
            for index, label in enumerate(labels)
        ]
    )
    for moved_at in range(1, step + 1):
        rng = np.random.default_rng(
            np.random.SeedSequence(run.seed, spawn_key=(chunk_index, moved_at, 1))
        )
        moves = rng.random(stop - start) < run.move_rate
        profile = np.where(moves, destination[profile], profile)
    return profile


def chunk_tables(
    run: RunConfig, chunk_index: int, start: int, stop: int, step: int = 0
) -> dict[str, pa.Table]:
    """All output tables for users start..stop-1 (0-based) at snapshot `step`, rows ordered
    by user then window."""
    n = stop - start
    profile = profiles_at(run, chunk_index, start, stop, step)
    ctx = ChunkContext(run.tables, profile, draw_uniforms(run.seed, chunk_index, n, step))
    as_of_date = run.as_of_date

    savings = savings_features(ctx)
    features = {
        "subscriptions": subscription_features(ctx, savings["avg_monthly_expenses"]),
        "savings": savings,
        "credit": credit_features(ctx),
        "income": income_features(ctx),
        "cash_flow": cash_flow_features(ctx),
    }

    ids = user_ids(start, stop, run.id_width)
    keys = {
        "user_id": ids.take(pa.array(np.repeat(np.arange(n), len(WINDOWS)))),
        "window_days": pa.array(np.tile(np.array(WINDOWS, dtype=np.int32), n)),
        "as_of_date": pa.array(np.full(n * len(WINDOWS), as_of_date, dtype="datetime64[D]")),
    }
    out: dict[str, pa.Table] = {}
    for name, columns in features.items():
        schema = FEATURE_SCHEMAS[name]
        arrays = [
            keys[f.name] if f.name in keys else _column(columns[f.name], f.type) for f in schema
        ]
        out[name] = pa.Table.from_arrays(arrays, schema=schema)
    labels = run.tables.labels.take(pa.array(profile))
    if run.dated_labels:
        dates = pa.array(np.full(n, as_of_date, dtype="datetime64[D]"))
        out["archetypes"] = pa.Table.from_arrays(
            [ids, labels, dates], schema=DATED_ARCHETYPE_SCHEMA
        )
    else:
        out["archetypes"] = pa.Table.from_arrays([ids, labels], schema=ARCHETYPE_SCHEMA)
    return out


def _column(values: np.ndarray, arrow_type: pa.DataType) -> pa.Array:
    flat = values.reshape(-1)  # (user, window) in C order = user then window
    mask = np.isnan(flat) if flat.dtype.kind == "f" else None
    return pa.array(flat, type=arrow_type, mask=mask)


# --- writing --------------------------------------------------------------------------------


def _chunks(users: int) -> Iterator[tuple[int, int, int]]:
    for index, start in enumerate(range(0, users, CHUNK_USERS)):
        yield index, start, min(start + CHUNK_USERS, users)


def snapshot_dates(as_of_date: date, dates: int, every_days: int) -> list[date]:
    """The as_of_date of each snapshot: the first, then every `every_days` days."""
    return [as_of_date + timedelta(days=step * every_days) for step in range(dates)]


def generate(
    users: int,
    seed: int,
    as_of_date: date,
    out_dir: Path,
    archetypes_path: Path,
    *,
    dates: int = 1,
    every_days: int = 7,
    layout: str = "files",
    move_rate: float = DEFAULT_MOVE_RATE,
    progress: bool = False,
) -> dict[str, Path]:
    """Write the feature files and the archetype file; return their paths by name.

    `layout` "files" writes <out>/<name>.parquet with every snapshot in it;
    "folders" writes <out>/as_of_date=<date>/<name>.parquet per snapshot (the paths
    returned are then those folders' parent, keyed "<name>@<date>"). Files are written
    next to their destination under a temporary name and moved into place only when all
    of them are complete, so readers never see a half-written file.
    """
    if users < 1:
        raise ValueError(f"users must be at least 1, got {users}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if dates < 1 or every_days < 1:
        raise ValueError(f"dates and every_days must be at least 1, got {dates}, {every_days}")
    if layout not in ("files", "folders"):
        raise ValueError(f"layout must be files or folders, got {layout!r}")
    days = snapshot_dates(as_of_date, dates, every_days)
    run = RunConfig(
        seed,
        as_of_date,
        max(4, len(str(users))),
        build_tables(),
        move_rate=move_rate,
        dated_labels=dates > 1,
    )
    # Which file each (output, snapshot) goes into.
    targets: dict[tuple[str, int], Path] = {}
    for step, day in enumerate(days):
        folder = out_dir if layout == "files" else out_dir / f"as_of_date={day.isoformat()}"
        for name in FEATURE_SCHEMAS:
            targets[(name, step)] = folder / f"{name}.parquet"
        targets[("archetypes", step)] = archetypes_path
    paths = sorted(set(targets.values()))
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    schemas = {**FEATURE_SCHEMAS, "archetypes": run_label_schema(run)}
    temporary = {path: path.with_name(f".{path.name}.tmp") for path in paths}

    writers: dict[Path, pq.ParquetWriter] = {}
    try:
        for (name, _), path in targets.items():
            if path not in writers:
                writers[path] = pq.ParquetWriter(temporary[path], schemas[name])
        with tqdm(
            total=users * dates,
            unit="user",
            unit_scale=users >= 10_000,
            file=sys.stderr,
            disable=not progress,
        ) as bar:
            for step, day in enumerate(days):
                dated = RunConfig(**{**vars(run), "as_of_date": day})
                for index, start, stop in _chunks(users):
                    for name, table in chunk_tables(dated, index, start, stop, step).items():
                        writers[targets[(name, step)]].write_table(table)
                    bar.update(stop - start)
        for writer in writers.values():
            writer.close()
        for path in paths:
            temporary[path].replace(path)
    finally:
        for writer in writers.values():
            writer.close()  # no-op when already closed
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
    if layout == "files":
        return {name: out_dir / f"{name}.parquet" for name in FEATURE_SCHEMAS} | {
            "archetypes": archetypes_path
        }
    return {
        f"{name}@{days[step].isoformat()}": path
        for (name, step), path in targets.items()
        if name != "archetypes"
    } | {"archetypes": archetypes_path}


def run_label_schema(run: RunConfig) -> pa.Schema:
    return DATED_ARCHETYPE_SCHEMA if run.dated_labels else ARCHETYPE_SCHEMA


# --- command line ---------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="generate_features.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--users",
        type=_positive_int,
        default=DEFAULT_USERS,
        help="number of users; multiples of 75 give the exact archetype proportions "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--as-of-date",
        type=_iso_date,
        default=DEFAULT_AS_OF_DATE,
        help="as_of_date written on every row, YYYY-MM-DD (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for the five feature files, created if needed (default: %(default)s)",
    )
    parser.add_argument(
        "--archetypes",
        type=Path,
        default=None,
        help=f"archetype label file (default: <--out>/{ARCHETYPES_FILE})",
    )
    parser.add_argument(
        "--dates",
        type=_positive_int,
        default=1,
        help="number of snapshots, --every-days apart, from --as-of-date (default: %(default)s)",
    )
    parser.add_argument(
        "--every-days",
        type=_positive_int,
        default=7,
        help="days between snapshots (default: %(default)s)",
    )
    parser.add_argument(
        "--layout",
        choices=("files", "folders"),
        default="files",
        help="files: each feature file holds every date; folders: one folder per date, "
        "as_of_date=YYYY-MM-DD/<file>.parquet (default: %(default)s)",
    )
    parser.add_argument(
        "--move-rate",
        type=_fraction,
        default=DEFAULT_MOVE_RATE,
        help="share of users who change archetype from one snapshot to the next "
        "(default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    archetypes_path: Path = args.archetypes or args.out / ARCHETYPES_FILE
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} exists and is not a folder; pick another path")
    paths = generate(
        users=args.users,
        seed=args.seed,
        as_of_date=args.as_of_date,
        out_dir=args.out,
        archetypes_path=archetypes_path,
        dates=args.dates,
        every_days=args.every_days,
        layout=args.layout,
        move_rate=args.move_rate,
        progress=True,
    )
    for name, path in paths.items():
        rows = pq.ParquetFile(path).metadata.num_rows
        print(f"wrote {path}: {rows:,} rows ({name}, {args.users:,} users)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
