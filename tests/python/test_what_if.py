"""What-if (issue 17): who would change persona under candidate thresholds, nothing published.

A what-if evaluates the stored assignments' dates again with the same persona
models and ranking, once per scenario (int_rule_scenarios), into the
warehouse's what_if schema. These tests compare what it says would change
with test_differential's `reference()`, an independent restatement of the
rules evaluated here under both threshold sets, on the demo data and on
random data; check that the published outputs and the production models stay
byte for byte as they were; that a sweep's shares equal separate what-ifs at
each value; and that bad candidates are refused, naming them, before any SQL.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import PROJECT_DIR, DbtResult, Workspace, to_yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_differential import (
    COLUMNS,
    SPEC_THRESHOLDS,
    Dataset,
    _write_features,
    datasets,
    reference,
)

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import what_if_report

THRESHOLD = "high_utilization_min_utilization"
# A candidate that moves a boundary of every persona.
EVERY_PERSONA = {
    THRESHOLD: 0.6,
    "variable_income_min_pay_gap_days": 30,
    "subscription_min_merchant_count": 4,
    "savings_min_growth_rate": 0.01,
    "cash_flow_min_balance_volatility": 1.5,
}
# changed_keys.parquet's columns, in order (the list, then the scenario's id).
CHANGED_COLUMNS = [
    "user_id",
    "window_days",
    "as_of_date",
    "current_status",
    "current_primary_persona_id",
    "current_secondary_persona_id",
    "candidate_status",
    "candidate_primary_persona_id",
    "candidate_secondary_persona_id",
    "ruleset_version",
    "scenario",
    "scenario_id",
]

Key = tuple[str, int, str]
Outcome = tuple[str, int | None, int | None]


def what_if_dir(workspace: Workspace) -> Path:
    return workspace.root / "what_if"


def what_if_vars(workspace: Workspace, candidates: dict[str, Any]) -> dict[str, Any]:
    return {"what_if": candidates, "what_if_dir": str(what_if_dir(workspace))}


def dbt_what_if(workspace: Workspace, candidates: dict[str, Any]) -> DbtResult:
    """The what-if through dbt alone: `dbt build --selector what_if --vars '{what_if: ...}'`."""
    return workspace.dbt("build", "--selector", "what_if", **what_if_vars(workspace, candidates))


def script_what_if(workspace: Workspace, *arguments: str) -> DbtResult:
    """The what-if through the entry point (`make what-if`)."""
    variables = workspace.vars(what_if_dir=str(what_if_dir(workspace)))
    return workspace.script(
        "assign_personas.py",
        "--vars",
        to_yaml(variables),
        "--target-path",
        str(workspace.root / "target"),
        *arguments,
    )


def feature_rows(features_dir: Path) -> dict[Key, dict[str, Any]]:
    """Every key's feature values as test_differential's reference() reads them."""
    rows: dict[Key, dict[str, Any]] = {}
    for name, columns in COLUMNS.items():
        for row in pq.read_table(features_dir / f"{name}.parquet").to_pylist():
            key = (row["user_id"], row["window_days"], row["as_of_date"].isoformat())
            rows.setdefault(key, {}).update({column: row[column] for column in columns})
    return rows


def outcome(row: dict[str, Any], window_days: int, thresholds: dict[str, Any]) -> Outcome:
    expected = reference(row, window_days, thresholds)
    return expected.status, expected.primary, expected.secondary


def expected_changes(
    rows: dict[Key, dict[str, Any]], candidate: dict[str, Any]
) -> dict[Key, tuple[Outcome, Outcome]]:
    """{key: (current outcome, candidate outcome)} of every key the candidate changes."""
    changes = {}
    for key, row in rows.items():
        current, after = outcome(row, key[1], {}), outcome(row, key[1], candidate)
        if current != after:
            changes[key] = (current, after)
    return changes


def changed_keys(workspace: Workspace) -> dict[Key, tuple[Outcome, Outcome]]:
    table = pq.read_table(what_if_dir(workspace) / "changed_keys.parquet")
    assert table.column_names == CHANGED_COLUMNS
    return {
        (row["user_id"], row["window_days"], row["as_of_date"].isoformat()): (
            (
                row["current_status"],
                row["current_primary_persona_id"],
                row["current_secondary_persona_id"],
            ),
            (
                row["candidate_status"],
                row["candidate_primary_persona_id"],
                row["candidate_secondary_persona_id"],
            ),
        )
        for row in table.to_pylist()
    }


def published_state(workspace: Workspace) -> tuple[Any, ...]:
    """The published files' bytes and the production models' rows and view definitions."""
    files = tuple(
        hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(workspace.sqlite_path.parent.iterdir())
    )
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        tables = tuple(
            connection.execute(f"select * from main.{name} order by all").fetchall()
            for name in (
                "persona_assignments",
                "int_feature_signals",
                "int_rule_scenarios",
                "int_persona_evaluations_ranked",
                "persona_published_pairs",
            )
        )
        # Production's own views, the sources' registrations over the files included.
        views = connection.execute(
            "select schema_name, view_name, sql from duckdb_views() "
            "where not internal and schema_name not like '%what_if' order by all"
        ).fetchall()
    return files, tables, views


def reported(workspace: Workspace, candidates: dict[str, Any]) -> tuple[str, str]:
    """A what-if through dbt alone, then the entry point's summary and HTML of it."""
    result = dbt_what_if(workspace, candidates)
    assert result.ok, result.output[-3000:]
    what_if = what_if_report.read_what_if(workspace.duckdb_path, "main_what_if", {}, candidates)
    return what_if_report.render_text(what_if, []), what_if_report.render_html(what_if)


