"""Attempts: written once per idempotency key, bounded, and readable by time range."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from assistant.records import MAX_ANSWER_CHARS, Attempt, Person, Records, RecordsError

from .conftest import NOW


def _record(
    records: Records,
    person: Person,
    key: str,
    answer: str = "a",
    *,
    question_id: str = "q1",
    **kw: Any,
) -> tuple[Attempt, bool]:
    options: dict[str, Any] = {
        "correct": True,
        "score": 100.0,
        "idempotency_key": key,
        "surface": "slack",
        "answered_at": NOW,
    }
    options.update(kw)
    return records.record_attempt(person, question_id, answer, **options)


def test_same_key_twice_is_one_attempt(records: Records, agent: Person, bank: list[str]) -> None:
    first, created = _record(records, agent, "slack:T1:C1:1700000000.1", details={"choice": "a"})
    again, created_again = _record(
        records, agent, "slack:T1:C1:1700000000.1", correct=False, score=0.0
    )
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert (again.correct, again.score, again.details) == (True, 100.0, {"choice": "a"})
    assert (again.surface, again.answered_at) == ("slack", NOW)
    rows = records.attempts_between(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    assert [row.id for row in rows] == [first.id]


def test_key_reused_for_another_question_is_refused(
    records: Records, agent: Person, bank: list[str]
) -> None:
    _record(records, agent, "k1")
    with pytest.raises(RecordsError, match="idempotency key 'k1' was already used"):
        records.record_attempt(
            agent, "q2", "a", correct=True, score=100, idempotency_key="k1", answered_at=NOW
        )


def test_unknown_question_records_nothing(records: Records, agent: Person, bank: list[str]) -> None:
    with pytest.raises(RecordsError, match="unknown question id 'q-gone'"):
        records.record_attempt(
            agent, "q-gone", "a", correct=True, score=100, idempotency_key="k", answered_at=NOW
        )
    assert records.get_attempt("k") is None


def test_long_answer_is_truncated_and_flagged(
    records: Records, agent: Person, bank: list[str]
) -> None:
    exact = "x" * MAX_ANSWER_CHARS
    stored, _ = _record(records, agent, "exact", answer=exact)
    assert stored.answer == exact
    assert "answer_truncated" not in stored.details

    long = "é" * (MAX_ANSWER_CHARS + 5_000)
    stored, _ = _record(records, agent, "long", answer=long, details={"grader": "mc"})
    reread = records.get_attempt("long")
    assert reread is not None
    assert len(reread.answer) == MAX_ANSWER_CHARS == len(stored.answer)
    assert reread.details == {
        "grader": "mc",
        "answer_truncated": True,
        "answer_chars": MAX_ANSWER_CHARS + 5_000,
    }


@pytest.mark.parametrize("answer", ["", "   \n\t"])
def test_empty_answer_is_recorded_as_incorrect(
    records: Records, agent: Person, bank: list[str], answer: str
) -> None:
    _stored, created = _record(records, agent, "empty", answer=answer, correct=True, score=100.0)
    assert created
    reread = records.get_attempt("empty")
    assert reread is not None
    assert (reread.correct, reread.score, reread.answer) == (False, 0.0, answer)
    assert reread.details["empty_answer"] is True


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"score": 101.0}, "score must be between 0 and 100"),
        ({"score": float("nan")}, "score must be between 0 and 100"),
        ({"surface": "email"}, "surface 'email' is not one of"),
        ({"idempotency_key": "  "}, "idempotency key must be"),
        ({"idempotency_key": "k" * 256}, "idempotency key must be"),
        ({"answered_at": datetime(2025, 1, 1)}, "has no time zone"),
    ],
)
def test_bad_attempt_values_are_refused(
    records: Records, agent: Person, bank: list[str], kw: dict[str, object], message: str
) -> None:
    options = dict(kw)
    key = str(options.pop("idempotency_key", "k"))
    with pytest.raises(RecordsError, match=message):
        _record(records, agent, key, **options)
    assert records.attempts_between(NOW - timedelta(days=400), NOW + timedelta(days=1)) == []


def test_attempts_between_is_half_open_and_filtered(
    records: Records, agent: Person, bank: list[str]
) -> None:
    other = records.upsert_person("U-OTHER", display_name="Otto")
    for hour in range(4):
        _record(records, agent, f"a{hour}", answered_at=NOW + timedelta(hours=hour))
    _record(records, other, "o1", question_id="q2", answered_at=NOW + timedelta(hours=1))

    window = records.attempts_between(NOW + timedelta(hours=1), NOW + timedelta(hours=3))
    assert [a.idempotency_key for a in window] == ["a1", "o1", "a2"]
    assert [a.idempotency_key for a in window if a.person_id == agent.id] == ["a1", "a2"]
    mine = records.attempts_between(NOW, NOW + timedelta(days=1), person=agent)
    assert [a.idempotency_key for a in mine] == ["a0", "a1", "a2", "a3"]
    by_question = records.attempts_between(NOW, NOW + timedelta(days=1), question_id="q2")
    assert [a.idempotency_key for a in by_question] == ["o1"]
