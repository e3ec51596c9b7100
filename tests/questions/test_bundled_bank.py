"""The question bank of the bundled sample site, indexed with the real MiniLM model."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.questions import (
    AREAS,
    Corpus,
    Question,
    QuestionBank,
    check_answerable,
    lint,
)
from assistant.questions.text import normalise

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(
    bundled_home: Path,
    minilm: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[QuestionBank, Assistant, list[Question]]:
    """One generation over the bundled index (the bank file lives in a temp dir)."""
    assistant = build_assistant(Settings(home=bundled_home), embedder=minilm)
    folder = tmp_path_factory.mktemp("bank")
    bank = QuestionBank(folder / "questions.jsonl", authored_dir=BUNDLED_CORPUS / "questions")
    return bank, assistant, bank.generate(assistant)


def test_bank_size_types_and_areas(
    generated: tuple[QuestionBank, Assistant, list[Question]],
) -> None:
    _, _, questions = generated
    by_type = Counter(q.type for q in questions)
    by_area = Counter(q.area for q in questions)
    print("\nquestions:", len(questions))
    print("by type:", dict(sorted(by_type.items())))
    print("by area:", dict(sorted(by_area.items())))
    assert len(questions) >= 150
    assert len(by_type) >= 5
    assert len([a for a in by_area if a in AREAS]) >= 10
    assert set(by_area) <= set(AREAS), "areas are the criteria notes' area slugs"
    assert len({q.id for q in questions}) == len(questions)


def test_every_question_is_answerable_and_lint_clean(
    generated: tuple[QuestionBank, Assistant, list[Question]],
) -> None:
    _, assistant, questions = generated
    corpus = Corpus.from_catalog(assistant.index.catalog)
    assert [
        (q.id, check_answerable(q, corpus)) for q in questions if check_answerable(q, corpus)
    ] == []
    assert lint(questions, corpus) == []
    for q in questions:
        assert q.roles and 1 <= q.difficulty <= 3
        assert q.citation.quote and q.citation.doc_id and q.citation.file


def test_ids_are_stable_across_generations(
    generated: tuple[QuestionBank, Assistant, list[Question]], bundled: Assistant
) -> None:
    bank, _, questions = generated
    again = bank.generate(bundled)
    assert [q.id for q in again] == [q.id for q in questions]
    assert again == questions


def test_authored_questions_are_all_in_and_win_on_their_facts(
    generated: tuple[QuestionBank, Assistant, list[Question]],
) -> None:
    bank, _, questions = generated
    authored = [q for q in questions if q.origin == "authored"]
    assert 15 <= len(authored) <= 25
    assert all(q.status == "approved" for q in authored)
    assert [d for d in bank.dropped if d.question_id.startswith("a-") or d.type == "authored"] == []
    beaten = [d for d in bank.dropped if "covers the same fact" in d.reason]
    assert len(beaten) >= 5, "generated questions on authored facts give way"
    authored_quotes = {(q.citation.doc_id, normalise(q.citation.quote)) for q in authored}
    assert not [
        q.id
        for q in questions
        if q.origin == "generated"
        and (q.citation.doc_id, normalise(q.citation.quote)) in authored_quotes
    ]


def test_site_facts_from_the_fact_sheet_are_asked(
    generated: tuple[QuestionBank, Assistant, list[Question]],
) -> None:
    """Spot checks against docs/sample-site.md."""
    _, _, questions = generated
    answers = {(q.citation.doc_id, q.correct_text) for q in questions}
    assert ("SITE-QA-009", "554 evaluations") in answers
    assert ("SITE-QA-012", "±5 points") in answers
    assert ("SITE-TGT-003", "Raj Patel only") in answers
    assert ("SITE-TGT-005", "Not applicable (site policy)") in answers
    classes = {q.fact: q.correct_text for q in questions if q.type == "error_class"}
    assert classes["closing a card without making the retention offer"] == "Business-critical"
    assert classes["failed identity verification"] == "Compliance-critical"
