"""Persona history (issue 16): runs over a growing set of as_of_dates.

Each run evaluates only the (as_of_date, window_days) pairs that are new to
the warehouse or whose input rows changed; the SQLite rows of every other
date stay byte for byte as they were. Transitions between consecutive
evaluated dates are published next to the assignments, and the drift check of
the gate stops a run whose persona mix jumps from one date to the next.

The demo history is three weekly snapshots of the 75 demo users
(scripts/generate_features.py --dates 3), in which a few users change
archetype from one snapshot to the next.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import (
    DEMO_USERS,
    Workspace,
    built_workspace,
    copy_build,
    copy_inputs,
    generate_demo_data,
    run_entry_point,
)

DATES = ("2025-11-04", "2025-11-11", "2025-11-18")
FEATURE_FILES = ("subscriptions", "savings", "credit", "income", "cash_flow")
KEYS_PER_DATE = DEMO_USERS * 2
# The SQLite table's columns, in order (SPEC section 6, ruleset_version last).
COLUMNS = (
    "assignment_id",
    "user_id",
    "window_days",
    "as_of_date",
    "primary_persona_id",
    "primary_persona_name",
    "primary_priority",
    "primary_severity",
    "secondary_persona_id",
    "secondary_persona_name",
    "secondary_priority",
    "secondary_severity",
    "status",
    "assignment_trace",
    "computed_at",
    "ruleset_version",
)
# The same user and window on the previous evaluated date: what a transition compares.
TRANSITION_COLUMNS = (
    "user_id",
    "window_days",
    "as_of_date",
    "previous_as_of_date",
    "previous_status",
    "previous_primary_persona_id",
    "status",
    "primary_persona_id",
    "change_type",
)


def generate(root: Path, dates: int, layout: str = "files") -> Path:
    """Run the demo generator: `dates` weekly snapshots from 2025-11-04 into root."""
    return generate_demo_data(root, DEMO_USERS, "--dates", str(dates), "--layout", layout)


def keep_dates(source: Path, target: Path, dates: tuple[str, ...]) -> Path:
    """Copy the files-layout demo data at `source` to `target` with only `dates`' rows."""
    (target / "features").mkdir(parents=True)
    wanted = pa.array([pa.scalar(day, pa.string()).cast(pa.date32()).as_py() for day in dates])
    for name in FEATURE_FILES:
        table = pq.read_table(source / "features" / f"{name}.parquet")
        table = table.filter(pc.is_in(table["as_of_date"], wanted))
        pq.write_table(table, target / "features" / f"{name}.parquet")
    labels = pq.read_table(source / "user_archetypes.parquet")
    labels = labels.filter(pc.is_in(labels["as_of_date"], wanted))
    pq.write_table(labels, target / "user_archetypes.parquet")
    return target


def rewrite_rows(path: Path, where: Callable[[dict], bool], changes: dict[str, object]) -> int:
    """Epic 2 rewrites some rows of a feature file: `changes` on every row `where` holds."""
    rows = pq.read_table(path).to_pylist()
    schema = pq.read_schema(path)
    changed = 0
    for row in rows:
        if where(row):
            row.update(changes)
            changed += 1
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return changed


def sqlite_query(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql).fetchall()


def assignments_of(path: Path, as_of_date: str) -> list[tuple]:
    """Every column of the SQLite rows of one as_of_date, computed_at included."""
    return sqlite_query(
        path,
        f"select * from persona_assignments where as_of_date = '{as_of_date}' "
        "order by assignment_id",
    )


def without_computed_at(path: Path) -> list[tuple]:
    columns = ", ".join(column for column in COLUMNS if column != "computed_at")
    return sqlite_query(path, f"select {columns} from persona_assignments order by assignment_id")


def sqlite_transitions(path: Path) -> list[tuple]:
    return sqlite_query(
        path,
        f"select {', '.join(TRANSITION_COLUMNS)} from persona_transitions "
        "order by as_of_date, user_id, window_days",
    )


def expected_transitions(path: Path) -> list[tuple]:
    """The transitions, computed here from the published SQLite assignments."""
    history: dict[tuple[str, int], list[tuple[str, str, int | None]]] = {}
    for user_id, window_days, as_of_date, status, primary in sqlite_query(
        path,
        "select user_id, window_days, as_of_date, status, primary_persona_id "
        "from persona_assignments order by as_of_date",
    ):
        history.setdefault((user_id, window_days), []).append((as_of_date, status, primary))
    transitions = []
    for (user_id, window_days), dates in history.items():
        for (before_date, before_status, before), (date, status, primary) in pairwise(dates):
            if status == before_status and primary == before:
                continue
            if before_status == "STABLE":
                change = "entered"
            elif status == "STABLE":
                change = "exited"
            else:
                change = "changed"
            transitions.append(
                (
                    user_id,
                    window_days,
                    date,
                    before_date,
                    before_status,
                    before,
                    status,
                    primary,
                    change,
                )
            )
    return sorted(transitions, key=lambda row: (row[2], row[0], row[1]))


