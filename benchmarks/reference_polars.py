"""The benchmark's reference: the persona assignment as one lazy Polars query.

What it is for: scripts/benchmark.py times the dbt project. This script does the same job
the way a Python data person would write it, one lazy Polars query, collected once, and the
two writes, so that the team can see what the dbt project costs next to a hand-written
pipeline. tests/python/test_reference_implementation.py checks on the demo data that it
gives the project's rows and byte-identical audit traces.

What it does (SPEC sections 2-6): it reads the five feature files of the "files" layout
(each file holds every as_of_date). It evaluates every (user_id, window_days, as_of_date)
key that is in at least one file, for the configured windows, with NaN and +-inf read as
NULL. It applies the five persona rules, ranks the matches, and builds the JSON trace the
project writes, "ruleset_version" included. Then it writes the SQLite table
persona_assignments (through ADBC, from Arrow, as plugins/publication.py does) and the
Parquet file, which has the same columns without the trace.

Its settings come from the project, so the two stay in sync: the threshold vars, `windows`
and `days_per_month` from dbt_project.yml, persona names and priorities from
seeds/personas.csv, priority ranks from seeds/priority_levels.csv. The ruleset version is
hashed the way macros/history/ruleset_definition.sql does it. The rules are restated here
(RULES); their units are the ones in macros/config/persona_thresholds.sql.

What it leaves out, on purpose: the validation gate and every data test. There is no input
validation (duplicate keys, missing columns, impossible values and incomplete files go
unnoticed) and no history: every run evaluates every date in the files and replaces the
whole table and file. It writes no persona_transitions, checks no drift and makes no
report. It reads no folder layout, no `as_of_date` var and no what-if. Reasoning numbers
of 7e13 and more (a percent: signals of 7e11 and more) may differ from the project's in
their last digits, where DuckDB prints an inexact double; no real signal is that large.

Example:
    python benchmarks/reference_polars.py --features-dir data/features \\
        --sqlite-path target/reference/spendsense.db \\
        --parquet-path target/reference/persona_assignments.parquet
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import operator
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
KEY_COLUMNS = ("user_id", "window_days", "as_of_date")
# SPEC section 2: the columns each file must have beyond the keys, in the types of the
# project's staging models. Integers are read as doubles and rounded, as staging casts them.
SIGNAL_COLUMNS: dict[str, dict[str, type[pl.DataType]]] = {
    "subscriptions": {
        "recurring_merchant_count": pl.Int32,
        "monthly_recurring_spend": pl.Float64,
        "subscription_share": pl.Float64,
    },
    "savings": {"net_inflow": pl.Float64, "growth_rate": pl.Float64},
    "credit": {
        "max_utilization": pl.Float64,
        "interest_charges_present": pl.Boolean,
        "minimum_payment_only": pl.Boolean,
        "is_overdue": pl.Boolean,
    },
    "income": {"median_pay_gap_days": pl.Float64, "cash_flow_buffer_months": pl.Float64},
    "cash_flow": {"pct_days_below_100": pl.Float64, "balance_volatility": pl.Float64},
}
# Units a reasoning writes as a percent of the value (macros/config/persona_thresholds.sql).
PERCENT_UNITS = ("fraction", "utilization")
OPERATORS: dict[str, Callable[[pl.Expr, float], pl.Expr]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<": operator.lt,
}
STABLE_REASONING = (
    "No persona matched: every persona rule failed for this window, so the user is STABLE."
)
TABLE = "persona_assignments"
# plugins/publication.py: the declared types, the unique key and the indexes it writes.
SQLITE_COLUMNS = (
    ("assignment_id", "varchar primary key"),
    ("user_id", "varchar not null"),
    ("window_days", "bigint not null"),
    ("as_of_date", "varchar not null"),
    ("primary_persona_id", "bigint"),
    ("primary_persona_name", "varchar"),
    ("primary_priority", "varchar"),
    ("primary_severity", "double"),
    ("secondary_persona_id", "bigint"),
    ("secondary_persona_name", "varchar"),
    ("secondary_priority", "varchar"),
    ("secondary_severity", "double"),
    ("status", "varchar not null"),
    ("assignment_trace", "varchar not null"),
    ("computed_at", "varchar"),
    ("ruleset_version", "varchar"),
)
SQLITE_INDEXES = (
    ("idx_persona_assignments_user_window", "user_id, window_days"),
    ("idx_persona_assignments_primary_persona", "primary_persona_id"),
    ("idx_persona_assignments_status", "status"),
    ("idx_persona_assignments_as_of_date", "as_of_date, window_days"),
)
NEW_DATABASE_PAGE_SIZE = 65536
# The Parquet file's columns and types, as the project's DuckDB export writes them.
PARQUET_SCHEMA = pa.schema(
    [
        ("assignment_id", pa.string()),
        ("user_id", pa.string()),
        ("window_days", pa.int32()),
        ("as_of_date", pa.date32()),
        ("primary_persona_id", pa.int32()),
        ("primary_persona_name", pa.string()),
        ("primary_priority", pa.string()),
        ("primary_severity", pa.float64()),
        ("secondary_persona_id", pa.int32()),
        ("secondary_persona_name", pa.string()),
        ("secondary_priority", pa.string()),
        ("secondary_severity", pa.float64()),
        ("status", pa.string()),
        ("computed_at", pa.timestamp("us")),
        ("ruleset_version", pa.string()),
    ]
)
# JSON escapes as DuckDB's to_json writes them (upper-case hex for control characters).
JSON_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    **{chr(code): f"\\u{code:04X}" for code in range(0x20)},
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


# --- the rules (SPEC section 4) ---------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One criterion of a persona rule: the signal it reads, and how it passes.

    With a threshold var it passes when `signal <operator> threshold`; without one it is a
    flag that passes when true. NULL always fails, except that a criterion with
    `no_credit_card` also passes for a user whose credit row has no utilization.
    """

    name: str
    threshold_var: str | None = None
    operator: str = ""
    unit: str = ""
    no_credit_card: bool = False


