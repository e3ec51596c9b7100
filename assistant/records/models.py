"""The records schema: SQLAlchemy 2.0 typed ORM models.

The tables are created by the Alembic migrations in ``migrations/``, never by
``metadata.create_all``; ``tests/records`` checks that the two agree.

Every timestamp is stored in UTC and read back as a timezone-aware UTC ``datetime``
(SQLite has no time zones, PostgreSQL uses ``timestamptz``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedAsDataclass, mapped_column

#: Longest answer text stored; longer answers are truncated and flagged in the details.
MAX_ANSWER_CHARS = 10_000


class Role(StrEnum):
    """A person's role, which decides the questions and interviews they get."""

    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    MANAGER = "manager"
    QUALITY = "quality"
    WFM = "wfm"
    ADMIN = "admin"


class QuestionStatus(StrEnum):
    """Where a question is in its review life."""

    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"
    STALE = "stale"


class Surface(StrEnum):
    """Where an attempt was made."""

    CLI = "cli"
    SLACK = "slack"


class FeedbackRating(StrEnum):
    """A thumbs up or down on an answer."""

    UP = "up"
    DOWN = "down"


def utcnow() -> datetime:
    """The current time in UTC (for defaults at the edges; logic takes time as an argument)."""
    return datetime.now(UTC)


def _in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that always round-trips as an aware UTC ``datetime``.

    Naive values are taken to be UTC already. SQLite stores the naive UTC value (its
    fixed-width text sorts chronologically); PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(MappedAsDataclass, DeclarativeBase, kw_only=True, eq=False):
    """Declarative base: typed keyword constructors; identity (not value) equality."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


class Person(Base):
    """Someone who practises: an agent, a team lead, a manager, the quality team."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    """The id on the surface that knows the person, e.g. a Slack user id."""
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=Role.AGENT.value)
    team: Mapped[str | None] = mapped_column(String(100), default=None)
    program: Mapped[str | None] = mapped_column(String(100), default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default_factory=utcnow)


class Question(Base):
    """A question of the bank, as the records layer keeps it.

    ``payload`` holds the type-specific parts: ``choices``, ``answer``, ``explanation``,
    ``citation`` (doc, section, quote).
    """

    __tablename__ = "question"
    __table_args__ = (
        CheckConstraint(_in("status", QuestionStatus), name="status"),
        Index("ix_question_area_status", "area", "status"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    """Stable id from the question bank (unchanged while the source section is unchanged)."""
    type: Mapped[str] = mapped_column(String(32))
    prompt: Mapped[str] = mapped_column(Text)
    area: Mapped[str] = mapped_column(String(100))
    """The COPC area, e.g. ``quality_management``."""
    payload: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)
    roles: Mapped[list[str]] = mapped_column(default_factory=list)
    """Roles the question is for; empty means everyone."""
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    """1 (easiest) and up."""
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.DRAFT.value)
    source_doc_id: Mapped[str | None] = mapped_column(String(255), default=None)
    source_section: Mapped[str | None] = mapped_column(Text, default=None)
    source_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_at: Mapped[datetime] = mapped_column(default_factory=utcnow)


class Attempt(Base):
    """One answer to one question, written once (the idempotency key is unique)."""

    __tablename__ = "attempt"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint(_in("surface", Surface), name="surface"),
        Index("ix_attempt_person_answered", "person_id", "answered_at"),
        Index("ix_attempt_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    question_id: Mapped[str] = mapped_column(ForeignKey("question.id"), index=True)
    answered_at: Mapped[datetime]
    answer: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool]
    score: Mapped[float] = mapped_column(Float)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    surface: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)


class Card(Base):
    """A person's FSRS card for one question.

    ``state`` is the ``fsrs.Card`` serialised with ``to_dict()``; the other columns copy
    what queries need (``due`` for the queue, ``stability``/``last_review`` for reports).
    """

    __tablename__ = "card"
    __table_args__ = (Index("ix_card_person_due", "person_id", "due"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("question.id"), primary_key=True)
    due: Mapped[datetime]
    state: Mapped[dict[str, Any]] = mapped_column(default_factory=dict)
    stability: Mapped[float | None] = mapped_column(Float, default=None)
    difficulty: Mapped[float | None] = mapped_column(Float, default=None)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default_factory=utcnow)
    """When the question was first introduced to the person (counts against new-per-day)."""


class InterviewSession(Base):
    """A mock assessor interview: its turns (question, answer, grade, follow-up) as JSON."""

    __tablename__ = "interview_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    turns: Mapped[list[dict[str, Any]]] = mapped_column(default_factory=list)


class Feedback(Base):
    """A thumbs up or down on an answer the assistant gave."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint(_in("rating", FeedbackRating), name="rating"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default_factory=utcnow)


class DailyClaim(Base):
    """Proof that today's practice was sent to a person: one row per person per local day."""

    __tablename__ = "daily_claim"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(default_factory=utcnow)


class EventClaim(Base):
    """A delivery a bot process took on (e.g. a Slack ``event_id``): one row per key, so
    every replica sharing the database handles a retried delivery at most once."""

    __tablename__ = "event_claim"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(default_factory=utcnow, index=True)
