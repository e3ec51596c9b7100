"""Spaced repetition with FSRS: ratings from graded attempts, due queues, mastery, forecasts.

The ``fsrs`` package does the memory model; this module maps a graded attempt (correct,
score 0-100) to an FSRS rating, keeps each person's card per question, builds the due queue
(due cards first, then new questions up to a daily cap) and reports mastery per COPC area
and predicted recall on a future date (the audit day) from each card's retrievability.

Time is always an argument (aware datetimes): nothing here reads the clock.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import fsrs

from assistant.records import Attempt, Card, Person, PersonRef, Question, Records, Surface

if TYPE_CHECKING:
    from fsrs.card import CardDict

#: New questions a person gets per local day unless configured otherwise.
DEFAULT_NEW_PER_DAY = 10
#: Time of day a forecast for a bare date is computed at (the audit is during the day).
FORECAST_TIME = time(12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class RatingPolicy:
    """How a graded attempt becomes an FSRS rating.

    Attributes:
        partial_from: a wrong answer scoring at least this (partly right) is ``Hard``;
            below it, ``Again``.
        good_from: a correct answer scoring below this is ``Hard``; at or above, ``Good``.
        easy_from: a correct answer scoring at least this is ``Easy``; ``None`` (the
            default) never rates ``Easy``, since a right answer alone says nothing about ease.
    """

    partial_from: float = 50.0
    good_from: float = 80.0
    easy_from: float | None = None

    def rating(self, correct: bool, score: float | None = None) -> fsrs.Rating:
        """The FSRS rating for an attempt; ``score`` ``None`` means "not scored"."""
        if not correct:
            if score is not None and score >= self.partial_from:
                return fsrs.Rating.Hard
            return fsrs.Rating.Again
        if score is None:
            return fsrs.Rating.Good
        if self.easy_from is not None and score >= self.easy_from:
            return fsrs.Rating.Easy
        return fsrs.Rating.Good if score >= self.good_from else fsrs.Rating.Hard


@dataclass(frozen=True)
class QueueItem:
    """One question to practise now: a due review, or a new question (``due`` is None)."""

    question_id: str
    new: bool
    due: datetime | None = None


@dataclass(frozen=True)
class AreaMastery:
    """Mean retrievability (0..1) of a person's cards in one COPC area, and how many."""

    area: str
    mastery: float
    cards: int


@dataclass(frozen=True)
class RecallForecast:
    """Predicted recall at a moment: over all cards and per area (empty: ``overall`` 0)."""

    at: datetime
    overall: float
    cards: int
    by_area: dict[str, AreaMastery] = field(default_factory=dict)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; pass an aware datetime")
    return moment.astimezone(UTC)


