"""Running mock assessor interviews: choosing questions, grading answers, keeping the turns.

A session's turns are JSON in the records: first a ``{"kind": "plan", "questions": [...],
"prompts": [...]}`` turn, then one ``{"kind": "answer", ...}`` turn per answer with its grade
and idempotency ``key``. Model answers are prepared once per question and index state.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answers import Citation
from assistant.chunking import normalise_role
from assistant.practice.freetext import FreeTextGrade, FreeTextGrader
from assistant.practice.grading import PracticeError
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
from assistant.records import Person, Records, RecordsError, RecordsUnavailableError

if TYPE_CHECKING:
    from assistant.app import Assistant

CRITERIA_DOC_TYPE = "criteria-note"


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


class Interviews:
    """Mock interviews over one index and one records database."""

    def __init__(
        self,
        assistant: Assistant,
        records: Records,
        grader: FreeTextGrader,
        *,
        folder: Path,
        length: int = 3,
    ) -> None:
        self.assistant = assistant
        self.records = records
        self.grader = grader
        self.folder = folder
        self.length = length
        self._prepared: dict[str, PreparedQuestion | None] = {}

    def clear(self) -> None:
        """Forget prepared model answers (the index changed)."""
        self._prepared.clear()

    def start(
        self,
        person: Person,
        *,
        role: str | None = None,
        count: int | None = None,
        now: datetime | None = None,
    ) -> InterviewStep:
        """Open a mock interview for the person (as their role unless ``role`` is given)."""
        as_role = normalise_role(role) if role else person.role
        if as_role is None:
            raise PracticeError(
                f"unknown role {role!r}; use agent, team_lead, manager, quality or wfm"
            )
        count = count or self.length
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

    def answer(
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
        except RecordsUnavailableError:
            raise  # the database is down: not an unknown interview
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
            q for q in load_interviews(self.folder)
            if q.for_role(role) and (program is None or q.program in {None, program})
        ]
        pool = [p for q in authored if (p := self.prepare(q)) is not None]
        if sum(1 for p in pool if p.question.id not in recent) < count:
            for question in self._criteria_questions(role):
                prepared = self.prepare(question)
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

    def prepare(self, question: InterviewQuestion) -> PreparedQuestion | None:
        """The question with its model answer and key facts (cached); None without evidence."""
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
        known = {q.id: q for q in load_interviews(self.folder)}
        question = known.get(question_id) or InterviewQuestion(
            id=question_id, prompt=prompt, origin="session"
        )
        prepared = self.prepare(question)
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
