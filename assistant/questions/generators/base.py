"""What every generator shares: the corpus, the area mapper, the unit index, and one way
to assemble a ``Question`` with its citation, area, roles and stable id."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from assistant.questions.areas import AreaMapper, roles_for
from assistant.questions.corpus import Corpus, SectionView
from assistant.questions.model import Question, QuestionSource, QuestionType, question_id
from assistant.questions.quantities import UnitIndex

#: Default difficulty per type (1 recall of a stated rule … 3 reconstruction of a procedure).
DIFFICULTY: dict[str, int] = {
    "true_false": 1,
    "who_approves": 1,
    "cloze": 2,
    "mcq_numeric": 2,
    "error_class": 2,
    "which_document": 2,
    "ordering": 3,
}


@dataclass
class GenContext:
    """Inputs shared by the generators of one run."""

    corpus: Corpus
    areas: AreaMapper
    units: UnitIndex

    @classmethod
    def build(cls, corpus: Corpus, areas: AreaMapper) -> GenContext:
        """A context with the unit index built over every sentence of the corpus."""
        units = UnitIndex(s.text for sec in corpus.sections for s in sec.sentences())
        return cls(corpus=corpus, areas=areas, units=units)


Generator = Callable[[GenContext], Iterator[Question]]


def make_question(
    ctx: GenContext,
    section: SectionView,
    *,
    kind: QuestionType,
    prompt: str,
    choices: Sequence[str],
    answer: int | str | tuple[int, ...],
    explanation: str,
    quote: str,
    fact: str,
    chunk_id: str | None = None,
    area: str | None = None,
    difficulty: int | None = None,
) -> Question:
    """A generated draft question citing ``quote`` in ``section``."""
    area = area or ctx.areas.area_of(section)
    source_hash = section.source_hash
    return Question(
        id=question_id(kind, section.doc_id, section.section_path, source_hash, fact, quote),
        type=kind,
        prompt=prompt,
        choices=tuple(choices),
        answer=answer,
        explanation=explanation,
        citation=QuestionSource(
            doc_id=section.doc_id,
            file=section.file,
            section=section.section,
            section_path=section.section_path,
            version=section.version,
            program=section.program,
            quote=quote,
            chunk_id=chunk_id,
        ),
        area=area,
        roles=roles_for(area, criteria_note=section.is_criteria_note),
        difficulty=difficulty or DIFFICULTY[kind],
        status="draft",
        source_hash=source_hash,
        origin="generated",
        fact=fact,
    )


def context_label(section: SectionView) -> str:
    """``SITE-QA-009, “5.1 Double sample for new agents”`` (program added when not site-wide)."""
    program = program_name(section.program)
    where = f"{section.doc_id} ({program})" if program else section.doc_id
    return f"{where}, “{section.section}”"


def label_without(section: SectionView, answer: str) -> str:
    """:func:`context_label`, or just the document id when the label would give ``answer`` away."""
    label = context_label(section)
    return section.doc_id if answer.lower() in label.lower() else label


def program_name(slug: str | None) -> str | None:
    """``harbor-bank`` → ``Harbor Bank``; None for site-wide."""
    if not slug or slug == "site-wide":
        return None
    return " ".join(w.capitalize() for w in slug.split("-"))


def stable_pick(key: str, n: int) -> int:
    """A deterministic choice in ``range(n)`` from ``key``."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % n