@dataclass(frozen=True)
class Rule:
    """A persona's criteria, how they combine into a match, and its severity input."""

    persona_id: int
    criteria: tuple[Criterion, ...]
    matches: Callable[[Mapping[str, pl.Expr]], pl.Expr]
    severity: Callable[[Mapping[str, float]], pl.Expr]


RULES = (
    Rule(
        1,
        (
            Criterion("max_utilization", "high_utilization_min_utilization", ">=", "utilization"),
            Criterion("interest_charges_present"),
            Criterion("minimum_payment_only"),
            Criterion("is_overdue"),
        ),
        matches=lambda passed: (
            passed["max_utilization"]
            | passed["interest_charges_present"]
            | passed["minimum_payment_only"]
            | passed["is_overdue"]
        ),
        severity=lambda thresholds: pl.col("max_utilization"),
    ),
    Rule(
        2,
        (
            Criterion("median_pay_gap_days", "variable_income_min_pay_gap_days", ">", "days"),
            Criterion(
                "cash_flow_buffer_months", "variable_income_max_buffer_months", "<", "months"
            ),
        ),
        matches=lambda passed: passed["median_pay_gap_days"] & passed["cash_flow_buffer_months"],
        severity=lambda thresholds: divide(
            pl.col("median_pay_gap_days"), thresholds["variable_income_min_pay_gap_days"]
        ),
    ),
    Rule(
        3,
        (
            Criterion("recurring_merchant_count", "subscription_min_merchant_count", ">=", "count"),
            Criterion("monthly_recurring_spend", "subscription_min_monthly_spend", ">=", "dollars"),
            Criterion("subscription_share", "subscription_min_share", ">=", "fraction"),
        ),
        matches=lambda passed: (
            passed["recurring_merchant_count"]
            & (passed["monthly_recurring_spend"] | passed["subscription_share"])
        ),
        severity=lambda thresholds: pl.col("subscription_share"),
    ),
    Rule(
        4,
        (
            Criterion("growth_rate", "savings_min_growth_rate", ">=", "fraction"),
            Criterion("net_inflow_monthly", "savings_min_net_inflow_monthly", ">=", "dollars"),
            Criterion(
                "max_utilization",
                "savings_max_utilization",
                "<",
                "utilization",
                no_credit_card=True,
            ),
        ),
        matches=lambda passed: (
            (passed["growth_rate"] | passed["net_inflow_monthly"]) & passed["max_utilization"]
        ),
        severity=lambda thresholds: pl.col("growth_rate"),
    ),
    Rule(
        5,
        (
            Criterion("pct_days_below_100", "cash_flow_min_pct_days_below_100", ">=", "fraction"),
            Criterion("balance_volatility", "cash_flow_min_balance_volatility", ">", "ratio"),
        ),
        matches=lambda passed: passed["pct_days_below_100"] & passed["balance_volatility"],
        severity=lambda thresholds: pl.col("pct_days_below_100"),
    ),
)


# --- settings, read from the project --------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """A row of the personas seed, with the rank of its priority."""

    persona_id: int
    name: str
    priority: str
    priority_rank: int


