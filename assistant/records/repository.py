"""The ``Records`` repository: people, questions, attempts and cards.

Daily claims, feedback and interview sessions come from ``SessionsMixin``; transactions,
retries and error translation from ``RecordsBase`` (see ``base.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, not_, select
from sqlalchemy.exc import IntegrityError

from assistant.chunking import SITE_WIDE, normalise_program
from assistant.records import engine as db
from assistant.records.base import PersonRef, bounded, choice, guarded, id_of, utc
from assistant.records.errors import RecordsError
from assistant.records.models import (
    Attempt,
    Card,
    Person,
    Question,
    QuestionStatus,
    Role,
    Surface,
)
from assistant.records.sessions import SessionsMixin

if TYPE_CHECKING:
    from assistant.config import Settings

#: Called inside the attempt's transaction, only when the attempt is new: the person's
#: current card for the question (or ``None``) and the new attempt -> the card to save.
CardUpdate = Callable[[Card | None, Attempt], Card]

_QUESTION_FIELDS = (
    "type",
    "prompt",
    "area",
    "payload",
    "roles",
    "difficulty",
    "status",
    "source_doc_id",
    "source_section",
    "source_hash",
)
_MAX_KEY_CHARS = 255


@dataclass(frozen=True)
class UpsertReport:
    """What ``upsert_questions`` did."""

    inserted: int
    updated: int
    unchanged: int


class Records(SessionsMixin):
    """People, questions, attempts, cards, interviews, feedback and daily claims.

    Thread-safe: share one instance per process. Open with :meth:`open`, which migrates
    the database to the newest revision.
    """

    @classmethod
    def open(
        cls, url: str | None = None, *, settings: Settings | None = None, migrate: bool = True
    ) -> Records:
        """Connect to ``url`` (default: ``COPC_DATABASE_URL``, else ``COPC_HOME/records.db``).

        Raises:
            RecordsError: the URL is invalid, or the database is unreachable
                (``RecordsUnavailableError``, naming the URL without its password).
        """
        engine = db.create_records_engine(url or db.default_url(settings))
        if migrate:
            try:
                db.upgrade(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @guarded
    def revision(self) -> str | None:
        """The migration revision the database is at."""
        return db.current_revision(self.engine)

    # -- people --------------------------------------------------------------------------

    @guarded
    def upsert_person(
        self,
        external_id: str,
        *,
        display_name: str,
        role: Role | str = Role.AGENT,
        team: str | None = None,
        program: str | None = None,
        timezone: str = "UTC",
        now: datetime | None = None,
    ) -> Person:
        """Create the person with ``external_id`` or update their details."""
        if not external_id.strip():
            raise RecordsError("a person needs a non-empty external id")
        role = choice(role, Role)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise RecordsError(f"unknown time zone {timezone!r} for {external_id!r}") from exc
        fields: dict[str, Any] = {
            "display_name": display_name,
            "role": role,
            "team": team,
            "program": program,
            "timezone": timezone,
        }
        created = utc(now)

        def work() -> Person:
            with self._writing() as session:
                person = session.scalar(select(Person).where(Person.external_id == external_id))
                if person is None:
                    person = Person(external_id=external_id, created_at=created, **fields)
                    session.add(person)
                else:
                    for name, value in fields.items():
                        setattr(person, name, value)
                session.flush()
                return person

        return self._retry_on_conflict(work)

    @guarded
    def get_person(self, external_id: str) -> Person | None:
        """The person with this external id (e.g. Slack user id), if known."""
        with self._read() as session:
            return session.scalar(select(Person).where(Person.external_id == external_id))

    @guarded
    def person(self, person: PersonRef) -> Person:
        """The person row for ``person`` (an id or a row); ``RecordsError`` when unknown."""
        if isinstance(person, Person):
            return person
        with self._read() as session:
            return self._person(session, person)

    @guarded
    def list_people(self, *, team: str | None = None, role: str | None = None) -> list[Person]:
        """Everyone, optionally one team or one role, by display name."""
        query = select(Person).order_by(Person.display_name, Person.id)
        if team is not None:
            query = query.where(Person.team == team)
        if role is not None:
            query = query.where(Person.role == role)
        with self._read() as session:
            return list(session.scalars(query))

    # -- questions -----------------------------------------------------------------------

    @guarded
    def upsert_questions(
        self, questions: Iterable[Question], *, now: datetime | None = None
    ) -> UpsertReport:
        """Insert new questions and update changed ones (by id), in one transaction.

        ``updated_at`` moves only for questions whose content changed. The given objects
        are copied, never attached to a session.
        """
        changed_at = utc(now)
        given = {q.id: q for q in questions}
        for question in given.values():
            choice(question.status, QuestionStatus)

        def work() -> UpsertReport:
            inserted = updated = 0
            with self._writing() as session:
                existing: dict[str, Question] = {}
                ids = list(given)
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    rows = session.scalars(select(Question).where(Question.id.in_(chunk)))
                    existing.update({row.id: row for row in rows})
                for qid, question in given.items():
                    values = {name: getattr(question, name) for name in _QUESTION_FIELDS}
                    row = existing.get(qid)
                    if row is None:
                        session.add(Question(id=qid, updated_at=changed_at, **values))
                        inserted += 1
                    elif any(getattr(row, name) != value for name, value in values.items()):
                        for name, value in values.items():
                            setattr(row, name, value)
                        row.updated_at = changed_at
                        updated += 1
            return UpsertReport(inserted, updated, len(given) - inserted - updated)

        return self._retry_on_conflict(work)

    @guarded
    def get_question(self, question_id: str) -> Question:
        """The question with this id; ``RecordsError`` when the bank has no such id."""
        with self._read() as session:
            return self._question(session, question_id)

    @guarded
    def list_questions(
        self,
        *,
        status: QuestionStatus | str | None = None,
        area: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[Question]:
        """Questions of the bank by area then id, optionally filtered."""
        query = select(Question).order_by(Question.area, Question.id)
        if status is not None:
            query = query.where(Question.status == choice(status, QuestionStatus))
        if area is not None:
            query = query.where(Question.area == area)
        if ids is not None:
            query = query.where(Question.id.in_(list(ids)))
        with self._read() as session:
            return list(session.scalars(query))

    @guarded
    def set_question_status(
        self, ids: Sequence[str], status: QuestionStatus | str, *, now: datetime | None = None
    ) -> int:
        """Approve, retire or mark stale the given questions; returns how many changed."""
        status = choice(status, QuestionStatus)
        changed = 0
        with self._writing() as session:
            for question_id in ids:
                row = self._question(session, question_id)
                if row.status != status:
                    row.status = status
                    row.updated_at = utc(now)
                    changed += 1
        return changed

    # -- attempts ------------------------------------------------------------------------

    @guarded
    def record_attempt(
        self,
        person: PersonRef,
        question_id: str,
        answer: str,
        *,
        correct: bool,
        score: float,
        details: Mapping[str, Any] | None = None,
        idempotency_key: str,
        surface: Surface | str = Surface.CLI,
        answered_at: datetime | None = None,
        update_card: CardUpdate | None = None,
    ) -> tuple[Attempt, bool]:
        """Write an attempt once; a retry with the same key returns the first one.

        An empty (blank) answer is recorded as incorrect with score 0; an answer longer than
        ``MAX_ANSWER_CHARS`` is truncated and ``details["answer_truncated"]`` set. With
        ``update_card``, the card is updated in the same transaction, only for a new attempt.

        Returns:
            ``(attempt, created)``: ``created`` is False when the key was already recorded.

        Raises:
            RecordsError: unknown person or question, a score outside 0..100, or the key
                already used for another person's or question's attempt.
        """
        key = idempotency_key.strip()
        if not key or len(key) > _MAX_KEY_CHARS:
            raise RecordsError(f"idempotency key must be 1..{_MAX_KEY_CHARS} characters")
        surface = choice(surface, Surface)
        if not (math.isfinite(score) and 0 <= score <= 100):
            raise RecordsError(f"score must be between 0 and 100, got {score}")
        when = utc(answered_at)
        notes = dict(details or {})
        stored, truncated = bounded(answer)
        if truncated:
            notes.update(answer_truncated=True, answer_chars=len(answer))
        if not answer.strip():
            correct, score = False, 0.0
            notes["empty_answer"] = True
        person_id = id_of(person)

        def work() -> tuple[Attempt, bool]:
            try:
                with self._writing() as session:
                    self._person(session, person_id)
                    self._question(session, question_id)
                    row = Attempt(
                        person_id=person_id,
                        question_id=question_id,
                        answered_at=when,
                        answer=stored,
                        correct=correct,
                        score=float(score),
                        idempotency_key=key,
                        surface=surface,
                        details=notes,
                    )
                    session.add(row)
                    session.flush()
                    if update_card is not None:
                        current = session.get(Card, (person_id, question_id), with_for_update=True)
                        card = update_card(current, row)
                        if current is None:
                            # INSERT, never merge: a card another writer created meanwhile
                            # must fail the UNIQUE key (and be retried), not be overwritten.
                            session.add(card)
                        elif card is not current:
                            session.merge(card)
                    return row, True
            except IntegrityError:
                existing = self.get_attempt(key)
                if existing is None:
                    raise  # not our key: a concurrent card insert; retried
                if (existing.person_id, existing.question_id) != (person_id, question_id):
                    raise RecordsError(
                        f"idempotency key {key!r} was already used for another attempt"
                    ) from None
                return existing, False

        return self._retry_on_conflict(work)

    @guarded
    def get_attempt(self, idempotency_key: str) -> Attempt | None:
        """The attempt recorded under this key, if any."""
        with self._read() as session:
            return session.scalar(
                select(Attempt).where(Attempt.idempotency_key == idempotency_key.strip())
            )

    @guarded
    def attempts_between(
        self,
        start: datetime,
        end: datetime,
        *,
        person: PersonRef | None = None,
        question_id: str | None = None,
    ) -> list[Attempt]:
        """Attempts answered in ``[start, end)``, oldest first."""
        query = select(Attempt).where(
            Attempt.answered_at >= utc(start), Attempt.answered_at < utc(end)
        )
        if person is not None:
            query = query.where(Attempt.person_id == (id_of(person)))
        if question_id is not None:
            query = query.where(Attempt.question_id == question_id)
        with self._read() as session:
            return list(session.scalars(query.order_by(Attempt.answered_at, Attempt.id)))

    # -- cards ---------------------------------------------------------------------------

    @guarded
    def get_card(self, person: PersonRef, question_id: str) -> Card | None:
        """The person's card for the question, if they have seen it."""
        person_id = id_of(person)
        with self._read() as session:
            return session.get(Card, (person_id, question_id))

    @guarded
    def save_card(self, card: Card) -> Card:
        """Insert or replace the card (by person and question)."""
        with self._writing() as session:
            self._person(session, card.person_id)
            self._question(session, card.question_id)
            return session.merge(card)

    @guarded
    def due_cards(
        self,
        person: PersonRef,
        now: datetime,
        limit: int | None = None,
        *,
        area: str | None = None,
    ) -> list[Card]:
        """Cards due at ``now`` on approved questions, most overdue first.

        A person scoped to a client program gets only cards on that program's and
        site-wide questions (their program may have changed since the card was made).
        """
        person_id = id_of(person)
        query = (
            select(Card, Question)
            .join(Question, Question.id == Card.question_id)
            .where(
                Card.person_id == person_id,
                Card.due <= utc(now),
                Question.status == QuestionStatus.APPROVED.value,
            )
            .order_by(Card.due, Card.question_id)
        )
        if area is not None:
            query = query.where(Question.area == area)
        with self._read() as session:
            row = session.get(Person, person_id)
            program = row.program if row is not None else None
            if not is_scoped(program):
                return list(session.scalars(query.limit(limit)))
            found: list[Card] = []
            # Programs live in the JSON payload: filtering in Python keeps both databases alike.
            for card, question in session.execute(query):
                if in_program(question, program):
                    found.append(card)
                    if limit is not None and len(found) == limit:
                        break
            return found

    @guarded
    def new_questions(
        self, person: PersonRef, *, limit: int, area: str | None = None
    ) -> list[Question]:
        """Approved questions for the person's role (and program, when they are scoped to
        one) that they have no card for yet.

        Easiest first, then by area and id (a stable order).
        """
        if limit <= 0:
            return []
        with self._read() as session:
            row = self._person(session, person)
            seen = select(Card.question_id).where(Card.person_id == row.id)
            query = (
                select(Question)
                .where(
                    Question.status == QuestionStatus.APPROVED.value,
                    not_(Question.id.in_(seen)),
                )
                .order_by(Question.difficulty, Question.area, Question.id)
            )
            if area is not None:
                query = query.where(Question.area == area)
            found: list[Question] = []
            # Roles live in a JSON list; filtering in Python keeps SQLite and PostgreSQL alike.
            for question in session.scalars(query):
                if (not question.roles or row.role in question.roles) and in_program(
                    question, row.program
                ):
                    found.append(question)
                    if len(found) == limit:
                        break
            return found

    @guarded
    def cards_introduced_since(self, person: PersonRef, since: datetime) -> int:
        """How many questions the person saw for the first time at or after ``since``."""
        person_id = id_of(person)
        query = select(func.count()).where(
            and_(Card.person_id == person_id, Card.created_at >= utc(since))
        )
        with self._read() as session:
            return int(session.scalar(query.select_from(Card)) or 0)

    @guarded
    def cards_with_area(
        self, person: PersonRef | None = None, *, include_unapproved: bool = False
    ) -> list[tuple[Card, str]]:
        """Cards with their question's COPC area (one person, or everyone when ``None``)."""
        query = select(Card, Question.area).join(Question, Question.id == Card.question_id)
        if person is not None:
            query = query.where(Card.person_id == (id_of(person)))
        if not include_unapproved:
            query = query.where(Question.status == QuestionStatus.APPROVED.value)
        query = query.order_by(Card.person_id, Question.area, Card.question_id)
        with self._read() as session:
            return [(card, area) for card, area in session.execute(query)]


def is_scoped(program: str | None) -> bool:
    """Whether a person's program limits what they are served (site-wide means it does not)."""
    return bool(program) and normalise_program(program) != SITE_WIDE


def in_program(question: Question, program: str | None) -> bool:
    """Whether someone scoped to ``program`` may be served ``question``.

    Unscoped people get every question; a scoped person gets those whose source is their
    program's document or a site-wide one, never another client program's.
    """
    if not is_scoped(program):
        return True
    citation = question.payload.get("citation") if isinstance(question.payload, dict) else None
    source = citation.get("program") if isinstance(citation, dict) else None
    theirs = normalise_program(source if isinstance(source, str) else None)
    return theirs in (SITE_WIDE, normalise_program(program))
