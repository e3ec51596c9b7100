"""Grading a response to a bank question: choice, cloze and ordering answers.

People answer in whatever form is natural on their surface: a letter (``B``), a 1-based
number (``2``), or the text of the choice; for cloze the missing words; for ordering the
letters or numbers of the steps in order (``C A B``, ``3,1,2``). A response that cannot be
read as an answer of the question's kind raises :class:`PracticeError` with what to type,
so nothing is recorded for it; an empty response is an answer ("I don't know") and scores 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from assistant.errors import AssistantError
from assistant.practice.facts import spoken_numbers
from assistant.questions.model import SINGLE_CHOICE, Question
from assistant.questions.text import content_tokens, normalise

Verdict = Literal["correct", "partial", "incorrect"]

#: Scores at or above these are "correct" / "partial" (0..100).
CORRECT_AT = 80.0
PARTIAL_AT = 40.0

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ORDER_ITEM = re.compile(r"[A-Za-z]\b|\d+")


class PracticeError(AssistantError):
    """A practice request that cannot be carried out as given (unknown id, unreadable answer)."""


@dataclass(frozen=True)
class Grade:
    """How a response scored: 0..100, the verdict, and the response read as choice text."""

    score: float
    verdict: Verdict
    chosen: str
    """The response as the person meant it (the choice text for a letter or number)."""

    @property
    def correct(self) -> bool:
        """Right enough to count as recalled (the verdict is "correct")."""
        return self.verdict == "correct"


def verdict_for(score: float) -> Verdict:
    """The verdict for a 0..100 score."""
    if score >= CORRECT_AT:
        return "correct"
    if score >= PARTIAL_AT:
        return "partial"
    return "incorrect"


def letter(index: int) -> str:
    """``0 -> "A"``: how choices are labelled on every surface."""
    return chr(ord("A") + index)


def grade(question: Question, response: str) -> Grade:
    """Grade ``response`` to ``question``.

    Raises:
        PracticeError: the response cannot be read as an answer to this kind of question
            (for instance ``E`` for a question with four choices).
    """
    text = response.strip()
    if not text:
        return Grade(0.0, "incorrect", "")
    if question.type in SINGLE_CHOICE:
        return _grade_choice(question, text)
    if question.type == "cloze":
        return _grade_cloze(question, text)
    return _grade_ordering(question, text)


def choice_index(question: Question, response: str) -> int:
    """The 0-based choice a response names: a letter, a 1-based number, or the choice text."""
    text = response.strip().rstrip(".)")
    count = len(question.choices)
    if len(text) == 1 and text.isalpha():
        index = ord(text.upper()) - ord("A")
        if 0 <= index < count:
            return index
    elif text.isdigit():
        index = int(text) - 1
        if 0 <= index < count:
            return index
    else:
        wanted = normalise(text)
        for index, option in enumerate(question.choices):
            if normalise(option) == wanted:
                return index
        if question.type == "true_false" and wanted in {"t", "yes", "true", "f", "no", "false"}:
            return 0 if wanted in {"t", "yes", "true"} else 1
    raise PracticeError(
        f"answer with a letter A-{letter(count - 1)}, a number 1-{count} or the text of a choice"
    )


def _grade_choice(question: Question, response: str) -> Grade:
    index = choice_index(question, response)
    score = 100.0 if index == question.answer else 0.0
    return Grade(score, verdict_for(score), question.choices[index])


def _numbers(text: str) -> list[str]:
    return [n.replace(",", "") for n in _NUMBER.findall(text)]


def _grade_cloze(question: Question, response: str) -> Grade:
    """Numbers must match exactly; words may differ in form, order and small typos."""
    typed = response
    expected = spoken_numbers(question.correct_text)
    response = spoken_numbers(response)
    want_numbers, got_numbers = _numbers(expected), _numbers(response)
    if want_numbers and sorted(want_numbers) != sorted(got_numbers):
        found = len(set(want_numbers) & set(got_numbers)) / len(set(want_numbers))
        score = 50.0 * found if found < 1 else 60.0  # right figures, extra or wrong ones too
        return Grade(round(score, 1), verdict_for(score), typed)
    want = content_tokens(expected) - set(want_numbers)
    if not want:
        return Grade(100.0, "correct", typed)
    got = content_tokens(response)
    matched = sum(1 for word in want if any(_close(word, g) for g in got))
    overlap = matched / len(want)
    spelling = SequenceMatcher(None, normalise(expected), normalise(response)).ratio()
    score = 100.0 * max(overlap, spelling if spelling >= 0.85 else 0.0)
    return Grade(round(score, 1), verdict_for(score), typed)


def _close(want: str, got: str) -> bool:
    """Same word, or a typo of it (one edit in five letters)."""
    if want == got:
        return True
    if len(want) < 5 or want.isdigit():
        return False
    return SequenceMatcher(None, want, got).ratio() >= 0.8


def _grade_ordering(question: Question, response: str) -> Grade:
    """Exact order scores 100; otherwise the share of step pairs in the right relative order."""
    order = _read_order(question, response)
    answer = question.answer
    assert isinstance(answer, tuple)
    position = {step: k for k, step in enumerate(order)}
    pairs = [(a, b) for i, a in enumerate(answer) for b in answer[i + 1 :]]
    right = sum(1 for a, b in pairs if position[a] < position[b])
    score = 100.0 if tuple(order) == answer else round(100.0 * right / len(pairs) * 0.75, 1)
    chosen = " → ".join(question.choices[i] for i in order)
    return Grade(score, verdict_for(score), chosen)


def _read_order(question: Question, response: str) -> list[int]:
    count = len(question.choices)
    items = _ORDER_ITEM.findall(response)
    order: list[int] = []
    for item in items:
        index = ord(item.upper()) - ord("A") if item.isalpha() else int(item) - 1
        order.append(index)
    if sorted(order) != list(range(count)):
        labels = " ".join(letter(i) for i in range(count))
        raise PracticeError(
            f"give every step once, in order, as letters or numbers (for example {labels!r})"
        )
    return order

