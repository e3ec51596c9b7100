"""The `copc` command line: ingest summary and exit codes, search output, batch mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import cli
from assistant.app import Assistant
from assistant.cli import evidence


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    assert "ingest" in result.output and "search" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0 and "--batch" in out.stdout


def test_ingest_exits_3_and_names_failed_files(
    runner: CliRunner, tmp_path: Path, bundled: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "build", lambda: _fresh(bundled, tmp_path))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.md").write_text(
        "# Escalation\n\nCall the team lead within 10 minutes.\n", encoding="utf-8"
    )
    (docs / "empty.txt").write_text("", encoding="utf-8")
    result = runner.invoke(cli.main, ["ingest", str(docs), "--json"])
    assert result.exit_code == 3, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["added"] == 1 and payload["failed"] == 1
    assert payload["failed_files"][0]["file"].endswith("empty.txt")
    assert "empty" in payload["failed_files"][0]["reason"]


def _fresh(bundled: Assistant, tmp_path: Path) -> Assistant:
    from assistant.app import build_assistant
    from assistant.config import Settings

    return build_assistant(Settings(home=tmp_path / "fresh"), embedder=bundled.index.embedder)


def test_search_prints_ranked_sections(
    runner: CliRunner, bundled: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "build", lambda: bundled)
    result = runner.invoke(
        cli.main, ["search", "How was the service level target set?", "--k", "3"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line[:2] in {"1.", "2.", "3."}]
    assert len(lines) == 3
    assert "hb-service-level-targets.md" in lines[0] and "SITE-TGT-001" in lines[0]


def test_search_batch_prints_one_json_line_per_question(
    runner: CliRunner, bundled: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(evidence, "build", lambda: bundled)
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "how many QA evaluations per agent for harbor bank"}\n'
        '{"id": "b", "question": "what is the attrition target"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli.main, ["search", "--batch", str(batch), "--json", "--k", "4"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    for row in rows:
        assert len(row["hits"]) == 4 and [h["rank"] for h in row["hits"]] == [1, 2, 3, 4]
        assert set(row["hits"][0]) >= {
            "rank",
            "file",
            "section",
            "section_path",
            "doc_id",
            "page",
            "score",
            "text",
        }


def test_bad_batch_line_is_one_line_error(
    runner: CliRunner, bundled: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(evidence, "build", lambda: bundled)
    batch = tmp_path / "q.jsonl"
    batch.write_text("{not json\n", encoding="utf-8")
    result = runner.invoke(cli.main, ["search", "--batch", str(batch), "--json"])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: ") and "q.jsonl:1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_batch_errors_and_default_ids_use_file_line_numbers(
    runner: CliRunner, bundled: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(evidence, "build", lambda: bundled)
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '\n{"question": "what is the attrition target"}\n\n{"id": 7}\n', encoding="utf-8"
    )
    result = runner.invoke(cli.main, ["ask", "--batch", str(batch), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[0])["id"] == 2
    assert "q.jsonl:4: no `question`" in result.stderr
