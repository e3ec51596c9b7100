"""The practice engine: quizzes and mock interviews over the records, for every surface.

The CLI and the Slack bot call :class:`Practice`; it grades, records each attempt once (per
idempotency key, in one transaction with the FSRS card), and reads queues and mastery back.
The question bank follows the index: when the indexed documents change, the bank is
refreshed and synced into the records before the next question is served, so a question
whose source was edited or deleted is no longer asked (and answering it is refused).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.chunking import normalise_program, normalise_role
from assistant.documents import content_id
from assistant.practice.freetext import FreeTextGrader
from assistant.practice.grading import PracticeError, Verdict, grade, verdict_for
from assistant.practice.interviewing import Interviews, InterviewStep
from assistant.questions.bank import QuestionBank
from assistant.questions.model import Question, QuestionSource
from assistant.records import Person, Records, RecordsError, RecordsUnavailableError
from assistant.records import Question as QuestionRow
from assistant.records.repository import UpsertReport
from assistant.scheduling import AreaMastery, RecallForecast, Scheduler, local_day_start

if TYPE_CHECKING:
    from assistant.app import Assistant
    from assistant.config import Settings

log = logging.getLogger(__name__)

#: Longest fill-in (cloze) answer accepted: a few words, not a paragraph.
MAX_CLOZE_CHARS = 300
SYNC_MARKER = "questions.synced"


@dataclass(frozen=True)
class QuizItem:
    """A question to ask now: a due review, or a new one."""

    question: Question
    new: bool
    due: datetime | None


@dataclass(frozen=True)
class QuizResult:
    """What happened when a person answered a quiz question."""

    question: Question
    response: str
    correct: bool
    score: float
    verdict: Verdict
    chosen: str
    correct_text: str
    explanation: str
    citation: QuestionSource
    recorded: bool
    """False when this idempotency key was recorded before (the first result is returned)."""
    next_due: datetime | None


@dataclass(frozen=True)
class PersonStats:
    """A person's own readiness: queue, mastery per area, recent accuracy, audit-day recall."""

    person: Person
    due_now: int
    new_today: int
    mastery: dict[str, AreaMastery]
    attempts_7d: int
    accuracy_7d: float | None
    predicted_recall: RecallForecast | None


def to_row(question: Question) -> QuestionRow:
    """The records' copy of a bank question (the whole question kept in ``payload``)."""
    c = question.citation
    return QuestionRow(
        id=question.id,
        type=question.type,
        prompt=question.prompt,
        area=question.area,
        payload=question.model_dump(mode="json"),
        roles=list(question.roles),
        difficulty=question.difficulty,
        status=question.status,
        source_doc_id=c.doc_id,
        source_section=" > ".join(c.section_path),
        source_hash=question.source_hash,
    )


def from_row(row: QuestionRow) -> Question:
    """The bank question kept in a records row, with the row's (reviewed) status."""
    return Question.model_validate({**row.payload, "status": row.status})