def published_pairs(workspace: Workspace) -> dict[tuple[str, int], tuple[str, str]]:
    """(as_of_date, window) -> (evaluation reason, invocation id) of the publication record."""
    import duckdb

    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        rows = connection.execute(
            "select cast(as_of_date as varchar), window_days, evaluation_reason, invocation_id "
            "from persona_published_pairs"
        ).fetchall()
    return {(day, window): (reason, invocation) for day, window, reason, invocation in rows}


def invocation_of_last_run(workspace: Workspace) -> str:
    run_results = json.loads((workspace.root / "target" / "run_results.json").read_text())
    return run_results["metadata"]["invocation_id"]


def digests(workspace: Workspace) -> tuple[bytes, ...]:
    transitions = workspace.parquet_path.parent / "persona_transitions.parquet"
    return tuple(
        path.read_bytes() for path in (workspace.sqlite_path, workspace.parquet_path, transitions)
    )


def parquet_keys(path: Path) -> list[tuple[str, str, int]]:
    """The (as_of_date, user_id, window_days) of every row of a Parquet output, in file order."""
    table = pq.read_table(path, columns=["as_of_date", "user_id", "window_days"])
    return [
        (row["as_of_date"].isoformat(), row["user_id"], row["window_days"])
        for row in table.to_pylist()
    ]


@pytest.fixture(scope="module")
def history_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weekly snapshots of the demo users, each feature file holding every date."""
    return generate(tmp_path_factory.mktemp("history_data"), dates=len(DATES))


@pytest.fixture(scope="module")
def history_built(history_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The three snapshots built and published by one `dbt build`."""
    return built_workspace(history_data, tmp_path_factory.mktemp("history_built"))


@pytest.fixture
def history(history_built: Workspace, history_data: Path, tmp_path: Path) -> Workspace:
    """A private copy of the three-snapshot build (inputs, warehouse and outputs)."""
    return copy_build(history_built, copy_inputs(history_data, tmp_path))


def test_folder_layout_gives_the_same_assignments_as_the_files_layout(
    history_built: Workspace, tmp_path: Path
) -> None:
    data = generate(tmp_path / "data", dates=len(DATES), layout="folders")
    folders = sorted((data / "features").iterdir())
    assert [folder.name for folder in folders] == [f"as_of_date={day}" for day in DATES]
    # The date may be in the folder name only: drop the column from one snapshot's files.
    for path in folders[1].iterdir():
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["as_of_date"]), path)
    workspace = built_workspace(data, tmp_path / "run")

    assert without_computed_at(workspace.sqlite_path) == without_computed_at(
        history_built.sqlite_path
    )
    assert sqlite_transitions(workspace.sqlite_path) == sqlite_transitions(
        history_built.sqlite_path
    )


def test_transitions_agree_with_the_published_assignments(history_built: Workspace) -> None:
    published = sqlite_transitions(history_built.sqlite_path)
    assert published == expected_transitions(history_built.sqlite_path)
    # The demo history moves a few users from one snapshot to the next.
    assert {row[2] for row in published} == set(DATES[1:])
    assert {row[-1] for row in published} <= {"entered", "exited", "changed"}
    parquet = pq.read_table(history_built.parquet_path.parent / "persona_transitions.parquet")
    assert parquet.column_names == list(TRANSITION_COLUMNS)
    assert [
        (*row[:2], row[2].isoformat(), row[3].isoformat(), *row[4:])
        for row in (tuple(item.values()) for item in parquet.to_pylist())
    ] == published
    indexes = {
        name: columns
        for name, columns in sqlite_query(
            history_built.sqlite_path,
            "select il.name, group_concat(ii.name, ', ') from pragma_index_list("
            "'persona_transitions') as il, pragma_index_info(il.name) as ii group by il.name",
        )
    }
    assert indexes["idx_persona_transitions_user_window"] == "user_id, window_days"
    assert indexes["idx_persona_transitions_as_of_date"] == "as_of_date"


def test_every_row_and_trace_carries_the_ruleset_version(history_built: Workspace) -> None:
    rows = sqlite_query(
        history_built.sqlite_path,
        "select ruleset_version, assignment_trace from persona_assignments",
    )
    versions = {version for version, _ in rows}
    assert len(versions) == 1 and re.fullmatch(r"[0-9a-f]{12}", versions.pop())
    for version, trace in rows:
        assert json.loads(trace)["ruleset_version"] == version
    parquet = pq.read_table(history_built.parquet_path)
    assert set(parquet["ruleset_version"].to_pylist()) == {rows[0][0]}


