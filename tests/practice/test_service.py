"""The practice engine on the bundled index: queue, answers recorded once, bad input, interviews."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.practice import Practice, PracticeError, grade, letter
from assistant.questions.model import Question

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def right_answer(question: Question) -> str:
    """What a person who knows the answer types."""
    answer = question.answer
    if isinstance(answer, tuple):
        return " ".join(letter(i) for i in answer)
    if isinstance(answer, int):
        return letter(answer)
    return answer


def wrong_answer(question: Question) -> str:
    answer = question.answer
    if isinstance(answer, tuple):
        return " ".join(letter(i) for i in reversed(answer))
    if isinstance(answer, int):
        return letter((answer + 1) % len(question.choices))
    return "no idea at all"


def test_the_bank_is_synced_and_only_approved_questions_are_served(practice: Practice) -> None:
    practice.sync_bank()
    bank = practice.bank_questions()
    assert len(bank) >= 150
    assert len({q.area for q in bank}) >= 10
    # Every question, typed back with its own key, is graded correct; its mirror is not.
    for q in bank:
        assert grade(q, right_answer(q)).verdict == "correct", q.id
        assert grade(q, wrong_answer(q)).verdict != "correct", q.id
    items = practice.next_questions("U1", limit=50, now=NOW)
    assert len(items) == practice.scheduler.new_per_day  # the daily cap on new questions
    assert all(item.new and item.question.status == "approved" for item in items)


def test_due_dates_move_out_after_right_answers_and_in_after_wrong(practice: Practice) -> None:
    first, second = practice.next_questions("U1", limit=2, now=NOW)
    right = practice.answer(
        "U1", first.question.id, right_answer(first.question), idempotency_key="k1", now=NOW
    )
    wrong = practice.answer(
        "U1", second.question.id, wrong_answer(second.question), idempotency_key="k2", now=NOW
    )
    assert right.correct and right.verdict == "correct" and right.recorded
    assert not wrong.correct and wrong.score < 40
    assert right.next_due is not None and wrong.next_due is not None
    assert wrong.next_due < right.next_due
    assert right.citation.quote and right.explanation
    # Later the missed one is due first, before anything new.
    later = practice.next_questions("U1", limit=3, now=NOW + timedelta(hours=1))
    assert later[0].question.id == second.question.id and not later[0].new


def test_a_retried_answer_is_recorded_once(practice: Practice) -> None:
    item = practice.next_questions("U1", limit=1, now=NOW)[0]
    q = item.question
    first = practice.answer("U1", q.id, right_answer(q), idempotency_key="slack:Ev42", now=NOW)
    again = practice.answer("U1", q.id, wrong_answer(q), idempotency_key="slack:Ev42", now=NOW)
    assert first.recorded and not again.recorded
    assert again.correct == first.correct and again.score == first.score
    attempts = practice.records.attempts_between(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert len(attempts) == 1


def test_twenty_simultaneous_answers_same_key_one_attempt_distinct_keys_all(
    practice: Practice,
) -> None:
    q = practice.next_questions("U1", limit=1, now=NOW)[0].question
    for n in range(20):
        practice.enrol(f"P{n}")
    barrier = threading.Barrier(20)

    def same(n: int) -> bool:
        barrier.wait()
        return practice.answer("U1", q.id, right_answer(q), idempotency_key="dup", now=NOW).recorded

    def many(n: int) -> bool:
        barrier.wait()
        return practice.answer(f"P{n}", q.id, right_answer(q), idempotency_key=f"p{n}").recorded

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sorted(pool.map(same, range(20))) == [False] * 19 + [True]
    with ThreadPoolExecutor(max_workers=20) as pool:
        assert all(pool.map(many, range(20)))
    attempts = practice.records.attempts_between(NOW - timedelta(days=1), datetime.now(UTC))
    assert len(attempts) == 21
    assert len({a.idempotency_key for a in attempts}) == 21


def test_bad_answers_get_a_clear_message_and_record_nothing(practice: Practice) -> None:
    items = practice.next_questions("U1", limit=10, now=NOW)
    choice = next(i.question for i in items if i.question.choices and i.question.type != "ordering")
    cloze = next(i.question for i in items if i.question.type == "cloze")
    with pytest.raises(PracticeError, match="unknown question id 'q-nope'"):
        practice.answer("U1", "q-nope", "A", idempotency_key="a1", now=NOW)
    with pytest.raises(PracticeError, match="answer with a letter"):
        practice.answer("U1", choice.id, "Z" * 10_000, idempotency_key="a2", now=NOW)
    with pytest.raises(PracticeError, match="a fill-in answer is a few words"):
        practice.answer("U1", cloze.id, "word " * 2_000, idempotency_key="a3", now=NOW)
    assert practice.records.attempts_between(NOW - timedelta(days=1), NOW + timedelta(days=1)) == []
    # An empty answer is an answer ("I don't know"): recorded as wrong, once.
    empty = practice.answer("U1", cloze.id, "  ", idempotency_key="a4", now=NOW)
    assert empty.recorded and empty.score == 0 and not empty.correct
    (attempt,) = practice.records.attempts_between(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert attempt.details.get("empty_answer") is True


def test_a_retired_question_cannot_be_answered_or_served(practice: Practice) -> None:
    q = practice.next_questions("U1", limit=1, now=NOW)[0].question
    practice.answer("U1", q.id, right_answer(q), idempotency_key="r1", now=NOW)
    assert practice.review([q.id], "retired") == 1
    with pytest.raises(PracticeError, match="can no longer be answered: it was retired"):
        practice.answer("U1", q.id, right_answer(q), idempotency_key="r2", now=NOW)
    later = practice.next_questions("U1", limit=30, now=NOW + timedelta(days=60))
    assert q.id not in {item.question.id for item in later}
    # The history stays: the earlier attempt is still there.
    assert practice.records.get_attempt("r1") is not None
    practice.review([q.id], "approved")


def test_stats_show_the_queue_mastery_and_audit_day_recall(practice: Practice) -> None:
    items = practice.next_questions("U1", limit=4, now=NOW)
    for n, item in enumerate(items):
        practice.answer(
            "U1", item.question.id, right_answer(item.question), idempotency_key=f"s{n}", now=NOW
        )
    stats = practice.stats("U1", now=NOW + timedelta(minutes=1), audit_date=date(2026, 4, 1))
    assert stats.attempts_7d == 4 and stats.accuracy_7d == 1.0
    assert stats.new_today == practice.scheduler.new_per_day - 4
    assert sum(m.cards for m in stats.mastery.values()) == 4
    assert all(0 < m.mastery <= 1 for m in stats.mastery.values())
    assert stats.predicted_recall is not None
    assert 0 < stats.predicted_recall.overall < 1 and stats.predicted_recall.cards == 4


def test_a_mock_interview_grades_each_answer_and_ends(practice: Practice) -> None:
    practice.enrol("M1", role="manager", program="harbor-bank")
    step = practice.start_interview("M1", count=3, now=NOW)
    assert (step.index, step.total, step.grade) == (0, 3, None) and step.prompt
    prompts = [step.prompt]
    grades = []
    for n in range(3):
        step = practice.answer_interview(
            step.session_id, "I would check the document and the figures.", idempotency_key=f"i{n}"
        )
        assert step.grade is not None and step.index == n + 1 and step.recorded
        grades.append(step.grade)
        if step.prompt:
            prompts.append(step.prompt)
    assert step.finished and len(set(prompts)) == 3
    assert all(g.model_answer and g.citations and g.follow_up for g in grades)
    # A retried answer returns its first grade and appends nothing.
    again = practice.answer_interview(step.session_id, "other", idempotency_key="i1")
    assert not again.recorded and again.grade == grades[1] and again.index == 2
    session = practice.records.get_interview(step.session_id)
    assert session.finished_at is not None
    assert sum(1 for t in session.turns if t.get("kind") == "answer") == 3
    with pytest.raises(PracticeError, match="is finished"):
        practice.answer_interview(step.session_id, "late", idempotency_key="i9")
    with pytest.raises(PracticeError, match="unknown interview 999"):
        practice.answer_interview(999, "x", idempotency_key="i10")
    # The next interview prefers questions not asked last time.
    nxt = practice.start_interview("M1", count=3, now=NOW)
    assert nxt.prompt not in prompts


def test_a_ten_thousand_character_interview_answer_is_graded_and_kept_bounded(
    practice: Practice,
) -> None:
    step = practice.start_interview("A1", role="agent", count=1, now=NOW)
    done = practice.answer_interview(step.session_id, "y" * 12_000, idempotency_key="long")
    assert done.grade is not None and done.grade.truncated and done.grade.verdict == "incorrect"
    (turn,) = [t for t in practice.records.get_interview(step.session_id).turns if "answer" in t]
    assert len(turn["answer"]) == 10_000


def test_unknown_roles_are_refused_with_the_choices(practice: Practice) -> None:
    with pytest.raises(PracticeError, match="unknown role 'director'; use agent"):
        practice.enrol("X", role="director")
    with pytest.raises(PracticeError, match="unknown role 'pilot'"):
        practice.start_interview("X", role="pilot")
