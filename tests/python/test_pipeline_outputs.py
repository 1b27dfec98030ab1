"""End to end: features -> dbt build -> the SQLite table and the Parquet file (SPEC section 6)."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DEMO_DATE, DEMO_USERS, Workspace, built_workspace

EXPECTED_ROWS = DEMO_USERS * 2
PARQUET_TYPES = {
    "assignment_id": pa.string(),
    "user_id": pa.string(),
    "window_days": pa.int32(),
    "as_of_date": pa.date32(),
    "primary_persona_id": pa.int32(),
    "primary_persona_name": pa.string(),
    "primary_priority": pa.string(),
    "primary_severity": pa.float64(),
    "secondary_persona_id": pa.int32(),
    "secondary_persona_name": pa.string(),
    "secondary_priority": pa.string(),
    "secondary_severity": pa.float64(),
    "status": pa.string(),
    "computed_at": pa.timestamp("us"),
    "ruleset_version": pa.string(),
}


def sqlite_rows(path: Path, columns: str = "*") -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            f"select {columns} from persona_assignments order by assignment_id"
        ).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_archetype(workspace: Workspace, user_id: str, archetype: str) -> None:
    table = pq.read_table(workspace.archetypes_path)
    labels = [
        archetype if user == user_id else label
        for user, label in zip(
            table["user_id"].to_pylist(), table["archetype"].to_pylist(), strict=True
        )
    ]
    pq.write_table(table.set_column(1, "archetype", pa.array(labels)), workspace.archetypes_path)


@pytest.fixture(scope="module")
def published(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One build of the demo data for the read-only checks of this module."""
    return built_workspace(demo_data, tmp_path_factory.mktemp("published"))


def test_sqlite_table_has_every_key_with_types_keys_and_indexes(published: Workspace) -> None:
    with sqlite3.connect(published.sqlite_path) as connection:
        # Plain `dbt build` creates the database with 64 KB pages (a trace is ~2 KB).
        assert connection.execute("pragma page_size").fetchone() == (65536,)
        count, keys = connection.execute(
            "select count(*), count(distinct user_id || window_days || as_of_date) "
            "from persona_assignments"
        ).fetchone()
        assert (count, keys) == (EXPECTED_ROWS, EXPECTED_ROWS)
        affinities = connection.execute(
            "select distinct typeof(assignment_id), typeof(window_days), typeof(as_of_date), "
            "typeof(assignment_trace) from persona_assignments"
        ).fetchall()
        assert affinities == [("text", "integer", "text", "text")]
        assert connection.execute(
            "select typeof(primary_persona_id), typeof(primary_severity) from persona_assignments "
            "where status = 'ASSIGNED' limit 1"
        ).fetchone() == ("integer", "real")
        indexed_columns = {
            tuple(column[2] for column in connection.execute(f"pragma index_info('{index[1]}')"))
            for index in connection.execute("pragma index_list('persona_assignments')")
        }
        assert {
            ("assignment_id",),
            ("user_id", "window_days", "as_of_date"),
            ("user_id", "window_days"),
            ("primary_persona_id",),
            ("status",),
        } <= indexed_columns
        duplicate = connection.execute("select * from persona_assignments limit 1").fetchone()
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "insert into persona_assignments values (" + ", ".join("?" * len(duplicate)) + ")",
                ("another_id", *duplicate[1:]),
            )


def test_every_trace_parses_and_agrees_with_its_row(published: Workspace) -> None:
    rows = sqlite_rows(
        published.sqlite_path,
        "user_id, window_days, as_of_date, status, primary_persona_id, secondary_persona_id, "
        "assignment_trace",
    )
    assert len(rows) == EXPECTED_ROWS
    for user_id, window_days, as_of_date, status, primary, secondary, trace_text in rows:
        assert "\n" not in trace_text
        trace = json.loads(trace_text)
        assert (trace["user_id"], trace["window_days"], trace["as_of_date"]) == (
            user_id,
            window_days,
            as_of_date,
        )
        assert sorted(trace["evaluations"]) == [f"persona_{n}" for n in range(1, 6)]
        result = trace["result"]
        assert (result["status"], result["primary_persona_id"], result["secondary_persona_id"]) == (
            status,
            primary,
            secondary,
        )
        matched = [
            int(name.split("_")[1])
            for name, evaluation in trace["evaluations"].items()
            if evaluation["matched"]
        ]
        assert sorted(result["ranked_persona_ids"]) == sorted(matched)
        if status == "STABLE":
            assert result["ranked_persona_ids"] == []
            assert "no persona matched" in result["primary_reasoning"].lower()


