"""Demo data through the real practice engine, then the report over it (end to end)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from assistant.config import BUNDLED_CORPUS
from assistant.practice import Practice
from assistant.questions import QuestionBank
from assistant.records import Records
from assistant.reports import build_report, render
from assistant.reports.demo import TEAMS, DemoError, seed_demo

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@pytest.mark.slow
def test_demo_history_fills_every_part_of_the_report(bundled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = Records.open(f"sqlite:///{tmp_path / 'records.db'}")
    practice = Practice(
        bundled,
        records,
        bank=QuestionBank(tmp_path / "questions.jsonl", authored_dir=BUNDLED_CORPUS / "questions"),
        interviews_dir=BUNDLED_CORPUS / "interviews",
    )
    try:
        summary = seed_demo(practice, now=NOW, weeks=1, seed=3)
        assert summary.people == 46 and summary.interviews == 10
        assert summary.approved > 100  # generated drafts approved, in the bank file too
        assert all(q.status != "draft" for q in practice.bank.load())
        stored = records.attempts_between(NOW - timedelta(days=8), NOW)
        assert summary.attempts == len(stored) > 200
        assert all(a.idempotency_key.startswith("demo:") for a in stored)

        report = build_report(records, practice.scheduler, now=NOW, audit_date=date(2027, 1, 20))
        assert len(report.people) == 46
        assert {g.name for g in report.teams} == {t for t, _, _ in TEAMS} | {
            "Operations",
            "Quality",
        }
        assert {g.name for g in report.programs} == {"harbor-bank", "lumen-telecom", "(no program)"}
        assert report.site.tally.attempts == summary.attempts
        assert report.site.active >= 35  # a few joined late or stopped before the window
        assert report.site.tally.mastery is not None and report.site.interview_score is not None
        assert report.missed and all(m.source_doc_id for m in report.missed)
        assert len(report.areas) >= 10
        page = render(report, "html")
        assert "HB Team Alpha" in page and "people-area-heatmap" in page

        with pytest.raises(DemoError, match="the demo is already in this database"):
            seed_demo(practice, now=NOW, weeks=1, seed=3)
    finally:
        practice.close()