class Practice:
    """Quizzes, interviews and personal stats over one index and one records database."""

    def __init__(
        self,
        assistant: Assistant,
        records: Records,
        *,
        scheduler: Scheduler | None = None,
        bank: QuestionBank | None = None,
        interviews_dir: Path | None = None,
        interview_length: int = 3,
    ) -> None:
        self.assistant = assistant
        self.records = records
        self.scheduler = scheduler or Scheduler()
        self.bank = bank or QuestionBank.from_settings(assistant.settings)
        vocabulary = assistant.answerer.vocabulary
        self.grader = FreeTextGrader(
            assistant.index.embedder, expand=lambda text: vocabulary.parse(text).expanded
        )
        self.interviews_dir = interviews_dir or assistant.settings.corpus_dir / "interviews"
        self.interview_length = interview_length
        self._lock = threading.RLock()
        self._synced: str | None = None
        self._catalog_seen: object = None
        self._fingerprint = ""
        self.interviews = Interviews(
            assistant,
            records,
            self.grader,
            folder=self.interviews_dir,
            length=interview_length,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, assistant: Assistant | None = None
    ) -> Practice:
        """Wire the engine: the assistant (index), the records database, FSRS, the bank."""
        if assistant is None:
            from assistant.app import build_assistant

            assistant = build_assistant(settings)
        settings = settings or assistant.settings
        records = Records.open(settings=settings)
        return cls(
            assistant,
            records,
            scheduler=Scheduler(new_per_day=settings.new_per_day),
            bank=QuestionBank.from_settings(settings),
            interviews_dir=settings.corpus_dir / "interviews",
            interview_length=settings.interview_length,
        )

    def close(self) -> None:
        """Release the database connections."""
        self.records.close()

    # -- the bank follows the index -------------------------------------------------------

    def fingerprint(self) -> str:
        """Identifies the indexed content: changes when any chunk is added, changed or removed."""
        catalog = self.assistant.index.catalog
        if catalog is not self._catalog_seen:
            self._fingerprint = content_id(*sorted(catalog), length=16) if catalog else ""
            self._catalog_seen = catalog
        return self._fingerprint

    def sync_bank(self, *, force: bool = False) -> UpsertReport | None:
        """Refresh the bank from the index when the index changed, and write it to the records.

        Done once per process and again whenever the index changes, by every method that
        serves or grades a question (the upsert is cheap; regeneration runs only when the
        indexed content differs from the bank's, or with ``force``). Questions
        whose source section changed become stale, those whose source is gone retired; their
        cards stay (history is evidence) but they are no longer served.
        """
        with self._lock:
            self.assistant.ensure_index()
            current = self.fingerprint()
            marker = self.bank.path.parent / SYNC_MARKER
            if not force and self._synced == current:
                return None
            stored = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
            if not force and stored == current and self.bank.path.is_file():
                questions = self.bank.load()  # the bank is current; this database may not be
            elif self.bank.path.is_file():
                questions = self.bank.refresh(self.assistant).questions
            else:
                questions = self.bank.generate(self.assistant)
                self.bank.save(questions)
            questions = self._keep_approvals(questions)
            report = self.records.upsert_questions(to_row(q) for q in questions)
            known = {q.id for q in questions}
            orphans = [
                row.id
                for row in self.records.list_questions()
                if row.id not in known and row.status != "retired"
            ]
            if orphans:
                self.records.set_question_status(orphans, "retired")
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(current, encoding="utf-8")
            self._synced = current
            self.interviews.clear()
            log.info("question bank synced: %s", report)
            return report

    def _keep_approvals(self, questions: list[Question]) -> list[Question]:
        """Keep the quality team's approvals, which the shared records hold.

        A bot replica on another machine builds its bank file from scratch (or from an older
        copy): its drafts must not turn questions approved elsewhere back into drafts.
        """
        approved = {row.id for row in self.records.list_questions(status="approved")}
        kept = [
            q.with_status("approved") if q.status == "draft" and q.id in approved else q
            for q in questions
        ]
        if kept != questions:
            self.bank.save(kept)
        return kept

    def review(self, question_ids: list[str], status: str) -> int:
        """Approve or retire questions: in the saved bank (so regeneration keeps the
        decision) and in the records (so practice serves it). Returns how many changed.

        Raises:
            PracticeError: an id is not in the bank, or the status is not approved/retired/draft.
        """
        if status not in {"approved", "retired", "draft"}:
            raise PracticeError(f"status must be approved, retired or draft, not {status!r}")
        with self._lock:
            self.sync_bank()
            saved = self.bank.load()
            known = {q.id for q in saved}
            unknown = [qid for qid in question_ids if qid not in known]
            if unknown:
                raise PracticeError(
                    f"unknown question id {unknown[0]!r}; `copc questions list` shows the ids"
                )
            wanted = set(question_ids)
            self.bank.save(
                q.with_status(status) if q.id in wanted else q  # type: ignore[arg-type]
                for q in saved
            )
            return self.records.set_question_status(sorted(wanted), status)

    def bank_questions(self) -> list[Question]:
        """Every question of the bank, with its current review status."""
        self.sync_bank()
        return [from_row(row) for row in self.records.list_questions()]

    # -- people ---------------------------------------------------------------------------

    def enrol(
        self,
        external_id: str,
        *,
        display_name: str | None = None,
        role: str | None = None,
        team: str | None = None,
        program: str | None = None,
        timezone: str | None = None,
    ) -> Person:
        """Create or update a person; details not given keep their current values."""
        current = self.records.get_person(external_id)
        as_role = normalise_role(role) if role else (current.role if current else "agent")
        if as_role is None:
            raise PracticeError(
                f"unknown role {role!r}; use agent, team_lead, manager, quality or wfm"
            )
        try:
            return self.records.upsert_person(
                external_id,
                display_name=display_name or (current.display_name if current else external_id),
                role=as_role,
                team=team if team is not None else (current.team if current else None),
                program=(
                    normalise_program(program)
                    if program
                    else (current.program if current else None)
                ),
                timezone=timezone or (current.timezone if current else "UTC"),
            )
        except RecordsUnavailableError:
            raise  # the database is down: not the person's mistake (and names the server)
        except RecordsError as exc:
            raise PracticeError(str(exc)) from exc

    def person(self, external_id: str) -> Person:
        """The enrolled person; unknown ids are enrolled as agents without a team."""
        return self.records.get_person(external_id) or self.enrol(external_id)

    # -- quiz -----------------------------------------------------------------------------

    def question(self, question_id: str) -> Question:
        """A question that may be answered now.

        Raises:
            PracticeError: no such id, or the question was retired or its source changed.
        """
        self.sync_bank()
        try:
            row = self.records.get_question(question_id)
        except RecordsUnavailableError:
            raise  # the database is down: not an unknown question
        except RecordsError:
            raise PracticeError(
                f"unknown question id {question_id!r}; `copc questions list` shows the ids"
            ) from None
        if row.status in {"retired", "stale"}:
            why = "its source section changed" if row.status == "stale" else "it was retired"
            raise PracticeError(
                f"question {question_id} can no longer be answered: {why} "
                f"({row.source_doc_id}); ask for the next question instead"
            )
        return from_row(row)

    def next_questions(
        self,
        external_id: str,
        *,
        area: str | None = None,
        limit: int = 5,
        now: datetime | None = None,
    ) -> list[QuizItem]:
        """The person's queue now: due reviews first, then new questions under the daily cap."""
        self.sync_bank()
        now = now or datetime.now(UTC)
        person = self.person(external_id)
        queue = self.scheduler.due_queue(self.records, person, now, limit=limit, area=area)
        rows = {r.id: r for r in self.records.list_questions(ids=[i.question_id for i in queue])}
        return [
            QuizItem(from_row(rows[item.question_id]), item.new, item.due)
            for item in queue
            if item.question_id in rows
        ]

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
        """Grade and record an answer once per ``idempotency_key``.

        Raises:
            PracticeError: unknown or retired question, or a response that cannot be read as
                an answer (nothing is recorded then; the message says what to type).
        """
        person = self.person(external_id)
        earlier = self.records.get_attempt(idempotency_key)
        if earlier is not None:
            question = from_row(self.records.get_question(earlier.question_id))
            return self._result(question, earlier.answer, earlier, recorded=False)
        question = self.question(question_id)
        if question.type == "cloze" and len(response.strip()) > MAX_CLOZE_CHARS:
            raise PracticeError(
                f"a fill-in answer is a few words; yours has {len(response.strip())} characters"
            )
        graded = grade(question, response)
        attempt, created = self.scheduler.record(
            self.records,
            person,
            question.id,
            graded.chosen if question.type != "cloze" else response.strip(),
            correct=graded.correct,
            score=graded.score,
            idempotency_key=idempotency_key,
            details={"response": response[:500], "verdict": graded.verdict},
            surface=surface,
            answered_at=now or datetime.now(UTC),
        )
        return self._result(question, response, attempt, recorded=created)

    def _result(
        self, question: Question, response: str, attempt: Any, *, recorded: bool
    ) -> QuizResult:
        card = self.records.get_card(attempt.person_id, question.id)
        return QuizResult(
            question=question,
            response=response,
            correct=bool(attempt.correct),
            score=float(attempt.score),
            verdict=verdict_for(float(attempt.score)),
            chosen=attempt.answer,
            correct_text=question.correct_text,
            explanation=question.explanation,
            citation=question.citation,
            recorded=recorded,
            next_due=card.due if card else None,
        )

    def stats(
        self,
        external_id: str,
        *,
        now: datetime | None = None,
        audit_date: date | None = None,
    ) -> PersonStats:
        """The person's queue, mastery per area, last-7-days accuracy and audit-day recall."""
        self.sync_bank()
        now = now or datetime.now(UTC)
        person = self.person(external_id)
        due = len(self.records.due_cards(person, now))
        introduced = self.records.cards_introduced_since(
            person, local_day_start(now, person.timezone)
        )
        room = self.scheduler.new_allowed(introduced)
        new_today = len(self.records.new_questions(person, limit=room))
        attempts = self.records.attempts_between(now - timedelta(days=7), now, person=person)
        accuracy = sum(a.correct for a in attempts) / len(attempts) if attempts else None
        forecast = (
            self.scheduler.forecast_for(self.records, person, audit_date) if audit_date else None
        )
        return PersonStats(
            person=person,
            due_now=due,
            new_today=new_today,
            mastery=self.scheduler.mastery_for(self.records, person, now),
            attempts_7d=len(attempts),
            accuracy_7d=accuracy,
            predicted_recall=forecast,
        )

    # -- mock interviews ------------------------------------------------------------------

    def start_interview(
        self,
        external_id: str,
        *,
        role: str | None = None,
        count: int | None = None,
        now: datetime | None = None,
    ) -> InterviewStep:
        """Open a mock interview for the person (as their role unless ``role`` is given)."""
        self.sync_bank()
        return self.interviews.start(self.person(external_id), role=role, count=count, now=now)

    def answer_interview(
        self,
        session_id: int,
        answer: str,
        *,
        idempotency_key: str,
        now: datetime | None = None,
    ) -> InterviewStep:
        """Grade the answer to the session's current question; the next question follows.

        Recorded once per ``idempotency_key``: a retry returns the first grade.

        Raises:
            PracticeError: unknown session, or the interview is already finished.
        """
        return self.interviews.answer(
            session_id, answer, idempotency_key=idempotency_key, now=now
        )
