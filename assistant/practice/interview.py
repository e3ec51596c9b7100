"""Mock assessor interviews: the open questions an assessor asks each role, with model answers.

Two sources of questions:

- authored per site (``corpus/interviews/*.yaml``): prompt, roles, COPC area, optional client
  program, and the key facts a complete answer states;
- the "Typical interview questions" of the COPC criteria notes, kept only where the site's
  own documents answer them (a criteria note explaining what assessors look for is not an
  answer to give an assessor).

Each question's model answer is the assistant's cited evidence answer to its prompt, so the
model answer, its citations and the key facts always come from the indexed documents; a
question the documents cannot answer is left out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.answers import Answer, Citation
from assistant.chunking import normalise_role
from assistant.documents import content_id
from assistant.practice.facts import Fact, extract_facts, parse_fact
from assistant.practice.grading import PracticeError
from assistant.questions.text import collapse

log = logging.getLogger(__name__)

#: The heading, in a criteria note, of the questions assessors typically ask.
INTERVIEW_HEADING = "Typical interview questions"
_BULLET = re.compile(r'^[-*]\s+(?P<who>[^:"]{2,60}):\s*["“](?P<prompt>.+?)["”]\s*$')
#: Interviewee titles in the criteria notes → the product's roles.
_TITLE_ROLES: tuple[tuple[str, str], ...] = (
    ("agent", "agent"),
    ("new hire", "agent"),
    ("complaints handler", "agent"),
    ("team lead", "team_lead"),
    ("supervisor", "team_lead"),
    ("trainer", "team_lead"),
    ("evaluator", "quality"),
    ("quality", "quality"),
    ("calibrat", "quality"),
    ("workforce", "wfm"),
    ("scheduler", "wfm"),
    ("routing", "wfm"),
)


class InterviewQuestion(BaseModel):
    """One open question, as authored or taken from a criteria note (before it is answered)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    prompt: str = Field(min_length=5)
    roles: tuple[str, ...] = ()
    """Roles the question is for; empty means everyone."""
    area: str = ""
    program: str | None = None
    key_facts: tuple[str, ...] = ()
    origin: str = "authored"

    def for_role(self, role: str) -> bool:
        """Whether someone in ``role`` would be asked this."""
        return not self.roles or role in self.roles


@dataclass(frozen=True)
class PreparedQuestion:
    """A question with its model answer, citations and key facts, ready to grade against."""

    question: InterviewQuestion
    model_answer: str
    citations: tuple[Citation, ...]
    facts: tuple[Fact, ...]
    dropped_facts: tuple[str, ...] = field(default=())


def load_interviews(folder: Path) -> list[InterviewQuestion]:
    """Authored interview questions from ``folder/*.yaml`` (a bad entry is skipped, logged)."""
    found: list[InterviewQuestion] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            log.warning("interview file %s is not readable YAML: %s", path.name, exc)
            continue
        items = data.get("interviews") if isinstance(data, dict) else data
        for n, item in enumerate(items if isinstance(items, list) else [], start=1):
            try:
                found.append(_authored(item))
            except (ValidationError, ValueError, TypeError) as exc:
                log.warning("interview question %s #%d skipped: %s", path.name, n, exc)
    return found


def _authored(item: Any) -> InterviewQuestion:
    if not isinstance(item, dict):
        raise ValueError("an interview question is a mapping of fields")
    raw = dict(item)
    raw["roles"] = tuple(_role(r) for r in raw.get("roles", ()))
    raw["key_facts"] = tuple(str(f) for f in raw.get("key_facts", ()))
    raw.setdefault("id", "i-" + content_id(str(raw.get("prompt", "")), length=12))
    return InterviewQuestion.model_validate(raw)


def _role(value: object) -> str:
    role = normalise_role(str(value))
    if role is None:
        raise ValueError(f"unknown role {value!r}")
    return role


def criteria_questions(sections: Iterable[tuple[str, str, str]]) -> list[InterviewQuestion]:
    """Questions from criteria-note sections given as ``(doc_id, area, section text)``."""
    found: list[InterviewQuestion] = []
    for doc_id, area, text in sections:
        for line in text.splitlines():
            match = _BULLET.match(line.strip())
            if not match:
                continue
            prompt = collapse(match.group("prompt"))
            roles = _title_roles(match.group("who"))
            found.append(
                InterviewQuestion(
                    id="i-" + content_id(doc_id, prompt, length=12),
                    prompt=prompt,
                    roles=roles,
                    area=area,
                    origin=f"criteria:{doc_id}",
                )
            )
    return found


def _title_roles(title: str) -> tuple[str, ...]:
    lowered = title.lower()
    for needle, role in _TITLE_ROLES:
        if needle in lowered:
            return (role,)
    return ("manager",)


def prepare(
    question: InterviewQuestion,
    answer: Answer,
    *,
    evidence: str,
    titles: dict[str, str],
) -> PreparedQuestion | None:
    """The question with the assistant's answer as its model answer; None without evidence.

    Args:
        question: The question.
        answer: The assistant's cited answer to the prompt.
        evidence: The text of the cited sections: authored key facts must occur in it.
        titles: Document ids → titles, so naming a document by its title counts.
    """
    if answer.abstained or not answer.citations:
        return None
    cited = {c.doc_id: titles.get(c.doc_id, "") for c in answer.citations}
    if question.key_facts:
        facts: list[Fact] = []
        dropped: list[Fact] = []
        for text in question.key_facts:
            fact = parse_fact(text)
            (facts if fact.stated_in(evidence) else dropped).append(fact)
        for fact in dropped:
            log.info("interview %s: key fact %r is not in its evidence", question.id, fact.text)
        facts += extract_facts("", documents=cited)
        kept = tuple(facts)
        gone = tuple(f.text for f in dropped)
        return PreparedQuestion(question, answer.text, tuple(answer.citations), kept, gone)
    facts = extract_facts(answer.text, documents=cited)
    return PreparedQuestion(question, answer.text, tuple(answer.citations), tuple(facts))


def pick(
    pool: Sequence[PreparedQuestion], role: str, count: int, *, recent: set[str], seed: int
) -> list[PreparedQuestion]:
    """``count`` questions for ``role``: authored first, not recently asked, varied by ``seed``.

    Raises:
        PracticeError: no question in the pool is for this role.
    """
    eligible = [p for p in pool if p.question.for_role(role)]
    if not eligible:
        raise PracticeError(
            f"no interview questions for the role {role!r} are answered by the documents; "
            "add some to corpus/interviews/*.yaml"
        )

    def order(p: PreparedQuestion) -> tuple[int, int, str]:
        fresh = 0 if p.question.id not in recent else 1
        authored = 0 if p.question.origin == "authored" else 1
        return (fresh, authored, content_id(str(seed), p.question.id, length=8))

    return sorted(eligible, key=order)[: max(1, count)]
