"""Benchmark the whole pipeline at several sizes and write benchmarks/results.md.

For each size: generate demo features into a scratch folder (timed on its
own, not counted), then run the pipeline exactly as `make run` does
(`scripts/assign_personas.py`: dbt build with every data test and the gate,
both exports, the report) into scratch outputs. Records wall time, CPU
time (user + system, which varies less than wall time on a shared machine),
peak resident memory of the run (dbt runs in-process, so that is the whole
tree), the slowest dbt nodes (from the build's run_results.json), output sizes
and users per second. With --rerun it runs each size a second time against
the SQLite file of the first run, which measures replacing existing rows.
With --repeat N it makes N first runs (each from nothing) and N re-runs per
size and reports the median run, with every run's wall time beside it.

With --history it measures running over time instead (per size, on one set
of eight weekly snapshots in the folder layout): a fresh run of one date, a
run that adds a second date to it, a first run over seven dates, and a run
that adds the eighth date to those seven. The add-a-date runs evaluate only
the new date; their cost against the fresh single date, and their peak
memory with one and with seven dates stored, are what the history issue
targets (add one date within 1.2x of a fresh date; memory flat).

With --compare it also times, per size and from nothing each time, the
reference implementation (benchmarks/reference_polars.py: the same rows and
traces as one Polars query and the same writes, no gate) and plain `dbt
build`, and reports both entry points' ratio to the reference.

With --sweep VAR=START:STOP:STEP it measures a what-if sweep instead (per
size): a normal first run, then `assign_personas.py --sweep ...` on its
stored assignments, which evaluates every value in one query and publishes
nothing. The what-if issue targets a 7-value sweep within 3x the normal run,
its peak memory within the normal run's.

The benchmark asserts nothing: it reports. Machines are noisy; compare ratios
within one run, not seconds across runs.

Examples:
  python scripts/benchmark.py                          # 10k, 100k, 1M users
  python scripts/benchmark.py --sizes 75 10000 --rerun
  python scripts/benchmark.py --rerun --repeat 3       # median of three runs each
  python scripts/benchmark.py --sizes 10000000 --no-sqlite   # SQLite export off
  python scripts/benchmark.py --sizes 10000000 --results benchmarks/results-10m-sqlite.md
  python scripts/benchmark.py --sizes 1000000 --compare --repeat 3 \
      --results benchmarks/reference-1m.md
  python scripts/benchmark.py --history --sizes 100000 --results benchmarks/history-100k.md
  python scripts/benchmark.py --sizes 1000000 --results benchmarks/what-if-1m.md \
      --sweep high_utilization_min_utilization=0.40:0.70:0.05
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# Runs the pipeline as its only child and records that child's peak RSS and
# CPU time: a fresh process per run, so sizes measured earlier do not leak
# into the figures.
MEASURING_WRAPPER = """
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu_s = usage.ru_utime + usage.ru_stime
open(sys.argv[1], "w").write(json.dumps({"peak_kb": usage.ru_maxrss, "cpu_s": cpu_s}))
sys.exit(code)
"""


# Disk a run needs, per million users and stored date, as measured here (README
# "Performance"): the SQLite file with 64 KB pages (5.16 GB at 1M users), the
# DuckDB warehouse (0.33 GB), the inputs, and the spill files DuckDB writes
# next to the warehouse while persona_assignments builds, once its joins
# outgrow the memory limit (35 GB at 10M users). The spill files are gone
# before the SQLite write begins, so a run needs the larger of the two.
SQLITE_GB_PER_MILLION = 5.2
WAREHOUSE_GB_PER_MILLION = 0.35
SPILL_GB_PER_MILLION = 3.5
FEATURES_GB_PER_MILLION = 0.15
# A healthy machine allocates and writes 1 GB of fresh memory in well under a
# second; on this VM it sometimes takes 10x that (the host has to hand the
# memory back), and every timing taken then measures the host, not the run.
MEMORY_PROBE_BYTES = 2**30


@dataclass
class Measurement:
    users: int
    label: str
    generate_s: float
    wall_s: float
    cpu_s: float
    peak_rss_gb: float
    exit_code: int
    sqlite_gb: float
    parquet_mb: float
    warehouse_gb: float
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)
    # Wall seconds of every repetition (--repeat); this measurement is their median run.
    wall_runs: list[float] = field(default_factory=list)

    @property
    def users_per_second(self) -> float:
        return self.users / self.wall_s if self.wall_s else 0.0

    @property
    def microseconds_per_user(self) -> float:
        return 1e6 * self.wall_s / self.users


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def generate(users: int, folder: Path, *history: str) -> float:
    """Generate the demo features into folder/features (`history`: more generator options)."""
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "generate_features.py"),
            "--users",
            str(users),
            "--out",
            str(folder / "features"),
            "--archetypes",
            str(folder / "user_archetypes.parquet"),
            *history,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


# How a run is started: `make run`'s script, the product's plain `dbt build`, or the
# reference implementation in benchmarks/ (the same job as one Polars query, no gate).
MAKE_RUN, DBT_BUILD, REFERENCE = "make run", "dbt build", "reference"
DBT = Path(sys.executable).parent / "dbt"
PARSED_PROJECT = "partial_parse.msgpack"


def pipeline_vars(folder: Path, export_sqlite: bool) -> dict[str, object]:
    """The dbt vars of a run on the features in `folder`."""
    return {
        "features_dir": str(folder / "features"),
        "archetypes_path": str(folder / "user_archetypes.parquet"),
        "sqlite_path": str(folder / "out" / "spendsense.db"),
        "parquet_path": str(folder / "out" / "persona_assignments.parquet"),
        "export_sqlite": export_sqlite,
        "what_if_dir": str(folder / "what_if"),
    }


def pipeline_env(folder: Path) -> dict[str, str]:
    """The environment of a run on `folder`: its own warehouse, artifacts and logs."""
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "SPENDSENSE_DUCKDB_PATH": str(folder / "warehouse.duckdb"),
            "DBT_TARGET_PATH": str(folder / "target"),
            "DBT_LOG_PATH": str(folder / "logs"),
        }
    )
    return env


def parse_project(folder: Path, export_sqlite: bool) -> None:
    """`dbt parse` with the runs' vars, not timed: every timed run then finds the project
    parsed (target/partial_parse.msgpack), as a scheduled daily run does. A first run on a
    fresh clone parses it from scratch, about 2.5 s more."""
    subprocess.run(
        [str(DBT), "parse", "--vars", json.dumps(pipeline_vars(folder, export_sqlite))],
        cwd=PROJECT_DIR,
        env=pipeline_env(folder),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pipeline_command(folder: Path, entry: str, export_sqlite: bool, *options: str) -> list[str]:
    """The command line of one run of `entry` on the features in `folder`."""
    variables = pipeline_vars(folder, export_sqlite)
    if entry == REFERENCE:
        return [
            sys.executable,
            str(PROJECT_DIR / "benchmarks" / "reference_polars.py"),
            "--features-dir",
            variables["features_dir"],
            "--sqlite-path",
            variables["sqlite_path"],
            "--parquet-path",
            variables["parquet_path"],
            *([] if export_sqlite else ["--no-sqlite"]),
        ]
    if entry == DBT_BUILD:
        return [str(DBT), "build", "--vars", json.dumps(variables), *options]
    return [
        sys.executable,
        str(PROJECT_DIR / "scripts" / "assign_personas.py"),
        "--vars",
        json.dumps(variables),
        "--report-html",
        str(folder / "persona_report.html"),
        *options,
    ]


def run_pipeline(
    folder: Path, export_sqlite: bool, *options: str, entry: str = MAKE_RUN
) -> tuple[float, float, float, int]:
    """Run `entry` (with `options`, e.g. --sweep) in a child process.

    Returns (wall seconds, CPU seconds, peak RSS GB, exit code). CPU seconds
    (user + system, all threads) vary less than wall time on a shared
    machine, so they are the better figure for comparing two runs.
    """
    env = pipeline_env(folder)
    log_file = folder / "pipeline.log"
    usage_file = folder / "resource_usage.json"
    started = time.monotonic()
    with open(log_file, "w") as output:
        process = subprocess.run(
            [
                sys.executable,
                "-c",
                MEASURING_WRAPPER,
                str(usage_file),
                *pipeline_command(folder, entry, export_sqlite, *options),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    wall = time.monotonic() - started
    usage = json.loads(usage_file.read_text()) if usage_file.exists() else {}
    peak_gb = usage.get("peak_kb", 0) / 1024 / 1024
    return wall, usage.get("cpu_s", 0.0), peak_gb, process.returncode


def slowest_nodes(run_results: Path, count: int = 6) -> list[tuple[str, float]]:
    """The slowest dbt nodes of the build, from the build's run_results.json.

    assign_personas.py gives the reporting run its own artifacts folder, so
    this file is the build's.
    """
    if not run_results.exists():
        return []
    results = json.loads(run_results.read_text())["results"]
    timings = {
        result["unique_id"].split(".")[-1]: float(result["execution_time"]) for result in results
    }
    return sorted(timings.items(), key=lambda item: -item[1])[:count]


def size_of(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def reset_outputs(folder: Path) -> None:
    """Remove what a pipeline run leaves behind, so the next run is a first run again;
    dbt's parsed project (target/partial_parse.msgpack) stays (parse_project)."""
    shutil.rmtree(folder / "logs", ignore_errors=True)
    for path in (folder / "target").glob("*"):
        if path.name == PARSED_PROJECT:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    for path in [*(folder / "out").iterdir(), *folder.glob("warehouse.duckdb*")]:
        path.unlink()


