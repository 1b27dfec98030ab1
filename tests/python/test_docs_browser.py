"""The dbt docs site and the HTML report, rendered by a real headless Chromium.

The dbt docs site is a single-page app: the served index.html holds no model
text, the browser fetches manifest.json and catalog.json and renders the pages
with JavaScript. So these tests generate the docs in a workspace, serve them on
a localhost port, let Chromium run the app (`--dump-dom` after a virtual-time
budget) and check what a reader would see: the model's description, its
neighbours in the lineage and the lineage graph. The HTML report written by the
one-command entry point is rendered the same way from file://.

Each page is also screenshotted; the PNG is decoded with the standard library
and must not be blank. Copies land in target/screenshots/ for a human to look
at. Chromium comes from the Debian package: scripts/ensure_chromium.sh.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.request
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import PROJECT_DIR, ReportRun, Workspace

# Shares the docs build with test_docs_coverage: the same xdist worker runs both.

SCREENSHOT_DIR = PROJECT_DIR / "target" / "screenshots"
WINDOW = (1400, 1000)
# Tall enough for the whole report, heatmaps included.
FULL_REPORT_WINDOW = (1400, 5600)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium tries to reach Google's servers, which this machine refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Debian's launcher means to add this on a small /dev/shm, but its check can misfire.
    "--disable-dev-shm-usage",
    "--virtual-time-budget=15000",
)
CHROMIUM_TIMEOUT = 90
MODEL = "persona_assignments"
MODEL_ID = f"model.spendsense_personas.{MODEL}"
MODEL_PAGE = f"#!/model/{MODEL_ID}"
# g_v=1 opens the lineage graph; g_i selects what it shows (here: 1+persona_assignments+1).
LINEAGE_PAGE = f"{MODEL_PAGE}?g_v=1&g_i=1%2B{MODEL}%2B1"
DESCRIPTION_START = "The published result"


def chromium_binary() -> str:
    """Chromium's path; a failure that says how to install it when it is missing."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail(
            "chromium is not on PATH, and these tests render pages in headless Chromium. "
            "Install it with scripts/ensure_chromium.sh (as root: it runs apt-get install "
            "chromium); `make test` does that first.",
            pytrace=False,
        )
    return binary


@dataclass(frozen=True)
class Rendered:
    """What Chromium made of a page: the DOM after JavaScript ran, and a screenshot."""

    dom: str
    screenshot: Path

    @property
    def visible_dom(self) -> str:
        """The DOM without scripts, templates in them and comments."""
        without_scripts = re.sub(r"<script\b.*?</script>", "", self.dom, flags=re.S | re.I)
        return re.sub(r"<!--.*?-->", "", without_scripts, flags=re.S)