def test_ruleset_version_is_stable_and_follows_every_rule_setting(
    history_built: Workspace, tmp_path: Path
) -> None:
    def version(**overrides: object) -> str:
        workspace = copy_inputs(
            history_built.root, tmp_path / f"run{len(list(tmp_path.iterdir()))}"
        )
        result = workspace.dbt(
            "build", "--select", "+persona_ruleset", "--exclude-resource-type", "test", **overrides
        )
        assert result.ok, result.output
        import duckdb

        with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
            return connection.execute("select ruleset_version from persona_ruleset").fetchone()[0]

    published = sqlite_query(
        history_built.sqlite_path, "select ruleset_version from persona_assignments"
    )
    # Another folder, the same settings: the same version (200.0 is the default's 200).
    assert version(savings_min_net_inflow_monthly=200.0) == published[0][0]
    assert version(savings_min_growth_rate=0.03) != published[0][0]
    assert version(windows=[30]) != published[0][0]
    assert version(days_per_month=31) != published[0][0]


def test_a_run_that_adds_a_date_evaluates_only_that_date(
    history_data: Path, tmp_path: Path
) -> None:
    workspace = built_workspace(
        keep_dates(history_data, tmp_path / "data", DATES[:2]), tmp_path / "run"
    )
    first_invocation = invocation_of_last_run(workspace)
    before = {day: assignments_of(workspace.sqlite_path, day) for day in DATES[:2]}
    parquet_before = pq.read_table(workspace.parquet_path).to_pylist()

    # Epic 2 writes the next snapshot: the feature files now hold three dates.
    shutil.rmtree(workspace.features_dir)
    shutil.copytree(history_data / "features", workspace.features_dir)
    shutil.copy2(history_data / "user_archetypes.parquet", workspace.archetypes_path)
    result = workspace.dbt("build")
    assert result.ok, result.output
    second_invocation = invocation_of_last_run(workspace)
    # The new rows went straight into the table, through a temporary view: no temporary
    # table held a copy of their traces first (macros/engine/duckdb__create_table_as.sql).
    log = (workspace.root / "logs" / "dbt.log").read_text()
    assert re.search(r'create or replace temporary view\s+"?persona_assignments__dbt_tmp', log)
    assert not re.search(r'create\s+temporary\s+table\s+"?persona_assignments__dbt_tmp', log)

    for day in DATES[:2]:
        assert assignments_of(workspace.sqlite_path, day) == before[day]
    assert len(assignments_of(workspace.sqlite_path, DATES[2])) == KEYS_PER_DATE
    pairs = published_pairs(workspace)
    assert {pair: pairs[pair][1] for pair in pairs} == {
        **{(day, window): first_invocation for day in DATES[:2] for window in (30, 180)},
        **{(DATES[2], window): second_invocation for window in (30, 180)},
    }
    assert {pairs[(DATES[2], window)][0] for window in (30, 180)} == {"new"}
    # The evaluation itself read the new date only.
    import duckdb

    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        evaluated = connection.execute(
            "select cast(as_of_date as varchar), count(*) from int_feature_signals group by 1"
        ).fetchall()
    assert evaluated == [(DATES[2], KEYS_PER_DATE)]
    # ... and so did the input key checks and the data tests of persona_assignments and of
    # the Parquet file's rows.
    compiled_tests = (workspace.root / "target" / "run").rglob("*.sql")
    scoped = [
        path
        for path in compiled_tests
        if path.name.startswith(
            (
                "source_unique_feature_key_",
                "unique_persona_assignments_",
                "unique_export_persona_assignments_parquet_",
            )
        )
    ]
    assert len(scoped) == len(FEATURE_FILES) + 2
    for path in scoped:
        compiled = path.read_text()
        assert f"as_of_date = cast('{DATES[2]}' as date)" in compiled, path.name
        assert DATES[0] not in compiled and DATES[1] not in compiled, path.name
    # Parquet keeps the earlier dates' rows as they were, and transitions reach the new date.
    parquet_after = pq.read_table(workspace.parquet_path).to_pylist()
    assert [row for row in parquet_after if row["as_of_date"].isoformat() in DATES[:2]] == (
        parquet_before
    )
    # ... in the file's order, which the run kept by appending the new date's rows sorted.
    assert parquet_keys(workspace.parquet_path) == sorted(parquet_keys(workspace.parquet_path))
    assert len(parquet_after) == 3 * KEYS_PER_DATE
    assert sqlite_transitions(workspace.sqlite_path) == expected_transitions(workspace.sqlite_path)

    # Nothing new: the next run evaluates nothing and says so.
    unchanged = digests(workspace)
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert "Up to date" in result.output
    assert digests(workspace) == unchanged


