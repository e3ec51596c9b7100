"""Records: people, questions, attempts, FSRS cards, interviews, feedback, daily claims.

SQLite under ``COPC_HOME`` by default, PostgreSQL through ``COPC_DATABASE_URL``; the schema
is managed by Alembic migrations that :meth:`Records.open` applies. Importing this package
does not touch a database.

    >>> records = Records.open("sqlite:///records.db")          # doctest: +SKIP
    >>> attempt, created = records.record_attempt(               # doctest: +SKIP
    ...     person, "q-123", "B", correct=True, score=100, idempotency_key="slack:T1:171.2")
"""

from assistant.records.base import PersonRef
from assistant.records.errors import RecordsError, RecordsUnavailableError
from assistant.records.models import (
    MAX_ANSWER_CHARS,
    Attempt,
    Card,
    DailyClaim,
    EventClaim,
    Feedback,
    FeedbackRating,
    InterviewSession,
    Person,
    Question,
    QuestionStatus,
    Role,
    Surface,
)
from assistant.records.repository import CardUpdate, Records, UpsertReport

__all__ = [
    "MAX_ANSWER_CHARS",
    "Attempt",
    "Card",
    "CardUpdate",
    "DailyClaim",
    "EventClaim",
    "Feedback",
    "FeedbackRating",
    "InterviewSession",
    "Person",
    "PersonRef",
    "Question",
    "QuestionStatus",
    "Records",
    "RecordsError",
    "RecordsUnavailableError",
    "Role",
    "Surface",
    "UpsertReport",
]