def test_warehouse_stores_traces_with_zstd(published: Workspace) -> None:
    """profiles.yml creates the warehouse with storage v1.2.0, so the trace column's
    `using compression zstd` takes effect; on DuckDB's default storage it silently
    would not (the traces would be stored uncompressed)."""
    with duckdb.connect(str(published.duckdb_path), read_only=True) as connection:
        (storage_version,) = connection.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()
        methods = {
            method
            for (method,) in connection.execute(
                "select distinct compression from pragma_storage_info('persona_assignments') "
                "where column_name = 'assignment_trace' and segment_type = 'VARCHAR'"
            ).fetchall()
        }
    assert storage_version == "v1.2.0+"
    assert methods == {"ZSTD"}


def test_warehouse_in_the_old_storage_format_is_named_with_the_fix(
    workspace: Workspace,
) -> None:
    duckdb.connect(str(workspace.duckdb_path)).close()  # DuckDB's default: storage v1.0.0
    warned = workspace.dbt("seed", "--select", "priority_levels")
    assert warned.ok, warned.output
    assert f"The DuckDB warehouse {workspace.duckdb_path} uses storage v1.0.0+" in warned.output
    assert "Delete that file" in warned.output

    workspace.duckdb_path.unlink()
    recreated = workspace.dbt("seed", "--select", "priority_levels")
    assert recreated.ok, recreated.output
    assert "cannot compress strings with ZSTD" not in recreated.output


def test_parquet_has_real_types_and_no_trace(published: Workspace) -> None:
    table = pq.read_table(published.parquet_path)
    assert table.num_rows == EXPECTED_ROWS
    assert {field.name: field.type for field in table.schema} == PARQUET_TYPES
    parquet_ids = sorted(table["assignment_id"].to_pylist())
    assert parquet_ids == [row[0] for row in sqlite_rows(published.sqlite_path, "assignment_id")]


def test_rerun_replaces_rows_without_duplicates(built: Workspace) -> None:
    columns = "assignment_id, status, primary_persona_id, secondary_persona_id, assignment_trace"
    first = sqlite_rows(built.sqlite_path, columns)
    # A late correction of the published date: evaluated and written again.
    result = built.dbt("build", as_of_date=DEMO_DATE)
    assert result.ok, result.output
    assert sqlite_rows(built.sqlite_path, columns) == first
    assert pq.read_table(built.parquet_path).num_rows == EXPECTED_ROWS


def test_rerun_of_the_same_date_keeps_other_tables_and_indexes(
    workspace: Workspace,
) -> None:
    # The re-run of the date (a late correction) replaces every row of the
    # table, so the export writes a new table and swaps it in.
    workspace.sqlite_path.parent.mkdir(exist_ok=True)
    with sqlite3.connect(workspace.sqlite_path) as connection:
        connection.execute("create table users (user_id text primary key, name text)")
        connection.execute("insert into users values ('u_0001', 'Ada')")
    log = workspace.root / "logs" / "dbt.log"
    first = workspace.dbt("build")
    assert first.ok, first.output
    first_log_length = len(log.read_text())
    second = workspace.dbt("build", as_of_date=DEMO_DATE)
    assert second.ok, second.output
    second_log = log.read_text()[first_log_length:]
    assert "writing a new persona_assignments table and swapping it in" in second_log
    with sqlite3.connect(workspace.sqlite_path) as connection:
        assert connection.execute("select * from users").fetchall() == [("u_0001", "Ada")]
        tables = connection.execute("select name from sqlite_master where type = 'table'")
        table_names = {row[0] for row in tables}
        assert table_names == {"users", "persona_assignments", "persona_transitions"}
        assert connection.execute("select count(*) from persona_assignments").fetchone() == (
            EXPECTED_ROWS,
        )
        indexes = {
            row[0]
            for row in connection.execute(
                "select name from sqlite_master where type = 'index' and sql is not null"
            )
        }
    assert indexes == {
        "idx_persona_assignments_user_window",
        "idx_persona_assignments_primary_persona",
        "idx_persona_assignments_status",
        "idx_persona_assignments_as_of_date",
        "idx_persona_transitions_user_window",
        "idx_persona_transitions_as_of_date",
    }