def test_a_candidate_equal_to_the_current_thresholds_changes_nothing(built: Workspace) -> None:
    summary, page = reported(built, {THRESHOLD: 0.5})

    assert "keys changed: 0" in summary
    assert "keys evaluated: 150" in summary
    assert changed_keys(built) == {}
    assert "Every candidate equals the current thresholds: no key changes." in page


def test_moving_boundaries_changes_exactly_the_keys_the_reference_says(
    built: Workspace,
) -> None:
    before = published_state(built)
    expected = expected_changes(feature_rows(built.features_dir), EVERY_PERSONA)
    assert expected, "the candidate should move some demo user"

    summary, page = reported(built, EVERY_PERSONA)

    assert changed_keys(built) == expected
    # Nothing published, no production model rebuilt.
    assert published_state(built) == before
    # The summary and the report's per-window counts and matrix are the same keys.
    assert re.search(rf"keys changed: {len(expected)} of 150 \(", summary)
    assert archetype_deltas(built) == expected_archetype_deltas(built, EVERY_PERSONA)
    assert "no archetype file" not in page and "<th>key_count_delta</th>" in page
    for window_days in (30, 180):
        in_window = {key: change for key, change in expected.items() if key[1] == window_days}
        primary = sum(1 for current, after in in_window.values() if current[1] != after[1])
        assert re.search(
            rf"data-scenario='1' data-window='{window_days}' data-change='primary persona' "
            rf"data-column='keys'>{primary}<",
            page,
        )
        cells = {
            (row, column): int(value)
            for row, column, value in re.findall(
                rf"data-metric='what-if-1-{window_days}' data-row='([^']+)' "
                r"data-column='([^']+)' [^>]*>(\d+)<",
                page,
            )
        }
        moved = sum(value for (row, column), value in cells.items() if row != column)
        assert moved == primary
        assert sum(cells.values()) == 75


def archetype_deltas(workspace: Workspace) -> dict[tuple[int, str, str], int]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select window_days, archetype, outcome, key_count_delta "
            "from main_what_if.what_if_archetype_deltas where key_count_delta <> 0"
        ).fetchall()
    return {(window, archetype, name): delta for window, archetype, name, delta in rows}


