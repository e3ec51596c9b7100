"""Item-writing flaws, flagged before a question reaches anyone.

Rules (``LintIssue.rule``):

    answer_not_in_source     the answerability check fails (see ``checks``)
    prompt_empty             nothing to ask
    prompt_too_long          more than MAX_PROMPT_CHARS characters
    too_few_choices          a choice question with fewer than two (true/false) or three choices
    duplicate_choices        two choices read the same
    overlapping_choices      one choice contained in another, or the same quantity twice
    all_none_of_the_above    "all of the above" / "none of the above" as a choice
    longest_correct_choice   the correct choice is over 1.5× as long as the longest other one
    double_negative          two or more negations in the prompt
    answer_in_prompt         the correct answer is written in the prompt
    duplicate_question       the same prompt as an earlier question
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.questions.checks import check_answerable
from assistant.questions.corpus import Corpus
from assistant.questions.model import SINGLE_CHOICE, Question
from assistant.questions.quantities import find_quantities
from assistant.questions.text import normalise, tokens

MAX_PROMPT_CHARS = 400
LONGEST_RATIO = 1.5
_ABOVE = re.compile(r"\b(all|none|both|neither) of the (above|options|answers)\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|cannot)\b|n't\b", re.I)
RULES: tuple[str, ...] = (
    "answer_not_in_source",
    "prompt_empty",
    "prompt_too_long",
    "too_few_choices",
    "duplicate_choices",
    "overlapping_choices",
    "all_none_of_the_above",
    "longest_correct_choice",
    "double_negative",
    "answer_in_prompt",
    "duplicate_question",
)


@dataclass(frozen=True)
class LintIssue:
    """One flaw in one question."""

    question_id: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.question_id}: {self.rule}: {self.message}"


def lint(questions: Iterable[Question], corpus: Corpus | None = None) -> list[LintIssue]:
    """Every flaw of every question, in question order.

    Args:
        questions: The questions to check.
        corpus: The indexed documents; when given, quotes are checked against them too.
    """
    issues: list[LintIssue] = []
    seen_prompts: dict[str, str] = {}
    for q in questions:
        issues.extend(lint_question(q, corpus))
        key = normalise(q.prompt)
        if key in seen_prompts:
            issues.append(
                LintIssue(q.id, "duplicate_question", f"same prompt as {seen_prompts[key]}")
            )
        else:
            seen_prompts[key] = q.id
    return issues


def lint_question(q: Question, corpus: Corpus | None = None) -> list[LintIssue]:
    """The flaws of one question."""
    found: list[tuple[str, str]] = []
    reason = check_answerable(q, corpus)
    if reason:
        found.append(("answer_not_in_source", reason))
    prompt = q.prompt.strip()
    if not prompt:
        found.append(("prompt_empty", "the prompt is empty"))
    elif len(prompt) > MAX_PROMPT_CHARS:
        found.append(("prompt_too_long", f"{len(prompt)} characters (max {MAX_PROMPT_CHARS})"))
    negations = _NEGATION.findall(prompt)
    if len(negations) >= 2:
        found.append(("double_negative", f"{len(negations)} negations in the prompt"))
    found.extend(_choice_flaws(q))
    if _answer_shown(q):
        found.append(("answer_in_prompt", f"the prompt contains the answer “{q.correct_text}”"))
    return [LintIssue(q.id, rule, message) for rule, message in found]


def _choice_flaws(q: Question) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    choices = list(q.choices)
    if q.type in SINGLE_CHOICE or q.type == "ordering":
        needed = 2 if q.type == "true_false" else 3
        if len(choices) < needed:
            out.append(("too_few_choices", f"{len(choices)} choices (at least {needed})"))
    for c in choices:
        if _ABOVE.search(c):
            out.append(("all_none_of_the_above", f"choice “{c}”"))
    for i, a in enumerate(choices):
        for b in choices[i + 1 :]:
            if normalise(a) == normalise(b):
                out.append(("duplicate_choices", f"“{a}” twice"))
            elif _overlap(a, b):
                out.append(("overlapping_choices", f"“{a}” and “{b}” overlap"))
    if q.type in SINGLE_CHOICE and q.type != "true_false" and len(choices) >= 3:
        assert isinstance(q.answer, int)
        right = len(q.choices[q.answer])
        others = max(len(c) for k, c in enumerate(choices) if k != q.answer)
        if right > LONGEST_RATIO * others:
            out.append(
                ("longest_correct_choice", f"correct choice {right} chars vs {others} for the rest")
            )
    return out


def _overlap(a: str, b: str) -> bool:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    n = len(short)
    if any(long_[i : i + n] == short for i in range(len(long_) - n + 1)):
        return True
    qa, qb = find_quantities(a), find_quantities(b)
    return len(qa) == 1 and len(qb) == 1 and (qa[0].unit, qa[0].value) == (qb[0].unit, qb[0].value)


def _answer_shown(q: Question) -> bool:
    if q.type in {"true_false", "ordering", "error_class"}:
        return False
    answer = q.citation.doc_id if q.type == "which_document" else q.correct_text
    needle = normalise(answer)
    if not needle:
        return False
    return re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", normalise(q.prompt)) is not None