def render(url: str, screenshot: Path, window: tuple[int, int] = WINDOW) -> Rendered:
    """Load `url` in a fresh headless Chromium; dump the DOM and take a screenshot."""
    binary = chromium_binary()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}",
            f"--screenshot={screenshot}",
            "--dump-dom",
            url,
        ]
        # Its own process group, so a hung browser and all its helpers can be stopped.
        process = subprocess.Popen(
            command,
            cwd=profile,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            dom, errors = process.communicate(timeout=CHROMIUM_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"Chromium did not finish {url} within {CHROMIUM_TIMEOUT} s")
    assert process.returncode == 0, f"Chromium failed on {url}:\n{chromium_errors(errors)}"
    assert screenshot.is_file(), f"no screenshot of {url}:\n{chromium_errors(errors)}"
    return Rendered(dom, screenshot)


def chromium_errors(stderr: str) -> str:
    """Chromium's stderr without the D-Bus noise of a machine with no session bus."""
    lines = [line for line in stderr.splitlines() if "dbus" not in line.lower()]
    return "\n".join(lines[-30:])


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    distinct_colors: int
    dominant_share: float


def read_png(path: Path) -> Png:
    """Decode an 8-bit RGB/RGBA PNG with zlib and struct only; count its colours."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    position, header, compressed = 8, None, bytearray()
    while position < len(data):
        (length, kind) = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
        position += 12 + length
    assert header is not None, f"{path} has no IHDR chunk"
    width, height, depth, color_type, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(color_type)
    assert depth == 8 and channels and not interlace, f"{path}: unsupported PNG layout {header}"
    rows = unfilter(zlib.decompress(bytes(compressed)), width * channels, height, channels)
    colors: Counter[bytes] = Counter()
    for row in rows:
        colors.update(row[i : i + channels] for i in range(0, len(row), channels))
    return Png(width, height, len(colors), colors.most_common(1)[0][1] / (width * height))


def unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    """Undo the per-row PNG filters (None, Sub, Up, Average, Paeth)."""
    assert len(raw) == height * (stride + 1), "PNG image data has the wrong length"
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                up = previous[i]
                if i >= bpp:
                    left, corner = line[i - bpp], previous[i - bpp]
                else:
                    left = corner = 0
                estimate = left + up - corner
                to_left, to_up, to_corner = (
                    abs(estimate - left),
                    abs(estimate - up),
                    abs(estimate - corner),
                )
                if to_left <= to_up and to_left <= to_corner:
                    predictor = left
                elif to_up <= to_corner:
                    predictor = up
                else:
                    predictor = corner
                line[i] = (line[i] + predictor) & 0xFF
        else:
            assert kind == 0, f"unknown PNG filter type {kind} in row {y}"
        previous = bytes(line)
        rows.append(previous)
    return rows


def check_screenshot(path: Path, keep_as: str, window: tuple[int, int] = WINDOW) -> Png:
    """The screenshot has the window's size and real content; keep a copy in target/."""
    png = read_png(path)
    assert (png.width, png.height) == window, f"{path} is {png.width}x{png.height}"
    assert png.distinct_colors >= 100, f"{path} looks blank: {png.distinct_colors} colours"
    assert png.dominant_share <= 0.95, (
        f"{path} looks blank: one colour covers {png.dominant_share:.0%} of it"
    )
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    kept = SCREENSHOT_DIR / keep_as
    shutil.copyfile(path, kept)
    print(
        f"\n{kept.relative_to(PROJECT_DIR)}: {png.width}x{png.height}, "
        f"{png.distinct_colors} colours, most common {png.dominant_share:.0%}"
    )
    return png


def section_text(dom: str, section_id: str) -> str:
    """The text of one section of a dbt docs model page (e.g. depends_on)."""
    match = re.search(
        rf'<div class="section-target" id="{section_id}"></div>(.*?)</section>', dom, re.S
    )
    assert match, f"the rendered page has no {section_id!r} section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class DocsServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that stops reading (a closed tab, a cancelled fetch) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def docs_url(docs_workspace: Workspace) -> Iterator[str]:
    """The generated docs, served on a free localhost port while the module runs."""
    handler = partial(QuietHandler, directory=str(docs_workspace.root / "target"))
    server = DocsServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and b"dbt Docs" in response.read()
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def manifest(docs_workspace: Workspace) -> dict[str, Any]:
    return json.loads((docs_workspace.root / "target" / "manifest.json").read_text())


def model_neighbours(manifest: dict[str, Any], key: str) -> set[str]:
    return {
        manifest["nodes"][unique_id]["name"]
        for unique_id in manifest[key][MODEL_ID]
        if unique_id.startswith("model.")
    }


def test_served_index_html_is_rendered_client_side(docs_url: str) -> None:
    # Why the other tests need a browser: the page as served holds none of the model text.
    with urllib.request.urlopen(docs_url, timeout=10) as response:
        served = response.read().decode()
    assert "<title>dbt Docs</title>" in served
    assert DESCRIPTION_START not in served


def test_docs_lineage_shows_model_description_and_neighbours(
    docs_url: str, docs_workspace: Workspace, manifest: dict[str, Any]
) -> None:
    page = render(docs_url + LINEAGE_PAGE, docs_workspace.root / "shots" / "docs_lineage.png")
    dom = page.visible_dom

    heading = re.search(r"<h1\b.*?</h1>", dom, re.S)
    assert heading and MODEL in heading.group(0), "the model page has no heading with its name"
    assert DESCRIPTION_START in section_text(dom, "description")
    parents = model_neighbours(manifest, "parent_map")
    children = model_neighbours(manifest, "child_map")
    assert parents == {"int_persona_evaluations_pivoted", "int_evaluation_plan", "persona_ruleset"}
    assert {"export_persona_assignments_sqlite_staged", "persona_gate_violations"} <= children
    depends_on, referenced_by = section_text(dom, "depends_on"), section_text(dom, "referenced_by")
    assert [name for name in parents if name not in depends_on.split()] == []
    assert [name for name in children if name not in referenced_by.split()] == []
    # The lineage graph is open full-screen and cytoscape has drawn into its canvases.
    assert re.search(r'class="launcher[^"]*\bon\b[^"]*" data-launcher="fullscreen"', dom)
    assert re.search(r'cytoscape_container"><div[^>]*><canvas', dom)

    check_screenshot(page.screenshot, "docs_lineage.png")


def test_docs_model_page_lists_documented_columns(
    docs_url: str, docs_workspace: Workspace, manifest: dict[str, Any]
) -> None:
    page = render(docs_url + MODEL_PAGE, docs_workspace.root / "shots" / "docs_model.png")
    columns = section_text(page.visible_dom, "columns")
    documented = manifest["nodes"][MODEL_ID]["columns"]
    assert documented, f"{MODEL} documents no columns"
    assert [name for name in documented if name not in columns.split()] == []
    check_screenshot(page.screenshot, "docs_model.png")


ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
REPORT_SECTIONS = (
    "run",
    "gate",
    "coverage",
    "rules",
    "boundary",
    "severity",
    "pairs",
    "archetypes",
    "quality",
    "listings",
)


def elements(dom: str, tag: str) -> list[tuple[dict[str, str], str]]:
    """(attributes, inner text) of every `tag` element of a rendered DOM."""
    found = []
    for match in re.finditer(rf"<{tag}\b([^>]*)>(.*?)</{tag}>", dom, re.S):
        attributes = {name: html.unescape(value) for name, value in ATTRIBUTE.findall(match[1])}
        text = html.unescape(re.sub(r"<[^>]+>", "", match[2])).strip()
        found.append((attributes, text))
    return found


def warehouse_rows(workspace: Workspace, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(workspace.duckdb_path), read_only=True) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count_text(value: int) -> str:
    return f"{value:,}"


def test_html_report_shows_every_section_with_the_reporting_models_numbers(
    demo_report: ReportRun,
) -> None:
    workspace, report = demo_report.workspace, demo_report.html
    page = render(report.as_uri(), workspace.root / "shots" / "persona_report.png")
    dom = page.visible_dom
    assert re.search(r'<p class="verdict pass">PASSED\b', dom), "no PASSED verdict"
    assert "FAILED" not in dom
    for section_id in REPORT_SECTIONS:
        assert f'<section id="{section_id}">' in dom, f"#{section_id} was not rendered"
    cells = elements(dom, "td")

    # Run header: the invocation that evaluated the gate, and the thresholds of the run.
    (gate,) = warehouse_rows(workspace, "select invocation_id from persona_gate_result")
    run = {a["data-run"]: text for a, text in cells if "data-run" in a}
    assert run["dbt invocation"] == gate["invocation_id"]
    settings = {
        row["var_name"]: json.loads(row["value_json"])
        for row in warehouse_rows(workspace, "select * from rpt_run_settings")
    }
    thresholds = {a["data-threshold"]: text for a, text in cells if "data-threshold" in a}
    assert len(thresholds) == 11
    for name, text in thresholds.items():
        assert float(text) == settings[name], name
    inputs = {a["data-input"] for a, _ in cells if "data-input" in a}
    assert len(inputs) == 5

    # Persona rules: matches per persona, and each criterion's counts.
    rule_rows = elements(dom, "tr")
    shown = {}
    for attributes, _ in rule_rows:
        if "data-window" not in attributes or "data-persona" not in attributes:
            continue
        row_html = re.search(
            rf'<tr [^>]*data-window="{attributes["data-window"]}"[^>]*'
            rf'data-persona="{attributes["data-persona"]}"'
            + (
                rf'[^>]*data-criterion="{attributes["data-criterion"]}"'
                if "data-criterion" in attributes
                else r"(?![^>]*data-criterion)"
            )
            + r"[^>]*>(.*?)</tr>",
            dom,
            re.S,
        )
        assert row_html
        for cell, text in elements(row_html[0], "td"):
            if "data-metric" in cell:
                key = (
                    int(attributes["data-window"]),
                    int(attributes["data-persona"]),
                    attributes.get("data-criterion"),
                    cell["data-metric"],
                )
                shown[key] = cell.get("data-value", text)
    matches = warehouse_rows(workspace, "select * from rpt_persona_matches")
    for row in matches:
        for metric in ("matched_count", "primary_count", "secondary_count", "not_in_top_two_count"):
            assert shown[(row["window_days"], row["persona_id"], None, metric)] == count_text(
                row[metric]
            ), (row, metric)
    criteria = warehouse_rows(workspace, "select * from rpt_persona_criteria")
    for row in criteria:
        for metric in ("passed_count", "triggered_count"):
            key = (row["window_days"], row["persona_id"], row["criterion_name"], metric)
            assert shown[key] == str(row[metric]), (row, metric)

    # Near the thresholds: just below / just above for every numeric criterion.
    boundary = {
        (int(a["data-window"]), int(a["data-persona"]), a["data-criterion"], a["data-metric"]): text
        for a, text in cells
        if a.get("data-metric") in ("just_below", "just_above")
    }
    numeric = [row for row in criteria if row["operator"] is not None]
    assert len(boundary) == 2 * len(numeric)
    for row in numeric:
        key = (row["window_days"], row["persona_id"], row["criterion_name"])
        assert boundary[(*key, "just_below")] == count_text(row["just_below_count"])
        assert boundary[(*key, "just_above")] == count_text(row["just_above_count"])

    # Severity: one box per matched persona and window, at the model's median.
    boxes = re.findall(r'<g data-persona="(\d+)" data-median="([^"]+)">', dom)
    severity = warehouse_rows(workspace, "select * from rpt_persona_severity")
    assert sorted(float(median) for _, median in boxes) == sorted(
        row["median_severity"] for row in severity
    )
    assert re.search(r"<svg class=\"severity\"", dom)

    # Primary x secondary: every non-empty cell of the heatmap is the model's count.
    pairs = warehouse_rows(workspace, "select * from rpt_primary_secondary_matrix")
    shown_pairs = {
        (int(a["data-metric"].removeprefix("pairs-")), a["data-row"], a["data-column"]): int(text)
        for a, text in cells
        if a.get("data-metric", "").startswith("pairs-") and text
    }
    assert shown_pairs == {
        (row["window_days"], row["primary_outcome"], row["secondary_outcome"]): row["key_count"]
        for row in pairs
    }

    # Archetypes: one heatmap per window with every archetype of the labels.
    archetypes = set(pq.read_table(workspace.archetypes_path)["archetype"].to_pylist())
    archetype_rows = {
        a["data-row"] for a, _ in cells if a.get("data-metric", "").startswith("archetypes-")
    }
    assert archetype_rows == archetypes

    # The generated docs the report links to exist, and the link opens the focused lineage.
    link = re.search(r'<a href="([^"]*index\.html[^"]*)">dbt docs \(generated\)</a>', dom)
    assert link, "the report does not link to the generated dbt docs"
    assert (report.parent / link.group(1).split("#", 1)[0]).is_file()
    assert "g_i=1%2Bpersona_assignments%2B1" in html.unescape(link.group(1))

    check_screenshot(page.screenshot, "persona_report.png")
    full = render(report.as_uri(), workspace.root / "shots" / "full.png", FULL_REPORT_WINDOW)
    assert '<section id="pairs">' in full.visible_dom
    check_screenshot(full.screenshot, "persona_report_full.png", FULL_REPORT_WINDOW)