def local_date(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` in ``timezone`` (an IANA name such as ``Europe/Madrid``)."""
    return _aware(now).astimezone(ZoneInfo(timezone)).date()


def local_day_start(now: datetime, timezone: str) -> datetime:
    """Midnight (UTC) that began the local day of ``now`` in ``timezone``."""
    zone = ZoneInfo(timezone)
    day = _aware(now).astimezone(zone).date()
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def build_queue(
    due: Sequence[Card], new: Sequence[Question], *, new_allowed: int, limit: int | None = None
) -> list[QueueItem]:
    """Due cards in the order given (most overdue first), then up to ``new_allowed`` new ones.

    The whole queue is cut at ``limit`` when given.
    """
    queue = [QueueItem(card.question_id, new=False, due=card.due) for card in due]
    queue += [QueueItem(question.id, new=True) for question in new[: max(0, new_allowed)]]
    return queue if limit is None else queue[: max(0, limit)]


def _by_area(
    cards: Iterable[tuple[Card, str]], value: Callable[[Card], float]
) -> dict[str, AreaMastery]:
    """Mean ``value`` of the cards per area, with how many cards each area has."""
    values: dict[str, list[float]] = defaultdict(list)
    for card, area in cards:
        values[area].append(value(card))
    return {
        area: AreaMastery(area, sum(found) / len(found), len(found))
        for area, found in sorted(values.items())
    }


class Scheduler:
    """FSRS for practice: one card per person per question.

    Args:
        new_per_day: new questions a person may start per local day.
        desired_retention: the recall probability FSRS schedules reviews for.
        policy: how scores become ratings.
        fuzz: spread review dates randomly a little (FSRS "fuzzing"); off by default so
            that schedules are reproducible.
        maximum_interval: the longest interval in days.
    """

    def __init__(
        self,
        *,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        desired_retention: float = 0.9,
        policy: RatingPolicy | None = None,
        fuzz: bool = False,
        maximum_interval: int = 36500,
    ) -> None:
        if new_per_day < 0:
            raise ValueError("new_per_day must be 0 or more")
        self.new_per_day = new_per_day
        self.policy = policy or RatingPolicy()
        self.fsrs = fsrs.Scheduler(
            desired_retention=desired_retention,
            enable_fuzzing=fuzz,
            maximum_interval=maximum_interval,
        )

    # -- pure scheduling -------------------------------------------------------------------

    def rating(self, correct: bool, score: float | None = None) -> fsrs.Rating:
        """The FSRS rating for a graded attempt (see :class:`RatingPolicy`)."""
        return self.policy.rating(correct, score)

    def review(self, state: fsrs.Card | None, rating: fsrs.Rating, at: datetime) -> fsrs.Card:
        """The FSRS card after a review at ``at`` (``state`` None: first time seen)."""
        at = _aware(at)
        return self.fsrs.review_card(state or fsrs.Card(card_id=1, due=at), rating, at)[0]

    def apply(
        self,
        card: Card | None,
        *,
        person_id: int,
        question_id: str,
        correct: bool,
        score: float | None,
        at: datetime,
    ) -> Card:
        """A new ``Card`` row for the person's card after this graded answer.

        ``reps`` counts reviews; ``lapses`` counts ``Again`` on a card in review (forgotten).
        """
        at = _aware(at)
        before = fsrs.Card.from_dict(cast("CardDict", card.state)) if card else None
        if before is None:
            before = fsrs.Card(card_id=zlib.crc32(f"{person_id}:{question_id}".encode()), due=at)
        rating = self.rating(correct, score)
        after = self.fsrs.review_card(before, rating, at)[0]
        lapse = before.state == fsrs.State.Review and rating == fsrs.Rating.Again
        state: dict[str, Any] = dict(after.to_dict())
        return Card(
            person_id=person_id,
            question_id=question_id,
            due=after.due,
            state=state,
            stability=after.stability,
            difficulty=after.difficulty,
            reps=(card.reps if card else 0) + 1,
            lapses=(card.lapses if card else 0) + int(lapse),
            last_review=after.last_review,
            created_at=card.created_at if card else at,
        )

    def review_attempt(self, card: Card | None, attempt: Attempt) -> Card:
        """The card after ``attempt`` (a ``CardUpdate`` for ``Records.record_attempt``)."""
        return self.apply(
            card,
            person_id=attempt.person_id,
            question_id=attempt.question_id,
            correct=attempt.correct,
            score=attempt.score,
            at=attempt.answered_at,
        )

    def retrievability(self, card: Card, at: datetime) -> float:
        """Probability (0..1) that the answer is recalled at ``at``; 0 if never reviewed."""
        if card.last_review is None or card.stability is None:
            return 0.0
        state = fsrs.Card.from_dict(cast("CardDict", card.state))
        return float(self.fsrs.get_card_retrievability(state, _aware(at)))

    def mastered(self, card: Card, at: datetime) -> float:
        """How well the card is known at ``at`` (0..1): its retrievability, except that a
        card whose last answer was wrong or partial counts 0 until it is answered right.

        Right after any review FSRS predicts recall near 1 (the answer was just shown), so
        retrievability alone would call a question mastered the moment it was missed.
        A missed card sits at the first (re)learning step, which is how it is recognised.
        """
        if card.last_review is None:
            return 0.0
        state = card.state or {}
        relearning = state.get("state") in {fsrs.State.Learning.value, fsrs.State.Relearning.value}
        if relearning and not state.get("step"):
            return 0.0
        return self.retrievability(card, at)

    def mastery(self, cards: Iterable[tuple[Card, str]], at: datetime) -> dict[str, AreaMastery]:
        """Mean :meth:`mastered` per COPC area at ``at``, from ``(card, area)`` pairs."""
        return _by_area(cards, lambda card: self.mastered(card, at))

    def _recall_by_area(
        self, cards: Iterable[tuple[Card, str]], at: datetime
    ) -> dict[str, AreaMastery]:
        return _by_area(cards, lambda card: self.retrievability(card, at))

    def predicted_recall(
        self, cards: Iterable[tuple[Card, str]], on: datetime | date
    ) -> RecallForecast:
        """Predicted recall on ``on`` (a bare date means midday UTC of that date)."""
        at = _aware(on) if isinstance(on, datetime) else datetime.combine(on, FORECAST_TIME)
        pairs = list(cards)
        by_area = self._recall_by_area(pairs, at)
        total = sum(self.retrievability(card, at) for card, _ in pairs)
        return RecallForecast(at, total / len(pairs) if pairs else 0.0, len(pairs), by_area)

    def new_allowed(self, introduced_today: int) -> int:
        """How many more new questions fit under today's cap."""
        return max(0, self.new_per_day - introduced_today)

    # -- over the records ------------------------------------------------------------------

    def due_queue(
        self,
        records: Records,
        person: PersonRef,
        now: datetime,
        *,
        limit: int | None = None,
        area: str | None = None,
    ) -> list[QueueItem]:
        """The person's queue at ``now``: due cards, then new questions under the daily cap.

        The day for the cap is the person's local day (their ``timezone``).
        """
        row: Person = records.person(person)
        due = records.due_cards(row, now, limit, area=area)
        introduced = records.cards_introduced_since(row, local_day_start(now, row.timezone))
        room = self.new_allowed(introduced)
        if limit is not None:
            room = min(room, max(0, limit - len(due)))
        new = records.new_questions(row, limit=room, area=area)
        return build_queue(due, new, new_allowed=room, limit=limit)

    def record(
        self,
        records: Records,
        person: PersonRef,
        question_id: str,
        answer: str,
        *,
        correct: bool,
        score: float,
        idempotency_key: str,
        details: Mapping[str, Any] | None = None,
        surface: Surface | str = Surface.CLI,
        answered_at: datetime,
    ) -> tuple[Attempt, bool]:
        """Record the attempt and update the card in one transaction, once per key."""
        return records.record_attempt(
            person,
            question_id,
            answer,
            correct=correct,
            score=score,
            details=details,
            idempotency_key=idempotency_key,
            surface=surface,
            answered_at=answered_at,
            update_card=self.review_attempt,
        )

    def mastery_for(
        self, records: Records, person: PersonRef, now: datetime
    ) -> dict[str, AreaMastery]:
        """The person's mastery per area at ``now``."""
        return self.mastery(records.cards_with_area(person), now)

    def forecast_for(
        self, records: Records, person: PersonRef, on: datetime | date
    ) -> RecallForecast:
        """The person's predicted recall on ``on`` (e.g. the audit day)."""
        return self.predicted_recall(records.cards_with_area(person), on)
