"""dbt-duckdb plugin: how this project publishes its outputs from inside `dbt build`.

profiles.yml names this module under `plugins:`. It gives dbt two things:

- `store`: writes persona_assignments into the SQLite database, in two steps
  that dbt-duckdb's `adapter.store_relation(...)` (the step its `external`
  materialization uses to hand data to other systems) hands it:
  `stage` (the post-hook of export_persona_assignments_sqlite_staged) writes
  every row of persona_assignments inside a SQLite transaction and leaves it
  open, while dbt runs the gate on its other thread; `commit` (the post-hook
  of export_persona_assignments_sqlite, after the gate passed) writes
  persona_transitions into the same transaction and commits it.
  Until then readers see the database as it was; `discard` (on-run-end)
  rolls back a write the gate did not let through
  (macros/exports/publish_assignments_to_sqlite.sql).
- the SQL function `ensure_parent_folder(path)`, which creates the folder an
  output file goes into (the Parquet export calls it before writing);
- the SQL function `is_parquet_file(path)`, which tells whether a file
  begins and ends with Parquet's magic bytes by reading those eight bytes
  (the preflight's check of every input file; DuckDB's read_blob would read
  every byte of every file, 1 GB at eight dates of 1M users);
- the SQL function `file_signature(path)`, the file's size and modification
  time in nanoseconds (DuckDB's read_blob has them to the second only), by
  which int_input_fingerprints knows the input files it hashed before;
- the SQL functions `publish_staged_file(staged, path)` and
  `discard_staged_files(path)`: the Parquet exports are written beside the
  gate into a staged file next to their output (macros/exports/
  stage_parquet_output.sql), which the first renames over the output once
  the gate passed and the second removes otherwise.

Both run inside `dbt build`, so plain dbt and `make run` publish the same way.

Why Python and not DuckDB's sqlite extension (docs/decisions.md):
- a new database gets 64 KB pages (a trace is about 2 KB; SQLite's default
  4 KB pages hold one row each, which doubles the file and the write time);
- the free disk space is checked before anything is written, and a disk that
  fills up anyway ends in a rolled-back transaction and a clear message
  (DuckDB's extension aborts the whole process there and leaves a hot journal);
- a table with another schema is named, with its columns, instead of failing
  inside a binder;
- the write can be done before the gate's verdict and committed after it.

What it writes (SPEC sections 6 and 8): tables persona_assignments and
persona_transitions, in one SQLite transaction. Rows of the (as_of_date,
window_days) pairs in the relations are replaced; rows of every other pair
and every other table are kept.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adbc_driver_manager
import adbc_driver_sqlite.dbapi as adbc_sqlite
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import TargetConfig
from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

LOGGER = AdapterLogger("publication")
TABLE = "persona_assignments"
NEXT_TABLE = f"{TABLE}__next"
# SPEC section 6. Declared types are DuckDB's names, as earlier versions of this
# project wrote them; SQLite stores them with text, integer and real affinity.
COLUMNS = (
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
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
# Columns this project added after the first release: a table without them
# (otherwise the same) gets them added, with NULL in its existing rows.
ADDED_COLUMNS = ("ruleset_version",)
INDEXES = (
    ("idx_persona_assignments_user_window", "user_id, window_days"),
    ("idx_persona_assignments_primary_persona", "primary_persona_id"),
    ("idx_persona_assignments_status", "status"),
    # the pairs a run replaces, and the recommendation stage's latest as_of_date
    ("idx_persona_assignments_as_of_date", "as_of_date, window_days"),
)
TRANSITIONS_TABLE = "persona_transitions"
TRANSITIONS_COLUMNS = (
    ("user_id", "varchar not null"),
    ("window_days", "bigint not null"),
    ("as_of_date", "varchar not null"),
    ("previous_as_of_date", "varchar not null"),
    ("previous_status", "varchar not null"),
    ("previous_primary_persona_id", "bigint"),
    ("status", "varchar not null"),
    ("primary_persona_id", "bigint"),
    ("change_type", "varchar not null"),
)
TRANSITIONS_INDEXES = (
    ("idx_persona_transitions_user_window", "user_id, window_days"),
    ("idx_persona_transitions_as_of_date", "as_of_date"),
)
# B-trees of the table: the table, its two unique constraints and INDEXES.
BTREE_COUNT = 3 + len(INDEXES)
# Bytes per row beyond the trace: the other columns and the index entries.
ROW_OVERHEAD_BYTES = 400
# Pages are never full, and a B-tree needs interior pages.
PAGE_FILL_FACTOR = 1.25
# Rows per Arrow batch read from the warehouse: about 9 MB of traces. Larger
# batches (20,000 rows, 44 MB) are allocated fresh for every batch, and the
# page faults cost more than the read (docs/decisions.md).
BATCH_ROWS = 4096
BUSY_TIMEOUT_MS = 5000
# Rows whose traces estimate the bytes a write needs (the free disk space check).
TRACE_SAMPLE_ROWS = 20_000


@dataclass(frozen=True)
class Publication:
    """What one export writes: the relation's rows of this run and the pairs they replace."""

    relation: str
    where: str
    row_count: int
    trace_bytes: int
    pairs: list[tuple[str, int]]

    def estimated_bytes(self, page_size: int) -> int:
        data = self.trace_bytes + self.row_count * ROW_OVERHEAD_BYTES
        return int(data * PAGE_FILL_FACTOR) + (BTREE_COUNT + 1) * page_size


