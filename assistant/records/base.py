"""The base of the ``Records`` repository: sessions, retries and error translation.

Every public method runs in its own short transaction and returns detached ORM objects
(their columns stay readable after the session closes). Writes that must happen once
(attempts, daily claims) rely on UNIQUE constraints: on a conflict the transaction is
rolled back and the winner's row is read back, so concurrent writers never double-count.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.records import engine as db
from assistant.records.errors import RecordsError
from assistant.records.models import (
    MAX_ANSWER_CHARS,
    FeedbackRating,
    Person,
    Question,
    QuestionStatus,
    Role,
    Surface,
    utcnow,
)

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="RecordsBase")

#: A person as callers hold them: the ORM row or its id.
PersonRef = Person | int

_RETRIES = 3


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Turn database failures into one-line ``RecordsError``s (never a driver traceback)."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            raise db.unavailable(self.engine.url, exc) from exc
        except SQLAlchemyError as exc:
            raise RecordsError(
                f"records database error at {self.url}: {db.one_line(exc, self.engine.url)}"
            ) from exc

    return wrapper


def utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (now when ``None``); a naive datetime is refused."""
    if moment is None:
        return utcnow()
    if moment.tzinfo is None:
        raise RecordsError(f"timestamp {moment.isoformat()} has no time zone; pass an aware one")
    return moment.astimezone(UTC)


def choice(value: str, allowed: type[Role | QuestionStatus | Surface | FeedbackRating]) -> str:
    """``value`` as a plain string when it is one of ``allowed``; else a ``RecordsError``."""
    values = [member.value for member in allowed]
    if value not in values:
        raise RecordsError(f"{allowed.__name__.lower()} {value!r} is not one of {values}")
    return str(value)


def bounded(text: str) -> tuple[str, bool]:
    """``text`` cut to ``MAX_ANSWER_CHARS``, and whether it was cut."""
    return (text[:MAX_ANSWER_CHARS], True) if len(text) > MAX_ANSWER_CHARS else (text, False)


def id_of(person: PersonRef) -> int:
    """The id of a person given as a row or an id."""
    return person.id if isinstance(person, Person) else person


class RecordsBase:
    """Engine, sessions and the helpers every part of the repository shares."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(db.writer(engine), expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return db.redact(self.engine.url)

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session

    def _retry_on_conflict(self, work: Callable[[], R]) -> R:
        """Run ``work`` again when a concurrent writer won a race on a UNIQUE key."""
        for attempt in range(_RETRIES):
            try:
                return work()
            except IntegrityError:
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _person(session: Session, person: PersonRef) -> Person:
        person_id = id_of(person)
        row = session.get(Person, person_id)
        if row is None:
            raise RecordsError(f"unknown person id {person_id}")
        return row

    @staticmethod
    def _question(session: Session, question_id: str) -> Question:
        row = session.get(Question, question_id)
        if row is None:
            raise RecordsError(
                f"unknown question id {question_id!r}; see `copc questions list` for the bank"
            )
        return row
