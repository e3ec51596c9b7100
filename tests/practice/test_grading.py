"""Grading fixtures per question type: correct, partly correct, wrong, off-topic, paraphrased.

Expected bands: correct and paraphrased-correct score 100 (cloze: >= 80, "correct");
partly correct scores 40..79 ("partial"); wrong and off-topic score below 40 ("incorrect").
An answer that cannot be read as an answer of the type raises ``PracticeError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.practice import PracticeError, grade
from assistant.practice.grading import Grade
from assistant.questions.model import Question, QuestionSource

SOURCE = QuestionSource(
    doc_id="SITE-TGT-001",
    file="site/hb-service-level-targets.md",
    section="Target",
    section_path=("Target",),
    quote="The service level target is 80% of calls answered within 20 seconds.",
)


def make(kind: str, **fields: Any) -> Question:
    base: dict[str, Any] = {
        "id": f"q-{kind}",
        "type": kind,
        "prompt": "?",
        "explanation": "",
        "citation": SOURCE,
        "area": "target-setting",
        "roles": ("agent",),
        "difficulty": 1,
        "fact": "80%",
    }
    return Question.model_validate({**base, **fields})


MCQ = make("mcq_numeric", choices=("70%", "75%", "80%", "85%"), answer=2)
TRUE_FALSE = make("true_false", choices=("True", "False"), answer=1)
ERROR_CLASS = make(
    "error_class",
    choices=("Customer-critical", "Business-critical", "Compliance-critical", "Non-critical"),
    answer=2,
)
WHICH_DOC = make(
    "which_document",
    choices=("SITE-QA-010 QA monitoring", "SITE-TGT-001 Service level targets", "SITE-CX-015"),
    answer=1,
)
WHO = make("who_approves", choices=("Site Director", "Quality Manager", "Client"), answer=0)
CLOZE_NUMBER = make("cloze", answer="80%")
CLOZE_WORDS = make("cloze", answer="root-cause analysis")
CLOZE_MIXED = make("cloze", answer="5 business days")
ORDERING = make(
    "ordering",
    choices=("Log the miss", "Find the root cause", "Agree actions", "Check the result"),
    answer=(0, 1, 2, 3),
)


def band(result: Grade) -> str:
    return result.verdict


@pytest.mark.parametrize(
    ("question", "response", "expected"),
    [
        # multiple choice: a letter, a number or the text; paraphrase = another form
        (MCQ, "C", "correct"),
        (MCQ, "3", "correct"),
        (MCQ, " 80% ", "correct"),
        (MCQ, "b", "incorrect"),
        (TRUE_FALSE, "False", "correct"),
        (TRUE_FALSE, "no", "correct"),
        (TRUE_FALSE, "True", "incorrect"),
        (ERROR_CLASS, "compliance-critical", "correct"),
        (ERROR_CLASS, "A", "incorrect"),
        (WHICH_DOC, "B", "correct"),
        (WHO, "site director", "correct"),
        (WHO, "Client", "incorrect"),
        # cloze: figures by value, words by form, typos tolerated
        (CLOZE_NUMBER, "80%", "correct"),
        (CLOZE_NUMBER, "80 percent", "correct"),
        (CLOZE_NUMBER, "85%", "incorrect"),
        (CLOZE_NUMBER, "80% or 90%", "partial"),
        (CLOZE_NUMBER, "the forecast", "incorrect"),
        (CLOZE_WORDS, "Root cause analysis", "correct"),
        (CLOZE_WORDS, "analysis of the root causes", "correct"),
        (CLOZE_WORDS, "root-cause analisys", "correct"),
        (CLOZE_WORDS, "root cause", "partial"),
        (CLOZE_WORDS, "a coaching session", "incorrect"),
        (CLOZE_WORDS, "the canteen menu", "incorrect"),
        (CLOZE_MIXED, "5 business days", "correct"),
        (CLOZE_MIXED, "five business days", "correct"),
        (CLOZE_MIXED, "10 business days", "incorrect"),
        # ordering: exact order, one swap (partial), reversed (wrong)
        (ORDERING, "A B C D", "correct"),
        (ORDERING, "1,2,3,4", "correct"),
        (ORDERING, "A C B D", "partial"),
        (ORDERING, "D C B A", "incorrect"),
    ],
)
def test_grading_fixture(question: Question, response: str, expected: str) -> None:
    result = grade(question, response)
    assert band(result) == expected, (response, result)
    if expected == "correct":
        assert result.score >= 80
    elif expected == "partial":
        assert 40 <= result.score < 80
    else:
        assert result.score < 40


def test_choice_answers_are_read_back_as_the_choice_text() -> None:
    assert grade(MCQ, "c").chosen == "80%"
    assert grade(ORDERING, "B A C D").chosen.startswith("Find the root cause → Log the miss")


def test_an_empty_answer_is_a_zero_not_an_error() -> None:
    for question in (MCQ, CLOZE_WORDS, ORDERING):
        result = grade(question, "   ")
        assert (result.score, result.verdict, result.correct) == (0.0, "incorrect", False)


@pytest.mark.parametrize(
    ("question", "response", "hint"),
    [
        (MCQ, "E", "letter A-D"),
        (MCQ, "7", "number 1-4"),
        (MCQ, "ninety", "text of a choice"),
        (ORDERING, "A B C", "every step once"),
        (ORDERING, "A A B C", "every step once"),
    ],
)
def test_unreadable_answers_say_what_to_type(question: Question, response: str, hint: str) -> None:
    with pytest.raises(PracticeError, match=hint):
        grade(question, response)


def test_number_words_in_the_key_match_digits_and_words() -> None:
    rule = make("cloze", answer="two of three")
    assert grade(rule, "two of three").verdict == "correct"
    assert grade(rule, "2 of 3").verdict == "correct"
    assert grade(rule, "one of three").verdict == "incorrect"
