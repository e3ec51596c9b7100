"""Small fakes for listener unit tests: a scripted assistant and a practice engine over a
real SQLite records database (people, feedback and daily claims are real; grading is
scripted). The end-to-end tests use the real engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from unittest.mock import MagicMock

from assistant.answers import Answer, Citation
from assistant.practice import (
    FreeTextGrade,
    InterviewStep,
    PersonStats,
    QuizItem,
    QuizResult,
)
from assistant.questions.model import Question, QuestionSource
from assistant.records import Person, Records
from assistant.scheduling import AreaMastery, Scheduler
from bots.deps import Deps, Req
from bots.people import People
from bots.roles import RoleDirectory

SOURCE = QuestionSource(
    doc_id="NB-QA-002",
    file="quality-monitoring.md",
    section="Sample size",
    section_path=("Quality monitoring", "Sample size"),
    version="3.1",
    quote="Each agent has 8 contacts monitored per month.",
)
MCQ = Question(
    id="q-mcq",
    type="mcq_numeric",
    prompt="How many contacts are monitored per agent per month?",
    choices=("4", "8", "12"),
    answer=1,
    explanation="The QA procedure sets 8 contacts per agent per month.",
    citation=SOURCE,
    area="quality_management",
    roles=("agent",),
    difficulty=1,
    fact="8 contacts",
)
CLOZE = Question(
    id="q-cloze",
    type="cloze",
    prompt="Each agent has ____ contacts monitored per month.",
    answer="8",
    explanation="See the QA procedure.",
    citation=SOURCE,
    area="quality_management",
    roles=("agent",),
    difficulty=1,
    fact="8",
)


def citation(
    n: int = 1, quote: str = "The target is 80% of calls answered in 20 seconds."
) -> Citation:
    return Citation(
        n=n,
        file="service-level.md",
        section="Target",
        section_path=["Service level", "Target"],
        doc_id="NB-WFM-001",
        page=None,
        version="2.0",
        effective_date="2024-01-01",
        client_approved="yes",
        approved_by="Harbor Bank",
        program=None,
        quote=quote,
        score=0.9,
        chunk_id=f"c{n}",
    )


def answer(question: str = "How was the service level target set?") -> Answer:
    return Answer(
        question=question,
        text="The target is 80% of calls answered in 20 seconds [1].",
        abstained=False,
        citations=[citation()],
    )


@dataclass
class FakeAssistant:
    """Answers every question with one cited sentence, or raises ``error``."""

    error: Exception | None = None
    asked: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def ask(self, question: str, *, program: str | None = None, role: str | None = None) -> Answer:
        self.asked.append((question, program, role))
        if self.error is not None:
            raise self.error
        return answer(question)


class FakePractice:
    """The practice engine's surface over real records; grading and queues are scripted."""

    def __init__(self, records: Records, items: list[Question] | None = None) -> None:
        self.records = records
        self.scheduler = Scheduler()
        self.items = [MCQ] if items is None else items
        self.answers: list[dict[str, Any]] = []
        self.interview_answers: list[tuple[int, str, str]] = []
        self.error: Exception | None = None

    def enrol(self, external_id: str, **details: Any) -> Person:
        fields = {k: v for k, v in details.items() if v is not None}
        fields.setdefault("display_name", external_id)
        return self.records.upsert_person(external_id, **fields)

    def next_questions(
        self,
        external_id: str,
        *,
        area: str | None = None,
        limit: int = 5,
        now: datetime | None = None,
    ) -> list[QuizItem]:
        return [QuizItem(q, True, None) for q in self.items if area in (None, q.area)][:limit]

    def question(self, question_id: str) -> Question:
        return next(q for q in (MCQ, CLOZE) if q.id == question_id)

    def answer(
        self,
        external_id: str,
        question_id: str,
        response: str,
        *,
        idempotency_key: str,
        surface: str = "cli",
        now: datetime | None = None,
    ) -> QuizResult:
        if self.error is not None:
            raise self.error
        first = next((a for a in self.answers if a["key"] == idempotency_key), None)
        self.answers.append(
            {
                "user": external_id,
                "question": question_id,
                "response": response,
                "key": idempotency_key,
                "surface": surface,
            }
        )
        q = self.question(question_id)
        shown = first["response"] if first else response
        right = shown.strip().upper() in ("B", "8")
        return QuizResult(
            question=q,
            response=shown,
            correct=right,
            score=100.0 if right else 0.0,
            verdict="correct" if right else "incorrect",
            chosen=shown,
            correct_text=q.correct_text,
            explanation=q.explanation,
            citation=q.citation,
            recorded=first is None,
            next_due=None,
        )

    def stats(
        self, external_id: str, *, now: datetime | None = None, audit_date: Any = None
    ) -> PersonStats:
        person = self.records.get_person(external_id) or self.enrol(external_id)
        return PersonStats(
            person=person,
            due_now=2,
            new_today=5,
            mastery={"quality_management": AreaMastery("quality_management", 0.62, 8)},
            attempts_7d=12,
            accuracy_7d=0.75,
            predicted_recall=None,
        )

    def start_interview(
        self,
        external_id: str,
        *,
        role: str | None = None,
        count: int | None = None,
        now: datetime | None = None,
    ) -> InterviewStep:
        return InterviewStep(7, 0, 2, "How was the AHT target set?", "i-1", None)

    def answer_interview(
        self, session_id: int, answer: str, *, idempotency_key: str, now: datetime | None = None
    ) -> InterviewStep:
        if self.error is not None:
            raise self.error
        again = any(key == idempotency_key for _, _, key in self.interview_answers)
        if not again:
            self.interview_answers.append((session_id, answer, idempotency_key))
        grade = FreeTextGrade(
            score=55.0,
            verdict="partial",
            matched_facts=("client approval",),
            missing_facts=("12 months of history",),
            similarity=0.6,
            model_answer="From 12 months of history, approved by the client [1].",
            citations=(citation(),),
            follow_up="Where is that documented?",
        )
        done = len(self.interview_answers) >= 2
        prompt = None if done else "How many calls do you monitor per agent?"
        return InterviewStep(
            session_id, len(self.interview_answers), 2, prompt, "i-2", grade, recorded=not again
        )


def make_deps(
    records: Records,
    *,
    assistant: FakeAssistant | None = None,
    practice: FakePractice | None = None,
    roles: RoleDirectory | None = None,
    client: Any = None,
) -> Deps:
    from assistant.config import Settings

    client = client or slack_client()
    engine = practice or FakePractice(records)
    return Deps(
        settings=Settings(slack_daily_hour=9, slack_quiz_size=3),
        assistant=assistant or FakeAssistant(),
        practice=engine,
        people=People(engine, roles or RoleDirectory(), client),
    )


def slack_client() -> MagicMock:
    """A mock WebClient whose posts answer like Slack (a DM channel and a ts)."""
    client = MagicMock()
    client.users_info.return_value = {
        "user": {"id": "U1", "tz": "Europe/Madrid", "real_name": "Ana"}
    }
    client.chat_postMessage.side_effect = lambda **kw: {
        "ok": True,
        "channel": "D" + str(kw["channel"])[1:],
        "ts": "1700000000.000100",
    }
    return client


def command_req(client: Any, text: str, *, user: str = "U1", channel: str = "C1") -> Req:
    body = {
        "command": "/copc",
        "text": text,
        "user_id": user,
        "channel_id": channel,
        "team_id": "T1",
        "response_url": "https://hooks.invalid/r",
    }
    return Req(body=body, client=client, respond=MagicMock())


def now_utc() -> datetime:
    return datetime.now(UTC)
