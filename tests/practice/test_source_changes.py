"""When a source document changes or disappears, its questions stop being served or graded."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.app import build_assistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import HashEmbedder
from assistant.practice import Practice, PracticeError
from assistant.questions import QuestionBank
from assistant.records import Records

from .test_service import right_answer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOCS = ("kpi-review-and-action-plans.md", "training-and-proficiency.md")


def test_a_deleted_source_retires_its_questions_and_keeps_the_history(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "site"
    corpus.mkdir(parents=True)
    for name in DOCS:
        shutil.copy(BUNDLED_CORPUS / "site" / name, corpus / name)
    settings = Settings(home=tmp_path / "home", corpus_dir=tmp_path / "corpus")
    assistant = build_assistant(settings, embedder=HashEmbedder(64))
    assistant.ingest()
    with Records.open(f"sqlite:///{tmp_path / 'r.db'}") as records:
        practice = Practice(assistant, records, bank=QuestionBank.from_settings(settings))
        practice.sync_bank()
        bank = practice.bank_questions()
        doomed = next(q for q in bank if q.citation.file.endswith(DOCS[1]))
        kept = next(
            q for q in bank if q.citation.file.endswith(DOCS[0]) and "manager" in q.roles
        )
        practice.enrol("U1", role="manager")
        practice.review([doomed.id, kept.id], "approved")
        practice.answer("U1", doomed.id, right_answer(doomed), idempotency_key="k1", now=NOW)

        (corpus / DOCS[1]).unlink()
        assert assistant.ingest().summary()["removed"] == 1

        with pytest.raises(PracticeError, match=f"question {doomed.id} can no longer be answered"):
            practice.answer("U1", doomed.id, right_answer(doomed), idempotency_key="k2", now=NOW)
        served = practice.next_questions("U1", limit=20, now=NOW + timedelta(days=30))
        assert doomed.id not in {i.question.id for i in served}
        assert kept.id in {i.question.id for i in served}
        assert records.get_attempt("k1") is not None and records.get_attempt("k2") is None
        statuses = {q.id: q.status for q in practice.bank_questions()}
        assert statuses[doomed.id] == "retired" and statuses[kept.id] == "approved"