def test_a_rewritten_date_is_evaluated_again_with_its_transitions(history: Workspace) -> None:
    before = {day: assignments_of(history.sqlite_path, day) for day in DATES}
    stable_user = next(
        user
        for (user,) in sqlite_query(
            history.sqlite_path,
            "select user_id from persona_assignments where status = 'STABLE' group by user_id "
            f"having count(*) = {len(DATES) * 2} order by user_id",
        )
    )
    # Epic 2 rewrites the middle snapshot: that user's cash flow is now stressed.
    changed = rewrite_rows(
        history.feature_file("cash_flow"),
        lambda row: row["user_id"] == stable_user and row["as_of_date"].isoformat() == DATES[1],
        {"pct_days_below_100": 0.9, "balance_volatility": 3.0},
    )
    assert changed == 2
    # ... and labels that user accordingly, as the gate's archetype check expects.
    relabelled = rewrite_rows(
        history.archetypes_path,
        lambda row: row["user_id"] == stable_user and row["as_of_date"].isoformat() == DATES[1],
        {"archetype": "Cash Flow Stressed"},
    )
    assert relabelled == 1

    result = history.dbt("build")
    assert result.ok, result.output

    assert assignments_of(history.sqlite_path, DATES[0]) == before[DATES[0]]
    assert assignments_of(history.sqlite_path, DATES[2]) == before[DATES[2]]
    assert {
        reason for (day, _), (reason, _) in published_pairs(history).items() if day == DATES[1]
    } == {"inputs changed"}
    primary = sqlite_query(
        history.sqlite_path,
        "select distinct primary_persona_id from persona_assignments "
        f"where user_id = '{stable_user}' and as_of_date = '{DATES[1]}'",
    )
    assert primary == [(5,)]
    transitions = sqlite_transitions(history.sqlite_path)
    assert transitions == expected_transitions(history.sqlite_path)
    user_changes = {(row[2], row[1], row[-1]) for row in transitions if row[0] == stable_user}
    assert user_changes == {
        (DATES[1], 30, "entered"),
        (DATES[1], 180, "entered"),
        (DATES[2], 30, "exited"),
        (DATES[2], 180, "exited"),
    }


def test_a_requested_date_is_re_evaluated_and_replaced_alone(history: Workspace) -> None:
    before = {day: assignments_of(history.sqlite_path, day) for day in DATES}
    transitions_before = sqlite_transitions(history.sqlite_path)

    result = history.dbt("build", as_of_date=DATES[1])
    assert result.ok, result.output

    assert assignments_of(history.sqlite_path, DATES[0]) == before[DATES[0]]
    assert assignments_of(history.sqlite_path, DATES[2]) == before[DATES[2]]
    # The same inputs give the same assignments, written again by this run (computed_at).
    rewritten = assignments_of(history.sqlite_path, DATES[1])
    computed_at = COLUMNS.index("computed_at")
    assert [row[:computed_at] for row in rewritten] == [
        row[:computed_at] for row in before[DATES[1]]
    ]
    assert len({row[computed_at] for row in rewritten}) == 1
    assert {row[computed_at] for row in rewritten} != {row[computed_at] for row in before[DATES[1]]}
    assert published_pairs(history)[(DATES[1], 30)] == (
        "as_of_date requested",
        invocation_of_last_run(history),
    )
    assert sqlite_transitions(history.sqlite_path) == transitions_before
    # A date before the last one: the Parquet output is sorted whole, not appended to.
    keys = parquet_keys(history.parquet_path)
    assert keys == sorted(keys) and len(keys) == len(DATES) * KEYS_PER_DATE


def test_a_failed_transitions_write_publishes_neither_table(history: Workspace) -> None:
    """The commit adds persona_transitions to the transaction the assignments were staged in:
    when writing the transitions fails, the staged assignments are rolled back with them."""
    with sqlite3.connect(history.sqlite_path) as connection:
        connection.execute(
            "create trigger refuse_transitions before insert on persona_transitions "
            "begin select raise(abort, 'transitions refused by this test'); end"
        )
    before = digests(history)

    # Re-evaluating the 2nd date recomputes its transitions and the 3rd date's.
    result = history.dbt("build", as_of_date=DATES[1])

    assert not result.ok
    assert "transitions refused by this test; nothing was committed" in result.output
    assert digests(history) == before


