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
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answers import Citation
from assistant.chunking import normalise_program, normalise_role
from assistant.documents import content_id
from assistant.practice.freetext import FreeTextGrade, FreeTextGrader
from assistant.practice.grading import PracticeError, Verdict, grade, verdict_for
from assistant.practice.interview import (
    INTERVIEW_HEADING,
    InterviewQuestion,
    PreparedQuestion,
    criteria_questions,
    load_interviews,
    pick,
    prepare,
)
from assistant.questions.areas import GENERAL, keyword_scores
from assistant.questions.bank import QuestionBank
from assistant.questions.model import Question, QuestionSource
from assistant.records import Person, Records, RecordsError
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
CRITERIA_DOC_TYPE = "criteria-note"


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
class InterviewStep:
    """Where an interview stands: the grade of the answer just given and the next question."""

    session_id: int
    index: int
    """How many questions have been answered."""
    total: int
    prompt: str | None
    """The next question; None when the interview is finished."""
    question_id: str | None
    grade: FreeTextGrade | None
    recorded: bool = True

    @property
    def finished(self) -> bool:
        """No question left."""
        return self.prompt is None


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
        self._prepared: dict[str, PreparedQuestion | None] = {}

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
            self._prepared.clear()
            log.info("question bank synced: %s", report)
            return report

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
        person = self.person(external_id)
        as_role = normalise_role(role) if role else person.role
        if as_role is None:
            raise PracticeError(
                f"unknown role {role!r}; use agent, team_lead, manager, quality or wfm"
            )
        count = count or self.interview_length
        history = self.records.interviews_for(person)
        recent = {
            t.get("question_id", "")
            for session in history[:5]
            for t in session.turns
            if t.get("kind") == "answer"
        }
        chosen = self._choose(as_role, count, recent, seed=len(history), program=person.program)
        session = self.records.start_interview(person, as_role, now=now)
        plan = {
            "kind": "plan",
            "questions": [p.question.id for p in chosen],
            "prompts": [p.question.prompt for p in chosen],
        }
        self.records.add_interview_turn(session.id, plan)
        first = chosen[0].question
        return InterviewStep(session.id, 0, len(chosen), first.prompt, first.id, None)

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
        try:
            session = self.records.get_interview(session_id)
        except RecordsError:
            raise PracticeError(
                f"unknown interview {session_id}; start one with `copc interview`"
            ) from None
        plan = next((t for t in session.turns if t.get("kind") == "plan"), None)
        if plan is None:
            raise PracticeError(f"interview {session_id} has no questions; start a new one")
        ids, prompts = list(plan["questions"]), list(plan["prompts"])
        for turn in session.turns:
            if turn.get("key") == idempotency_key:
                return self._step(session_id, ids, prompts, turn, session.turns, recorded=False)
        answered = [t for t in session.turns if t.get("kind") == "answer"]
        if session.finished_at is not None or len(answered) >= len(ids):
            raise PracticeError(
                f"interview {session_id} is finished; start a new one with `copc interview`"
            )
        index = len(answered)
        prepared = self._prepared_by_id(ids[index], prompts[index])
        graded = self.grader.grade(
            answer,
            reference=prepared.model_answer,
            facts=prepared.facts,
            citations=prepared.citations,
        )
        turn = {
            "kind": "answer",
            "question_id": ids[index],
            "prompt": prompts[index],
            "answer": answer[:10_000],
            "answered_at": (now or datetime.now(UTC)).isoformat(),
            "key": idempotency_key,
            **_grade_json(graded),
        }
        row, existing = self.records.record_interview_turn(
            session_id, turn, idempotency_key=idempotency_key
        )
        if existing is not None:
            return self._step(session_id, ids, prompts, existing, row.turns, recorded=False)
        if index + 1 == len(ids):
            self.records.finish_interview(session_id, now=now)
        return self._step(session_id, ids, prompts, turn, row.turns, recorded=True)

    @staticmethod
    def _step(
        session_id: int,
        ids: list[str],
        prompts: list[str],
        turn: dict[str, Any],
        turns: list[dict[str, Any]],
        *,
        recorded: bool,
    ) -> InterviewStep:
        answers = [t for t in turns if t.get("kind") == "answer"]
        position = next(
            (k for k, t in enumerate(answers) if t.get("key") == turn.get("key")), len(answers)
        )
        done = position + 1
        following = done if done < len(ids) else None
        return InterviewStep(
            session_id=session_id,
            index=done,
            total=len(ids),
            prompt=prompts[following] if following is not None else None,
            question_id=ids[following] if following is not None else None,
            grade=_grade_from_json(turn),
            recorded=recorded,
        )

    def _choose(
        self, role: str, count: int, recent: set[str], *, seed: int, program: str | None
    ) -> list[PreparedQuestion]:
        authored = [
            q for q in load_interviews(self.interviews_dir)
            if q.for_role(role) and (program is None or q.program in {None, program})
        ]
        pool = [p for q in authored if (p := self._prepare(q)) is not None]
        if sum(1 for p in pool if p.question.id not in recent) < count:
            for question in self._criteria_questions(role):
                prepared = self._prepare(question)
                if prepared is not None:
                    pool.append(prepared)
                if sum(1 for p in pool if p.question.id not in recent) >= count:
                    break
        return pick(pool, role, count, recent=recent, seed=seed)

    def _criteria_questions(self, role: str) -> list[InterviewQuestion]:
        sections: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for meta in self.assistant.index.catalog.values():
            if meta.get("doc_type") != CRITERIA_DOC_TYPE:
                continue
            if INTERVIEW_HEADING.lower() not in str(meta.get("section", "")).lower():
                continue
            key = (str(meta.get("doc_id", "")), area_of_title(str(meta.get("title", ""))))
            sections.setdefault(key, []).append((int(meta.get("start", 0) or 0), meta["text"]))
        found = criteria_questions(
            (doc_id, area, "\n".join(text for _, text in sorted(parts)))
            for (doc_id, area), parts in sorted(sections.items())
        )
        return [q for q in found if q.for_role(role)]

    def _prepare(self, question: InterviewQuestion) -> PreparedQuestion | None:
        if question.id in self._prepared:
            return self._prepared[question.id]
        answer, hits = self.assistant.answerer.ask_with_hits(
            question.prompt, program=question.program
        )
        catalog = self.assistant.index.catalog
        cited = {c.chunk_id for c in answer.citations}
        criteria_only = question.origin != "authored" and any(
            catalog.get(cid, {}).get("doc_type") == CRITERIA_DOC_TYPE for cid in cited
        )
        prepared = None
        if not criteria_only:
            evidence = "\n".join(h.text for h in hits if h.chunk_id in cited)
            titles = {
                str(m.get("doc_id")): str(m.get("title", ""))
                for cid in cited
                if (m := catalog.get(cid))
            }
            prepared = prepare(question, answer, evidence=evidence, titles=titles)
        self._prepared[question.id] = prepared
        return prepared

    def _prepared_by_id(self, question_id: str, prompt: str) -> PreparedQuestion:
        cached = self._prepared.get(question_id)
        if cached is not None:
            return cached
        known = {q.id: q for q in load_interviews(self.interviews_dir)}
        question = known.get(question_id) or InterviewQuestion(
            id=question_id, prompt=prompt, origin="session"
        )
        prepared = self._prepare(question)
        if prepared is None:
            raise PracticeError(
                f"the documents no longer answer “{prompt}”; start a new interview"
            )
        return prepared