def run_once(
    users: int,
    label: str,
    folder: Path,
    generate_s: float,
    export_sqlite: bool,
    *options: str,
    entry: str = MAKE_RUN,
) -> Measurement:
    wall, cpu, peak, code = run_pipeline(folder, export_sqlite, *options, entry=entry)
    return Measurement(
        users=users,
        label=label,
        generate_s=generate_s,
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_gb=peak,
        exit_code=code,
        sqlite_gb=size_of(folder / "out" / "spendsense.db") / 1e9,
        parquet_mb=size_of(folder / "out" / "persona_assignments.parquet") / 1e6,
        warehouse_gb=size_of(folder / "warehouse.duckdb") / 1e9,
        # A what-if's build has its own artifacts folder (assign_personas.py).
        slowest_nodes=slowest_nodes(
            folder / "target" / ("what_if" if "--sweep" in options else "") / "run_results.json"
        ),
    )


def median_run(runs: list[Measurement]) -> Measurement:
    """The run with the median wall time (the lower one of the middle two), all times attached."""
    ordered = sorted(runs, key=lambda run: run.wall_s)
    median = ordered[(len(ordered) - 1) // 2]
    median.wall_runs = [run.wall_s for run in runs]
    return median


@dataclass(frozen=True)
class RunKind:
    """One kind of run to measure: its label, how it is started (`entry`) with which
    options, and whether each repetition starts from nothing (no outputs, no warehouse)."""

    label: str
    options: tuple[str, ...] = ()
    fresh: bool = True
    entry: str = MAKE_RUN


def disk_needed_gb(users: int, export_sqlite: bool, dates: int = 1) -> float:
    """The free disk a run of `users` over `dates` stored dates needs, from the measured sizes."""
    sqlite = SQLITE_GB_PER_MILLION * dates if export_sqlite else 0.0
    kept = (FEATURES_GB_PER_MILLION + WAREHOUSE_GB_PER_MILLION) * dates
    return users / 1e6 * (kept + max(SPILL_GB_PER_MILLION, sqlite))


def assert_free_disk(folder: Path, users: int, export_sqlite: bool, dates: int = 1) -> None:
    """Refuse to start a size the disk under `folder` cannot hold, saying what it needs."""
    needed = disk_needed_gb(users, export_sqlite, dates)
    existing = next(parent for parent in (folder, *folder.parents) if parent.exists())
    free = shutil.disk_usage(existing).free / 1e9
    sqlite_part = (
        f"the SQLite file about {users / 1e6 * SQLITE_GB_PER_MILLION * dates:.1f} GB, "
        if export_sqlite
        else "no SQLite file, "
    )
    log(
        f"{users:,} users: needs about {needed:.1f} GB free ({sqlite_part}the warehouse, "
        f"DuckDB's spill files and the inputs the rest); {existing} has {free:.1f} GB"
    )
    if free < needed:
        sys.exit(
            f"Not enough free disk for {users:,} users: about {needed:.1f} GB needed under "
            f"{existing}, {free:.1f} GB free. Free up space, point --scratch at a larger "
            "disk, or pass --no-sqlite."
        )


def memory_probe_s() -> float:
    """Seconds to allocate and write MEMORY_PROBE_BYTES of fresh memory (see above)."""
    started = time.monotonic()
    block = bytearray(b"\x01") * MEMORY_PROBE_BYTES
    elapsed = time.monotonic() - started
    del block
    return elapsed


def measure_kinds(
    users: int, folder: Path, export_sqlite: bool, kinds: list[RunKind], repeat: int
) -> list[Measurement]:
    """Generate the features into `folder`, then `repeat` rounds of one run of each kind
    (the median run of each). Rounds, not each kind's runs in a row: a machine that
    slows down or speeds up during the benchmark then weighs on every kind alike, so
    the ratios between kinds hold."""
    assert_free_disk(folder, users, export_sqlite)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "out").mkdir(parents=True)
    log(f"{users:,} users: generating features (not counted)")
    generate_s = generate(users, folder)
    parse_project(folder, export_sqlite)
    runs: dict[str, list[Measurement]] = {kind.label: [] for kind in kinds}
    for attempt in range(1, repeat + 1):
        for kind in kinds:
            label = kind.label
            if kind.fresh:
                reset_outputs(folder)
            log(f"{users:,} users: {label} {attempt}/{repeat} (log: {folder / 'pipeline.log'})")
            run = run_once(
                users, label, folder, generate_s, export_sqlite, *kind.options, entry=kind.entry
            )
            log(
                f"{users:,} users, {label} {attempt}/{repeat}: {run.wall_s:.1f} s "
                f"({run.cpu_s:.1f} CPU s), peak {run.peak_rss_gb:.2f} GB, exit {run.exit_code}, "
                f"{run.users_per_second:,.0f} users/s"
            )
            runs[label].append(run)
    return [median_run(runs[kind.label]) for kind in kinds]


