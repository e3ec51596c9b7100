"""FSRS scheduling: intervals, the due queue and its daily cap, mastery, audit-day recall."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from assistant.records import Card, Person, Question, Records
from assistant.scheduling import (
    RatingPolicy,
    Scheduler,
    build_queue,
    local_date,
    local_day_start,
)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _answer(
    scheduler: Scheduler, card: Card | None, correct: bool, at: datetime, score: float = 100.0
) -> Card:
    return scheduler.apply(
        card, person_id=1, question_id="q", correct=correct, score=score if correct else 0, at=at
    )


def _interval(card: Card) -> timedelta:
    assert card.last_review is not None
    return card.due - card.last_review


@pytest.mark.parametrize(
    ("correct", "score", "rating"),
    [
        (False, 0.0, fsrs.Rating.Again),
        (False, 49.0, fsrs.Rating.Again),
        (False, None, fsrs.Rating.Again),
        (False, 60.0, fsrs.Rating.Hard),  # partly right
        (True, 60.0, fsrs.Rating.Hard),
        (True, 80.0, fsrs.Rating.Good),
        (True, 100.0, fsrs.Rating.Good),
        (True, None, fsrs.Rating.Good),
    ],
)
def test_ratings_from_graded_attempts(correct: bool, score: float | None, rating: int) -> None:
    assert Scheduler().rating(correct, score) == rating


def test_easy_only_when_configured() -> None:
    assert Scheduler(policy=RatingPolicy(easy_from=95)).rating(True, 97) == fsrs.Rating.Easy
    assert Scheduler().rating(True, 100) == fsrs.Rating.Good


def test_due_dates_move_out_after_correct_answers() -> None:
    scheduler = Scheduler()
    card = _answer(scheduler, None, True, NOW)
    intervals = []
    for _ in range(6):
        card = _answer(scheduler, card, True, card.due)  # answered right when due
        intervals.append(_interval(card))
    assert intervals == sorted(intervals)
    assert len(set(intervals)) == len(intervals), intervals  # strictly growing
    assert intervals[-1] > timedelta(days=30)
    assert (card.reps, card.lapses) == (7, 0)
    assert card.created_at == NOW


def test_due_dates_move_in_after_a_wrong_answer() -> None:
    scheduler = Scheduler()
    card = _answer(scheduler, None, True, NOW)
    for _ in range(4):
        card = _answer(scheduler, card, True, card.due)
    before = _interval(card)
    assert before > timedelta(days=5)

    right = _answer(scheduler, card, True, card.due)
    wrong = _answer(scheduler, card, False, card.due)
    assert wrong.due < right.due
    assert _interval(wrong) < before
    assert _interval(wrong) <= timedelta(hours=1)  # relearning: back the same day
    assert wrong.lapses == card.lapses + 1
    assert wrong.stability is not None and card.stability is not None
    assert wrong.stability < card.stability


def test_partly_right_lands_between_wrong_and_right() -> None:
    scheduler = Scheduler()
    card = _answer(scheduler, None, True, NOW)
    for _ in range(3):
        card = _answer(scheduler, card, True, card.due)
    wrong = _answer(scheduler, card, False, card.due)
    partial = scheduler.apply(
        card, person_id=1, question_id="q", correct=False, score=65, at=card.due
    )
    right = _answer(scheduler, card, True, card.due)
    assert wrong.due < partial.due < right.due


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        _answer(Scheduler(), None, True, datetime(2025, 3, 3, 9, 0))


def test_local_days() -> None:
    late_evening_la = datetime(2025, 3, 4, 5, 30, tzinfo=UTC)  # 21:30 on 3 March in LA
    assert local_date(late_evening_la, "America/Los_Angeles") == date(2025, 3, 3)
    assert local_date(late_evening_la, "UTC") == date(2025, 3, 4)
    assert local_day_start(late_evening_la, "America/Los_Angeles") == datetime(
        2025, 3, 3, 8, 0, tzinfo=UTC
    )


def _due_card(qid: str, due: datetime) -> Card:
    return Card(person_id=1, question_id=qid, due=due)


def test_build_queue_puts_due_first_then_capped_new() -> None:
    due = [_due_card("d1", NOW - timedelta(days=2)), _due_card("d2", NOW)]
    new = [Question(id=f"n{i}", type="mc", prompt="?", area="a") for i in range(5)]
    queue = build_queue(due, new, new_allowed=3)
    assert [(item.question_id, item.new) for item in queue] == [
        ("d1", False),
        ("d2", False),
        ("n0", True),
        ("n1", True),
        ("n2", True),
    ]
    assert queue[0].due == NOW - timedelta(days=2) and queue[2].due is None
    assert [item.question_id for item in build_queue(due, new, new_allowed=3, limit=3)] == [
        "d1",
        "d2",
        "n0",
    ]
    assert build_queue([], new, new_allowed=0) == []


@pytest.fixture
def records(tmp_path: Path) -> Iterator[Records]:
    opened = Records.open(f"sqlite:///{tmp_path / 'records.db'}")
    yield opened
    opened.close()


def _bank(records: Records, count: int, area: str = "quality_management", start: int = 0) -> None:
    records.upsert_questions(
        [
            Question(id=f"{area}-{i:02d}", type="mc", prompt="?", area=area, status="approved")
            for i in range(start, start + count)
        ],
        now=NOW,
    )


def _practise(
    scheduler: Scheduler, records: Records, person: Person, qid: str, correct: bool, at: datetime
) -> None:
    scheduler.record(
        records,
        person,
        qid,
        "answer",
        correct=correct,
        score=100 if correct else 0,
        idempotency_key=f"{qid}@{at.isoformat()}",
        answered_at=at,
    )


def test_new_questions_per_day_are_capped(records: Records) -> None:
    person = records.upsert_person("U1", display_name="Ana", timezone="Europe/Madrid")
    _bank(records, 15)
    scheduler = Scheduler()  # default cap: 10 a day
    queue = scheduler.due_queue(records, person, NOW)
    assert len(queue) == 10 and all(item.new for item in queue)

    for item in queue[:4]:
        _practise(scheduler, records, person, item.question_id, True, NOW)
    later = NOW + timedelta(hours=1)  # the four are due again (learning step); six new remain
    queue = scheduler.due_queue(records, person, later)
    assert [item.new for item in queue] == [False] * 4 + [True] * 6

    for item in queue[4:]:
        _practise(scheduler, records, person, item.question_id, True, later)
    queue = scheduler.due_queue(records, person, later + timedelta(hours=1))
    assert not any(item.new for item in queue)  # today's ten are used up

    # Next local day (Madrid): five more new ones are allowed again.
    tomorrow = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)  # 00:30 on 4 March in Madrid
    assert sum(item.new for item in scheduler.due_queue(records, person, tomorrow)) == 5

    assert len(Scheduler(new_per_day=3).due_queue(records, person, tomorrow, limit=2)) == 2
    capped = Scheduler(new_per_day=3).due_queue(records, person, tomorrow)
    assert sum(item.new for item in capped) == 3


def test_mastery_per_area(records: Records) -> None:
    person = records.upsert_person("U1", display_name="Ana")
    _bank(records, 3, "quality_management")
    _bank(records, 2, "target_setting")
    _bank(records, 1, "training")
    scheduler = Scheduler()
    for qid in ("quality_management-00", "quality_management-01", "quality_management-02"):
        at = NOW
        for _ in range(4):
            _practise(scheduler, records, person, qid, True, at)
            at = records.get_card(person, qid).due  # type: ignore[union-attr]
    _practise(scheduler, records, person, "target_setting-00", False, NOW)
    _practise(scheduler, records, person, "target_setting-01", False, NOW)

    check = NOW + timedelta(days=30)
    mastery = scheduler.mastery_for(records, person, check)
    assert set(mastery) == {"quality_management", "target_setting"}  # training never seen
    assert mastery["quality_management"].cards == 3
    assert mastery["target_setting"].cards == 2
    # Missed and never answered right since: not mastered, whatever FSRS predicts.
    assert mastery["target_setting"].mastery == 0.0 < mastery["quality_management"].mastery <= 1
    card = records.get_card(person, "target_setting-00")
    assert card is not None and scheduler.retrievability(card, NOW) > 0.9  # just seen
    _practise(scheduler, records, person, "target_setting-00", True, card.due)
    later = scheduler.mastery_for(records, person, check)["target_setting"]
    assert 0 < later.mastery < mastery["quality_management"].mastery


def test_predicted_recall_falls_with_later_audit_dates(records: Records) -> None:
    person = records.upsert_person("U1", display_name="Ana")
    _bank(records, 4, "quality_management")
    _bank(records, 2, "training")
    scheduler = Scheduler()
    for qid in ("quality_management-00", "quality_management-01", "training-00"):
        _practise(scheduler, records, person, qid, True, NOW)
        _practise(scheduler, records, person, qid, True, NOW + timedelta(days=1))

    audit_days = [date(2025, 3, 10), date(2025, 4, 1), date(2025, 6, 1), date(2025, 12, 1)]
    forecasts = [scheduler.forecast_for(records, person, day) for day in audit_days]
    overall = [f.overall for f in forecasts]
    assert all(0 < value <= 1 for value in overall)
    assert overall == sorted(overall, reverse=True)
    assert len(set(overall)) == len(overall)  # strictly falling
    assert forecasts[0].cards == 3
    assert forecasts[0].at == datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    areas = [f.by_area["quality_management"].mastery for f in forecasts]
    assert areas == sorted(areas, reverse=True)

    nobody = records.upsert_person("U2", display_name="New")
    empty = scheduler.forecast_for(records, nobody, audit_days[0])
    assert (empty.overall, empty.cards, empty.by_area) == (0.0, 0, {})


def test_a_retried_attempt_moves_the_card_once(records: Records) -> None:
    person = records.upsert_person("U1", display_name="Ana")
    _bank(records, 1)
    scheduler = Scheduler()
    for _ in range(3):
        _practise(scheduler, records, person, "quality_management-00", True, NOW)
    card = records.get_card(person, "quality_management-00")
    assert card is not None and card.reps == 1