def test_swap_that_cannot_take_the_name_changes_nothing(workspace: Workspace) -> None:
    # A view already holds the name persona_assignments, so the export's final
    # rename fails after the rows were written: the whole transaction must roll
    # back, leaving the database as it was and no half-published table behind.
    workspace.sqlite_path.parent.mkdir(exist_ok=True)
    with sqlite3.connect(workspace.sqlite_path) as connection:
        connection.execute("create table users (user_id text primary key, name text)")
        connection.execute("insert into users values ('u_0001', 'Ada')")
        connection.execute("create view persona_assignments as select user_id from users")
    before = digest(workspace.sqlite_path)

    result = workspace.dbt("build")

    assert not result.ok
    assert "already has a persona_assignments with other columns" in result.output
    assert "found:    (a view, not a table)" in result.output
    assert "the SQLite export failed and rolled back" in result.output
    assert digest(workspace.sqlite_path) == before
    assert not workspace.parquet_path.exists()


def test_table_with_an_older_schema_is_named_and_left_alone(workspace: Workspace) -> None:
    workspace.sqlite_path.parent.mkdir(exist_ok=True)
    with sqlite3.connect(workspace.sqlite_path) as connection:
        connection.execute(
            "create table persona_assignments (assignment_id text primary key, user_id text, "
            "persona text, assigned_at text)"
        )
        connection.execute("insert into persona_assignments values ('a1', 'u_0001', 'HU', 'x')")
    before = digest(workspace.sqlite_path)

    result = workspace.dbt("build")

    assert not result.ok
    for message in (
        f"The SQLite database {workspace.sqlite_path} already has a persona_assignments with "
        "other columns than this project writes, so nothing was changed.",
        "found:    assignment_id, user_id, persona, assigned_at",
        "expected: assignment_id, user_id, window_days, as_of_date, primary_persona_id",
        "point var sqlite_path at another database, or rename the old table",
        "alter table persona_assignments rename to persona_assignments_old",
    ):
        assert message in result.output, f"{message!r} not in output:\n{result.output[-3000:]}"
    assert "Binder Error" not in result.output
    assert digest(workspace.sqlite_path) == before
    assert not workspace.parquet_path.exists()


def test_other_tables_and_other_dates_survive(workspace: Workspace, demo_data: Path) -> None:
    workspace.sqlite_path.parent.mkdir(exist_ok=True)
    with sqlite3.connect(workspace.sqlite_path) as connection:
        connection.execute("create table users (user_id text primary key, name text)")
        connection.execute("insert into users values ('u_0001', 'Ada'), ('u_0002', 'Grace')")
    older = workspace.root / "older"
    generated = workspace.script(
        "generate_features.py",
        "--as-of-date",
        "2025-10-01",
        "--out",
        str(older / "features"),
        "--archetypes",
        str(older / "user_archetypes.parquet"),
    )
    assert generated.ok, generated.output
    first = workspace.dbt("build", features_dir=str(older / "features"))
    assert first.ok, first.output
    second = workspace.dbt("build")
    assert second.ok, second.output

    with sqlite3.connect(workspace.sqlite_path) as connection:
        assert connection.execute("select * from users order by user_id").fetchall() == [
            ("u_0001", "Ada"),
            ("u_0002", "Grace"),
        ]
        per_date = connection.execute(
            "select as_of_date, count(*) from persona_assignments group by 1 order by 1"
        ).fetchall()
    assert per_date == [("2025-10-01", EXPECTED_ROWS), ("2025-11-04", EXPECTED_ROWS)]
    # The Parquet file keeps the older date's rows too, as they were published.
    parquet_dates = pq.read_table(workspace.parquet_path)["as_of_date"].to_pylist()
    assert sorted({str(day) for day in parquet_dates}) == ["2025-10-01", "2025-11-04"]
    assert len(parquet_dates) == 2 * EXPECTED_ROWS


