"""Faults on the output side: nothing published is ever lost, corrupted or half-written.

SPEC section 6: SQLite is written in one transaction, Parquet last through a
temporary file and a rename; a failed or killed run leaves each output either
as it was or fully replaced, and says what went wrong.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import (
    DEMO_DATE,
    DEMO_USERS,
    PROJECT_DIR,
    Workspace,
    built_workspace,
    copy_build,
    copy_inputs,
    generate_demo_data,
    to_yaml,
)

LARGE_USERS = 30_000


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_state(path: Path) -> tuple[str, int, int, list[str]]:
    """(integrity_check, rows, distinct computed_at, as_of_dates) of the SQLite output."""
    with sqlite3.connect(path) as connection:
        integrity = connection.execute("pragma integrity_check").fetchone()[0]
        rows, runs = connection.execute(
            "select count(*), count(distinct computed_at) from persona_assignments"
        ).fetchone()
        computed = [
            row[0]
            for row in connection.execute("select distinct computed_at from persona_assignments")
        ]
    return integrity, rows, runs, computed


@pytest.fixture(scope="module")
def large_baseline(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """30,000 users built once, so an export lasts long enough to be killed in the middle."""
    data = generate_demo_data(tmp_path_factory.mktemp("large"), users=LARGE_USERS)
    return built_workspace(data, tmp_path_factory.mktemp("large_built"))


@pytest.fixture
def large_built(large_baseline: Workspace, tmp_path: Path) -> Workspace:
    """A private copy of the large build's inputs, outputs and warehouse."""
    return copy_build(large_baseline, copy_inputs(large_baseline.root, tmp_path))


def kill_when(workspace: Workspace, folder: Path, appears: str, timeout_s: float = 240) -> bool:
    """Start `dbt build`; SIGKILL it as soon as a file matching the glob `appears` exists
    in `folder`. True if it was caught."""
    process = subprocess.Popen(
        workspace.dbt_command("build", as_of_date=DEMO_DATE),
        cwd=PROJECT_DIR,
        env=workspace.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout_s
    caught = False
    while process.poll() is None and time.monotonic() < deadline:
        if any(folder.glob(appears)):
            process.send_signal(signal.SIGKILL)
            caught = True
            break
        time.sleep(0.002)
    if process.poll() is None:
        process.kill()
    process.wait()
    return caught


@pytest.fixture
def small_folder(workspace: Workspace) -> Iterator[Path]:
    """An empty 2 MB tmpfs in the workspace (root only), unmounted afterwards."""
    disk = workspace.root / "small_disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"this test mounts a small tmpfs and needs root: {mounted.stderr}")
    try:
        yield disk
    finally:
        unmounted = subprocess.run(["umount", str(disk)], capture_output=True, check=False)
        if unmounted.returncode != 0:  # still open somewhere: detach it, and say so
            subprocess.run(["umount", "--lazy", str(disk)], check=True)
            pytest.fail(f"{disk} was still in use at the end of the test")


@pytest.fixture
def small_disk(workspace: Workspace, small_folder: Path) -> Workspace:
    """The workspace's outputs on the small tmpfs, published there by a first good run."""
    workspace.extra_vars.update(
        sqlite_path=str(small_folder / "spendsense.db"),
        parquet_path=str(small_folder / "persona_assignments.parquet"),
    )
    result = workspace.dbt("build")
    assert result.ok, result.output
    return workspace


def fill_disk(folder: Path, leave_bytes: int) -> None:
    """Write a filler file so that only about `leave_bytes` stay free on folder's disk."""
    free = shutil.disk_usage(folder).free
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave_bytes))


def test_disk_too_small_is_refused_before_writing(small_disk: Workspace) -> None:
    sqlite_path = Path(small_disk.vars()["sqlite_path"])
    parquet_path = Path(small_disk.vars()["parquet_path"])
    before = (digest(sqlite_path), digest(parquet_path))
    fill_disk(sqlite_path.parent, leave_bytes=200_000)

    result = small_disk.dbt("build", as_of_date=DEMO_DATE)

    assert not result.ok
    assert "Not enough free disk space for the SQLite export: writing 150 rows" in result.output
    assert re.search(r"needs about [\d.]+ MB, and .* has 0\.\d MB free", result.output)
    assert "Nothing was written" in result.output
    assert "Not published: the SQLite export failed and rolled back" in result.output
    assert (digest(sqlite_path), digest(parquet_path)) == before


def test_first_run_on_a_full_disk_leaves_no_database_behind(
    workspace: Workspace, small_folder: Path
) -> None:
    fill_disk(small_folder, leave_bytes=200_000)
    sqlite_path = small_folder / "spendsense.db"
    result = workspace.dbt("build", sqlite_path=str(sqlite_path))
    assert not result.ok
    assert "Not enough free disk space for the SQLite export" in result.output
    assert not sqlite_path.exists()  # the export created it, and removed it again


