"""The commands a newcomer types: what the README shows, --help, and make's checks.

Each README example runs as written (with this workspace's paths added to its
vars), so the README cannot drift from what the project does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import PROJECT_DIR, Workspace, to_yaml

README = PROJECT_DIR / "README.md"


def readme_section(title: str) -> str:
    text = README.read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def readme_vars(section: str, command: str) -> dict[str, object]:
    """The --vars of the first `<command> ... --vars '...'` line in a README section."""
    match = re.search(rf"^{re.escape(command)}.*--vars '([^']+)'", section, re.M)
    assert match, f"no `{command} --vars` example in the README section"
    values = yaml.safe_load(match.group(1))
    assert isinstance(values, dict)
    return values


def test_readme_threshold_example_runs_as_written_under_dbt_and_make_run(
    workspace: Workspace,
) -> None:
    section = readme_section("Changing thresholds")
    thresholds = readme_vars(section, "dbt build")
    assert thresholds == readme_vars(section, ".venv/bin/python scripts/assign_personas.py")

    built = workspace.dbt("build", **thresholds)
    assert built.ok, built.output[-3000:]
    assert "gate check archetype_gets_expected_persona skipped" in built.output

    report = workspace.root / "report.html"
    variables = to_yaml(workspace.vars(**thresholds))
    result = workspace.script(
        "assign_personas.py", "--vars", variables, "--report-html", str(report)
    )
    assert result.ok, result.output[-3000:]
    # The build above published these thresholds' assignments: nothing is new.
    assert "RESULT: PASSED - up to date, nothing new to publish" in result.output
    assert re.search(
        r"gate_archetype_gets_expected_persona\s+SKIPPED\s+the thresholds differ", result.output
    )


def test_assign_personas_help_says_unit_tests_are_left_to_make_test() -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "assign_personas.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "every data and unit test" not in text
    assert "so this skips them: `make test` (and `make dbt-test`) runs them" in text


def unit_tests_selected(workspace: Workspace, *selection: str) -> set[str]:
    listed = workspace.dbt("ls", "--resource-type", "unit_test", "--output", "name", *selection)
    assert listed.ok, listed.output[-2000:]
    lines = (line.strip() for line in listed.output.splitlines())
    return {line for line in lines if re.fullmatch(r"\w+", line)}


def test_plain_dbt_build_leaves_unit_tests_to_make_test(workspace: Workspace) -> None:
    """The default selector (plain `dbt build`, as `make run`) selects no unit test;
    `--selector ci` (`make dbt-test`) selects every one the project has."""
    every_unit_test = {
        test["name"]
        for path in (PROJECT_DIR / "models").rglob("*unit_tests.yml")
        for test in yaml.safe_load(path.read_text())["unit_tests"]
    }
    assert len(every_unit_test) > 20
    assert unit_tests_selected(workspace) == set()
    assert unit_tests_selected(workspace, "--selector", "ci") == every_unit_test
    assert "--selector ci" in (PROJECT_DIR / "Makefile").read_text()


def test_make_test_spark_checks_for_java_before_installing(tmp_path: Path) -> None:
    # A PATH with make and a shell but no java.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("make", "sh", "python3"):
        found = shutil.which(tool)
        assert found, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(found)
    spark_venv = tmp_path / "venv-spark"
    result = subprocess.run(
        ["make", "--no-print-directory", "test-spark", f"SPARK_VENV={spark_venv}"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Spark needs Java 17, and java is not on PATH" in result.stdout + result.stderr
    assert not spark_venv.exists(), "pyspark was installed before Java was checked"