def test_run_of_one_window_keeps_the_other_windows_rows(built: Workspace) -> None:
    # SPEC section 6: replacement is per (as_of_date, window_days) evaluated.
    def rows_of(window_days: int) -> tuple[list[tuple], list[dict]]:
        with sqlite3.connect(built.sqlite_path) as connection:
            sqlite = connection.execute(
                "select * from persona_assignments where window_days = ? order by assignment_id",
                (window_days,),
            ).fetchall()
        parquet = sorted(
            (
                row
                for row in pq.read_table(built.parquet_path).to_pylist()
                if row["window_days"] == window_days
            ),
            key=lambda row: row["assignment_id"],
        )
        return sqlite, parquet

    long_window_before = rows_of(180)
    short_window_before = rows_of(30)
    assert len(long_window_before[0]) == len(long_window_before[1]) == EXPECTED_ROWS // 2

    # Windows are part of the ruleset: the stored 30-day rows would be kept as they are
    # (with a warning), so the run names the date to evaluate again.
    result = built.dbt("build", windows=[30], as_of_date=DEMO_DATE)

    assert result.ok, result.output
    assert rows_of(180) == long_window_before  # computed_at and traces included
    short_sqlite, short_parquet = rows_of(30)
    assert [row[0] for row in short_sqlite] == [row[0] for row in short_window_before[0]]
    computed_at = {row[-1] for row in short_sqlite}
    assert len(computed_at) == 1 and computed_at != {row[-1] for row in short_window_before[0]}
    assert len(short_parquet) == EXPECTED_ROWS // 2


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("dbt", "build"), id="dbt-build"),
        pytest.param(("dbt", "run"), id="dbt-run"),
        pytest.param(
            ("dbt", "build", "--select", "export_persona_assignments_sqlite+"),
            id="dbt-build-exports-only",
        ),
        pytest.param(("script", "assign_personas.py"), id="make-run-entry-point"),
    ],
)
def test_failed_gate_leaves_published_outputs_byte_for_byte(
    built: Workspace, command: tuple[str, ...]
) -> None:
    before = (digest(built.sqlite_path), digest(built.parquet_path))
    # A staged file that a killed run left behind: no run publishes it, the next removes it.
    stale = built.parquet_path.with_name(f".{built.parquet_path.name}.killed-run.staged")
    stale.write_bytes(b"not validated")
    # u_0001 is a Stable user in the demo data; labelling them a High Utilizer breaks 7.5.
    set_archetype(built, "u_0001", "High Utilizer")

    if command[0] == "dbt":
        result = built.dbt(*command[1:])
    else:
        from conftest import to_yaml

        result = built.script(command[1], "--vars", to_yaml(built.vars()))

    assert not result.ok
    if "--select" in command:
        # The gate was not part of the selection: its old verdict is not good enough.
        assert "the validation gate was not evaluated in this invocation" in result.output
    else:
        assert "u_0001" in result.output
        assert "archetype_gets_expected_persona" in result.output
        # The SQLite write ran beside the gate, and was rolled back when the gate failed.
        assert "the staged write was rolled back" in result.output
    assert (digest(built.sqlite_path), digest(built.parquet_path)) == before
    # The Parquet files staged beside the gate (and the stale one) were removed.
    assert list(built.parquet_path.parent.glob(".*.staged")) == []
    if command[0] == "script":
        report = result.output.split("Persona assignment validation report", 1)[1]
        mismatches = report.split("Archetype mismatches, by user:", 1)[1].split("\n\n", 1)[0]
        assert "u_0001" in mismatches and "expects persona 1, got STABLE" in mismatches
        assert "RESULT: FAILED - nothing published" in report


