"""The what-if report: who would change persona under candidate thresholds.

Reads the models a what-if run built (`dbt build --selector what_if`, in the
warehouse's <schema>_what_if schema) and renders a text summary for stdout
and a self-contained HTML page: per candidate and window the current primary
x candidate primary matrix, how many keys change primary, secondary or
status, per-archetype deltas when labels exist, example users with the
criterion that flipped and, for a sweep, each outcome's share as a function
of the swept threshold. Nothing here computes an outcome: every number is a
sum of what_if_change_matrix or a row of another what-if model.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from persona_report import STYLE, Point, escape, heatmap, html_table, percent, query, share_lines

# The largest off-diagonal cells the text summary lists per candidate.
SUMMARY_CELLS = 5
# What a key's change can be, as WhatIf.counts() names it, and the scenario table's column.
CHANGES = {
    "changed": "keys changing",
    "primary": "primary changes",
    "secondary": "secondary changes",
    "status": "status changes",
}


@dataclass
class WhatIf:
    """The rows of the what-if models, and what was asked."""

    scenarios: list[dict[str, Any]] = field(default_factory=list)
    matrix: list[dict[str, Any]] = field(default_factory=list)
    archetypes: list[dict[str, Any]] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)
    # whether an archetype file labelled any key (what_if_archetype_deltas has rows)
    has_labels: bool = False
    personas: list[str] = field(default_factory=list)
    # what was asked (var what_if): a value, or a sweep's list of values, per var
    asked: dict[str, Any] = field(default_factory=dict)

    @property
    def changed_vars(self) -> list[str]:
        return list(self.asked)

    @property
    def swept_vars(self) -> list[str]:
        return [name for name, value in self.asked.items() if isinstance(value, list)]

    @property
    def fixed(self) -> dict[str, float]:
        """The vars every candidate sets to one value."""
        return {
            name: float(value) for name, value in self.asked.items() if not isinstance(value, list)
        }

    @property
    def outcomes(self) -> list[str]:
        return [*self.personas, "STABLE"]

    @property
    def candidates(self) -> list[dict[str, Any]]:
        return [row for row in self.scenarios if row["scenario_id"] != 0]

    @property
    def windows(self) -> list[int]:
        return sorted({row["window_days"] for row in self.matrix})

    def cells(self, scenario_id: int, window_days: int) -> list[dict[str, Any]]:
        return [
            row
            for row in self.matrix
            if row["scenario_id"] == scenario_id and row["window_days"] == window_days
        ]

    def counts(self, scenario_id: int, window_days: int | None = None) -> dict[str, int]:
        """Keys, and keys whose primary, secondary, status or anything changes."""
        cells = [
            row
            for row in self.matrix
            if row["scenario_id"] == scenario_id
            and (window_days is None or row["window_days"] == window_days)
        ]
        return {
            "keys": sum(row["key_count"] for row in cells),
            "primary": sum(
                row["key_count"]
                for row in cells
                if row["current_outcome"] != row["candidate_outcome"]
            ),
            "secondary": sum(row["secondary_changed_count"] for row in cells),
            "status": sum(row["status_changed_count"] for row in cells),
            "changed": sum(row["changed_count"] for row in cells),
        }


def read_what_if(
    warehouse: Path, schema: str, config: dict[str, Any], asked: dict[str, Any]
) -> WhatIf:
    """The what-if models of `schema` (the what-if schema) in the warehouse."""
    with duckdb.connect(str(warehouse), config=config) as connection:
        what_if = WhatIf(
            scenarios=query(connection, f"select * from {schema}.int_rule_scenarios order by 1"),
            matrix=query(connection, f"select * from {schema}.what_if_change_matrix"),
            archetypes=query(
                connection,
                f"select * from {schema}.what_if_archetype_deltas "
                "where key_count_delta <> 0 order by scenario_id, window_days, archetype, outcome",
            ),
            examples=query(
                connection,
                f"select * from {schema}.what_if_examples "
                "order by scenario_id, window_days, current_outcome, candidate_outcome, "
                "example_rank, persona_id, criterion_name",
            ),
            baseline=query(connection, f"select * from {schema}.what_if_baseline")[0],
            has_labels=bool(
                query(
                    connection, f"select 1 as found from {schema}.what_if_archetype_deltas limit 1"
                )
            ),
            personas=[
                row["persona_name"]
                for row in query(
                    connection, "select persona_name from personas order by persona_id"
                )
            ],
        )
    what_if.asked = asked
    return what_if


# ---------------------------------------------------------------- text


def largest_cells(what_if: WhatIf, scenario_id: int) -> list[dict[str, Any]]:
    moved = [
        row
        for row in what_if.matrix
        if row["scenario_id"] == scenario_id and row["current_outcome"] != row["candidate_outcome"]
    ]
    return sorted(moved, key=lambda row: (-row["key_count"], row["window_days"]))[:SUMMARY_CELLS]


def baseline_note(what_if: WhatIf) -> str | None:
    """A warning when the stored assignments are not what the current rules give now."""
    baseline = what_if.baseline
    if not baseline.get("differing_key_count"):
        return None
    return (
        f"note: {baseline['differing_key_count']:,} of {baseline['stored_key_count']:,} stored "
        "keys differ from what the current thresholds give on the current feature files (the "
        "inputs or the rules changed since they were published): the what-if compares the "
        "candidates with what `dbt build` would publish now. Run it to publish that."
    )


def render_text(what_if: WhatIf, paths: list[tuple[str, Path]]) -> str:
    lines = ["", "WHAT-IF (nothing was published)"]
    current = what_if.counts(0)
    lines.append(f"keys evaluated: {current['keys']:,} (every stored as_of_date and window)")
    note = baseline_note(what_if)
    if note:
        lines.append(note)
    for scenario in what_if.candidates:
        counts = what_if.counts(scenario["scenario_id"])
        lines.append("")
        lines.append(f"candidate {scenario['scenario']} (ruleset {scenario['ruleset_version']}):")
        lines.append(
            f"  keys changed: {counts['changed']:,} of {counts['keys']:,} "
            f"({percent(counts['changed'], counts['keys'])}): primary {counts['primary']:,}, "
            f"secondary {counts['secondary']:,}, status {counts['status']:,}"
        )
        for cell in largest_cells(what_if, scenario["scenario_id"]):
            lines.append(
                f"  {cell['window_days']}-day: {cell['current_outcome']} -> "
                f"{cell['candidate_outcome']}: {cell['key_count']:,} keys"
            )
    if not what_if.candidates:
        lines.append("every candidate equals the current thresholds: keys changed: 0")
    lines.append("")
    lines += [f"{label}: {path}" for label, path in paths]
    return "\n".join(lines)


# ---------------------------------------------------------------- html


def scenario_value(scenario: dict[str, Any], name: str) -> float:
    return float(scenario[name])


def share_points(
    what_if: WhatIf, window_days: int, swept: str, others: dict[str, float]
) -> dict[str, list[tuple[float, float, int]]]:
    """{outcome: [(threshold value, share, keys)]} over the scenarios of one line: those
    with the candidates' fixed values and the other swept var at `others` (scenario 0,
    the current thresholds, when it has them too)."""
    points: dict[str, list[tuple[float, float, int]]] = {name: [] for name in what_if.outcomes}
    wanted = {**what_if.fixed, **others}
    for scenario in what_if.scenarios:
        if any(scenario_value(scenario, name) != value for name, value in wanted.items()):
            continue
        cells = what_if.cells(scenario["scenario_id"], window_days)
        keys = sum(row["key_count"] for row in cells)
        for outcome in what_if.outcomes:
            count = sum(row["key_count"] for row in cells if row["candidate_outcome"] == outcome)
            points[outcome].append(
                (scenario_value(scenario, swept), count / keys if keys else 0.0, count)
            )
    return {outcome: sorted(values) for outcome, values in points.items()}


def sweep_chart(what_if: WhatIf, window_days: int, swept: str, others: dict[str, float]) -> str:
    """Share of keys by candidate primary outcome vs the swept threshold, the current
    value marked. Each point has data-outcome, data-value and data-share for tests."""
    points = share_points(what_if, window_days, swept, others)
    values = sorted({value for series in points.values() for value, _, _ in series})
    current = scenario_value(what_if.scenarios[0], swept)
    low, high = min([*values, current]), max([*values, current])
    span = (high - low) or 1.0

    def position(value: float) -> float:
        return (value - low) / span

    series = {
        outcome: [
            Point(
                position(value),
                share,
                f"{outcome} at {swept} = {value:g}: {100 * share:.1f} % ({count:,} keys)",
                f"data-value='{value:g}'",
            )
            for value, share, count in points[outcome]
        ]
        for outcome in what_if.outcomes
    }
    label = ", ".join(f"{name} = {value:g}" for name, value in others.items())
    return share_lines(
        f"class='sweep' data-window='{window_days}' data-var='{html.escape(swept)}' "
        f"data-others='{html.escape(label)}' data-current='{current}' "
        f"aria-label='share of keys by outcome vs {html.escape(swept)}, {window_days}-day window'",
        [(position(value), f"{value:g}") for value in values],
        series,
        marker=(position(current), "current"),
    )


def html_sweep(what_if: WhatIf) -> str:
    if not what_if.swept_vars:
        return ""
    swept, *second = what_if.swept_vars
    if second:
        groups = [{second[0]: float(value)} for value in sorted(set(what_if.asked[second[0]]))]
    else:
        groups = [{}]
    title = f"Share of keys by primary outcome vs {html.escape(swept)}"
    parts = [f"<section id='sweep'><h2>{title}</h2>"]
    for window_days in what_if.windows:
        for others in groups:
            label = "".join(f", {name} = {value:g}" for name, value in others.items())
            parts.append(f"<h3>{window_days}-day window{html.escape(label)}</h3>")
            parts.append(sweep_chart(what_if, window_days, swept, others))
    return "".join(parts) + "</section>"


def flipped_text(row: dict[str, Any]) -> str:
    """E.g. "High Utilization: max_utilization 0.55 >= 0.5 passes now, >= 0.6 fails"."""
    verdict = {True: "passes", False: "fails"}
    return (
        f"{row['persona_name']}: {row['criterion_name']} {escape(row['criterion_value'])} "
        f"{row['operator']} {escape(row['current_threshold'])} "
        f"{verdict[bool(row['current_passed'])]} now, {row['operator']} "
        f"{escape(row['candidate_threshold'])} {verdict[bool(row['candidate_passed'])]}"
    )


def example_rows(what_if: WhatIf, scenario_id: int, window_days: int) -> list[dict[str, Any]]:
    """One row per example key: its cell, its secondary/status change and what flipped."""
    keyed: dict[tuple, dict[str, Any]] = {}
    for row in what_if.examples:
        if row["scenario_id"] != scenario_id or row["window_days"] != window_days:
            continue
        key = (row["current_outcome"], row["candidate_outcome"], row["example_rank"])
        entry = keyed.setdefault(
            key,
            {
                "user_id": row["user_id"],
                "as_of_date": row["as_of_date"],
                "current": row["current_outcome"],
                "candidate": row["candidate_outcome"],
                "flipped": [],
            },
        )
        entry["flipped"].append(flipped_text(row))
    return [
        {**entry, "criterion that flipped": "; ".join(entry.pop("flipped"))}
        for _, entry in sorted(keyed.items())
    ]


def html_candidate(what_if: WhatIf, scenario: dict[str, Any]) -> str:
    scenario_id = scenario["scenario_id"]
    parts = [
        f"<section class='candidate' data-scenario='{scenario_id}'>"
        f"<h2>Candidate {html.escape(scenario['scenario'])}</h2>"
        f"<p>ruleset version {html.escape(scenario['ruleset_version'])}</p>"
    ]
    for window_days in what_if.windows:
        counts = what_if.counts(scenario_id, window_days)
        summary = [
            {"change": change, "keys": counts[key], "share": percent(counts[key], counts["keys"])}
            for change, key in (
                ("primary persona", "primary"),
                ("secondary persona", "secondary"),
                ("status", "status"),
                ("any of them", "changed"),
            )
        ]
        cells = {
            (row["current_outcome"], row["candidate_outcome"]): row["key_count"]
            for row in what_if.cells(scenario_id, window_days)
        }
        parts.append(f"<h3>{window_days}-day window: {counts['keys']:,} keys</h3>")
        parts.append(
            html_table(
                summary,
                ["change", "keys", "share"],
                lambda row, column, window_days=window_days, scenario_id=scenario_id: (
                    f" data-scenario='{scenario_id}' data-window='{window_days}' "
                    f"data-change='{html.escape(row['change'])}' data-column='{column}'"
                ),
            )
        )
        parts.append(
            heatmap(
                f"Current primary x candidate primary, {window_days}-day window",
                what_if.outcomes,
                what_if.outcomes,
                lambda row, column, cells=cells: cells.get((row, column)),
                lambda row, column: "count" if row == column else "mismatch",
                f"what-if-{scenario_id}-{window_days}",
                "current \\ candidate",
            )
        )
        deltas = [
            row
            for row in what_if.archetypes
            if row["scenario_id"] == scenario_id and row["window_days"] == window_days
        ]
        parts.append("<h3>Per archetype (labelled keys)</h3>")
        if not what_if.has_labels:
            parts.append(
                "<p class='none'>no archetype file (var archetypes_path), as for real Epic 2 "
                "data: no per-archetype deltas</p>"
            )
        else:
            parts.append(
                html_table(
                    deltas,
                    [
                        "archetype",
                        "outcome",
                        "current_key_count",
                        "candidate_key_count",
                        "key_count_delta",
                    ],
                )
            )
        examples = example_rows(what_if, scenario_id, window_days)
        parts.append("<h3>Example users per changed cell</h3>")
        parts.append(
            html_table(
                examples,
                ["current", "candidate", "user_id", "as_of_date", "criterion that flipped"],
            )
        )
    return "".join(parts) + "</section>"


def render_html(what_if: WhatIf) -> str:
    sections = ["<h1>What if the thresholds changed?</h1>"]
    sections.append(
        "<p class='verdict pass'>Nothing was published: the SQLite and Parquet outputs and the "
        "warehouse's production models are as they were.</p>"
    )
    note = baseline_note(what_if)
    if note:
        sections.append(f"<p class='note'>{html.escape(note)}</p>")
    scenario_rows = [
        {
            **scenario,
            **{
                label: what_if.counts(scenario["scenario_id"])[change]
                for change, label in CHANGES.items()
            },
        }
        for scenario in what_if.scenarios
    ]
    scenario_columns = [
        "scenario_id",
        "ruleset_version",
        *what_if.changed_vars,
        *CHANGES.values(),
    ]
    sections.append(
        "<section id='scenarios'><h2>Scenarios</h2>"
        f"<p>{what_if.counts(0)['keys']:,} keys evaluated: every stored as_of_date and window."
        "</p>"
        + html_table(
            scenario_rows,
            scenario_columns,
            lambda row, column: f" data-scenario='{row['scenario_id']}' data-column='{column}'",
        )
        + "</section>"
    )
    sections.append(html_sweep(what_if))
    if not what_if.candidates:
        sections.append("<p>Every candidate equals the current thresholds: no key changes.</p>")
    for scenario in what_if.candidates:
        candidate = html_candidate(what_if, scenario)
        # A sweep's candidates fold away; a single candidate is the page.
        if len(what_if.candidates) > 1:
            candidate = (
                f"<details><summary>Candidate {html.escape(scenario['scenario'])}: "
                f"{what_if.counts(scenario['scenario_id'])['changed']:,} keys change</summary>"
                f"{candidate}</details>"
            )
        sections.append(candidate)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>What-if report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>"
    )