def test_disk_that_fills_up_during_the_export_rolls_back(small_disk: Workspace) -> None:
    sqlite_path = Path(small_disk.vars()["sqlite_path"])
    parquet_path = Path(small_disk.vars()["parquet_path"])
    before = (digest(sqlite_path), digest(parquet_path))
    fill_disk(sqlite_path.parent, leave_bytes=200_000)

    # The free-space check is off, so the export starts and the disk fills up.
    result = small_disk.dbt("build", check_free_disk_space=False, as_of_date=DEMO_DATE)

    assert not result.ok
    assert "database or disk is full" in result.output
    assert "Not published: the SQLite export failed and rolled back" in result.output
    assert "The disk holding the SQLite database is full" in result.output
    assert "Traceback" not in result.output
    assert (digest(sqlite_path), digest(parquet_path)) == before
    assert not sqlite_path.with_name(sqlite_path.name + "-journal").exists()
    # A read-only reader (no hot journal to roll back) sees the previous rows.
    with closing(sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)) as reader:
        assert reader.execute("select count(*) from persona_assignments").fetchone() == (
            DEMO_USERS * 2,
        )


def test_plain_dbt_build_creates_missing_output_folders(workspace: Workspace) -> None:
    # dbt build does what make run does: the folders of both outputs are created.
    sqlite_path = workspace.root / "new" / "app" / "spendsense.db"
    parquet_path = workspace.root / "new" / "lake" / "persona_assignments.parquet"
    result = workspace.dbt("build", sqlite_path=str(sqlite_path), parquet_path=str(parquet_path))
    assert result.ok, result.output
    assert sqlite_state(sqlite_path)[:2] == ("ok", DEMO_USERS * 2)
    assert pq.read_table(parquet_path).num_rows == DEMO_USERS * 2


def test_output_folder_that_cannot_be_created_is_a_clear_error(built: Workspace) -> None:
    parquet_before = digest(built.parquet_path)
    blocker = built.root / "blocker"
    blocker.write_text("a file where the folder should be")
    result = built.dbt("build", sqlite_path=str(blocker / "app" / "spendsense.db"))
    assert not result.ok
    assert f"unable to create the folder {blocker / 'app'}" in result.output
    assert "Not published: the SQLite export failed and rolled back" in result.output
    assert "The output folder does not exist or cannot be written" in result.output
    assert digest(built.parquet_path) == parquet_before


def test_entry_point_creates_the_output_folders(workspace: Workspace) -> None:
    sqlite_path = workspace.root / "new" / "app" / "spendsense.db"
    parquet_path = workspace.root / "new" / "lake" / "persona_assignments.parquet"
    variables = workspace.vars(sqlite_path=str(sqlite_path), parquet_path=str(parquet_path))
    result = workspace.script(
        "assign_personas.py",
        "--vars",
        to_yaml(variables),
        "--report-html",
        str(workspace.root / "report.html"),
    )
    assert result.ok, result.output
    assert sqlite_state(sqlite_path)[:2] == ("ok", DEMO_USERS * 2)
    assert pq.read_table(parquet_path).num_rows == DEMO_USERS * 2
    # A database the entry point creates gets 64 KB pages (a ~2 KB trace per row).
    with sqlite3.connect(sqlite_path) as connection:
        assert connection.execute("pragma page_size").fetchone() == (65536,)


def test_existing_database_keeps_its_page_size(workspace: Workspace) -> None:
    workspace.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(workspace.sqlite_path) as connection:
        connection.execute("create table users (user_id text primary key)")
    result = workspace.dbt("build")
    assert result.ok, result.output
    with sqlite3.connect(workspace.sqlite_path) as connection:
        assert connection.execute("pragma page_size").fetchone() == (4096,)
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    assert {"users", "persona_assignments"} <= tables


def test_failed_first_run_leaves_no_database_behind(workspace: Workspace) -> None:
    workspace.feature_file("credit").unlink()
    result = workspace.dbt("build")
    assert not result.ok
    assert "credit.parquet not found" in result.output
    assert not workspace.sqlite_path.exists()
    assert not workspace.parquet_path.exists()


def test_read_only_sqlite_is_a_clear_error(built: Workspace) -> None:
    before = (digest(built.sqlite_path), digest(built.parquet_path))
    # Root ignores file modes; the immutable attribute is what makes the file read-only here.
    locked = subprocess.run(["chattr", "+i", str(built.sqlite_path)], check=False)
    if locked.returncode != 0:
        pytest.fail("chattr +i failed: this test needs a filesystem with file attributes")
    try:
        result = built.dbt("build", as_of_date=DEMO_DATE)
    finally:
        subprocess.run(["chattr", "-i", str(built.sqlite_path)], check=True)
    assert not result.ok
    assert "readonly database" in result.output
    assert "The output file is read-only" in result.output
    assert (digest(built.sqlite_path), digest(built.parquet_path)) == before


