"""Numeric facts: multiple choice on a number with its unit, and true/false statements
where the false version has one number swapped for another value of the same unit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from assistant.questions.corpus import Corpus, SectionView, Sentence
from assistant.questions.generators.base import (
    GenContext,
    context_label,
    label_without,
    make_question,
    stable_pick,
)
from assistant.questions.model import TRUE_FALSE_CHOICES, Question
from assistant.questions.quantities import Quantity, Side, find_quantities
from assistant.questions.text import content_tokens

MCQ_PER_SECTION = 3
TRUE_FALSE_PER_SECTION = 2
_FORMULA = re.compile(r"[=×÷²]|\bn = ")
SUPPORT_OVERLAP = 0.6
"""Share of a statement's words another sentence must share (with the same number and unit)
for the statement to count as true somewhere in the corpus."""


class Supports:
    """Finds corpus sentences that state a given number and unit: a "wrong" value must not
    turn out to be stated somewhere else in the same context."""

    def __init__(self, corpus: Corpus) -> None:
        self._by_value: dict[tuple[str, Decimal], list[set[str]]] = {}
        for section in corpus.sections:
            for s in section.sentences():
                words = content_tokens(s.text)
                for q in find_quantities(s.text):
                    self._by_value.setdefault((q.unit, q.value), []).append(words)

    def stated(self, statement: str, unit: str, value: Decimal) -> bool:
        """True when some sentence with ``value`` ``unit`` says much the same as ``statement``."""
        words = {w for w in content_tokens(statement) if not w[0].isdigit()}
        if not words:
            return False
        return any(
            len(words & other) / len(words) >= SUPPORT_OVERLAP
            for other in self._by_value.get((unit, value), [])
        )


def _eligible(sentence: str) -> list[Quantity]:
    """Quantities whose number occurs once in the sentence (so blanking it hides it)."""
    if _FORMULA.search(sentence):
        return []
    found = find_quantities(sentence)
    out = []
    for q in found:
        match = re.search(r"\d[\d,]*(?:\.\d+)?", q.text)
        number = match.group(0) if match else q.text
        if len(re.findall(rf"(?<![\d.,]){re.escape(number)}(?!\d|\.\d)", sentence)) == 1:
            out.append(q)
    return out


def _wrong(
    ctx: GenContext, supports: Supports, sentence: str, q: Quantity, *, n: int, side: Side = None
) -> list[Decimal]:
    """Wrong values that are also not stated for this context anywhere in the corpus."""
    same_unit = {o.value for o in find_quantities(sentence) if o.unit == q.unit}
    out = []
    for value in ctx.units.wrong_values(q, exclude=same_unit, n=n + 4, side=side):
        altered = sentence[: q.start] + q.render(value) + sentence[q.end :]
        if not supports.stated(altered, q.unit, value):
            out.append(value)
        if len(out) == n:
            break
    return out


def generate_numeric(ctx: GenContext) -> Iterator[Question]:
    """``mcq_numeric`` and ``true_false`` questions from sentences with numbers."""
    supports = Supports(ctx.corpus)
    for section in ctx.corpus.site_sections():
        mcq = tf = 0
        for sentence in section.statements():
            quantities = _eligible(sentence.text)
            if not quantities:
                continue
            # One question per sentence: about two in three become multiple choice.
            want_mcq = stable_pick(sentence.text, 3) < 2
            question = None
            if (want_mcq or tf >= TRUE_FALSE_PER_SECTION) and mcq < MCQ_PER_SECTION:
                question = _mcq(ctx, supports, section, sentence, quantities[0])
                mcq += question is not None
            if question is None and tf < TRUE_FALSE_PER_SECTION:
                question = _true_false(ctx, supports, section, sentence, quantities[0])
                tf += question is not None
            if question is not None:
                yield question


def _mcq(
    ctx: GenContext, supports: Supports, section: SectionView, sentence: Sentence, q: Quantity
) -> Question | None:
    wrong = _wrong(ctx, supports, sentence.text, q, n=3)
    if len(wrong) < 3:
        return None
    values = sorted([q.value, *wrong])
    choices = [q.render(v) if v != q.value else q.text for v in values]
    blanked = sentence.text[: q.start] + "____" + sentence.text[q.end :]
    return make_question(
        ctx,
        section,
        kind="mcq_numeric",
        prompt=f"Complete the statement from {label_without(section, q.text)}: “{blanked}”",
        choices=choices,
        answer=values.index(q.value),
        explanation=f"{section.doc_id} says: “{sentence.text}”",
        quote=sentence.text,
        fact=q.text,
        chunk_id=sentence.chunk_id,
    )


def _true_false(
    ctx: GenContext, supports: Supports, section: SectionView, sentence: Sentence, q: Quantity
) -> Question | None:
    label = context_label(section)
    if stable_pick(sentence.text, 2) == 0:
        statement, answer = sentence.text, 0
        explanation = f"True. {section.doc_id} says: “{sentence.text}”"
    else:
        # Make the false version clearly false: a stricter limit than the real one.
        side: Side = "above" if q.bound == "lower" else "below" if q.bound == "upper" else None
        wrong = _wrong(ctx, supports, sentence.text, q, n=1, side=side)
        if not wrong:
            return None
        new = q.render(wrong[0])
        statement, answer = sentence.text[: q.start] + new + sentence.text[q.end :], 1
        explanation = (
            f"False. {section.doc_id} says: “{sentence.text}” The figure is {q.text}, not {new}."
        )
    return make_question(
        ctx,
        section,
        kind="true_false",
        prompt=f"True or false? According to {label}: “{statement}”",
        choices=TRUE_FALSE_CHOICES,
        answer=answer,
        explanation=explanation,
        quote=sentence.text,
        fact=q.text,
        chunk_id=sentence.chunk_id,
    )
