"""The load benchmark's smoke run in CI: a few people, a few actions each, against the real
HTTP bot with its records in PostgreSQL; no errors and each answer recorded exactly once.
Acknowledgement latency is measured by `python -m evals.bench_load` (the 50 x 20 run), not
asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.practice import Practice
from assistant.questions.bank import AUTHORED_FOLDER, QuestionBank
from assistant.records import Records
from evals.bench_load import run
from evals.bench_load_report import END, START, markdown, record

pytestmark = pytest.mark.slow


def test_a_small_crowd_is_served_without_errors_and_recorded_once(
    hash_assistant: Assistant, pg_url: str, tmp_path: Path
) -> None:
    corpus = hash_assistant.settings.corpus_dir
    practice = Practice(
        hash_assistant,
        Records.open(pg_url),
        bank=QuestionBank(tmp_path / "questions.jsonl", authored_dir=corpus / AUTHORED_FOLDER),
        interviews_dir=corpus / "interviews",
    )
    try:
        result = run(hash_assistant, practice, people=5, actions=10, duplicate_every=3, workers=4)
    finally:
        practice.close()

    load, records = result["load"], result["records"]
    assert load["errors"] == [] and result["baseline_one_person"]["errors"] == []
    assert load["actions"] == 50 and load["duplicates_sent"] >= 1
    assert set(load["per_action"]) == {
        "ask",
        "interview",
        "interview answer",
        "quiz",
        "quiz answer",
    }
    assert records["attempts_expected"] == load["per_action"]["quiz answer"]["count"]
    assert records["attempts_recorded"] == records["attempts_expected"]
    assert records["attempts_missing"] == records["attempts_doubled"] == 0
    assert records["attempts_unexpected"] == 0
    assert records["interview_answers_recorded"] == records["interview_answers_expected"] > 0
    # Timings are the benchmark's business (ratios in docs/benchmarks.md); here only sanity.
    assert 0 < load["ack_ms"]["p50"] <= load["ack_ms"]["p99"], load["ack_ms"]

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "benchmarks.md").write_text("# Benchmarks\n\n## Other\n\nkept\n", encoding="utf-8")
    record(result, docs)
    record(result, docs)  # re-recording replaces the section
    page = (docs / "benchmarks.md").read_text(encoding="utf-8")
    assert page.count(START) == 1 and page.count(END) == 1 and "kept" in page
    assert page.rstrip().endswith(END) and markdown(result)[0] in page