def measure(
    users: int,
    scratch: Path,
    export_sqlite: bool,
    rerun: bool,
    repeat: int = 1,
    compare: bool = False,
) -> list[Measurement]:
    """First runs (each from nothing) and, with `rerun`, re-runs against the last SQLite
    file; with `compare`, also the reference and plain `dbt build`, each from nothing."""
    kinds = [RunKind(REFERENCE, entry=REFERENCE)] if compare else []
    kinds.append(RunKind("first run"))
    if compare:
        kinds.append(RunKind(DBT_BUILD, entry=DBT_BUILD))
    if rerun:
        kinds.append(RunKind("re-run", fresh=False))
    return measure_kinds(users, scratch / f"users_{users}", export_sqlite, kinds, repeat)


def environment(probe_before_s: float) -> dict[str, str]:
    versions = {name: metadata.version(name) for name in ("dbt-core", "dbt-duckdb", "duckdb")}
    return {
        "date (UTC)": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        "load average (1, 5, 15 min) at the end": ", ".join(
            f"{load:.2f}" for load in os.getloadavg()
        ),
        "1 GB of fresh memory written, before the first run and after the last": (
            f"{probe_before_s:.2f} s, {memory_probe_s():.2f} s"
        ),
        "CPUs": str(os.cpu_count()),
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "python": platform.python_version(),
        **versions,
        "platform": platform.platform(),
    }