def test_parquet_file_that_cannot_be_written_stops_the_run_before_anything_is_published(
    built: Workspace,
) -> None:
    before = (digest(built.sqlite_path), digest(built.parquet_path))
    # The transitions file goes into a folder nothing can be created in (immutable: root
    # ignores file modes). It is staged beside the gate, before the SQLite commit.
    locked = built.root / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], check=False).returncode != 0:
        pytest.fail("chattr +i failed: this test needs a filesystem with file attributes")
    transitions = locked / "persona_transitions.parquet"
    try:
        result = built.dbt("build", as_of_date=DEMO_DATE, transitions_parquet_path=str(transitions))
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)

    assert not result.ok
    assert f"Not published: writing {transitions} failed before anything was published" in (
        " ".join(result.output.split())
    )
    # SQLite was never committed, the assignments' file never renamed, nothing left staged.
    assert (digest(built.sqlite_path), digest(built.parquet_path)) == before
    assert list(built.parquet_path.parent.glob(".*.staged")) == []
    assert not transitions.exists()


def test_reader_holding_the_database_open_sees_no_corruption(built: Workspace) -> None:
    before_parquet = digest(built.parquet_path)
    integrity, rows, _, computed_before = sqlite_state(built.sqlite_path)
    assert (integrity, rows) == ("ok", DEMO_USERS * 2)

    reader = sqlite3.connect(built.sqlite_path, isolation_level=None, check_same_thread=False)
    reader.execute("begin")
    reader.execute("select count(*) from persona_assignments").fetchone()  # holds a read lock
    try:
        # SQLite's locks are between processes: dbt runs in its own.
        result = built.dbt("build", separate_process=True, as_of_date=DEMO_DATE)
        seen_by_reader = reader.execute("select count(*) from persona_assignments").fetchone()[0]
    finally:
        reader.execute("commit")
        reader.close()

    assert not result.ok
    assert "database is locked" in result.output
    assert "Another process holds the SQLite database" in result.output
    assert seen_by_reader == DEMO_USERS * 2
    assert sqlite_state(built.sqlite_path) == ("ok", DEMO_USERS * 2, 1, computed_before)
    assert digest(built.parquet_path) == before_parquet


def test_killed_during_the_sqlite_export_leaves_old_or_new_rows(large_built: Workspace) -> None:
    expected_rows = LARGE_USERS * 2
    _, _, _, computed_before = sqlite_state(large_built.sqlite_path)
    parquet_before = digest(large_built.parquet_path)
    journal = large_built.sqlite_path.with_name(large_built.sqlite_path.name + "-journal")

    assert kill_when(large_built, journal.parent, journal.name), (
        "the run ended before the SQLite export began"
    )

    integrity, rows, runs, computed_after = sqlite_state(large_built.sqlite_path)
    assert integrity == "ok"
    assert (rows, runs) == (expected_rows, 1)  # all old or all new, never a mix
    assert computed_after == computed_before  # killed before COMMIT: the old rows
    assert digest(large_built.parquet_path) == parquet_before


def test_killed_during_the_parquet_export_leaves_a_whole_file(large_built: Workspace) -> None:
    expected_rows = LARGE_USERS * 2
    parquet_before = digest(large_built.parquet_path)
    _, _, _, computed_before = sqlite_state(large_built.sqlite_path)
    output = large_built.parquet_path

    # Killed while the file is being staged, beside the gate: before any publication.
    caught = kill_when(large_built, output.parent, f".{output.name}.*.staged")

    table = pq.read_table(output)  # never truncated: always readable
    assert table.num_rows == expected_rows
    integrity, rows, runs, computed_after = sqlite_state(large_built.sqlite_path)
    assert (integrity, rows, runs) == ("ok", expected_rows, 1)
    if caught:
        assert digest(output) == parquet_before
        assert computed_after == computed_before  # the SQLite commit waits for the staging


def test_second_concurrent_dbt_run_fails_on_the_lock(built: Workspace) -> None:
    first = subprocess.Popen(
        built.dbt_command("build"),
        cwd=PROJECT_DIR,
        env=built.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert first.stdout is not None
    lines: list[str] = []
    for line in first.stdout:
        lines.append(line)
        if "on-run-start" in line:  # the first run now holds the warehouse
            break
    reader = threading.Thread(target=lambda: lines.extend(first.stdout or []))
    reader.start()
    second = built.dbt("build")
    first.wait(timeout=300)
    reader.join()

    assert not second.ok
    assert "Could not set lock on file" in second.output
    assert first.returncode == 0, "".join(lines)


def test_second_concurrent_entry_point_run_says_already_running(built: Workspace) -> None:
    env = built.env()
    lock_path = Path(env["SPENDSENSE_DUCKDB_PATH"] + ".lock")
    script = [sys.executable, str(PROJECT_DIR / "scripts" / "assign_personas.py")]
    arguments = ["--vars", to_yaml(built.vars()), "--report-html", str(built.root / "r.html")]
    first = subprocess.Popen(
        [*script, *arguments],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while (
        not (lock_path.exists() and lock_path.read_text().strip()) and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    second = built.script("assign_personas.py", *arguments)
    assert first.wait(timeout=300) == 0

    assert not second.ok
    assert "another persona assignment run is already using" in second.output
    assert "(locked)" in second.output
    assert os.path.exists(built.parquet_path)
