"""What the bot needs from the library, as small structural Protocols.

The bot is a thin adapter: evidence answers come from ``Assistant.ask`` and practice from
``assistant.practice.Practice``. Declaring only the members the bot reads keeps ``bots/``
decoupled from how the engine is built, and lets listener unit tests pass small fakes
while the end-to-end tests use the real parts. Members are read-only properties so frozen
dataclasses satisfy them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from assistant.answers import Answer, Citation
from assistant.questions.model import Question, QuestionSource
from assistant.records import Person, Records
from assistant.scheduling import AreaMastery, RecallForecast, Scheduler


class Asker(Protocol):
    """Answers a question with cited evidence (``assistant.app.Assistant``)."""

    def ask(
        self, question: str, *, program: str | None = None, role: str | None = None
    ) -> Answer: ...


class QuizItemView(Protocol):
    """A question to practise now."""

    @property
    def question(self) -> Question: ...
    @property
    def new(self) -> bool: ...
    @property
    def due(self) -> datetime | None: ...


class QuizResultView(Protocol):
    """The grade of one quiz answer."""

    @property
    def question(self) -> Question: ...
    @property
    def response(self) -> str: ...
    @property
    def correct(self) -> bool: ...
    @property
    def score(self) -> float: ...
    @property
    def verdict(self) -> str: ...
    @property
    def correct_text(self) -> str: ...
    @property
    def explanation(self) -> str: ...
    @property
    def citation(self) -> QuestionSource: ...
    @property
    def recorded(self) -> bool: ...
    @property
    def next_due(self) -> datetime | None: ...


class FreeTextGradeView(Protocol):
    """The grade of one interview answer."""

    @property
    def score(self) -> float: ...
    @property
    def verdict(self) -> str: ...
    @property
    def matched_facts(self) -> tuple[str, ...]: ...
    @property
    def missing_facts(self) -> tuple[str, ...]: ...
    @property
    def model_answer(self) -> str: ...
    @property
    def citations(self) -> tuple[Citation, ...]: ...
    @property
    def follow_up(self) -> str: ...


class InterviewStepView(Protocol):
    """Where a mock interview is: the grade just given and the next open question."""

    @property
    def session_id(self) -> int: ...
    @property
    def index(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def prompt(self) -> str | None: ...
    @property
    def grade(self) -> FreeTextGradeView | None: ...
    @property
    def recorded(self) -> bool: ...


class PersonStatsView(Protocol):
    """A person's readiness: due work, mastery per area, recent accuracy."""

    @property
    def person(self) -> Person: ...
    @property
    def due_now(self) -> int: ...
    @property
    def new_today(self) -> int: ...
    @property
    def mastery(self) -> Mapping[str, AreaMastery]: ...
    @property
    def attempts_7d(self) -> int: ...
    @property
    def accuracy_7d(self) -> float | None: ...
    @property
    def predicted_recall(self) -> RecallForecast | None: ...


class PracticeEngine(Protocol):
    """The practice engine (``assistant.practice.Practice``)."""

    @property
    def records(self) -> Records: ...
    @property
    def scheduler(self) -> Scheduler: ...

    def enrol(
        self,
        external_id: str,
        *,
        display_name: str | None = None,
        role: str | None = None,
        team: str | None = None,
        program: str | None = None,
        timezone: str | None = None,
    ) -> Person: ...

    def next_questions(
        self,
        external_id: str,
        *,
        area: str | None = None,
        limit: int = 5,
        now: datetime | None = None,
    ) -> Sequence[QuizItemView]: ...

    def question(self, question_id: str) -> Question: ...

    def answer(
        self,
        external_id: str,
        question_id: str,
        response: str,
        *,
        idempotency_key: str,
        surface: str = "cli",
        now: datetime | None = None,
    ) -> QuizResultView: ...

    def stats(
        self, external_id: str, *, now: datetime | None = None, audit_date: date | None = None
    ) -> PersonStatsView: ...

    def start_interview(
        self,
        external_id: str,
        *,
        role: str | None = None,
        count: int | None = None,
        now: datetime | None = None,
    ) -> InterviewStepView: ...

    def answer_interview(
        self, session_id: int, answer: str, *, idempotency_key: str, now: datetime | None = None
    ) -> InterviewStepView: ...