def svg_plot(measurements: list[Measurement]) -> str:
    """A log-log plot of wall time against users, as self-contained SVG."""
    points = [(m.users, m.wall_s) for m in measurements if m.label == "first run" and m.wall_s > 0]
    width, height, margin = 640, 420, 70
    if len(points) < 2:
        return ""
    xs = [math.log10(u) for u, _ in points]
    ys = [math.log10(t) for _, t in points]
    x_lo, x_hi = math.floor(min(xs)), math.ceil(max(xs))
    y_lo, y_hi = math.floor(min(ys)), math.ceil(max(ys))
    y_hi = max(y_hi, y_lo + 1)

    def px(x: float) -> float:
        return margin + (x - x_lo) / (x_hi - x_lo) * (width - 2 * margin)

    def py(y: float) -> float:
        return height - margin - (y - y_lo) / (y_hi - y_lo) * (height - 2 * margin)

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        "font-family='sans-serif' font-size='12'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
    ]
    for decade in range(x_lo, x_hi + 1):
        x = px(decade)
        parts.append(
            f"<line x1='{x}' y1='{margin}' x2='{x}' y2='{height - margin}' stroke='#ddd'/>"
        )
        parts.append(
            f"<text x='{x}' y='{height - margin + 18}' text-anchor='middle'>1e{decade}</text>"
        )
    for decade in range(y_lo, y_hi + 1):
        y = py(decade)
        parts.append(f"<line x1='{margin}' y1='{y}' x2='{width - margin}' y2='{y}' stroke='#ddd'/>")
        parts.append(
            f"<text x='{margin - 8}' y='{y + 4}' text-anchor='end'>{10**decade:g} s</text>"
        )
    # Linear reference: time proportional to users through the largest point.
    ux, uy = xs[-1], ys[-1]
    parts.append(
        f"<line x1='{px(x_lo)}' y1='{py(uy - (ux - x_lo))}' x2='{px(ux)}' y2='{py(uy)}' "
        "stroke='#999' stroke-dasharray='5,4'/>"
    )
    path = " ".join(f"{px(x)},{py(y)}" for x, y in zip(xs, ys, strict=True))
    parts.append(f"<polyline points='{path}' fill='none' stroke='#1565c0' stroke-width='2'/>")
    for (users, seconds), x, y in zip(points, xs, ys, strict=True):
        parts.append(f"<circle cx='{px(x)}' cy='{py(y)}' r='4' fill='#1565c0'/>")
        parts.append(f"<text x='{px(x) + 6}' y='{py(y) - 6}'>{users:,}: {seconds:.1f} s</text>")
    parts.append(
        f"<text x='{width / 2}' y='{height - 20}' text-anchor='middle'>users (log)</text>"
        f"<text x='18' y='{height / 2}' transform='rotate(-90 18 {height / 2})' "
        "text-anchor='middle'>wall seconds (log)</text>"
        f"<text x='{width / 2}' y='24' text-anchor='middle' font-size='14'>Pipeline wall time vs "
        "users (dashed: linear growth)</text></svg>"
    )
    return "\n".join(parts)