@dataclass(frozen=True)
class Transitions:
    """What the commit adds: persona_transitions' rows of this run and the pairs they replace."""

    relation: str
    where: str
    pairs: tuple[tuple[str, int], ...]


@dataclass
class StagedWrite:
    """A SQLite write that is done but not committed: readers see the database as it was."""

    path: Path
    invocation_id: str
    connection: Any
    sqlite: Any
    created: bool

    def close(self, *, commit: bool) -> None:
        """Commit (or roll back) and close; a database this write created and left empty goes."""
        try:
            self.sqlite.execute("commit" if commit else "rollback")
        except adbc_driver_manager.Error as error:
            if not commit:
                raise DbtRuntimeError(
                    f"SQLite error on {self.path}: {sqlite_message(error)}"
                ) from error
            try:
                self.sqlite.execute("rollback")
            except adbc_driver_manager.Error:
                LOGGER.debug(f"SQLite {self.path}: the failed commit was already rolled back")
            raise DbtRuntimeError(
                f"SQLite error on {self.path}: {sqlite_message(error)}; nothing was committed"
            ) from error
        finally:
            self.sqlite.close()
            self.connection.close()
            if self.created:
                remove_if_empty(self.path)


class Plugin(BasePlugin):
    """Writes the relations it is given into SQLite; see the module docstring."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.new_database_page_size = int(plugin_config.get("new_database_page_size", 65536))
        self._duckdb: Any = None
        # The writes staged and not yet committed or discarded, by database path.
        self._staged: dict[Path, StagedWrite] = {}
        self._staged_lock = threading.Lock()
        # A process that ends before on-run-end (e.g. an interrupt) rolls back too.
        atexit.register(self.discard, "the run ended before it was committed")

    def configure_connection(self, conn: Any) -> None:
        # The store step reads the relation through a connection of its own
        # to the same warehouse (a cursor), after dbt committed it.
        self._duckdb = conn
        functions = (
            ensure_parent_folder,
            is_parquet_file,
            file_signature,
            publish_staged_file,
            discard_staged_files,
        )
        for function in functions:
            conn.create_function(function.__name__, function, side_effects=True)
            # DuckDB would otherwise release this Python function while the
            # interpreter shuts down, which can abort the process on exit.
            atexit.register(remove_function, conn, function.__name__)

    def store(self, target_config: TargetConfig) -> None:
        """Stage, commit or discard the SQLite write of persona_assignments and persona_transitions.

        `config`: `action` (stage, commit or discard) and `invocation_id` (the
        dbt invocation the write belongs to); for stage, `where`, the SQL
        condition of this run's assignment rows, and `check_free_disk_space`;
        for commit, `transitions` (relation), `transitions_where` and
        `transition_pairs`, the pairs whose transitions are replaced.
        """
        options = dict(target_config.config or {})
        path = Path(target_config.location.path)
        action = options.get("action")
        invocation_id = str(options.get("invocation_id"))
        if action == "stage":
            self.stage(str(target_config.relation), path, invocation_id, options)
        elif action == "commit":
            transitions = options.get("transitions")
            self.commit(
                path,
                invocation_id,
                None
                if transitions is None
                else Transitions(
                    str(transitions),
                    str(options.get("transitions_where", "false")),
                    tuple((str(d), int(w)) for d, w in options.get("transition_pairs", [])),
                ),
            )
        elif action == "discard":
            self.discard(str(options.get("reason", "it was not committed")))
        else:
            raise DbtRuntimeError(f"publication plugin: unknown action {action!r}")

    def stage(self, relation: str, path: Path, invocation_id: str, options: dict) -> None:
        """Write the relation's rows into `path` in a transaction left open for commit()."""
        self.discard("a new run staged another write", path)
        cursor = self._duckdb.cursor()
        try:
            publication = describe(cursor, relation, options.get("where", "true"))
            staged = stage(
                cursor,
                publication,
                path,
                invocation_id,
                page_size=self.new_database_page_size,
                check_free_space=bool(options.get("check_free_disk_space", True)),
            )
        finally:
            cursor.close()
        with self._staged_lock:
            self._staged[path] = staged

    def commit(self, path: Path, invocation_id: str, transitions: Transitions | None) -> None:
        """Add `transitions` to the write this invocation staged into `path`, and commit it."""
        with self._staged_lock:
            staged = self._staged.pop(path, None)
        if staged is None or staged.invocation_id != invocation_id:
            if staged is not None:
                staged.close(commit=False)
            raise DbtRuntimeError(
                f"Publication refused: nothing was staged for {path} in this invocation "
                "(export_persona_assignments_sqlite_staged writes the rows, this model commits "
                "them), so nothing was written. Run `dbt build` (or dbt build --select "
                "+export_persona_assignments_sqlite)."
            )
        if transitions is not None:
            cursor = self._duckdb.cursor()
            try:
                write_transitions(staged.sqlite, cursor, transitions)
            except BaseException as error:
                staged.close(commit=False)
                if isinstance(error, adbc_driver_manager.Error):
                    raise DbtRuntimeError(
                        f"SQLite error on {path}: {sqlite_message(error)}; nothing was committed"
                    ) from error
                raise
            finally:
                cursor.close()
        staged.close(commit=True)

    def discard(self, reason: str, path: Path | None = None) -> None:
        """Roll back the staged writes (of `path`, or all): the database stays as it was."""
        with self._staged_lock:
            paths = [path] if path is not None else list(self._staged)
            staged = [self._staged.pop(key) for key in paths if key in self._staged]
        for write in staged:
            LOGGER.info(
                f"SQLite {write.path}: the staged write was rolled back ({reason}); "
                "the database is as it was."
            )
            write.close(commit=False)