def area_of_title(title: str) -> str:
    """The COPC area a criteria note's title names (``general`` when none)."""
    scores = keyword_scores(title)
    return max(sorted(scores), key=lambda a: scores[a]) if scores else GENERAL


def _grade_json(graded: FreeTextGrade) -> dict[str, Any]:
    return {
        "score": graded.score,
        "verdict": graded.verdict,
        "matched_facts": list(graded.matched_facts),
        "missing_facts": list(graded.missing_facts),
        "similarity": graded.similarity,
        "model_answer": graded.model_answer,
        "citations": [asdict(c) for c in graded.citations],
        "follow_up": graded.follow_up,
        "truncated": graded.truncated,
    }


def _grade_from_json(turn: dict[str, Any]) -> FreeTextGrade:
    return FreeTextGrade(
        score=float(turn["score"]),
        verdict=turn["verdict"],
        matched_facts=tuple(turn.get("matched_facts", ())),
        missing_facts=tuple(turn.get("missing_facts", ())),
        similarity=float(turn.get("similarity", 0.0)),
        model_answer=str(turn.get("model_answer", "")),
        citations=tuple(Citation(**c) for c in turn.get("citations", ())),
        follow_up=str(turn.get("follow_up", "")),
        truncated=bool(turn.get("truncated", False)),
    )
