"""``copc report``, ``copc audit`` and ``copc demo-data`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main

from .conftest import Scenario


@pytest.fixture
def cli(sqlite_scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose records database is the hand-built history."""
    url = sqlite_scenario.records.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("COPC_DATABASE_URL", url)
    return CliRunner()


def test_report_json_over_a_period(cli: CliRunner) -> None:
    result = cli.invoke(
        main,
        [
            "report",
            "--format",
            "json",
            "--no-audit",
            "--since",
            "2026-02-02",
            "--until",
            "2026-03-01",
            "--audit-date",
            "2026-03-20",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {
        "since": "2026-02-02T00:00:00+00:00",
        "until": "2026-03-02T00:00:00+00:00",
        "last_day": "2026-03-01",
    }
    s = data["summary"]
    assert (s["people"], s["active"], s["attempts"], s["accuracy"]) == (4, 3, 6, 0.5)
    assert data["audit"] is None and data["audit_date"] == "2026-03-20"


def test_report_filters_and_writes_a_file(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "t1.md"
    result = cli.invoke(
        main,
        [
            "report",
            "--format",
            "md",
            "--team",
            "T1",
            "--since",
            "2026-02-02",
            "--until",
            "2026-03-01",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {out} (2 people, 4 attempts)" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Readiness report: team T1\n")
    program = cli.invoke(
        main,
        [
            "report",
            "--format",
            "csv",
            "--program",
            "Lumen Telecom",
            "--since",
            "2026-02-02",
            "--until",
            "2026-03-01",
        ],
    )
    assert program.exit_code == 0, program.output
    people = {
        line.split(",")[2] for line in program.stdout.splitlines() if line.startswith("person,")
    }
    assert people == {"U-CAROL", "U-DAVE"}  # "Lumen Telecom" matched the stored slug


def test_report_errors_are_one_line(cli: CliRunner) -> None:
    empty = cli.invoke(
        main, ["report", "--no-audit", "--since", "2026-03-01", "--until", "2026-02-01"]
    )
    assert empty.exit_code == 1
    assert empty.stderr.startswith("error: the period is empty") and empty.stderr.count("\n") == 1
    bad = cli.invoke(main, ["report", "--since", "March"])
    assert bad.exit_code == 2 and "'March' is not a date; use YYYY-MM-DD" in bad.output


def test_audit_lists_the_planted_gaps(cli: CliRunner) -> None:
    result = cli.invoke(
        main, ["audit", "--no-criteria", "--as-of", "2026-11-22", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["findings"]) == 8
    md = cli.invoke(main, ["audit", "--no-criteria", "--as-of", "2026-11-22"])
    assert md.stdout.startswith("# Audit as of 2026-11-22: 8 findings")
    assert "Site-wide unplanned absenteeism target: 3 consecutive months below target" in md.stdout


def test_audit_names_a_missing_register(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPC_TARGETS_PATH", str(tmp_path / "nowhere.yaml"))
    result = cli.invoke(main, ["audit", "--no-criteria"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: target register {tmp_path / 'nowhere.yaml'} cannot be read"
    )


def test_demo_data_refuses_a_database_with_real_people(cli: CliRunner) -> None:
    result = cli.invoke(main, ["demo-data"])
    assert result.exit_code == 1
    assert "already holds 4 real people" in result.stderr