def remove_function(conn: Any, name: str) -> None:
    """Unregister a Python function from the warehouse connection (at exit)."""
    try:
        conn.remove_function(name)
    except Exception:  # the connection is already closed: nothing left to release
        LOGGER.debug(f"{name} was already gone at exit")


def ensure_parent_folder(path: str) -> str:
    """Create the folder `path` goes into (and its parents), if missing; return `path`."""
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DbtRuntimeError(
            f"unable to create the folder {folder} for {path}: {error.strerror}. "
            "Point the var at a folder that can be created."
        ) from error
    return path


PARQUET_MAGIC = b"PAR1"


def is_parquet_file(path: str) -> bool:
    """Whether the file at `path` starts and ends with Parquet's magic bytes (and can hold a
    footer between them); False for a file that cannot be read. Reads eight bytes."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(PARQUET_MAGIC))
            if file.seek(0, os.SEEK_END) < 3 * len(PARQUET_MAGIC):
                return False
            file.seek(-len(PARQUET_MAGIC), os.SEEK_END)
            return head == PARQUET_MAGIC and file.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    except OSError:
        return False


def file_signature(path: str) -> str:
    """`<size in bytes>:<modification time in ns>` of the file at `path` ("gone" when it
    cannot be read): what rsync compares to know a file did not change without reading it."""
    try:
        status = os.stat(path)
    except OSError:
        return "gone"
    return f"{status.st_size}:{status.st_mtime_ns}"


def publish_staged_file(staged: str, path: str) -> str:
    """Rename the file this invocation staged over `path` (atomic: same folder); return `path`."""
    if not Path(staged).is_file():
        raise DbtRuntimeError(
            f"Publication refused: nothing was staged for {path} in this invocation (the "
            "_staged export model writes the file, this model publishes it), so nothing was "
            "written. Run `dbt build` (or dbt build --select +export_persona_transitions_parquet)."
        )
    try:
        Path(staged).replace(path)
    except OSError as error:
        raise DbtRuntimeError(
            f"unable to replace {path} with the file staged at {staged}: {error.strerror}. "
            "Point the var at a file this user can replace."
        ) from error
    return path


def discard_staged_files(path: str) -> int:
    """Remove every staged file of `path` (this invocation's or a killed run's); return how
    many."""
    output = Path(path)
    staged = list(output.parent.glob(f".{output.name}.*.staged"))
    for file in staged:
        file.unlink(missing_ok=True)
    return len(staged)


def describe(cursor: Any, relation: str, where: str) -> Publication:
    """The rows of `relation` that `where` selects: how many, the bytes of their traces and
    their (as_of_date, window_days) pairs.

    The trace bytes are estimated from the first TRACE_SAMPLE_ROWS rows (within 0.1 % at 1M
    users): summing every trace reads them all, 0.5 s before the write can begin.
    """
    (row_count,) = cursor.execute(f"select count(*) from {relation} where {where}").fetchone()
    (mean_trace_bytes,) = cursor.execute(
        f"select coalesce(avg(strlen(assignment_trace)), 0) from (select assignment_trace "
        f"from {relation} where {where} limit {TRACE_SAMPLE_ROWS})"
    ).fetchone()
    trace_bytes = round(row_count * mean_trace_bytes)
    pairs = cursor.execute(
        f"select distinct cast(as_of_date as varchar), window_days from {relation} "
        f"where {where} order by 1, 2"
    ).fetchall()
    return Publication(relation, where, row_count, trace_bytes, [(d, int(w)) for d, w in pairs])


def rows(cursor: Any, relation: str, where: str) -> pa.RecordBatchReader:
    """This run's rows of persona_assignments in SQLite's types, in the order the
    warehouse stores them, as an Arrow stream.

    Not sorted here: DuckDB sorting 2M rows with their 2 KB traces took 20-30 s
    at 1M users, against 5 s for the plain scan. The rows come out in about key
    order anyway (int_assignment_keys is sorted, and the models built from it
    keep roughly its order), which keeps SQLite's inserts into the two unique
    indexes local, so SQLite's default page cache (2 MB) is enough: a 256 MB
    cache made SQLite hold back 3.7 GB of pages and write them all at the
    commit, 28 s against 14 s in all at 1M users (docs/decisions.md).

    A thread reads the batches from DuckDB while SQLite writes the previous
    ones: reading 2M traces and writing them each take several seconds, and
    on two cores they overlap.
    """
    return streamed(
        cursor.execute(
            f"""
            select
                assignment_id, user_id, window_days, cast(as_of_date as varchar) as as_of_date,
                primary_persona_id, primary_persona_name, primary_priority, primary_severity,
                secondary_persona_id, secondary_persona_name, secondary_priority,
                secondary_severity, status, assignment_trace,
                strftime(computed_at, '%Y-%m-%dT%H:%M:%SZ') as computed_at, ruleset_version
            from {relation}
            where {where}
            """
        ).to_arrow_reader(BATCH_ROWS)
    )


def transition_rows(cursor: Any, relation: str, where: str) -> pa.RecordBatchReader:
    """This run's rows of persona_transitions in SQLite's types, in key order."""
    return cursor.execute(
        f"""
        select
            user_id, window_days, cast(as_of_date as varchar) as as_of_date,
            cast(previous_as_of_date as varchar) as previous_as_of_date, previous_status,
            previous_primary_persona_id, status, primary_persona_id, change_type
        from {relation}
        where {where}
        order by user_id, window_days, as_of_date
        """
    ).to_arrow_reader(BATCH_ROWS)


def streamed(source: pa.RecordBatchReader) -> pa.RecordBatchReader:
    """`source` read ahead by a thread, while the consumer works on the previous batches."""
    batches: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=8)

    def read() -> None:
        try:
            for batch in source:
                batches.put(batch)
            batches.put(None)
        except BaseException as error:  # handed to the writer, which raises it
            batches.put(error)

    threading.Thread(target=read, name="sqlite_export_reader", daemon=True).start()

    def received() -> Iterator[pa.RecordBatch]:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    return pa.RecordBatchReader.from_batches(source.schema, received())


def stage(
    cursor: Any,
    publication: Publication,
    path: Path,
    invocation_id: str,
    *,
    page_size: int,
    check_free_space: bool,
) -> StagedWrite:
    """Write the publication into `path` inside a transaction, and leave it open.

    On any error the transaction is rolled back and nothing changed.
    """
    ensure_parent_folder(str(path))
    created = not path.exists()
    try:
        connection = adbc_sqlite.connect(str(path), autocommit=True)
    except adbc_driver_manager.Error as error:
        raise DbtRuntimeError(f"SQLite error on {path}: {error}") from error
    sqlite = connection.cursor()
    staged = StagedWrite(path, invocation_id, connection, sqlite, created)
    in_transaction = False
    try:
        # A reader finishing its transaction gets a moment before "database is locked".
        sqlite.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
        if created:
            sqlite.execute(f"pragma page_size = {page_size}")
        if check_free_space:
            sqlite.execute("pragma page_size")
            assert_free_space(publication, path, sqlite.fetchone()[0])
        sqlite.execute("begin immediate")
        in_transaction = True
        write(sqlite, cursor, publication, path)
        return staged
    except BaseException as error:
        if in_transaction:
            try:
                staged.close(commit=False)
            except DbtRuntimeError as rollback_error:  # the first error is the one to report
                LOGGER.debug(str(rollback_error))
        else:
            sqlite.close()
            connection.close()
            if created:
                remove_if_empty(path)
        if isinstance(error, adbc_driver_manager.Error):
            raise DbtRuntimeError(f"SQLite error on {path}: {sqlite_message(error)}") from error
        raise


def sqlite_message(error: adbc_driver_manager.Error) -> str:
    """SQLite's own words, without the ADBC status code and the repeated query."""
    text = re.split(r"\n\s*query( was)?:", str(error), maxsplit=1)[0]
    return text.split("] ", 1)[-1] if "[SQLite]" in text else text


