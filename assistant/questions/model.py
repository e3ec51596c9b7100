"""The question bank's nouns: a ``Question`` and the ``QuestionSource`` it is drawn from.

A question's id derives from its content (type, source section hash, fact), so it is
unchanged while its source section is unchanged and regenerating the bank is idempotent.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.documents import content_id
from assistant.errors import AssistantError

QuestionType = Literal[
    "mcq_numeric",
    "cloze",
    "true_false",
    "ordering",
    "error_class",
    "which_document",
    "who_approves",
]
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "mcq_numeric",
    "cloze",
    "true_false",
    "ordering",
    "error_class",
    "which_document",
    "who_approves",
)
Role = Literal["agent", "team_lead", "manager", "quality"]
ROLES: tuple[Role, ...] = ("agent", "team_lead", "manager", "quality")
Status = Literal["draft", "approved", "retired", "stale"]
Origin = Literal["generated", "authored"]

#: Types whose answer is one index into ``choices``.
SINGLE_CHOICE: frozenset[str] = frozenset(
    {"mcq_numeric", "true_false", "error_class", "which_document", "who_approves"}
)
TRUE_FALSE_CHOICES: tuple[str, str] = ("True", "False")


class QuestionBankError(AssistantError):
    """The question bank or an authored question file cannot be read as given."""


class QuestionSource(BaseModel):
    """Where a question's answer is documented: the section and the sentence that holds it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    file: str
    section: str
    section_path: tuple[str, ...]
    version: str | None = None
    program: str | None = None
    quote: str
    """The verbatim sentence (whitespace collapsed) that contains the answer."""
    chunk_id: str | None = None


class Question(BaseModel):
    """One practice question with its answer, explanation and source citation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    type: QuestionType
    prompt: str
    choices: tuple[str, ...] = ()
    answer: int | str | tuple[int, ...]
    """An index into ``choices``; the text for ``cloze``; the order of ``choices`` for
    ``ordering`` (``answer[k]`` is the choice that comes k-th)."""
    explanation: str
    citation: QuestionSource
    area: str
    roles: tuple[Role, ...]
    difficulty: int = Field(ge=1, le=3)
    status: Status = "draft"
    source_hash: str = ""
    origin: Origin = "generated"
    fact: str
    """The fact the question tests, as it appears in the cited quote."""

    @model_validator(mode="after")
    def _answer_fits_type(self) -> Question:
        kind, answer = self.type, self.answer
        if kind in SINGLE_CHOICE:
            if not isinstance(answer, int) or isinstance(answer, bool):
                raise ValueError(f"a {kind} answer is the index of the correct choice")
            if not 0 <= answer < len(self.choices):
                raise ValueError(
                    f"answer {answer} is not an index into {len(self.choices)} choices"
                )
        elif kind == "cloze":
            if not isinstance(answer, str) or not answer.strip():
                raise ValueError("a cloze answer is the missing text")
        elif kind == "ordering" and (
            not isinstance(answer, tuple) or sorted(answer) != list(range(len(self.choices)))
        ):
            raise ValueError("an ordering answer lists every choice index once")
        return self

    @property
    def correct_text(self) -> str:
        """The correct answer as text (ordered steps joined by `` → ``)."""
        answer = self.answer
        if isinstance(answer, tuple):
            return " → ".join(self.choices[i] for i in answer)
        if isinstance(answer, str):
            return answer
        return self.choices[answer]

    @property
    def section_key(self) -> tuple[str, str, str]:
        """``(doc_id, file, section path)``: which section the question depends on."""
        c = self.citation
        return (c.doc_id, c.file, " > ".join(c.section_path))

    def with_status(self, status: Status) -> Question:
        """A copy with another review status."""
        return self.model_copy(update={"status": status})


def question_id(
    kind: str, doc_id: str, section_path: tuple[str, ...], source_hash: str, fact: str, quote: str
) -> str:
    """A stable id: the same type, section text, fact and quote always give the same id."""
    path = " > ".join(section_path)
    return "q-" + content_id(kind, doc_id, path, source_hash, fact, quote, length=16)