def expected_archetype_deltas(
    workspace: Workspace, candidate: dict[str, Any]
) -> dict[tuple[int, str, str], int]:
    """Per (window, archetype, primary outcome): candidate keys minus current keys."""
    names = {int(row["persona_id"]): row["persona_name"] for row in csv_rows("personas")}
    labels = {
        row["user_id"]: row["archetype"]
        for row in pq.read_table(workspace.archetypes_path).to_pylist()
    }
    deltas: dict[tuple[int, str, str], int] = {}
    for key, row in feature_rows(workspace.features_dir).items():
        for thresholds, sign in (({}, -1), (candidate, 1)):
            primary = outcome(row, key[1], thresholds)[1]
            cell = (key[1], labels[key[0]], names.get(primary, "STABLE"))
            deltas[cell] = deltas.get(cell, 0) + sign
    return {cell: delta for cell, delta in deltas.items() if delta}


def csv_rows(seed: str) -> list[dict[str, str]]:
    import csv

    with open(PROJECT_DIR / "seeds" / f"{seed}.csv", newline="") as file:
        return list(csv.DictReader(file))


def test_examples_name_the_criterion_that_flipped_with_both_thresholds(
    built: Workspace,
) -> None:
    result = dbt_what_if(built, {THRESHOLD: 0.6})
    assert result.ok, result.output[-3000:]

    rows = feature_rows(built.features_dir)
    expected = expected_changes(rows, {THRESHOLD: 0.6})
    with duckdb.connect(str(built.duckdb_path), read_only=True) as connection:
        examples = connection.execute(
            "select user_id, window_days, cast(as_of_date as varchar), criterion_name, operator, "
            "criterion_value, current_threshold, candidate_threshold, current_passed, "
            "candidate_passed from main_what_if.what_if_examples"
        ).fetchall()
    # Every changed key is an example (no cell holds more than 20 here) ...
    assert {row[:3] for row in examples} == set(expected)
    # ... flipped by max_utilization, whose value lies between the two thresholds.
    for *key, criterion, operator, value, current, candidate, passed, passes in examples:
        assert (criterion, operator, current, candidate) == ("max_utilization", ">=", 0.5, 0.6)
        assert 0.5 <= value < 0.6 and rows[tuple(key)]["max_utilization"] == value
        assert (passed, passes) == (True, False)


@settings(
    max_examples=2,
    database=None,  # never write a .hypothesis folder into the project
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)
@given(
    dataset=datasets(),
    candidate=st.sampled_from(
        [
            EVERY_PERSONA,
            {"subscription_min_share": 0.2, "savings_max_utilization": 0.5},
            {"cash_flow_min_pct_days_below_100": 0.5, "variable_income_max_buffer_months": 2},
        ]
    ),
)
def test_random_data_without_labels_changes_the_keys_the_reference_says(
    workspace: Workspace, dataset: Dataset, candidate: dict[str, Any]
) -> None:
    # Epic 2's files as they come: no archetype file. Each example starts from nothing.
    for path in (workspace.sqlite_path, workspace.parquet_path, workspace.duckdb_path):
        path.unlink(missing_ok=True)
    workspace.archetypes_path.unlink(missing_ok=True)
    _write_features(workspace, dataset.as_of, dataset.rows)
    assert workspace.dbt("build").ok

    _, page = reported(workspace, candidate)

    assert changed_keys(workspace) == expected_changes(
        feature_rows(workspace.features_dir), candidate
    )
    assert "no archetype file (var archetypes_path)" in page


def chart_shares(page: str, window_days: int) -> dict[tuple[str, float], float]:
    """{(outcome, threshold value): share} read back from the sweep chart of one window."""
    chart = page.split(f"<svg class='sweep' data-window='{window_days}'")[1].split("</svg>")[0]
    return {
        (name, float(value)): float(share)
        for name, value, share in re.findall(
            r"data-outcome='([^']+)' data-value='([^']+)' data-share='([^']+)'", chart
        )
    }