@pytest.mark.parametrize(
    "staged",
    [
        "export_persona_assignments_sqlite_staged",
        "export_persona_assignments_parquet_staged",
        "export_persona_transitions_parquet_staged",
    ],
)
def test_outputs_are_written_beside_the_gate(built: Workspace, staged: str) -> None:
    """The writes (the SQLite write is the longest step) do not wait for the gate; the
    SQLite commit waits for them all, and the gate (the failed-gate tests above, and the
    next ones: no publication without a write staged in the invocation)."""
    upstream = built.dbt("ls", "--select", f"+{staged}", "--output", "name")
    committed = built.dbt(
        "ls", "--select", "+export_persona_assignments_sqlite", "--output", "name"
    )

    assert upstream.ok, upstream.output[-2000:]
    assert "persona_assignments" in upstream.output
    assert "persona_gate" not in upstream.output
    assert committed.ok, committed.output[-2000:]
    assert re.search(rf"^{staged}$", committed.output, re.M)
    assert re.search(r"^persona_gate_violations$", committed.output, re.M)


def test_parquet_publication_without_a_file_staged_in_the_invocation_is_refused(
    built: Workspace,
) -> None:
    before = digest(built.parquet_path)
    # The gate is evaluated (and passes), but the file it would let through is not staged.
    result = built.dbt(
        "build",
        "--select",
        "persona_gate_violations",
        "persona_gate_result",
        "export_persona_assignments_parquet",
    )

    assert not result.ok
    assert "nothing was staged for" in result.output
    assert digest(built.parquet_path) == before


def test_commit_without_a_write_staged_in_the_invocation_is_refused(built: Workspace) -> None:
    before = (digest(built.sqlite_path), digest(built.parquet_path))
    # The gate is evaluated (and passes), but the write it would let through is not staged.
    result = built.dbt(
        "build",
        "--select",
        "persona_gate_violations",
        "persona_gate_result",
        "export_persona_assignments_sqlite",
    )

    assert not result.ok
    assert "nothing was staged for" in result.output
    assert "export_persona_assignments_sqlite_staged writes the rows" in result.output
    assert (digest(built.sqlite_path), digest(built.parquet_path)) == before


def gate_log(workspace: Workspace) -> str:
    """The last invocation's dbt.log, from the gate's start to its end."""
    log = (workspace.root / "logs" / "dbt.log").read_text()
    log = log.rsplit("Running with dbt=", 1)[1]
    node = "model.spendsense_personas.persona_gate_violations"
    return log.split(f"Began running node {node}", 1)[1].split(f"Finished running node {node}")[0]


@pytest.mark.parametrize("export_sqlite", [True, False])
def test_the_gate_leaves_a_core_to_the_sqlite_writer_and_gives_it_back(
    built: Workspace, export_sqlite: bool
) -> None:
    """The gate runs beside the single-threaded SQLite writer on one DuckDB thread less
    (at least one), and hands the thread back when it is done; with no SQLite export it
    keeps them all."""
    (default_threads,) = duckdb.connect().execute("select current_setting('threads')").fetchone()
    result = built.dbt("build", "--select", "persona_gate_violations", export_sqlite=export_sqlite)

    assert result.ok, result.output[-2000:]
    during_gate = gate_log(built)
    if export_sqlite:
        fewer = re.search(r"\bset threads = (\d+)", during_gate)
        assert fewer is not None, during_gate[-2000:]
        assert int(fewer.group(1)) == max(default_threads - 1, 1)
        assert "reset threads" in during_gate[fewer.end() :]
    else:
        assert re.search(r"\bset threads = ", during_gate) is None


def test_a_gate_that_errors_gives_the_threads_back_at_the_end_of_the_run(
    built: Workspace,
) -> None:
    """A gate that fails with an error skips its post-hook: on-run-end restores the threads."""
    with duckdb.connect(str(built.duckdb_path)) as warehouse:
        warehouse.execute("drop table main.persona_assignments")
    result = built.dbt("run", "--select", "persona_gate_violations")
    log = (built.root / "logs" / "dbt.log").read_text().rsplit("Running with dbt=", 1)[1]

    assert not result.ok
    assert "persona_assignments" in result.output
    assert "set threads" in gate_log(built)
    last_fewer = [match.start() for match in re.finditer(r"\bset threads = \d+", log)][-1]
    assert log.rfind("reset threads") > last_fewer