def write(sqlite: Any, cursor: Any, publication: Publication, path: Path) -> None:
    existing = existing_columns(sqlite, TABLE)
    if existing is not None and tuple(existing) != COLUMN_NAMES:
        if tuple(existing) + ADDED_COLUMNS != COLUMN_NAMES:
            raise DbtRuntimeError(schema_message(path, TABLE, existing, COLUMN_NAMES))
        for name in ADDED_COLUMNS:
            LOGGER.debug(f"SQLite {path}: adding column {name} to {TABLE}")
            sqlite.execute(f"alter table {TABLE} add column {name} varchar")
    transitions = existing_columns(sqlite, TRANSITIONS_TABLE)
    transition_names = tuple(name for name, _ in TRANSITIONS_COLUMNS)
    if transitions is not None and tuple(transitions) != transition_names:
        raise DbtRuntimeError(
            schema_message(path, TRANSITIONS_TABLE, transitions, transition_names)
        )
    write_assignments(sqlite, cursor, publication, path, existing is not None)


def write_assignments(
    sqlite: Any, cursor: Any, publication: Publication, path: Path, table_exists: bool
) -> None:
    """Replace the rows of the publication's pairs in persona_assignments, keep the rest."""
    sqlite.execute("create temp table publication_pairs (as_of_date text, window_days integer)")
    sqlite.executemany("insert into temp.publication_pairs values (?, ?)", publication.pairs)
    kept = 0
    if table_exists:
        # Any row of another pair? (Read from the as_of_date index, first hit wins.)
        create_indexes(sqlite, TABLE, INDEXES)
        sqlite.execute(
            f"select exists (select 1 from {TABLE} where (as_of_date, window_days) not in "
            "(select as_of_date, window_days from temp.publication_pairs))"
        )
        (kept,) = sqlite.fetchone()
    source = rows(cursor, publication.relation, publication.where)
    if kept:
        # Rows of other pairs stay: delete the evaluated pairs and insert.
        LOGGER.debug(
            f"SQLite {path}: replacing {len(publication.pairs)} (as_of_date, window) "
            "pairs, keeping the rows of other pairs"
        )
        sqlite.execute(
            f"delete from {TABLE} where (as_of_date, window_days) in "
            "(select as_of_date, window_days from temp.publication_pairs)"
        )
        sqlite.adbc_ingest(TABLE, source, mode="append")
        return
    # Every row is replaced: write a new table before the old one is freed, so
    # SQLite never journals pages it overwrites, then swap the names.
    LOGGER.debug(f"SQLite {path}: writing a new {TABLE} table and swapping it in")
    sqlite.execute(f"drop table if exists {NEXT_TABLE}")
    sqlite.execute(
        create_table_sql(NEXT_TABLE, COLUMNS, "unique (user_id, window_days, as_of_date)")
    )
    sqlite.adbc_ingest(NEXT_TABLE, source, mode="append")
    if table_exists:
        sqlite.execute(f"drop table {TABLE}")
    sqlite.execute(f"alter table {NEXT_TABLE} rename to {TABLE}")
    create_indexes(sqlite, TABLE, INDEXES)


