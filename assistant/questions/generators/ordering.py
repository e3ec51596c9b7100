"""Ordering questions: the numbered or lettered steps of a procedure, shuffled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.questions.corpus import SectionView
from assistant.questions.generators.base import (
    GenContext,
    context_label,
    make_question,
    stable_pick,
)
from assistant.questions.model import Question
from assistant.questions.text import collapse

MIN_STEPS, MAX_STEPS = 3, 8
MAX_STEP_CHARS = 260
_MARKER = re.compile(r"^[ \t]*(?:(?P<num>\d{1,2})[.)]|(?P<let>[a-h])\))[ \t]+", re.M)
# Numbered lists that are not sequences: what a document contains, lists of criteria.
_NOT_A_SEQUENCE = re.compile(
    r"\b(evidence|include|includes|contains?|content|fields|categories|criteria|list|"
    r"examples?|definitions?|principles|roles)\b",
    re.I,
)


@dataclass(frozen=True)
class Steps:
    """A run of consecutive steps found in one chunk."""

    steps: tuple[str, ...]
    quote: str
    chunk_id: str


def find_steps(section: SectionView) -> list[Steps]:
    """Runs of consecutively numbered (1, 2, 3 …) or lettered (a, b, c …) steps."""
    out: list[Steps] = []
    for chunk in section.chunks:
        text = chunk.text
        markers = list(_MARKER.finditer(text))
        run: list[re.Match[str]] = []
        for m in markers:
            if run and _next(run[-1], m):
                run.append(m)
                continue
            _flush(run, text, out, chunk.chunk_id)
            run = [m] if _first(m) else []
        _flush(run, text, out, chunk.chunk_id)
    return out


def _key(m: re.Match[str]) -> tuple[str, int]:
    if m.group("num"):
        return ("num", int(m.group("num")))
    return ("let", ord(m.group("let")) - ord("a") + 1)


def _first(m: re.Match[str]) -> bool:
    return _key(m)[1] == 1


def _next(prev: re.Match[str], m: re.Match[str]) -> bool:
    (kind_a, a), (kind_b, b) = _key(prev), _key(m)
    return kind_a == kind_b and b == a + 1


def _flush(run: list[re.Match[str]], text: str, out: list[Steps], chunk_id: str) -> None:
    if not MIN_STEPS <= len(run) <= MAX_STEPS:
        return
    steps: list[str] = []
    for i, m in enumerate(run):
        end = run[i + 1].start() if i + 1 < len(run) else _end_of_item(text, m.end())
        steps.append(collapse(text[m.end() : end]).rstrip(";,. ").removeprefix("and ").strip())
    if any(len(s) > MAX_STEP_CHARS or len(s.split()) < 3 for s in steps):
        return
    if len({s.lower() for s in steps}) != len(steps):
        return
    quote = collapse(text[run[0].end() : _end_of_item(text, run[-1].end())])
    out.append(Steps(tuple(steps), quote, chunk_id))


def _end_of_item(text: str, start: int) -> int:
    """The end of the last item: the next blank line or the end of the chunk."""
    blank = re.compile(r"\n\s*\n").search(text, start)
    return blank.start() if blank else len(text)


def _shuffled(steps: tuple[str, ...], key: str) -> list[int]:
    """A deterministic permutation of the step indices that is not the original order."""
    order = list(range(len(steps)))
    rest = order[:]
    shuffled: list[int] = []
    seed = key
    while rest:
        pick = stable_pick(seed, len(rest))
        shuffled.append(rest.pop(pick))
        seed += "+"
    if shuffled == order:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


def generate_ordering(ctx: GenContext) -> Iterator[Question]:
    """One ordering question per run of procedure steps."""
    for section in ctx.corpus.site_sections():
        if not section.is_statement_source or _NOT_A_SEQUENCE.search(section.section):
            continue
        for found in find_steps(section):
            order = _shuffled(found.steps, found.quote)
            choices = [found.steps[i] for i in order]
            answer = tuple(order.index(k) for k in range(len(found.steps)))
            numbered = "; ".join(f"{n}. {s}" for n, s in enumerate(found.steps, start=1))
            yield make_question(
                ctx,
                section,
                kind="ordering",
                prompt=f"Put the steps of {context_label(section)} in the right order.",
                choices=choices,
                answer=answer,
                explanation=f"The order in {section.doc_id}: {numbered}.",
                quote=found.quote,
                fact=" | ".join(found.steps),
                chunk_id=found.chunk_id,
            )