def candidate_shares(workspace: Workspace) -> dict[tuple[int, str], float]:
    """{(window, outcome): share} of the last what-if's one candidate (or the current)."""
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select window_days, candidate_outcome, sum(key_count) "
            "from main_what_if.what_if_change_matrix "
            "where scenario_id = (select max(scenario_id) from main_what_if.int_rule_scenarios) "
            "group by all"
        ).fetchall()
    keys = {window: sum(count for w, _, count in rows if w == window) for window, _, _ in rows}
    return {(window, name): count / keys[window] for window, name, count in rows}


def test_a_what_if_on_other_files_leaves_production_reading_its_own(
    built: Workspace, tmp_path: Path
) -> None:
    before = published_state(built)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(built.features_dir, elsewhere)

    result = built.dbt(
        "build",
        "--selector",
        "what_if",
        features_dir=str(elsewhere),
        **what_if_vars(built, {THRESHOLD: 0.6}),
    )

    assert result.ok, result.output[-3000:]
    # The what-if registered the other files in its own schema; production's
    # sources still read production's files.
    assert published_state(built) == before


def test_a_sweep_with_a_fixed_value_charts_only_its_candidates(built: Workspace) -> None:
    asked = {"savings_min_growth_rate": 0.03, THRESHOLD: [0.4, 0.6]}

    _, page = reported(built, asked)

    # The current thresholds (growth 0.02) are not on the line of growth 0.03.
    assert {value for _, value in chart_shares(page, 30)} == {0.4, 0.6}


def readme_what_if() -> str:
    text = (PROJECT_DIR / "README.md").read_text()
    return text.split("## What if a threshold changed?\n")[1].split("\n## ")[0]


def test_the_readme_example_prints_what_the_readme_shows(built: Workspace) -> None:
    section = readme_what_if()
    candidate = re.search(r"^make what-if WHAT_IF='([^']+)'", section, re.M).group(1)
    printed = section.split("first command prints:\n\n```\n")[1].split("```")[0]

    result = script_what_if(built, "--what-if", candidate)

    assert result.ok, result.output[-3000:]
    shown = printed.replace("target/what_if", str(what_if_dir(built)))
    assert shown.strip() in result.output
    assert (what_if_dir(built) / "report.html").stat().st_size > 0
    # ... and the same candidate through dbt alone, as the README writes it.
    command = re.search(r"^\.venv/bin/dbt build (.*) --vars '([^']+)'$", section, re.M)
    assert command.group(1) == "--selector what_if"
    (what_if_dir(built) / "changed_keys.parquet").unlink()
    variables = yaml.safe_load(command.group(2))
    assert dbt_what_if(built, variables["what_if"]).ok
    assert len(changed_keys(built)) == int(re.search(r"keys changed: (\d+)", printed).group(1))