def test_full_refresh_re_evaluates_every_date(history: Workspace) -> None:
    result = history.dbt("build", "--full-refresh")
    assert result.ok, result.output
    invocation = invocation_of_last_run(history)
    assert published_pairs(history) == {
        (day, window): ("full refresh", invocation) for day in DATES for window in (30, 180)
    }
    assert (
        len(set(sqlite_query(history.sqlite_path, "select computed_at from persona_assignments")))
        == 1
    )
    assert sqlite_transitions(history.sqlite_path) == expected_transitions(history.sqlite_path)


def test_a_ruleset_change_warns_which_dates_use_which_version(history: Workspace) -> None:
    (old_version,) = sqlite_query(
        history.sqlite_path, "select distinct ruleset_version from persona_assignments"
    )[0]
    unchanged = digests(history)

    result = history.dbt("build", savings_min_growth_rate=0.03)
    assert result.ok, result.output
    warning = next(line for line in result.output.splitlines() if "other rules" in line)
    assert (
        f"3 as_of_date(s) from {DATES[0]} to {DATES[2]} were evaluated with ruleset {old_version}"
        in warning
    )
    assert "dbt build --full-refresh" in warning
    assert digests(history) == unchanged

    result = history.dbt("build", "--full-refresh", savings_min_growth_rate=0.03)
    assert result.ok, result.output
    assert "other rules" not in result.output
    versions = sqlite_query(
        history.sqlite_path, "select distinct ruleset_version from persona_assignments"
    )
    assert len(versions) == 1 and versions[0][0] != old_version


def as_sql_formats(number: float) -> str:
    """A share as the gate's messages write it (format_number: two decimals, no trailing 0)."""
    return re.sub(r"[.]?0+$", "", f"{number:.2f}")


