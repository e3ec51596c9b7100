"""The SQL behind the readiness report: every figure is aggregated in the database.

Nothing here loads ORM objects: each query groups attempts or cards per person and area
(or per week, or per question) and returns a few thousand rows at most, so a site of
2,000 people with millions of attempts reports in seconds. SQLite and PostgreSQL run the
same statements; the two places they differ (seconds since the epoch, and raising to a
power for FSRS recall) are expressed per dialect below.

FSRS recall is ``(1 + FACTOR * days / stability) ** DECAY`` with ``days`` the whole days
since the card's last review, exactly as ``fsrs.Scheduler.get_card_retrievability``
computes it (timestamps are compared to the second).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    not_,
    select,
)
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from assistant.records import Attempt, Card, InterviewSession, Person, Question, Records
from assistant.records import engine as db
from assistant.records.errors import RecordsError
from assistant.scheduling import Scheduler

_DAY = 86_400
_WEEK = 7 * _DAY


@dataclass(frozen=True)
class Scope:
    """Which people a report covers, and the moments its figures are computed at."""

    team: str | None
    program: str | None
    since: datetime
    until: datetime
    as_of: datetime
    audit_at: datetime | None
    coverage_from: datetime


@dataclass(frozen=True)
class RecallCurve:
    """The FSRS forgetting curve constants of a scheduler."""

    factor: float
    decay: float

    @classmethod
    def of(cls, scheduler: Scheduler) -> RecallCurve:
        decay = -float(scheduler.fsrs.parameters[20])
        return cls(factor=0.9 ** (1 / decay) - 1, decay=decay)

    def recall(self, days: int, stability: float) -> float:
        """Python twin of the SQL expression (used by SQLite as a function)."""
        return float((1 + self.factor * max(days, 0) / stability) ** self.decay)


def epoch(column: Any, dialect: str) -> ColumnElement[int]:
    """Whole seconds since 1970 of a stored UTC timestamp."""
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def seconds(moment: datetime) -> int:
    """Whole seconds since 1970 of an aware datetime."""
    return math.floor(moment.timestamp())


class Queries:
    """The report's aggregate queries over one ``Records`` database."""

    def __init__(self, records: Records, scheduler: Scheduler) -> None:
        self.records = records
        self.curve = RecallCurve.of(scheduler)
        self.dialect = records.engine.dialect.name
        self._has_pow: bool | None = None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read connection; on SQLite it carries the ``copc_recall`` function.

        Database failures become one-line ``RecordsError``s, as in the records layer.
        """
        engine = self.records.engine
        try:
            with engine.connect() as conn:
                if self.dialect == "sqlite":
                    raw = conn.connection.driver_connection
                    assert raw is not None
                    raw.create_function("copc_recall", 2, self.curve.recall, deterministic=True)
                yield conn
        except (OperationalError, InterfaceError) as exc:
            raise db.unavailable(engine.url, exc) from exc
        except SQLAlchemyError as exc:
            raise RecordsError(
                f"report query failed at {self.records.url}: {db.one_line(exc, engine.url)}"
            ) from exc

    def _sqlite_pow(self) -> bool:
        """Whether this SQLite has the built-in ``pow`` (the same C ``pow`` Python uses)."""
        if self._has_pow is None:
            try:
                with self.connect() as conn:
                    conn.exec_driver_sql("SELECT pow(2.0, 0.5)")
                self._has_pow = True
            except RecordsError:
                self._has_pow = False
        return self._has_pow

    # -- expressions ------------------------------------------------------------------------

    def _recall_at(self, moment: datetime) -> ColumnElement[float]:
        """The card's recall probability at ``moment`` (0 for a card never reviewed)."""
        elapsed = literal(seconds(moment)) - epoch(Card.last_review, self.dialect)
        days = case((elapsed < 0, 0), else_=elapsed // _DAY)
        if self.dialect == "sqlite" and not self._sqlite_pow():
            value: ColumnElement[float] = func.copc_recall(days, Card.stability)
        else:
            value = func.power(1 + self.curve.factor * days / Card.stability, self.curve.decay)
        return case((and_(Card.last_review.is_not(None), Card.stability > 0), value), else_=0.0)

    @staticmethod
    def _people(query: Any, scope: Scope, person_id: Any = None) -> Any:
        """Only the people in scope; ``person_id`` joins ``person`` when a filter needs it.

        Without a team or program filter the join is left out: every row belongs to someone,
        and joining half a million attempts to their people costs a second on SQLite.
        """
        if scope.team is None and scope.program is None:
            return query
        if person_id is not None:
            query = query.join(Person, Person.id == person_id)
        if scope.team is not None:
            query = query.where(Person.team == scope.team)
        if scope.program is not None:
            query = query.where(Person.program == scope.program)
        return query

    # -- queries ----------------------------------------------------------------------------

    def people(self, scope: Scope) -> list[tuple[int, str, str, str, str | None, str | None]]:
        """``(id, external_id, name, role, team, program)`` of everyone in scope."""
        query = self._people(
            select(
                Person.id,
                Person.external_id,
                Person.display_name,
                Person.role,
                Person.team,
                Person.program,
            ),
            scope,
        ).order_by(Person.display_name, Person.id)
        with self.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]

    def cards(self, scope: Scope) -> list[tuple[int, str, int, float, float]]:
        """``(person, area, cards, recall sum now, recall sum on the audit day)``.

        Approved questions only, like the practice queue and the personal stats.
        """
        now = self._recall_at(scope.as_of)
        audit = self._recall_at(scope.audit_at) if scope.audit_at else literal(0.0)
        query = self._people(
            select(
                Card.person_id,
                Question.area,
                func.count(),
                func.sum(now),
                func.sum(audit),
            )
            .join(Question, Question.id == Card.question_id)
            .where(Question.status == "approved"),
            scope,
            Card.person_id,
        ).group_by(Card.person_id, Question.area)
        with self.connect() as conn:
            return [
                (int(p), str(a), int(n), float(r or 0), float(f or 0))
                for p, a, n, r, f in conn.execute(query)
            ]

    def attempts(self, scope: Scope) -> list[tuple[int, str, int, int, float]]:
        """``(person, area, attempts, correct, score sum)`` in the period."""
        query = self._people(
            select(
                Attempt.person_id,
                Question.area,
                func.count(),
                func.sum(case((Attempt.correct, 1), else_=0)),
                func.sum(Attempt.score),
            )
            .join(Question, Question.id == Attempt.question_id)
            .where(Attempt.answered_at >= scope.since, Attempt.answered_at < scope.until),
            scope,
            Attempt.person_id,
        ).group_by(Attempt.person_id, Question.area)
        with self.connect() as conn:
            return [
                (int(p), str(a), int(n), int(c or 0), float(s or 0))
                for p, a, n, c, s in conn.execute(query)
            ]

    def first_attempts(self, scope: Scope) -> list[tuple[int, str, int, int]]:
        """``(person, area, first attempts, correct)``: each person's first-ever attempt on
        each question, counted when it falls in the period."""
        firsts = (
            select(
                Attempt.person_id.label("pid"),
                Attempt.question_id.label("qid"),
                func.min(Attempt.answered_at).label("first_at"),
            )
            .group_by(Attempt.person_id, Attempt.question_id)
            .having(
                func.min(Attempt.answered_at) >= scope.since,
                func.min(Attempt.answered_at) < scope.until,
            )
            .subquery()
        )
        query = self._people(
            select(
                Attempt.person_id,
                Question.area,
                func.count(),
                func.sum(case((Attempt.correct, 1), else_=0)),
            )
            .join(
                firsts,
                and_(
                    firsts.c.pid == Attempt.person_id,
                    firsts.c.qid == Attempt.question_id,
                    firsts.c.first_at == Attempt.answered_at,
                ),
            )
            .join(Question, Question.id == Attempt.question_id),
            scope,
            Attempt.person_id,
        ).group_by(Attempt.person_id, Question.area)
        with self.connect() as conn:
            return [(int(p), str(a), int(n), int(c or 0)) for p, a, n, c in conn.execute(query)]

    def activity(self, scope: Scope) -> dict[int, tuple[bool, datetime | None]]:
        """Per person: practised in the coverage window, and the last attempt before ``until``."""
        recent = case((Attempt.answered_at >= scope.coverage_from, 1), else_=0)
        query = self._people(
            select(Attempt.person_id, func.max(recent), func.max(Attempt.answered_at)).where(
                Attempt.answered_at < scope.until
            ),
            scope,
            Attempt.person_id,
        ).group_by(Attempt.person_id)
        with self.connect() as conn:
            rows = conn.execute(query).all()
        out: dict[int, tuple[bool, datetime | None]] = {}
        for pid, active, last in rows:
            out[int(pid)] = (bool(active), _as_utc(last))
        return out

    def weekly(self, scope: Scope, origin: datetime) -> list[tuple[int, str | None, int, int, int]]:
        """``(week index from origin, team, attempts, correct, people)`` in the period."""
        week = (epoch(Attempt.answered_at, self.dialect) - seconds(origin)) // _WEEK
        query = self._people(
            select(
                week.label("week"),
                Person.team,
                func.count(),
                func.sum(case((Attempt.correct, 1), else_=0)),
                func.count(distinct(Attempt.person_id)),
            )
            .join(Person, Person.id == Attempt.person_id)
            .where(Attempt.answered_at >= scope.since, Attempt.answered_at < scope.until),
            scope,
        ).group_by("week", Person.team)
        with self.connect() as conn:
            return [
                (int(w), t, int(n), int(c or 0), int(p)) for w, t, n, c, p in conn.execute(query)
            ]

    def missed(self, scope: Scope, limit: int) -> list[tuple[Any, ...]]:
        """The questions with the most wrong attempts in the period, with their source."""
        misses = func.sum(case((Attempt.correct, 0), else_=1))
        who = func.count(distinct(case((not_(Attempt.correct), Attempt.person_id))))
        query = (
            self._people(
                select(
                    Question.id,
                    Question.prompt,
                    Question.area,
                    Question.source_doc_id,
                    Question.source_section,
                    Question.payload,
                    func.count(),
                    misses,
                    who,
                )
                .join(Attempt, Attempt.question_id == Question.id)
                .where(Attempt.answered_at >= scope.since, Attempt.answered_at < scope.until),
                scope,
                Attempt.person_id,
            )
            .group_by(Question.id)
            .having(misses > 0)
            .order_by(misses.desc(), (misses * 1.0 / func.count()).desc(), Question.id)
            .limit(limit)
        )
        with self.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]

    def must_know(
        self, scope: Scope, role: str, question_ids: Sequence[str], threshold: float
    ) -> dict[int, tuple[int, int]]:
        """Per person of ``role``: ``(cards seen, cards recalled >= threshold)`` on the ids."""
        if not question_ids:
            return {}
        recall = self._recall_at(scope.as_of)
        query = self._people(
            select(
                Card.person_id,
                func.count(),
                func.sum(case((recall >= threshold, 1), else_=0)),
            )
            .join(Person, Person.id == Card.person_id)
            .where(Person.role == role, Card.question_id.in_(list(question_ids))),
            scope,
        ).group_by(Card.person_id)
        with self.connect() as conn:
            return {int(p): (int(n), int(r or 0)) for p, n, r in conn.execute(query)}

    def first_practice(self, scope: Scope) -> datetime | None:
        """The first attempt of anyone in scope before ``until``."""
        query = self._people(
            select(func.min(Attempt.answered_at)).where(Attempt.answered_at < scope.until),
            scope,
            Attempt.person_id,
        )
        with self.connect() as conn:
            return _as_utc(conn.execute(query).scalar())

    def approved_questions(self) -> list[tuple[str, str, list[str], int, bool]]:
        """``(id, area, roles, difficulty, authored)`` of the approved questions.

        ``authored``: written by the site's quality team (``origin`` in the payload), not
        generated from the documents.
        """
        query = select(
            Question.id, Question.area, Question.roles, Question.difficulty, Question.payload
        ).where(Question.status == "approved")
        with self.connect() as conn:
            return [
                (str(i), str(a), list(r or []), int(d), (p or {}).get("origin") == "authored")
                for i, a, r, d, p in conn.execute(query)
            ]

    def interview_turns(self, scope: Scope) -> list[tuple[int, int, list[dict[str, Any]]]]:
        """``(person, session, turns)`` of the interviews started in the period."""
        query = self._people(
            select(InterviewSession.person_id, InterviewSession.id, InterviewSession.turns).where(
                InterviewSession.started_at >= scope.since,
                InterviewSession.started_at < scope.until,
            ),
            scope,
            InterviewSession.person_id,
        )
        with self.connect() as conn:
            return [(int(p), int(s), list(t or [])) for p, s, t in conn.execute(query)]


def _as_utc(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