def write_transitions(sqlite: Any, cursor: Any, transitions: Transitions) -> None:
    """Replace the transitions of the recomputed pairs, keep the rest (stage() checked the
    columns of an existing table)."""
    if existing_columns(sqlite, TRANSITIONS_TABLE) is None:
        sqlite.execute(
            create_table_sql(
                TRANSITIONS_TABLE,
                TRANSITIONS_COLUMNS,
                "primary key (user_id, window_days, as_of_date)",
            )
        )
    create_indexes(sqlite, TRANSITIONS_TABLE, TRANSITIONS_INDEXES)
    if transitions.pairs:
        sqlite.executemany(
            f"delete from {TRANSITIONS_TABLE} where as_of_date = ? and window_days = ?",
            list(transitions.pairs),
        )
    sqlite.adbc_ingest(
        TRANSITIONS_TABLE,
        transition_rows(cursor, transitions.relation, transitions.where),
        mode="append",
    )


def create_table_sql(table: str, columns: tuple[tuple[str, str], ...], constraint: str) -> str:
    declarations = [f"{name} {declaration}" for name, declaration in columns]
    return f"create table {table} ({', '.join([*declarations, constraint])})"


def create_indexes(sqlite: Any, table: str, indexes: tuple[tuple[str, str], ...]) -> None:
    for name, columns in indexes:
        sqlite.execute(f"create index if not exists {name} on {table} ({columns})")


