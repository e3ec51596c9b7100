"""Error classification: "which class is this error, and why" from the QA scorecards.

Two sources in a scorecard: sections headed by an error class that list ``Examples:`` and
give the reason (``Why:`` / ``Reason:``), and monitoring-grid rows whose last cell is the
class recorded when the item is not met.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.questions.corpus import SectionView
from assistant.questions.generators.base import GenContext, make_question
from assistant.questions.model import Question
from assistant.questions.text import collapse

CLASSES: tuple[str, ...] = (
    "Customer-critical",
    "Business-critical",
    "Compliance-critical",
    "Non-critical",
)
_CLASS = re.compile(r"\b(customer|business|compliance|non)-critical\b", re.I)
_EXAMPLES = re.compile(r"^\s*examples?:\s*", re.I)
_REASON = re.compile(r"^\s*(why|reason):\s*", re.I)


@dataclass(frozen=True)
class ClassSection:
    """A scorecard section about one error class."""

    section: SectionView
    error_class: str
    examples: tuple[str, ...]
    examples_quote: str
    reason: str
    chunk_id: str


def _class_of(text: str) -> str | None:
    m = _CLASS.search(text)
    return f"{m.group(1).capitalize()}-critical" if m else None


def find_class_sections(ctx: GenContext) -> list[ClassSection]:
    """Sections headed by an error class, with their examples and reason."""
    out = []
    for section in ctx.corpus.site_sections():
        error_class = _class_of(section.section)
        if error_class is None or error_class == "Non-critical":
            continue
        examples_quote, chunk_id, reason = "", "", ""
        for s in section.sentences():
            if _EXAMPLES.match(s.text) and not examples_quote:
                examples_quote, chunk_id = s.text, s.chunk_id
            elif _REASON.match(s.text) and not reason:
                reason = s.text
        if not examples_quote:
            continue
        body = _EXAMPLES.sub("", examples_quote).rstrip(".")
        examples = tuple(e.strip().removeprefix("and ").strip() for e in body.split(";"))
        out.append(
            ClassSection(
                section,
                error_class,
                tuple(e for e in examples if len(e) > 8),
                examples_quote,
                reason,
                chunk_id,
            )
        )
    return out


def generate_error_class(ctx: GenContext) -> Iterator[Question]:
    """Which class is each listed example and each grid item; why each class is classed so."""
    found = find_class_sections(ctx)
    for cs in found:
        yield from _example_questions(ctx, cs)
    by_doc: dict[str, list[ClassSection]] = {}
    for cs in found:
        by_doc.setdefault(cs.section.doc_id, []).append(cs)
    for group in by_doc.values():
        yield from _why_questions(ctx, group)
    for section in ctx.corpus.site_sections():
        yield from _grid_questions(ctx, section)


def _scorecard(section: SectionView) -> str:
    return f"{section.title} ({section.doc_id})"


def _example_questions(ctx: GenContext, cs: ClassSection) -> Iterator[Question]:
    reason = _REASON.sub("", cs.reason)
    why = f" Why: {reason}" if reason else ""
    for example in cs.examples:
        yield make_question(
            ctx,
            cs.section,
            kind="error_class",
            prompt=f"On the {_scorecard(cs.section)}, which error class is this: “{example}”?",
            choices=CLASSES,
            answer=CLASSES.index(cs.error_class),
            explanation=f"{cs.error_class}.{why}",
            quote=cs.examples_quote,
            fact=example,
            chunk_id=cs.chunk_id,
        )


def _first_sentence(text: str) -> str:
    body = _REASON.sub("", text)
    head = re.split(r"(?<=[.;])\s", body, maxsplit=1)[0].rstrip(".;")
    return head[:1].upper() + head[1:]


def _why_questions(ctx: GenContext, group: list[ClassSection]) -> Iterator[Question]:
    with_reason = [cs for cs in group if cs.reason]
    if len(with_reason) < 3:
        return
    choices = [_first_sentence(cs.reason) for cs in with_reason]
    for k, cs in enumerate(with_reason):
        yield make_question(
            ctx,
            cs.section,
            kind="error_class",
            prompt=(
                f"On the {_scorecard(cs.section)}, why is an error classed as "
                f"{cs.error_class.lower()}?"
            ),
            choices=choices,
            answer=k,
            explanation=f"{cs.section.doc_id}, “{cs.section.section}”: {cs.reason}",
            quote=cs.reason,
            fact=choices[k],
            difficulty=3,
        )


def _grid_questions(ctx: GenContext, section: SectionView) -> Iterator[Question]:
    """Monitoring-grid rows: ``# | Item | What is checked | Weight | Error class``."""
    for chunk in section.chunks:
        for line in chunk.text.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) < 4 or not cells[0].isdigit():
                continue
            error_class = _class_of(cells[-1])
            if error_class is None or not cells[-1].lower().startswith(error_class.lower()):
                continue
            item, check = cells[1], cells[2]
            quote = collapse(line)
            yield make_question(
                ctx,
                section,
                kind="error_class",
                prompt=(
                    f"On the {_scorecard(section)}, item {cells[0]} “{item}” checks: "
                    f"{check.rstrip('.')}. Which error class is recorded when the item is missed?"
                ),
                choices=CLASSES,
                answer=CLASSES.index(error_class),
                explanation=f"The grid row reads: “{quote}”",
                quote=quote,
                fact=item,
                chunk_id=chunk.chunk_id,
            )