def svg_comparison(measurements: list[Measurement]) -> str:
    """Bars of the median wall time of the reference and both entry points, per size,
    with the 1.5x-the-reference target marked, as self-contained SVG."""
    sizes = sorted({m.users for m in measurements if m.label == REFERENCE})
    kinds = [(REFERENCE, "#9e9e9e"), ("first run", "#1565c0"), (DBT_BUILD, "#64b5f6")]
    names = {REFERENCE: "reference (Polars)", "first run": "make run", DBT_BUILD: "dbt build"}
    runs = {(m.users, m.label): m for m in measurements}
    if not sizes:
        return ""
    bar, gap, left, width = 22, 18, 210, 700
    height = 60 + len(sizes) * (len(kinds) * bar + gap) + 40
    longest = max(m.wall_s for m in measurements if m.users in sizes) or 1.0
    scale = (width - left - 120) / longest
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        "font-family='sans-serif' font-size='12'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
        f"<text x='{width / 2}' y='24' text-anchor='middle' font-size='14'>Wall time against "
        "the reference (median run; dashed: 1.5x the reference)</text>",
    ]
    y = 44
    for users in sizes:
        reference = runs[(users, REFERENCE)].wall_s
        target_x = left + 1.5 * reference * scale
        top = y
        for label, colour in kinds:
            run = runs.get((users, label))
            if run is None:
                continue
            length = run.wall_s * scale
            ratio = "" if label == REFERENCE else f" ({run.wall_s / reference:.2f}x)"
            parts += [
                f"<text x='{left - 8}' y='{y + bar * 0.7}' text-anchor='end'>"
                f"{users:,}: {names[label]}</text>",
                f"<rect x='{left}' y='{y}' width='{length:.1f}' height='{bar - 4}' "
                f"fill='{colour}'/>",
                f"<text x='{left + length + 6:.1f}' y='{y + bar * 0.7}'>"
                f"{run.wall_s:.1f} s{ratio}</text>",
            ]
            y += bar
        parts.append(
            f"<line x1='{target_x:.1f}' y1='{top - 4}' x2='{target_x:.1f}' y2='{y}' "
            "stroke='#c62828' stroke-dasharray='5,4'/>"
        )
        y += gap
    parts.append("</svg>")
    return "\n".join(parts)