def test_a_sweep_gives_the_shares_of_separate_what_ifs(built: Workspace) -> None:
    sweep = re.search(r"^make what-if SWEEP=(\S+)", readme_what_if(), re.M).group(1)
    assert sweep == f"{THRESHOLD}=0.40:0.70:0.05"
    result = script_what_if(built, "--sweep", sweep)
    assert result.ok, result.output[-3000:]
    page = (what_if_dir(built) / "report.html").read_text()
    assert f"data-current='{SPEC_THRESHOLDS[THRESHOLD]}'" in page
    charts = {window: chart_shares(page, window) for window in (30, 180)}
    values = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    assert {value for chart in charts.values() for _, value in chart} == set(values)

    for value in values:
        assert dbt_what_if(built, {THRESHOLD: value}).ok
        separate = candidate_shares(built)
        for window, chart in charts.items():
            shares = {name: share for (name, at), share in chart.items() if at == value}
            assert shares == pytest.approx(
                {name: separate.get((window, name), 0.0) for name in shares}, abs=1e-6
            )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--sweep", f"{THRESHOLD}=0.70:0.40:0.05"], "the range is inverted (START 0.70 is above"),
        (
            ["--sweep", f"{THRESHOLD}=0.40:0.70:0"],
            "the step must be above 0, or the range is empty",
        ),
        (["--sweep", f"{THRESHOLD}=low:high:0.1"], "START, STOP and STEP must be numbers"),
        (["--what-if", "{}"], "--what-if needs at least one threshold"),
        (["--sweep", f"{THRESHOLD}=0:nan:0.1"], "START, STOP and STEP must be finite numbers"),
        (["--sweep", f"{THRESHOLD}=0.4:0.7:0.07"], "STOP 0.7 is not START plus a whole number"),
        (
            ["--sweep", f"{THRESHOLD}=0.4:0.7:0.1", "--sweep", f"{THRESHOLD}=0.4:0.5:0.1"],
            f"{THRESHOLD} is given by --sweep twice",
        ),
        (
            ["--what-if", "{high_utilisation: 0.6}"],
            "'high_utilisation' is not a var of this project",
        ),
    ],
)
def test_a_bad_candidate_is_named_before_any_sql(
    built: Workspace, arguments: list[str], message: str
) -> None:
    before = published_state(built)

    result = script_what_if(built, *arguments)

    assert not result.ok
    assert message in result.output
    assert_nothing_written(built, before)


def assert_nothing_written(workspace: Workspace, before: tuple[Any, ...]) -> None:
    assert not what_if_dir(workspace).exists(), "a refused what-if wrote something"
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        (relations,) = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'main_what_if'"
        ).fetchone()
    assert relations == 0, "a refused what-if built a relation"
    assert published_state(workspace) == before


@pytest.mark.parametrize(
    ("candidates", "message"),
    [
        ({THRESHOLD: "sixty"}, f"what_if value of '{THRESHOLD}' must be a number, got \"sixty\""),
        ({THRESHOLD: 60}, "60 looks like a percent; write 0.6"),
        ({THRESHOLD: [0.4, "x"]}, f"what_if value of '{THRESHOLD}' must be a number"),
        ({THRESHOLD: []}, f"the list of values of '{THRESHOLD}' is empty"),
        ({"windows": [30]}, "'windows' is a project var but not a persona threshold"),
        ({"features_dir": "/elsewhere"}, "'features_dir' is a project var but not a persona"),
        (
            {THRESHOLD: [0.4], "savings_min_growth_rate": [0.1], "subscription_min_share": [0.2]},
            "what_if sweeps at most two vars at once",
        ),
        (
            {THRESHOLD: [0.05 * step for step in range(11)], "subscription_min_share": [0.1] * 10},
            "what_if asks for 110 candidates",
        ),
    ],
)
def test_a_bad_candidate_in_var_what_if_is_named_before_any_sql(
    built: Workspace, candidates: dict[str, Any], message: str
) -> None:
    before = published_state(built)

    result = dbt_what_if(built, candidates)

    assert not result.ok
    assert message in result.output
    assert_nothing_written(built, before)


def test_a_what_if_that_would_build_production_models_is_refused(built: Workspace) -> None:
    before = published_state(built)

    result = built.dbt("build", what_if={THRESHOLD: 0.6})

    assert not result.ok
    assert "var what_if is set, and this run also selects" in result.output
    assert "dbt build --selector what_if" in result.output
    assert published_state(built) == before


def test_a_what_if_before_any_build_says_to_build_first(workspace: Workspace) -> None:
    result = dbt_what_if(workspace, {THRESHOLD: 0.6})

    assert not result.ok
    assert "run dbt build (or make run) first, then the what-if" in result.output
    assert not workspace.sqlite_path.exists()
