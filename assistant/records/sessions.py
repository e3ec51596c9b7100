"""Daily-practice and event claims, feedback and mock-interview sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.records.base import PersonRef, RecordsBase, bounded, choice, guarded, id_of, utc
from assistant.records.errors import RecordsError
from assistant.records.models import (
    DailyClaim,
    EventClaim,
    Feedback,
    FeedbackRating,
    InterviewSession,
    Role,
)


class SessionsMixin(RecordsBase):
    """Daily claims, feedback and interview sessions of :class:`Records`."""

    # -- daily practice ------------------------------------------------------------------

    @guarded
    def claim_daily(
        self, person: PersonRef, local_date: date, *, now: datetime | None = None
    ) -> bool:
        """Claim the person's daily practice for ``local_date``: True for the first claimer only.

        Safe across threads, processes and replicas sharing the database.
        """
        person_id = id_of(person)
        when = utc(now)
        try:
            with self._writing() as session:
                self._person(session, person_id)
                session.add(DailyClaim(person_id=person_id, local_date=local_date, claimed_at=when))
            return True
        except IntegrityError:
            with self._read() as session:
                if session.get(DailyClaim, (person_id, local_date)) is None:
                    raise
            return False

    # -- event claims --------------------------------------------------------------------

    @guarded
    def claim_event(self, key: str, *, now: datetime | None = None) -> bool:
        """Claim a delivery (e.g. ``slack:<event_id>``): True for the first claimer only.

        Safe across threads, processes and replicas sharing the database.
        """
        if not key.strip() or len(key) > 255:
            raise RecordsError("an event key must be 1..255 characters")
        try:
            with self._writing() as session:
                session.add(EventClaim(key=key, claimed_at=utc(now)))
            return True
        except IntegrityError:
            with self._read() as session:
                if session.get(EventClaim, key) is None:
                    raise
            return False

    @guarded
    def purge_event_claims(self, before: datetime) -> int:
        """Forget claims older than ``before`` (a retry never comes that late)."""
        with self._writing() as session:
            result = session.execute(delete(EventClaim).where(EventClaim.claimed_at < utc(before)))
            return int(getattr(result, "rowcount", 0) or 0)

    # -- feedback ------------------------------------------------------------------------

    @guarded
    def add_feedback(
        self,
        person: PersonRef,
        question: str,
        answer: str,
        rating: FeedbackRating | str,
        reason: str | None = None,
        *,
        now: datetime | None = None,
    ) -> Feedback:
        """Record a thumbs up or down on an answer (texts bounded like attempts)."""
        rating = choice(rating, FeedbackRating)
        person_id = id_of(person)
        with self._writing() as session:
            self._person(session, person_id)
            row = Feedback(
                person_id=person_id,
                question=bounded(question)[0],
                answer=bounded(answer)[0],
                rating=rating,
                reason=None if reason is None else bounded(reason)[0],
                created_at=utc(now),
            )
            session.add(row)
            session.flush()
            return row

    @guarded
    def feedback_between(self, start: datetime, end: datetime) -> list[Feedback]:
        """Feedback given in ``[start, end)``, oldest first."""
        query = (
            select(Feedback)
            .where(Feedback.created_at >= utc(start), Feedback.created_at < utc(end))
            .order_by(Feedback.created_at, Feedback.id)
        )
        with self._read() as session:
            return list(session.scalars(query))

    # -- interviews ----------------------------------------------------------------------

    @guarded
    def start_interview(
        self, person: PersonRef, role: Role | str, *, now: datetime | None = None
    ) -> InterviewSession:
        """Open a mock interview session for the person, as ``role``."""
        role = choice(role, Role)
        person_id = id_of(person)
        with self._writing() as session:
            self._person(session, person_id)
            row = InterviewSession(person_id=person_id, role=role, started_at=utc(now))
            session.add(row)
            session.flush()
            return row

    @guarded
    def add_interview_turn(
        self, session_id: int, turn: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> InterviewSession:
        """Append one turn (question, answer, grade, follow-up…) to an open session.

        With ``idempotency_key``, a turn already recorded under that key is not appended
        again (a retried request): see :meth:`record_interview_turn`.
        """
        return self.record_interview_turn(session_id, turn, idempotency_key=idempotency_key)[0]

    @guarded
    def record_interview_turn(
        self, session_id: int, turn: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> tuple[InterviewSession, dict[str, Any] | None]:
        """Append a turn once per key, under the session's row lock.

        Returns:
            ``(session, existing)``: ``existing`` is the turn recorded earlier under the same
            key (nothing was appended), or None when this turn was appended.
        """
        with self._writing() as session:
            row = self._interview(session, session_id, lock=True)
            if idempotency_key is not None:
                for earlier in row.turns:
                    if earlier.get("key") == idempotency_key:
                        return row, dict(earlier)
            if row.finished_at is not None:
                raise RecordsError(f"interview session {session_id} is already finished")
            entry = dict(turn)
            if idempotency_key is not None:
                entry["key"] = idempotency_key
            row.turns = [*row.turns, entry]
            return row, None

    @guarded
    def finish_interview(self, session_id: int, *, now: datetime | None = None) -> InterviewSession:
        """Close the session (finishing twice keeps the first finish time)."""
        with self._writing() as session:
            row = self._interview(session, session_id, lock=True)
            if row.finished_at is None:
                row.finished_at = utc(now)
            return row

    @guarded
    def get_interview(self, session_id: int) -> InterviewSession:
        """The interview session; ``RecordsError`` when unknown."""
        with self._read() as session:
            return self._interview(session, session_id)

    @guarded
    def interviews_for(self, person: PersonRef) -> list[InterviewSession]:
        """The person's interview sessions, newest first."""
        person_id = id_of(person)
        query = (
            select(InterviewSession)
            .where(InterviewSession.person_id == person_id)
            .order_by(InterviewSession.started_at.desc(), InterviewSession.id.desc())
        )
        with self._read() as session:
            return list(session.scalars(query))

    @staticmethod
    def _interview(session: Session, session_id: int, *, lock: bool = False) -> InterviewSession:
        row = session.get(InterviewSession, session_id, with_for_update=lock)
        if row is None:
            raise RecordsError(f"unknown interview session {session_id}")
        return row