def markdown(
    measurements: list[Measurement],
    command: str,
    export_sqlite: bool,
    chart: bool = True,
    probe_before_s: float = 0.0,
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}`. Each run is a full run as `make run` does it (dbt build",
        "with every data test and the validation gate, "
        + ("both exports" if export_sqlite else "the Parquet export (SQLite export off)")
        + ", and the report); feature generation is timed separately and not counted.",
        "The project is parsed once before the timed runs (`dbt parse`, not counted), as a",
        "scheduled daily run finds it; a first run on a fresh clone parses it, about 2.5 s more.",
        "With several runs per row, the row is the run with the median wall time; the runs",
        "go in rounds (one of each kind per round), so a machine that drifts weighs on all",
        "kinds alike. Rows",
        "labelled `dbt build` are plain `dbt build` (the default selector, no report); rows",
        "labelled `reference` are benchmarks/reference_polars.py on the same files.",
        "",
        "| users | run | wall s | all runs, wall s | CPU s | µs/user | users/s | peak RSS GB "
        "| SQLite GB | Parquet MB | DuckDB GB | generate s | exit |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measurements:
        all_runs = ", ".join(f"{seconds:.1f}" for seconds in m.wall_runs)
        lines.append(
            f"| {m.users:,} | {m.label} | {m.wall_s:.1f} | {all_runs} | {m.cpu_s:.1f} | "
            f"{m.microseconds_per_user:.1f} | "
            f"{m.users_per_second:,.0f} | {m.peak_rss_gb:.2f} | {m.sqlite_gb:.2f} | "
            f"{m.parquet_mb:.1f} | {m.warehouse_gb:.2f} | {m.generate_s:.1f} | {m.exit_code} |"
        )
    lines += ["", "Slowest dbt nodes per run (seconds, from the build's run_results.json):", ""]
    for m in measurements:
        nodes = ", ".join(f"{name} {seconds:.1f}" for name, seconds in m.slowest_nodes)
        if nodes:  # the reference is not dbt: no nodes
            lines.append(f"- {m.users:,} users, {m.label}: {nodes}")
    firsts = [m for m in measurements if m.label == "first run"]
    if len(firsts) >= 2:
        small, large = firsts[-2], firsts[-1]
        ratio = large.microseconds_per_user / small.microseconds_per_user
        lines += [
            "",
            f"Growth: seconds per user at {large.users:,} are {ratio:.2f}x those at "
            f"{small.users:,} (1.0 = perfectly linear).",
        ]
    if chart:
        lines += ["", "![wall time vs users](results.svg)"]
    lines += ["", "Environment:", ""]
    lines += [f"- {key}: {value}" for key, value in environment(probe_before_s).items()]
    return "\n".join(lines) + "\n"


HISTORY_DATES = 8


def add_dates(pool: Path, folder: Path, dates: list[Path]) -> None:
    """Give the workspace `folder` the snapshots `dates` (as_of_date=... folders of `pool`)."""
    (folder / "features").mkdir(parents=True, exist_ok=True)
    (folder / "out").mkdir(exist_ok=True)
    shutil.copy2(pool / "user_archetypes.parquet", folder / "user_archetypes.parquet")
    for date in dates:
        shutil.copytree(date, folder / "features" / date.name)


def measure_history(
    users: int, scratch: Path, export_sqlite: bool, repeat: int = 1
) -> list[Measurement]:
    """Fresh single date (median of `repeat`), add a 2nd, 7 dates at once, add the 8th."""
    root = scratch / f"history_{users}"
    assert_free_disk(root, users, export_sqlite, dates=HISTORY_DATES)
    shutil.rmtree(root, ignore_errors=True)
    log(f"{users:,} users: generating {HISTORY_DATES} weekly snapshots (not counted)")
    generate_s = generate(
        users, root / "pool", "--dates", str(HISTORY_DATES), "--layout", "folders"
    )
    dates = sorted((root / "pool" / "features").iterdir())

    def timed(label: str, folder: Path) -> Measurement:
        log(f"{users:,} users: {label} (log: {folder / 'pipeline.log'})")
        run = run_once(users, label, folder, generate_s, export_sqlite)
        log(
            f"{users:,} users, {label}: {run.wall_s:.1f} s ({run.cpu_s:.1f} CPU s), "
            f"peak {run.peak_rss_gb:.2f} GB, exit {run.exit_code}"
        )
        return run

    single = root / "single"
    add_dates(root / "pool", single, dates[:1])
    parse_project(single, export_sqlite)
    fresh = []
    for _ in range(repeat):
        reset_outputs(single)
        fresh.append(timed("fresh run, 1 date", single))
    measurements = [median_run(fresh)]
    add_dates(root / "pool", single, dates[1:2])
    measurements.append(timed("add the 2nd date (1 stored)", single))
    shutil.rmtree(single)  # room on the disk for the seven dates' outputs

    history = root / "history"
    add_dates(root / "pool", history, dates[:7])
    parse_project(history, export_sqlite)
    measurements.append(timed("first run, 7 dates", history))
    add_dates(root / "pool", history, dates[7:8])
    measurements.append(timed("add the 8th date (7 stored)", history))
    return measurements


def measure_sweep(
    users: int, scratch: Path, export_sqlite: bool, sweep: str, repeat: int = 1
) -> list[Measurement]:
    """A normal first run (median of `repeat`), then the sweep on its stored assignments."""
    kinds = [RunKind("normal run"), RunKind(f"sweep {sweep}", ("--sweep", sweep), fresh=False)]
    return measure_kinds(users, scratch / f"sweep_{users}", export_sqlite, kinds, repeat)


def sweep_summary(measurements: list[Measurement]) -> list[str]:
    """The what-if target, as ratios within one run of the benchmark."""
    lines = ["", "What-if sweep target (ratios within this run):", ""]
    for normal, sweep in zip(measurements[::2], measurements[1::2], strict=True):
        lines.append(
            f"- {normal.users:,} users: the {sweep.label} took {sweep.wall_s / normal.wall_s:.2f}x "
            f"the normal run ({sweep.wall_s:.1f} s vs {normal.wall_s:.1f} s; target at most 3x); "
            f"peak memory {sweep.peak_rss_gb:.2f} GB vs {normal.peak_rss_gb:.2f} GB "
            f"({sweep.peak_rss_gb / normal.peak_rss_gb:.2f}x)"
        )
    return lines


def reference_summary(measurements: list[Measurement]) -> list[str]:
    """The project against the reference implementation, as ratios within one run."""
    lines = [
        "",
        "Against the reference (benchmarks/reference_polars.py: the same rows and traces as one",
        "Polars query and the same two writes, without the gate, tests, history or report),",
        "medians within this run:",
        "",
        "| users | reference | make run | ratio | plain dbt build | ratio | peak GB: reference, "
        "make run, dbt build |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_size: dict[int, dict[str, Measurement]] = {}
    for m in measurements:
        by_size.setdefault(m.users, {})[m.label] = m
    for users, runs in by_size.items():
        reference, make_run, dbt_build = runs[REFERENCE], runs["first run"], runs[DBT_BUILD]
        peaks = ", ".join(f"{m.peak_rss_gb:.2f}" for m in (reference, make_run, dbt_build))
        lines.append(
            f"| {users:,} | {reference.wall_s:.1f} s | {make_run.wall_s:.1f} s | "
            f"{make_run.wall_s / reference.wall_s:.2f}x | {dbt_build.wall_s:.1f} s | "
            f"{dbt_build.wall_s / reference.wall_s:.2f}x | {peaks} |"
        )
    return lines


def history_summary(measurements: list[Measurement]) -> list[str]:
    """The history targets, as ratios within one run of the benchmark."""
    lines = ["", "History targets (ratios within this run):", ""]
    by_size: dict[int, dict[str, Measurement]] = {}
    for m in measurements:
        by_size.setdefault(m.users, {})[m.label] = m
    for users, runs in by_size.items():
        fresh = runs["fresh run, 1 date"]
        second = runs["add the 2nd date (1 stored)"]
        eighth = runs["add the 8th date (7 stored)"]
        lines.append(
            f"- {users:,} users: adding the 8th date took {eighth.wall_s / fresh.wall_s:.2f}x "
            f"a fresh single date ({eighth.wall_s:.1f} s vs {fresh.wall_s:.1f} s; target at "
            f"most 1.2x); peak memory {eighth.peak_rss_gb:.2f} GB with 7 dates stored vs "
            f"{second.peak_rss_gb:.2f} GB with 1 stored "
            f"({eighth.peak_rss_gb / second.peak_rss_gb:.2f}x)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    lines = (__doc__ or "").splitlines()
    parser = argparse.ArgumentParser(
        description=lines[0],
        epilog="\n".join(lines[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument(
        "--scratch", type=Path, default=PROJECT_DIR / "target" / "benchmark", help="work folder"
    )
    parser.add_argument("--rerun", action="store_true", help="also time a re-run per size")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per size and kind; the table shows the median run (default: %(default)s)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="switch the SQLite export off")
    parser.add_argument(
        "--history",
        action="store_true",
        help="measure runs over time: 1 date, add a 2nd; 7 dates, add the 8th",
    )
    parser.add_argument(
        "--sweep",
        metavar="VAR=START:STOP:STEP",
        help="measure a what-if sweep against a normal run, e.g. "
        "high_utilization_min_utilization=0.40:0.70:0.05",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time the reference implementation (benchmarks/reference_polars.py) and "
        "plain `dbt build` per size, and report the project's ratio to the reference",
    )
    parser.add_argument("--results", type=Path, default=PROJECT_DIR / "benchmarks" / "results.md")
    args = parser.parse_args(argv)
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be positive numbers of users")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    probe_before_s = memory_probe_s()
    log(
        f"1 GB of fresh memory written in {probe_before_s:.2f} s "
        "(well under 1 s on a machine that is not busy)"
    )
    measurements: list[Measurement] = []
    for users in sorted(args.sizes):
        if args.sweep:
            measurements += measure_sweep(
                users, args.scratch, not args.no_sqlite, args.sweep, args.repeat
            )
        elif args.history:
            measurements += measure_history(users, args.scratch, not args.no_sqlite, args.repeat)
        else:
            measurements += measure(
                users, args.scratch, not args.no_sqlite, args.rerun, args.repeat, args.compare
            )

    command = "python scripts/benchmark.py " + " ".join(sys.argv[1:] if argv is None else argv)
    chart = not (args.history or args.sweep)
    report = markdown(measurements, command.strip(), not args.no_sqlite, chart, probe_before_s)
    if args.history:
        report += "\n".join(history_summary(measurements)) + "\n"
    if args.sweep:
        report += "\n".join(sweep_summary(measurements)) + "\n"
    if args.compare and not (args.history or args.sweep):
        report += "\n".join(reference_summary(measurements)) + "\n"
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(report)
    plot = svg_plot(measurements) if chart else ""
    if plot:
        args.results.with_suffix(".svg").write_text(plot)
    if args.compare and not (args.history or args.sweep):
        comparison = args.results.with_name(args.results.stem + "-comparison.svg")
        comparison.write_text(svg_comparison(measurements))
        report += f"\n![wall time against the reference]({comparison.name})\n"
        args.results.write_text(report)
    print()
    print(report)
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