@dataclass(frozen=True)
class Settings:
    """What decides the assignments: the project's vars and seeds."""

    thresholds: dict[str, int | float]
    windows: tuple[int, ...]
    days_per_month: int | float
    personas: dict[int, Persona]
    ruleset_version: str


def read_seed(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as seed:
        return list(csv.DictReader(seed))


def load_settings(project_dir: Path) -> Settings:
    """The thresholds, windows and days_per_month of dbt_project.yml and the two seeds."""
    variables = yaml.safe_load((project_dir / "dbt_project.yml").read_text())["vars"]
    names = sorted({c.threshold_var for rule in RULES for c in rule.criteria if c.threshold_var})
    thresholds = {name: variables[name] for name in names}
    ranks = {
        row["priority"]: int(row["priority_rank"])
        for row in read_seed(project_dir / "seeds" / "priority_levels.csv")
    }
    personas = {
        int(row["persona_id"]): Persona(
            int(row["persona_id"]),
            row["persona_name"],
            row["priority"],
            ranks[row["priority"]],
        )
        for row in read_seed(project_dir / "seeds" / "personas.csv")
    }
    windows = tuple(int(window) for window in variables["windows"])
    days_per_month = variables["days_per_month"]
    version = ruleset_version(thresholds, windows, days_per_month, personas)
    return Settings(thresholds, windows, days_per_month, personas, version)


def ruleset_version(
    thresholds: Mapping[str, float],
    windows: tuple[int, ...],
    days_per_month: float,
    personas: Mapping[int, Persona],
) -> str:
    """The first 12 hex digits of the md5 of the project's canonical ruleset JSON.

    As macros/history/ruleset_definition.sql builds it with dbt's tojson (json.dumps,
    keys sorted, every threshold and days_per_month as a float).
    """
    definition = {
        "thresholds": {name: float(value) for name, value in thresholds.items()},
        "windows": list(windows),
        "days_per_month": float(days_per_month),
        "personas": [
            [persona.persona_id, persona.name, persona.priority]
            for _, persona in sorted(personas.items())
        ],
    }
    text = json.dumps(definition, sort_keys=True)
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:12]


# --- text, as the project's SQL writes it ----------------------------------------------------


def concat(*pieces: pl.Expr | str) -> pl.Expr:
    """One string from expressions and literal text (NULL if any piece is NULL)."""
    merged: list[pl.Expr | str] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece  # fewer, longer literals for concat_str
        else:
            merged.append(piece)
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in merged])


def json_string(value: pl.Expr) -> pl.Expr:
    """A JSON string literal of the text, or null."""
    escaped = concat('"', value.str.replace_many(JSON_ESCAPES), '"')
    return escaped.fill_null("null")


def json_text(value: str) -> str:
    """A JSON string literal of a constant, escaped as json_string does."""
    return '"' + "".join(JSON_ESCAPES.get(character, character) for character in value) + '"'


def json_bool(value: pl.Expr) -> pl.Expr:
    return (
        pl.when(value)
        .then(pl.lit("true"))
        .when(~value)
        .then(pl.lit("false"))
        .otherwise(pl.lit("null"))
    )


def json_number(value: pl.Expr) -> pl.Expr:
    """A number as DuckDB's to_json writes it, or null.

    Both write the shortest text that reads back as the same double, and agree from 1e-5 to
    1e16. Outside that, Polars writes 1.5e-6 and 1e+16 where DuckDB writes 0.0000015 and
    10000000000000000.0 (fixed notation from 1e-6 to below 1e21) and 1e21.
    """
    text = value.cast(pl.String)
    # Only the rare texts with an exponent go through the regular expression.
    parts = (
        pl.when(text.str.contains("e", literal=True))
        .then(text)
        .str.extract_groups(r"^(-?)([0-9])\.?([0-9]*)e([+-]?[0-9]+)$")
    )
    sign, first_digit, other_digits = parts.struct[0], parts.struct[1], parts.struct[2]
    exponent = parts.struct[3].cast(pl.Int32)
    digits = pl.concat_str([first_digit, other_digits])
    mantissa = pl.concat_str(
        [first_digit, pl.when(other_digits != "").then("." + other_digits).otherwise(pl.lit(""))]
    )
    return (
        pl.when(value.is_null())
        .then(pl.lit("null"))
        .when(exponent.is_null())
        .then(text)
        .when(exponent.is_between(16, 20))
        .then(concat(sign, digits.str.pad_end(exponent + 1, "0"), ".0"))
        .when(exponent == -6)
        .then(concat(sign, "0.00000", digits))
        .otherwise(concat(sign, mantissa, "e", exponent.cast(pl.String)))
    )