def existing_columns(sqlite: Any, table: str) -> list[str] | None:
    sqlite.execute("select type from sqlite_master where name = ?", (table,))
    kinds = sqlite.fetchall()
    if not kinds:
        return None
    if kinds[0][0] != "table":
        return [f"(a {kinds[0][0]}, not a table)"]
    sqlite.execute(f"pragma table_info({table})")
    return [row[1] for row in sqlite.fetchall()]


def schema_message(path: Path, table: str, existing: list[str], expected: tuple[str, ...]) -> str:
    return (
        f"The SQLite database {path} already has a {table} with other columns than this "
        f"project writes, so nothing was changed.\n"
        f"  found:    {', '.join(existing)}\n"
        f"  expected: {', '.join(expected)}\n"
        f"Either point var sqlite_path at another database, or rename the old table "
        f"(sqlite3 {path} 'alter table {table} rename to {table}_old') and re-run."
    )


def assert_free_space(publication: Publication, path: Path, page_size: int) -> None:
    needed = publication.estimated_bytes(page_size)
    free = shutil.disk_usage(path.parent).free
    if free < needed:
        raise DbtRuntimeError(
            f"Not enough free disk space for the SQLite export: writing {publication.row_count:,} "
            f"rows into {path} needs about {megabytes(needed)}, and {path.parent} has "
            f"{megabytes(free)} free. Nothing was written. Free up space or point var "
            "sqlite_path at a larger disk, then re-run (if the free space reported here is "
            "wrong, e.g. on some network filesystems, var check_free_disk_space: false skips "
            "this check)."
        )


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def remove_if_empty(path: Path) -> None:
    """Remove a database this export created when nothing was committed into it."""
    if path.exists() and path.stat().st_size == 0:
        path.unlink()