def test_a_drifted_date_stops_publication_until_the_var_is_raised(
    history_data: Path, tmp_path: Path
) -> None:
    workspace = copy_inputs(
        keep_dates(history_data, tmp_path / "data", DATES[:1]), tmp_path / "run"
    )
    # Without labels: the drifted users would also fail the archetype check.
    workspace.extra_vars["archetypes_path"] = str(tmp_path / "no_labels.parquet")
    assert workspace.dbt("build").ok
    published_before = digests(workspace)

    # The next snapshot arrives with sign-inverted balances for half the users (an
    # Epic 2 bug): they all look cash-flow stressed.
    keep_dates(history_data, tmp_path / "next", DATES[:2])
    for name in FEATURE_FILES:
        shutil.copy2(
            tmp_path / "next" / "features" / f"{name}.parquet", workspace.feature_file(name)
        )
    drifted = rewrite_rows(
        workspace.feature_file("cash_flow"),
        lambda row: row["as_of_date"].isoformat() == DATES[1] and int(row["user_id"][2:]) % 2 == 0,
        {"pct_days_below_100": 0.95, "balance_volatility": 4.0},
    )
    assert drifted == 2 * (DEMO_USERS // 2)

    result = workspace.dbt("build")

    assert not result.ok
    message = next(
        line
        for line in result.output.splitlines()
        if "persona_mix_is_stable" in line and "Cash Flow Stressed" in line and "30-day" in line
    )
    (stressed_before,) = sqlite_query(
        workspace.sqlite_path,
        "select count(*) from persona_assignments "
        "where window_days = 30 and primary_persona_id = 5",
    )[0]
    share_before = as_sql_formats(100 * stressed_before / DEMO_USERS)
    assert f"{share_before} % of {DEMO_USERS} keys on {DATES[0]}" in message
    assert re.search(rf"[0-9.]+ % of {DEMO_USERS} keys on {DATES[1]}", message)
    assert "max_persona_share_shift" in message
    assert digests(workspace) == published_before

    result = workspace.dbt("build", max_persona_share_shift=1.0)
    assert result.ok, result.output
    assert len(assignments_of(workspace.sqlite_path, DATES[1])) == KEYS_PER_DATE


def test_a_file_whose_as_of_date_disagrees_with_its_folder_is_named(tmp_path: Path) -> None:
    data = generate(tmp_path / "data", dates=2, layout="folders")
    wrong = data / "features" / f"as_of_date={DATES[1]}" / "income.parquet"
    table = pq.read_table(wrong)
    column = table.column_names.index("as_of_date")
    shifted = pa.array([pa.scalar(DATES[0], pa.string()).cast(pa.date32()).as_py()] * len(table))
    pq.write_table(table.set_column(column, "as_of_date", shifted), wrong)
    workspace = copy_inputs(data, tmp_path / "run")

    result = workspace.dbt("build")

    assert not result.ok
    assert f"as_of_date={DATES[1]}/income.parquet has as_of_date {DATES[0]}" in result.output
    assert f"its folder says {DATES[1]}" in result.output


def test_both_layouts_in_one_features_dir_is_an_error(history_data: Path, tmp_path: Path) -> None:
    workspace = copy_inputs(history_data, tmp_path)
    dated = workspace.features_dir / f"as_of_date={DATES[0]}"
    dated.mkdir()
    shutil.copy2(workspace.feature_file("credit"), dated / "credit.parquet")

    result = workspace.dbt("build")

    assert not result.ok
    assert "credit" in result.output and "both" in result.output.lower()
    assert not workspace.sqlite_path.exists()


def outcome_counts(path: Path) -> dict[tuple[int, str], dict[str, int]]:
    """{(window, as_of_date): {outcome: keys}} from the published SQLite assignments."""
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for window_days, as_of_date, outcome, keys in sqlite_query(
        path,
        "select window_days, as_of_date, coalesce(primary_persona_name, 'STABLE'), count(*) "
        "from persona_assignments group by 1, 2, 3",
    ):
        counts.setdefault((window_days, as_of_date), {})[outcome] = keys
    return counts


def chart_shares(page: str, window_days: int) -> dict[tuple[str, str], float]:
    """{(as_of_date, outcome): share} read back from the report's chart of one window."""
    chart = page.split(f"<svg class='mix' data-window='{window_days}'")[1].split("</svg>")[0]
    return {
        (day, outcome): float(share)
        for outcome, day, share in re.findall(
            r"data-outcome='([^']+)' data-date='([^']+)' data-share='([^']+)'", chart
        )
    }


def heatmap_counts(page: str, metric: str) -> dict[tuple[str, str], int]:
    return {
        (row, column): int(value)
        for row, column, value in re.findall(
            rf"data-metric='{metric}' data-row='([^']+)' data-column='([^']+)' [^>]*>(\d+)<", page
        )
    }


def test_the_report_shows_the_persona_mix_over_time(history_data: Path, tmp_path: Path) -> None:
    workspace = copy_inputs(history_data, tmp_path)
    first = run_entry_point(workspace, "first")
    page = first.html.read_text()
    counts = outcome_counts(workspace.sqlite_path)
    outcomes = {"STABLE", *(name for by_outcome in counts.values() for name in by_outcome)}

    for window_days in (30, 180):
        expected = {
            (day, outcome): counts[(window_days, day)].get(outcome, 0) / DEMO_USERS
            for day in DATES
            for outcome in outcomes
        }
        shares = chart_shares(page, window_days)
        assert shares.keys() >= expected.keys()
        assert all(abs(shares[key] - value) < 1e-6 for key, value in expected.items())
        # The drift verdict names the largest shift among the dates this run evaluated.
        largest = max(
            abs(expected[(day, outcome)] - expected[(before, outcome)])
            for before, day in pairwise(DATES)
            for outcome in outcomes
        )
        verdict = re.search(
            rf"<p class='drift' data-window='{window_days}'>([^<]+)</p>", page
        ).group(1)
        assert verdict.startswith(f"drift check passed: largest shift {100 * largest:.1f} points")
        # Previous primary x new primary on the latest date, unchanged keys on the diagonal.
        moved: dict[tuple[str, str], int] = {}
        for _user_id, before, after in sqlite_query(
            workspace.sqlite_path,
            "select new.user_id, coalesce(old.primary_persona_name, 'STABLE'), "
            "coalesce(new.primary_persona_name, 'STABLE') from persona_assignments as new "
            "join persona_assignments as old using (user_id, window_days) "
            f"where new.window_days = {window_days} and new.as_of_date = '{DATES[2]}' "
            f"and old.as_of_date = '{DATES[1]}'",
        ):
            moved[(before, after)] = moved.get((before, after), 0) + 1
        assert heatmap_counts(page, f"transitions-{window_days}") == moved
    assert "3 as_of_date(s) 2025-11-04 to 2025-11-18 (new)" in first.output
    assert "SQLite persona_transitions" in first.output

    # Run again: nothing to evaluate; the report says so, and still shows the history.
    second = run_entry_point(workspace, "second")
    assert "RESULT: PASSED - up to date, nothing new to publish" in second.output
    assert "nothing: 3 stored as_of_date(s) up to date" in second.output
    page = second.html.read_text()
    assert chart_shares(page, 30) == chart_shares(first.html.read_text(), 30)
    assert "drift check: nothing to compare" in page


def test_a_rewritten_date_with_a_duplicated_key_is_refused(history: Workspace) -> None:
    # The key check reads only the dates a run evaluates: a rewritten stored date is one.
    published_before = digests(history)
    path = history.feature_file("credit")
    table = pq.read_table(path)
    duplicate = table.filter(
        pc.equal(table["as_of_date"], pa.scalar(DATES[1], pa.string()).cast(pa.date32()))
    ).slice(0, 1)
    pq.write_table(pa.concat_tables([table, duplicate]), path)
    user_id = duplicate["user_id"][0].as_py()

    result = history.dbt("build")

    assert not result.ok
    assert (
        f"Duplicate key in {path}: user_id={user_id}, window_days=30, as_of_date={DATES[1]}"
        in result.output
    )
    assert digests(history) == published_before


def test_a_user_absent_on_the_previous_date_is_compared_with_their_last_date(
    history_data: Path, history_built: Workspace, tmp_path: Path
) -> None:
    # A user whose primary outcome on the first and the last date differ ...
    outcomes: dict[str, dict[str, int]] = {}
    for user_id, as_of_date, primary in sqlite_query(
        history_built.sqlite_path,
        "select user_id, as_of_date, coalesce(primary_persona_id, 0) from persona_assignments "
        "where window_days = 30",
    ):
        outcomes.setdefault(user_id, {})[as_of_date] = primary
    user_id = next(
        user for user, by_date in sorted(outcomes.items()) if by_date[DATES[0]] != by_date[DATES[2]]
    )
    # ... has no row at all on the middle date.
    workspace = copy_inputs(history_data, tmp_path)
    for name in FEATURE_FILES:
        table = pq.read_table(workspace.feature_file(name))
        middle = pa.scalar(DATES[1], pa.string()).cast(pa.date32())
        keep = pc.invert(
            pc.and_(pc.equal(table["user_id"], user_id), pc.equal(table["as_of_date"], middle))
        )
        pq.write_table(table.filter(keep), workspace.feature_file(name))

    result = workspace.dbt("build")
    assert result.ok, result.output

    transitions = sqlite_transitions(workspace.sqlite_path)
    assert transitions == expected_transitions(workspace.sqlite_path)
    compared = {(row[1], row[2], row[3]) for row in transitions if row[0] == user_id}
    assert (30, DATES[2], DATES[0]) in compared


def test_a_date_whose_one_window_changed_is_evaluated_whole(history: Workspace) -> None:
    stable_user = sqlite_query(
        history.sqlite_path,
        "select user_id from persona_assignments where status = 'STABLE' group by user_id "
        f"having count(*) = {len(DATES) * 2} order by user_id",
    )[0][0]
    # Epic 2 rewrites one 30-day row of the middle date, within the STABLE range.
    changed = rewrite_rows(
        history.feature_file("cash_flow"),
        lambda row: (
            row["user_id"] == stable_user
            and row["window_days"] == 30
            and row["as_of_date"].isoformat() == DATES[1]
        ),
        {"pct_days_below_100": 0.0123},
    )
    assert changed == 1

    result = history.dbt("build")

    # Both windows of the date are evaluated, so the gate sees every user's windows.
    assert result.ok, result.output
    reasons = {pair: reason for pair, (reason, _) in published_pairs(history).items()}
    assert reasons[(DATES[1], 30)] == reasons[(DATES[1], 180)] == "inputs changed"
    assert reasons[(DATES[0], 30)] == "new"


def test_a_deleted_output_is_published_again(history: Workspace) -> None:
    expected = without_computed_at(history.sqlite_path)
    history.sqlite_path.unlink()

    result = history.dbt("build")

    # The publication record described a file that is gone: every date is new again.
    assert result.ok, result.output
    assert without_computed_at(history.sqlite_path) == expected
    assert sqlite_transitions(history.sqlite_path) == expected_transitions(history.sqlite_path)


def test_an_unreadable_transitions_file_is_named_not_dropped(history: Workspace) -> None:
    transitions = history.parquet_path.parent / "persona_transitions.parquet"
    transitions.write_bytes(b"not parquet")
    rewrite_rows(
        history.feature_file("cash_flow"),
        lambda row: row["user_id"] == "u_0001" and row["as_of_date"].isoformat() == DATES[2],
        {"pct_days_below_100": 0.0123},
    )

    result = history.dbt("build")

    assert not result.ok
    assert (
        f"The transitions output {transitions} exists but is not readable Parquet" in result.output
    )
    assert transitions.read_bytes() == b"not parquet"


def hashed_dates(workspace: Workspace) -> set[str] | None:
    """The as_of_dates the last run's int_input_fingerprints read (None: every date)."""
    compiled = next((workspace.root / "target" / "compiled").rglob("int_input_fingerprints.sql"))
    filters = re.findall(r"staged\.as_of_date in \((.*)\)$", compiled.read_text(), re.MULTILINE)
    if not filters:
        assert "and true" in compiled.read_text()
        return None
    return set(re.findall(r"'(\d{4}-\d{2}-\d{2})'", filters[0]))


def test_a_daily_run_hashes_only_the_files_that_changed(tmp_path: Path) -> None:
    data = generate(tmp_path / "data", dates=len(DATES), layout="folders")
    newest = f"as_of_date={DATES[2]}"
    shutil.move(data / "features" / newest, tmp_path / newest)
    workspace = built_workspace(data, tmp_path / "run")
    assert hashed_dates(workspace) is None  # the first build hashes every date

    # Epic 2 delivers the next date: only its files are read to fingerprint the inputs.
    shutil.copytree(tmp_path / newest, workspace.features_dir / newest)
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert hashed_dates(workspace) == {DATES[2]}
    reasons = {pair: reason for pair, (reason, _) in published_pairs(workspace).items()}
    assert reasons[(DATES[2], 30)] == "new" and reasons[(DATES[0], 30)] == "new"

    # A stored date's file is touched (same bytes, later time): hashed again, the same
    # fingerprint, so nothing is evaluated and nothing published changes.
    touched = workspace.features_dir / f"as_of_date={DATES[0]}" / "credit.parquet"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    unchanged = digests(workspace)
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert hashed_dates(workspace) == {DATES[0]}
    assert "Up to date" in result.output
    assert digests(workspace) == unchanged

    # A stored date's file is rewritten with other values: hashed and evaluated again.
    stable_user = sqlite_query(
        workspace.sqlite_path,
        "select user_id from persona_assignments where status = 'STABLE' group by user_id "
        f"having count(*) = {len(DATES) * 2} order by user_id",
    )[0][0]
    changed = rewrite_rows(
        workspace.features_dir / f"as_of_date={DATES[1]}" / "cash_flow.parquet",
        lambda row: row["user_id"] == stable_user and row["window_days"] == 30,
        {"pct_days_below_100": 0.0123},
    )
    assert changed == 1
    result = workspace.dbt("build")
    assert result.ok, result.output
    assert hashed_dates(workspace) == {DATES[1]}
    reasons = {pair: reason for pair, (reason, _) in published_pairs(workspace).items()}
    assert reasons[(DATES[1], 30)] == reasons[(DATES[1], 180)] == "inputs changed"

    # Another set of windows is other fingerprints: every date is hashed again.
    result = workspace.dbt("build", windows=[30])
    assert result.ok, result.output
    assert hashed_dates(workspace) == set(DATES)


def fingerprint_count(workspace: Workspace) -> int:
    import duckdb

    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        return connection.execute("select count(*) from int_input_fingerprints").fetchone()[0]


def test_one_file_holding_every_date_is_read_whole_whenever_it_changed(
    history: Workspace,
) -> None:
    # A window no file holds leaves no fingerprint at all ...
    result = history.dbt("build", windows=[90])
    assert result.ok, result.output
    assert fingerprint_count(history) == 0
    # ... and the next run, with the files unchanged, fingerprints every date again
    # (nothing stored to compare with), finds them as published, and evaluates nothing.
    unchanged = digests(history)
    result = history.dbt("build")
    assert result.ok, result.output
    assert hashed_dates(history) is None
    assert fingerprint_count(history) == len(DATES) * 2
    assert "Up to date" in result.output
    assert digests(history) == unchanged


def test_duckdb_keeps_a_sorted_cte_in_order_through_union_all(tmp_path: Path) -> None:
    # export_persona_assignments_parquet_staged appends this run's rows, sorted in a CTE,
    # after the previous file's rows, and writes the union without sorting it again. DuckDB
    # documents that a scan, WHERE and UNION ALL keep their order, not that the CTE's
    # ORDER BY is kept: check it at a size where two threads share the work.
    import duckdb

    previous = tmp_path / "previous.parquet"
    with duckdb.connect() as connection:
        connection.execute("set threads = 2")
        connection.execute(
            f"copy (select range // 1000 as day, range % 1000 as key from range(2000000)) "
            f"to '{previous}' (format parquet)"
        )
        connection.execute(
            "create table new_rows as select 2000 + (range % 7) as day, "
            "(range * 7919) % 1000003 as key from range(2000000)"
        )
        connection.execute(
            f"copy (with appended as (select * from new_rows order by day, key), "
            f"kept as (select * from read_parquet('{previous}') where day % 2 = 0) "
            f"select * from kept union all select * from appended) "
            f"to '{tmp_path / 'written.parquet'}' (format parquet)"
        )
        unordered = connection.execute(
            "select count(*) from (select (day, key) < lag((day, key)) over () as backwards "
            f"from read_parquet('{tmp_path / 'written.parquet'}')) where backwards"
        ).fetchone()[0]
        rows = connection.execute(
            f"select count(*) from read_parquet('{tmp_path / 'written.parquet'}')"
        ).fetchone()[0]
    assert rows == 1000000 + 2000000
    assert unordered == 0