def reasoning_number(value: pl.Expr) -> pl.Expr:
    """A number as macros/engine/format_number.sql writes it in a reasoning, or NULL.

    Rounded half up at two decimals, as a decimal (DuckDB's cast to DECIMAL(38, 9), then
    round): 350.165, which is 350.16499999999996 as a double, gives 350.17. Trailing zeros
    dropped (68, 49.99, 0.5). From 1e15 on, scientific notation (1.000e+17).
    """
    is_large = value.abs() >= 1e15
    cents = (
        pl.when(~is_large)
        .then(value)
        .cast(pl.Decimal(38, 9))
        .round(2, mode="half_away_from_zero")
        .cast(pl.Decimal(38, 2))
    )
    fixed = cents.cast(pl.String).str.strip_chars_end("0").str.strip_chars_end(".")
    return pl.when(is_large).then(scientific(value)).otherwise(fixed)


def scientific(value: pl.Expr) -> pl.Expr:
    """printf('%.3e') of a value of 1e15 or more in magnitude (others give NULL)."""
    magnitude = pl.when(value.abs() >= 1e15).then(value.abs())
    estimate = magnitude.log10().floor().cast(pl.Int32)
    # log10 can be one off next to a power of ten: correct it from the mantissa.
    exponent = (
        pl.when(magnitude / pl.lit(10.0).pow(estimate) >= 10)
        .then(estimate + 1)
        .when(magnitude / pl.lit(10.0).pow(estimate) < 1)
        .then(estimate - 1)
        .otherwise(estimate)
    )
    thousandths = (magnitude / pl.lit(10.0).pow(exponent) * 1000).round().cast(pl.Int64)
    carried = thousandths >= 10_000  # 9.9996e17 rounds to 1.000e+18
    exponent = pl.when(carried).then(exponent + 1).otherwise(exponent)
    thousandths = pl.when(carried).then(thousandths // 10).otherwise(thousandths)
    return concat(
        pl.when(value < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (thousandths // 1000).cast(pl.String),
        ".",
        (thousandths % 1000).cast(pl.String).str.zfill(3),
        "e+",
        exponent.cast(pl.String).str.zfill(2),
    )


def threshold_text(value: float, unit: str) -> str:
    """A threshold as a reasoning writes it, exactly as DuckDB does for the var's literal.

    The SQL holds the var as written (0.5), which DuckDB reads as an exact DECIMAL, so a
    percent threshold is exactly 100 times the var (50, not 50.00000000000001).
    """
    prefix, suffix = unit_affixes(unit)
    number = Decimal(str(value)) * (100 if unit in PERCENT_UNITS else 1)
    if abs(number) >= Decimal("1e15"):
        return f"{prefix}{float(number):.3e}{suffix}"
    rounded = number.quantize(Decimal("1e-9"), ROUND_HALF_UP).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    text = f"{float(rounded) + 0.0:.2f}".rstrip("0").rstrip(".")
    return f"{prefix}{text}{suffix}"


def value_text(criterion: Criterion) -> pl.Expr:
    """A signal's value as a reasoning writes it, or NULL."""
    prefix, suffix = unit_affixes(criterion.unit)
    value = pl.col(criterion.name) * (100 if criterion.unit in PERCENT_UNITS else 1)
    return concat(prefix, reasoning_number(value), suffix)


def unit_affixes(unit: str) -> tuple[str, str]:
    """The text before and after a number in `unit`: 50%, $200, 45 days, 1.5 (a ratio).

    As macros/personas/criterion_value_text.sql writes them.
    """
    if unit in PERCENT_UNITS:
        return "", "%"
    if unit == "dollars":
        return "$", ""
    if unit in ("days", "months"):
        return "", f" {unit}"
    return "", ""


def threshold_json(value: float) -> str:
    """The trace's "threshold": the var as a double, in DuckDB's JSON notation."""
    return pl.select(json_number(pl.lit(float(value), pl.Float64))).item()


# --- the query --------------------------------------------------------------------------------


def divide(numerator: pl.Expr, divisor: float) -> pl.Expr:
    """numerator / divisor, correctly rounded, as SQL divides.

    Polars divides by a constant as a multiplication by its reciprocal, which can be one bit
    off (63 / 45 gives 1.4000000000000001, not 1.4). Divided by a column, it divides: the
    divisor is broadcast to one (numerator * 0 is 0 for every finite signal).
    """
    return numerator / (numerator * 0 + divisor)


def finite_or_null(value: pl.Expr) -> pl.Expr:
    """The value as a double, NaN and +-inf made NULL (SPEC section 4)."""
    as_double = value.cast(pl.Float64)
    return pl.when(as_double.is_finite()).then(as_double)


def as_date(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A DATE from a date, an ISO string, a timestamp, or an instant (its UTC date)."""
    if dtype == pl.String:
        return value.str.to_date("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        return (value.dt.convert_time_zone("UTC") if dtype.time_zone else value).dt.date()
    return value.cast(pl.Date)


def read_feature_file(
    path: Path, columns: Mapping[str, type[pl.DataType]], windows: tuple[int, ...]
) -> pl.LazyFrame:
    """One feature file's keys and signals, in the project's staging types and windows."""
    frame = pl.scan_parquet(path)
    schema = frame.collect_schema()

    def signal(name: str, dtype: type[pl.DataType]) -> pl.Expr:
        if dtype == pl.Boolean:
            return pl.col(name).cast(pl.Boolean)
        if dtype == pl.Int32:
            return finite_or_null(pl.col(name)).round(mode="half_to_even").cast(pl.Int32)
        return finite_or_null(pl.col(name))

    return frame.select(
        pl.col("user_id").cast(pl.String),
        pl.col("window_days").cast(pl.Int32),
        as_date(pl.col("as_of_date"), schema["as_of_date"]),
        *(signal(name, dtype).alias(name) for name, dtype in columns.items()),
    ).filter(pl.col("window_days").is_in(list(windows)))


def feature_signals(features_dir: Path, settings: Settings) -> pl.LazyFrame:
    """Every key in at least one file, with every file's signals (NULL where it has no row)."""
    files = {
        name: read_feature_file(features_dir / f"{name}.parquet", columns, settings.windows)
        for name, columns in SIGNAL_COLUMNS.items()
    }
    keys = pl.concat([frame.select(KEY_COLUMNS) for frame in files.values()]).unique()
    # In the published order, sorted while rows are small: a sort at the end would copy
    # every 2 KB trace.
    signals = keys.with_columns(
        concat(
            "assign_",
            pl.col("user_id"),
            "_",
            pl.col("window_days").cast(pl.String),
            "d_",
            pl.col("as_of_date").cast(pl.String),
        ).alias("assignment_id")
    ).sort("assignment_id")
    for name, frame in files.items():
        present = frame.with_columns(pl.lit(True).alias(f"has_{name}_signal"))
        signals = signals.join(present, on=KEY_COLUMNS, how="left", maintain_order="left")
    return signals.with_columns(
        pl.col(f"has_{name}_signal").fill_null(False) for name in SIGNAL_COLUMNS
    ).with_columns(
        net_inflow_monthly=pl.col("net_inflow")
        / divide(pl.col("window_days").cast(pl.Float64), settings.days_per_month),
        # A credit row without utilization is a user without a card; no credit row is unknown.
        has_no_credit_card=pl.col("has_credit_signal") & pl.col("max_utilization").is_null(),
    )


def passed_column(rule: Rule, criterion: Criterion) -> str:
    return f"p{rule.persona_id}_{criterion.name}_passed"


def criterion_passes(criterion: Criterion, thresholds: Mapping[str, float]) -> pl.Expr:
    value = pl.col(criterion.name)
    if criterion.threshold_var is None:
        return value.fill_null(False)
    compare = OPERATORS[criterion.operator]
    passes = compare(value, thresholds[criterion.threshold_var]).fill_null(False)
    return passes | pl.col("has_no_credit_card") if criterion.no_credit_card else passes


def evaluate_rules(signals: pl.LazyFrame, thresholds: Mapping[str, float]) -> pl.LazyFrame:
    """Per persona n: each criterion's outcome, p<n>_matched and p<n>_severity."""
    passed = signals.with_columns(
        criterion_passes(criterion, thresholds).alias(passed_column(rule, criterion))
        for rule in RULES
        for criterion in rule.criteria
    )
    matched = passed.with_columns(
        rule.matches({c.name: pl.col(passed_column(rule, c)) for c in rule.criteria}).alias(
            f"p{rule.persona_id}_matched"
        )
        for rule in RULES
    )
    return matched.with_columns(
        pl.when(pl.col(f"p{rule.persona_id}_matched"))
        .then(rule.severity(thresholds).fill_null(0.0))
        .alias(f"p{rule.persona_id}_severity")
        for rule in RULES
    )


def rank_personas(evaluated: pl.LazyFrame, personas: Mapping[int, Persona]) -> pl.LazyFrame:
    """rank_<r>_persona_id: the matched persona at rank r (SPEC section 5), NULL past the last.

    A matched persona's rank is one plus the number of matched personas that come before it
    by priority, then severity descending, then persona id.
    """
    ids = [rule.persona_id for rule in RULES]

    def comes_before(other: int, persona: int) -> pl.Expr:
        rank_other, rank = personas[other].priority_rank, personas[persona].priority_rank
        if rank_other != rank:
            return pl.lit(rank_other < rank)
        severity_other, severity = pl.col(f"p{other}_severity"), pl.col(f"p{persona}_severity")
        return (severity_other > severity) | ((severity_other == severity) & (other < persona))

    ranked = evaluated.with_columns(
        (
            1
            + pl.sum_horizontal(
                (pl.col(f"p{other}_matched") & comes_before(other, persona)).cast(pl.Int8)
                for other in ids
                if other != persona
            )
        ).alias(f"p{persona}_rank")
        for persona in ids
    )
    return ranked.with_columns(
        pl.coalesce(
            pl.when(pl.col(f"p{persona}_matched") & (pl.col(f"p{persona}_rank") == rank)).then(
                pl.lit(persona, pl.Int32)
            )
            for persona in ids
        ).alias(f"rank_{rank}_persona_id")
        for rank in range(1, len(ids) + 1)
    )


def reasoning(rule: Rule, persona: Persona, thresholds: Mapping[str, float]) -> pl.Expr:
    """The reasoning of a matched persona, NULL for an unmatched one.

    "Matched on <criterion> (<value> vs <threshold> threshold), ... Severity: <n>. Priority:
    <level>.", as macros/personas/persona_outcome_columns.sql writes it.
    """
    parts = []
    for criterion in rule.criteria:
        passed = pl.col(passed_column(rule, criterion))
        if criterion.threshold_var is None:
            parts.append(pl.when(passed).then(pl.lit(criterion.name)))
            continue
        threshold = threshold_text(thresholds[criterion.threshold_var], criterion.unit)
        comparison = concat(value_text(criterion), f" vs {threshold} threshold")
        missing = "no credit card" if criterion.no_credit_card else "no value"
        parts.append(
            pl.when(passed).then(concat(f"{criterion.name} (", comparison.fill_null(missing), ")"))
        )
    matched_on = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    severity = reasoning_number(pl.col(f"p{rule.persona_id}_severity"))
    return pl.when(pl.col(f"p{rule.persona_id}_matched")).then(
        concat(
            "Matched on ", matched_on, ". Severity: ", severity, f". Priority: {persona.priority}."
        )
    )


def evaluation_pieces(
    rule: Rule, persona: Persona, thresholds: Mapping[str, float]
) -> list[pl.Expr | str]:
    """The persona's entry of the trace, keys in the project's order, as pieces of text.

    Pieces, not one column: spliced straight into the trace, so that no row holds its text
    twice (five entries are most of a trace's 2 KB).
    """
    matched = pl.col(f"p{rule.persona_id}_matched")
    pieces: list[pl.Expr | str] = [
        f'{{"persona_name":{json_text(persona.name)},"priority":{json_text(persona.priority)}'
        ',"matched":',
        json_bool(matched),
        ',"severity":',
        json_number(pl.col(f"p{rule.persona_id}_severity")),
        ',"criteria":{',
    ]
    for position, criterion in enumerate(rule.criteria):
        passed = pl.col(passed_column(rule, criterion))
        pieces.append(f'{"," if position else ""}"{criterion.name}":{{"value":')
        if criterion.threshold_var is None:
            pieces += [json_bool(pl.col(criterion.name)), ',"passed":', json_bool(passed)]
        else:
            threshold = threshold_json(thresholds[criterion.threshold_var])
            pieces += [
                json_number(pl.col(criterion.name)),
                f',"operator":"{criterion.operator}","threshold":{threshold},"passed":',
                json_bool(passed),
            ]
            if criterion.no_credit_card:
                pieces += [',"no_credit_card":', json_bool(pl.col("has_no_credit_card"))]
        pieces.append("}")
    triggered_by = pl.concat_str(
        (
            pl.when(matched & pl.col(passed_column(rule, c))).then(pl.lit(f'"{c.name}"'))
            for c in rule.criteria
        ),
        separator=",",
        ignore_nulls=True,
    )
    return [*pieces, '},"triggered_by":[', triggered_by, "]}"]


def persona_of_rank(rank: int, column: Callable[[int], pl.Expr]) -> pl.Expr:
    """The `column` of the persona at `rank`, e.g. its severity."""
    return pl.coalesce(
        pl.when(pl.col(f"rank_{rank}_persona_id") == rule.persona_id).then(column(rule.persona_id))
        for rule in RULES
    )


def json_id(value: pl.Expr) -> pl.Expr:
    return value.cast(pl.String).fill_null("null")


def assignments_query(
    features_dir: Path, settings: Settings, computed_at: datetime
) -> pl.LazyFrame:
    """The whole job as one lazy query: one row per key, the trace included."""
    thresholds = settings.thresholds
    personas = settings.personas
    ranked = rank_personas(
        evaluate_rules(feature_signals(features_dir, settings), thresholds), personas
    )
    explained = ranked.with_columns(
        reasoning(rule, personas[rule.persona_id], thresholds).alias(
            f"p{rule.persona_id}_reasoning"
        )
        for rule in RULES
    )
    names = {persona.persona_id: persona.name for persona in personas.values()}
    priorities = {persona.persona_id: persona.priority for persona in personas.values()}
    chosen = explained.with_columns(
        primary_persona_id=pl.col("rank_1_persona_id"),
        secondary_persona_id=pl.col("rank_2_persona_id"),
        primary_severity=persona_of_rank(1, lambda n: pl.col(f"p{n}_severity")),
        secondary_severity=persona_of_rank(2, lambda n: pl.col(f"p{n}_severity")),
        primary_reasoning=persona_of_rank(1, lambda n: pl.col(f"p{n}_reasoning")).fill_null(
            STABLE_REASONING
        ),
        secondary_reasoning=persona_of_rank(2, lambda n: pl.col(f"p{n}_reasoning")),
        status=pl.when(pl.col("rank_1_persona_id").is_null())
        .then(pl.lit("STABLE"))
        .otherwise(pl.lit("ASSIGNED")),
    ).with_columns(
        pl.col(f"{role}_persona_id")
        .replace_strict(mapping, default=None, return_dtype=pl.String)
        .alias(column.format(role=role))
        for role in ("primary", "secondary")
        for column, mapping in (("{role}_persona_name", names), ("{role}_priority", priorities))
    )
    return chosen.select(
        "assignment_id",
        *KEY_COLUMNS,
        "primary_persona_id",
        "primary_persona_name",
        "primary_priority",
        "primary_severity",
        "secondary_persona_id",
        "secondary_persona_name",
        "secondary_priority",
        "secondary_severity",
        "status",
        trace(settings).alias("assignment_trace"),
        pl.lit(computed_at, pl.Datetime("us")).alias("computed_at"),
        pl.lit(settings.ruleset_version).alias("ruleset_version"),
    )


def trace(settings: Settings) -> pl.Expr:
    """The SPEC section 6 audit trace, byte for byte as persona_assignments.sql writes it."""
    missing_signals = pl.concat_str(
        (
            pl.when(~pl.col(f"has_{name}_signal")).then(pl.lit(f'"{name}"'))
            for name in SIGNAL_COLUMNS
        ),
        separator=",",
        ignore_nulls=True,
    )
    ranked_ids = pl.concat_str(
        (pl.col(f"rank_{rank}_persona_id").cast(pl.String) for rank in range(1, len(RULES) + 1)),
        separator=",",
        ignore_nulls=True,
    )
    evaluations: list[pl.Expr | str] = []
    for rule in RULES:
        separator = "," if evaluations else ""
        evaluations.append(f'{separator}"persona_{rule.persona_id}":')
        persona = settings.personas[rule.persona_id]
        evaluations += evaluation_pieces(rule, persona, settings.thresholds)
    return concat(
        '{"user_id":',
        json_string(pl.col("user_id")),
        ',"window_days":',
        pl.col("window_days").cast(pl.String),
        ',"as_of_date":"',
        pl.col("as_of_date").cast(pl.String),
        f'","ruleset_version":{json_text(settings.ruleset_version)},"missing_signals":[',
        missing_signals,
        '],"evaluations":{',
        *evaluations,
        '},"result":{"status":"',
        pl.col("status"),
        '","ranked_persona_ids":[',
        ranked_ids,
        '],"primary_persona_id":',
        json_id(pl.col("primary_persona_id")),
        ',"primary_reasoning":',
        json_string(pl.col("primary_reasoning")),
        ',"secondary_persona_id":',
        json_id(pl.col("secondary_persona_id")),
        ',"secondary_reasoning":',
        json_string(pl.col("secondary_reasoning")),
        "}}",
    )


# --- the writes -------------------------------------------------------------------------------


def write_sqlite(assignments: pl.DataFrame, path: Path) -> None:
    """Replace table persona_assignments in the SQLite file at `path`, in one transaction.

    Through ADBC from Arrow, as plugins/publication.py writes it: a new file gets 64 KB
    pages, the table its unique key, then the indexes. Other tables are kept.
    """
    rows = assignments.with_columns(
        pl.col("as_of_date").cast(pl.String),
        pl.col("computed_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ).select(name for name, _ in SQLITE_COLUMNS)
    declarations = ", ".join(f"{name} {declaration}" for name, declaration in SQLITE_COLUMNS)
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    with (
        adbc_sqlite.connect(str(path), autocommit=True) as connection,
        connection.cursor() as sqlite,
    ):
        if created:
            sqlite.execute(f"pragma page_size = {NEW_DATABASE_PAGE_SIZE}")
        sqlite.execute("begin immediate")
        try:
            sqlite.execute(f"drop table if exists {TABLE}")
            sqlite.execute(
                f"create table {TABLE} ({declarations}, unique (user_id, window_days, as_of_date))"
            )
            sqlite.adbc_ingest(TABLE, arrow_batches(rows), mode="append")
            for name, columns in SQLITE_INDEXES:
                sqlite.execute(f"create index {name} on {TABLE} ({columns})")
            sqlite.execute("commit")
        except BaseException:
            sqlite.execute("rollback")
            raise


def arrow_batches(frame: pl.DataFrame, rows: int = 100_000) -> pa.RecordBatchReader:
    """The frame as an Arrow stream, converted a slice at a time (not a second full copy)."""
    schema = frame.head(0).to_arrow(compat_level=pl.CompatLevel.oldest()).schema
    batches = (
        batch
        for piece in frame.iter_slices(rows)
        for batch in piece.to_arrow(compat_level=pl.CompatLevel.oldest()).to_batches()
    )
    return pa.RecordBatchReader.from_batches(schema, batches)


def write_parquet(assignments: pl.DataFrame, path: Path) -> None:
    """Replace the Parquet file at `path` (atomically) with the rows, without the trace."""
    rows = assignments.select(PARQUET_SCHEMA.names).sort("as_of_date", "user_id", "window_days")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp")
    table = rows.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(PARQUET_SCHEMA)
    pq.write_table(table, partial)
    os.replace(partial, path)


def run(
    features_dir: Path, sqlite_path: Path | None, parquet_path: Path, project_dir: Path
) -> pl.DataFrame:
    """Assign every key of the feature files and write the outputs; returns the rows."""
    settings = load_settings(project_dir)
    computed_at = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    # The streaming engine never holds every piece of every trace at once: at 225k users it
    # took 2.4 s and 1.6 GB where the in-memory engine took 10.5 s and 1.9 GB.
    query = assignments_query(features_dir, settings, computed_at)
    assignments = query.collect(engine="streaming")
    if sqlite_path is not None:
        write_sqlite(assignments, sqlite_path)
    write_parquet(assignments, parquet_path)
    return assignments


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "The benchmark's reference: assign personas to every key of the five Epic 2 "
            "feature files with one lazy Polars query, with the dbt project's thresholds "
            "(dbt_project.yml) and persona seed, and write the SQLite table (with the JSON "
            "trace) and the Parquet file the project writes. No gate, no tests, no history, "
            "no report, no input validation: it is for timing against the dbt project."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--features-dir",
        type=Path,
        default=PROJECT_DIR / "data" / "features",
        help="folder holding the five feature files, each with every as_of_date",
    )
    parser.add_argument(
        "--sqlite-path",
        type=Path,
        default=PROJECT_DIR / "target" / "reference" / "spendsense.db",
        help="SQLite file whose persona_assignments table is replaced (other tables are kept)",
    )
    parser.add_argument(
        "--parquet-path",
        type=Path,
        default=PROJECT_DIR / "target" / "reference" / "persona_assignments.parquet",
        help="Parquet file to write (replaced)",
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="skip the SQLite write (the trace is still built)"
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=PROJECT_DIR,
        help="the dbt project whose dbt_project.yml vars and seeds decide the rules",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    assignments = run(
        args.features_dir,
        None if args.no_sqlite else args.sqlite_path,
        args.parquet_path,
        args.project_dir,
    )
    print(
        f"{assignments.height:,} assignments in {time.perf_counter() - started:.2f} s"
        f" -> {'' if args.no_sqlite else f'{args.sqlite_path}, '}{args.parquet_path}"
    )


if __name__ == "__main__":
    main()
