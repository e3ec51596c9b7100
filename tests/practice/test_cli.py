"""The terminal quiz, interview, stats and question-bank commands, driven through piped input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from assistant import cli
from assistant.practice import Practice

from .test_service import right_answer


@pytest.fixture
def runner(practice: Practice, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(Practice, "from_settings", classmethod(lambda cls, *a, **k: practice))
    monkeypatch.setenv("COPC_USER", "U-cli")
    return CliRunner()


def test_quiz_reads_answers_from_piped_input_and_ends_with_mastery(
    runner: CliRunner, practice: Practice
) -> None:
    first, second, _third = practice.next_questions("U-cli", limit=3)
    # 1: right; 2: an unreadable answer (when it has choices) then empty = don't know;
    # 3: the input ends, which ends the session cleanly.
    typed = [right_answer(first.question), *(["Z9"] if second.question.choices else []), ""]
    result = runner.invoke(cli.main, ["quiz", "--n", "3"], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[1/3]" in out and "✓ correct (100/100)" in out and "[3/3]" in out
    assert "Source: " in out and "§" in out
    assert "No answer given: counted as not known" in out
    assert "1 of 2 right." in out and "Your readiness" in out and "Due now:" in out
    if second.question.choices:
        assert "answer with a letter A-" in out
    now = datetime.now(UTC)
    attempts = practice.records.attempts_between(now - timedelta(hours=1), now)
    assert len(attempts) == 2  # the unreadable answer recorded nothing


def test_interview_grades_piped_answers_as_json(runner: CliRunner) -> None:
    answers = "A formal Performance Improvement Plan, owned by the Operations Manager.\n" * 2
    result = runner.invoke(
        cli.main, ["interview", "--role", "manager", "--n", "2", "--json"], input=answers
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert len(lines) == 2
    for graded in lines:
        assert 0 <= graded["score"] <= 100
        assert graded["verdict"] in {"correct", "partial", "incorrect"}
        assert graded["citations"] and graded["model_answer"] and graded["follow_up"]


def test_interview_in_the_terminal_shows_the_model_answer(runner: CliRunner) -> None:
    args = ["interview", "--role", "agent", "--n", "1"]
    result = runner.invoke(cli.main, args, input="no idea\n")
    assert result.exit_code == 0, result.output
    assert "/100 · incorrect" in result.output
    assert "Model answer:" in result.output and "Assessor follow-up:" in result.output


def test_stats_json(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["stats", "--json", "--audit-date", "2027-01-15"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["user"] == "U-cli" and stats["predicted_recall"]["date"] == "2027-01-15"


def test_questions_generate_list_lint_review(runner: CliRunner, practice: Practice) -> None:
    generated = runner.invoke(cli.main, ["questions", "generate", "--json"])
    assert generated.exit_code == 0, generated.output
    counts = json.loads(generated.output)
    assert counts["questions"] >= 150 and len(counts["by_area"]) >= 10
    assert set(counts["by_type"]) >= {"mcq_numeric", "cloze", "true_false", "ordering"}

    listed = runner.invoke(cli.main, ["questions", "list", "--json", "--status", "draft"])
    assert listed.exit_code == 0
    drafts = [json.loads(line) for line in listed.output.splitlines()]
    assert drafts and all(d["citation"]["quote"] and d["status"] == "draft" for d in drafts)

    linted = runner.invoke(cli.main, ["questions", "lint"])
    assert linted.exit_code == 0, linted.output
    assert ", 0 issues" in linted.output

    first, second = drafts[0]["id"], drafts[1]["id"]
    reviewed = runner.invoke(cli.main, ["questions", "review", "--limit", "2"], input="a\nr\n")
    assert reviewed.exit_code == 0, reviewed.output
    assert "approved 1, retired 1" in reviewed.output
    statuses = {q.id: q.status for q in practice.bank_questions()}
    assert (statuses[first], statuses[second]) == ("approved", "retired")
    practice.review([first, second], "draft")

    unknown = runner.invoke(cli.main, ["questions", "review", "--approve", "q-missing"])
    assert unknown.exit_code == 1
    assert unknown.output.strip().startswith("error: unknown question id 'q-missing'")
