"""The ``QuestionBank`` facade over a real index (embedded Chroma, fake embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.questions import QuestionBank, QuestionBankError
from assistant.questions.areas import CachedEmbedder

from .conftest import SITE


@pytest.fixture
def site(settings: Settings, tmp_path: Path, fake_embedder: HashEmbedder) -> Assistant:
    """The test site ingested into a real index under ``COPC_HOME``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in SITE.items():
        (corpus / name).write_text(text, encoding="utf-8")
    assistant = build_assistant(
        settings.model_copy(update={"corpus_dir": corpus}), embedder=fake_embedder
    )
    assert assistant.ingest().ok
    return assistant


def test_generate_save_load_round_trip(site: Assistant, settings: Settings) -> None:
    bank = QuestionBank.from_settings(site.settings)
    assert bank.path == settings.home / "questions.jsonl"
    questions = bank.generate(site)
    assert len(questions) >= 30 and len({q.id for q in questions}) == len(questions)
    assert all(q.status == "draft" and q.origin == "generated" for q in questions)
    bank.save(questions)
    assert bank.load() == questions
    first = json.loads(bank.path.read_text(encoding="utf-8").splitlines()[0])
    assert first["citation"]["quote"] and first["id"] == questions[0].id


def test_review_decisions_survive_regeneration(site: Assistant) -> None:
    bank = QuestionBank.from_settings(site.settings)
    questions = bank.generate(site)
    approved = {q.id for q in questions[:5]}
    bank.save([q.with_status("approved") if q.id in approved else q for q in questions])
    again = bank.generate(site)
    assert [q.id for q in again] == [q.id for q in questions]
    assert {q.id for q in again if q.status == "approved"} == approved


def test_refresh_after_a_document_changes(site: Assistant) -> None:
    bank = QuestionBank.from_settings(site.settings)
    bank.save(bank.generate(site))
    memo = site.settings.corpus_dir / "memo.md"
    memo.write_text(SITE["memo.md"].replace("345 seconds", "340 seconds"), encoding="utf-8")
    (site.settings.corpus_dir / "policy.txt").unlink()
    assert site.ingest().ok
    result = bank.refresh(site)
    saved = {q.id: q for q in bank.load()}
    assert result.retired and all(saved[i].status == "retired" for i in result.retired)
    assert result.stale and all(saved[i].status == "stale" for i in result.stale)
    assert any("340 seconds" in saved[i].citation.quote for i in result.added)


def test_the_embedder_is_cached_between_generations(site: Assistant) -> None:
    calls: list[int] = []
    inner = site.index.embedder

    class Counting:
        embedder_id = inner.embedder_id
        dimension = inner.dimension

        def embed(self, texts: list[str]):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return inner.embed(texts)

    counting = Counting()
    site.index.embedder = counting  # type: ignore[assignment]
    bank = QuestionBank.from_settings(site.settings)
    first = bank.generate(site)
    used = sum(calls)
    assert used > 0
    assert bank.generate(site) == first
    assert sum(calls) == used, "the second generation embeds nothing new"
    cached = CachedEmbedder(counting)  # type: ignore[arg-type]
    assert cached.embed([]).shape == (0, counting.dimension)


def test_a_corrupt_bank_file_is_a_clear_error(site: Assistant) -> None:
    bank = QuestionBank.from_settings(site.settings)
    bank.path.parent.mkdir(parents=True, exist_ok=True)
    bank.path.write_text('{"id": "q-1"}\n', encoding="utf-8")
    with pytest.raises(QuestionBankError, match="line 1 is not a valid question"):
        bank.load()


def test_an_empty_index_gives_an_empty_bank(
    settings: Settings, fake_embedder: HashEmbedder
) -> None:
    assistant = build_assistant(settings, embedder=fake_embedder)
    bank = QuestionBank(settings.home / "questions.jsonl")
    assert bank.generate(assistant) == []
    assert bank.load() == []
