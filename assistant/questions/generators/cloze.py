"""Cloze questions: a key term of a sentence blanked out, answered in free text.

Key terms are a small vocabulary of contact-center and COPC methods and artefacts (data,
not code). Sentences with numbers are left to the numeric generator so the two do not
test the same fact twice; roles are left to the "who approves" generator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.questions.corpus import SectionView, Sentence
from assistant.questions.generators.base import GenContext, label_without, make_question
from assistant.questions.model import Question
from assistant.questions.quantities import find_quantities
from assistant.questions.text import normalise

PER_SECTION = 2
PER_CRITERIA_SECTION = 1
MIN_WORDS = 9
"""Shorter sentences give too little context to pin the blank down."""
PER_TERM = 3
"""The same term is blanked at most this many times across the bank."""

KEY_TERMS: tuple[str, ...] = (
    "Erlang C",
    "time-and-motion study",
    "shrinkage model",
    "5 Whys",
    "fishbone diagram",
    "top-2-box",
    "median",
    "pause-and-resume",
    "one-time PIN",
    "root-cause analysis",
    "Performance Improvement Plan",
    "action log",
    "target register",
    "calibrated score",
    "calibration log",
    "escalation log",
    "complaint log",
    "security incident register",
    "knowledge base",
    "monitoring grid",
    "random sample",
    "double sample",
    "nesting",
    "retention offer",
    "disposition code",
    "clean desk",
    "recorded-line disclosure",
    "customer-critical",
    "business-critical",
    "compliance-critical",
    "non-fatal",
    "fatal",
    "PCI DSS",
    "Statement of Work",
    "Master Services Agreement",
    "monthly business review",
    "weekly operations review",
    "daily huddle",
    "finite population correction",
    "margin of error",
    "confidence level",
    "transaction-level",
    "short abandons",
    "schedule adherence",
    "forecast accuracy",
    "key customer-related processes",
    "process map",
    "corrective action",
    "stay interviews",
    "exit interviews",
    "job definition",
    "minimum skills",
    "mock contacts",
    "knowledge test",
    "sampling function",
    "calibration",
    "attrition",
    "absenteeism",
    "first contact resolution",
    "occupancy",
    "business continuity",
    "document register",
    "change history",
)
_PATTERNS = [
    (term, re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.I))
    for term in sorted(KEY_TERMS, key=len, reverse=True)
]


def generate_cloze(ctx: GenContext) -> Iterator[Question]:
    """One blank per full sentence, a few per section, each term a few times at most."""
    term_uses: dict[str, int] = {}
    for section in ctx.corpus.sections:
        limit = PER_CRITERIA_SECTION if section.is_criteria_note else PER_SECTION
        made = 0
        for sentence in section.statements():
            if made >= limit:
                break
            text = sentence.text
            if not text.endswith(".") or find_quantities(text):
                continue
            question = _blank(ctx, section, sentence, term_uses)
            if question is not None:
                made += 1
                yield question


def _blank(
    ctx: GenContext, section: SectionView, sentence: Sentence, term_uses: dict[str, int]
) -> Question | None:
    text = sentence.text
    for term, pattern in _PATTERNS:
        hits = list(pattern.finditer(text))
        if len(hits) != 1 or term_uses.get(term, 0) >= PER_TERM:
            continue
        where = label_without(section, term)
        if term.lower() in normalise(where):
            continue
        hit = hits[0]
        answer = hit.group(0)
        blanked = text[: hit.start()] + "____" + text[hit.end() :]
        if len(blanked.split()) < MIN_WORDS:
            continue
        term_uses[term] = term_uses.get(term, 0) + 1
        return make_question(
            ctx,
            section,
            kind="cloze",
            prompt=f"Fill in the blank ({where}): “{blanked}”",
            choices=(),
            answer=answer,
            explanation=f"{section.doc_id} says: “{text}”",
            quote=text,
            fact=answer,
            chunk_id=sentence.chunk_id,
        )
    return None
