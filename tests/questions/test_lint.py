"""One test per lint rule, on small hand-made questions, plus the answerability check."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.questions.checks import check_answerable
from assistant.questions.corpus import Corpus
from assistant.questions.linter import RULES, lint, lint_question
from assistant.questions.model import Question, QuestionSource

from .conftest import Catalog

QUOTE = "The ASA target is 18 seconds or less per month."


def make(**changes: Any) -> Question:
    """A clean multiple-choice question on the test site, with ``changes`` applied."""
    citation = {
        "doc_id": "HB-TGT-1",
        "file": "memo.md",
        "section": "Average speed of answer",
        "section_path": ("Harbor Bank speed targets", "Average speed of answer"),
        "quote": QUOTE,
        **changes.pop("citation", {}),
    }
    fields: dict[str, Any] = {
        "id": "q-test",
        "type": "mcq_numeric",
        "prompt": "What is the Harbor Bank ASA target?",
        "choices": ("15 seconds", "18 seconds", "20 seconds", "25 seconds"),
        "answer": 1,
        "explanation": "",
        "citation": QuestionSource(**citation),
        "area": "service-performance",
        "roles": ("team_lead",),
        "difficulty": 2,
        "fact": "18 seconds",
        **changes,
    }
    return Question(**fields)


def rules(question: Question, corpus: Corpus | None = None) -> set[str]:
    return {issue.rule for issue in lint_question(question, corpus)}


def test_a_clean_question_has_no_issues(site_catalog: Catalog) -> None:
    assert rules(make(), Corpus.from_catalog(site_catalog)) == set()


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        (
            {"citation": {"quote": "The ASA target is 20 seconds or less per month."}},
            "answer_not_in_source",
        ),
        ({"prompt": "   "}, "prompt_empty"),
        ({"prompt": "What is the ASA target? " + "Think carefully. " * 30}, "prompt_too_long"),
        ({"choices": ("15 seconds", "18 seconds")}, "too_few_choices"),
        (
            {"choices": ("15 seconds", "18 seconds", "20 seconds", "15 Seconds")},
            "duplicate_choices",
        ),
        (
            {"choices": ("15 seconds", "18 seconds", "20 seconds", "20 seconds or less")},
            "overlapping_choices",
        ),
        ({"choices": ("15 s", "18 seconds", "20 seconds", "15 seconds")}, "overlapping_choices"),
        (
            {"choices": ("15 seconds", "18 seconds", "20 seconds", "All of the above")},
            "all_none_of_the_above",
        ),
        (
            {"choices": ("15 seconds", "18 seconds", "20 seconds", "None of the above")},
            "all_none_of_the_above",
        ),
        ({"prompt": "Which is not a target that is never reported?"}, "double_negative"),
        (
            {"prompt": "The ASA target isn't 15 seconds and cannot be 20: what is it?"},
            "double_negative",
        ),
        ({"prompt": "The ASA target is 18 seconds. What is the ASA target?"}, "answer_in_prompt"),
    ],
)
def test_each_rule_flags_its_flaw(changes: dict[str, Any], rule: str) -> None:
    assert rule in rules(make(**changes))


def test_the_correct_choice_longest_by_far() -> None:
    long_right = make(
        choices=("15 s", "18 seconds or less per month, measured monthly", "20 s", "25 s")
    )
    assert "longest_correct_choice" in rules(long_right)
    balanced = make(choices=("15 seconds", "18 seconds", "20 seconds", "2 minutes"))
    assert "longest_correct_choice" not in rules(balanced)


def test_one_negation_is_fine() -> None:
    assert "double_negative" not in rules(make(prompt="Which ASA target is not 20 seconds?"))


def test_duplicate_prompts_are_flagged_once_on_the_later_question() -> None:
    issues = lint([make(id="q-1"), make(id="q-2")])
    assert [(i.question_id, i.rule) for i in issues] == [("q-2", "duplicate_question")]


def test_every_rule_is_documented() -> None:
    import assistant.questions.linter as module

    assert module.__doc__ is not None
    assert all(rule in module.__doc__ for rule in RULES)


# -- answerability -------------------------------------------------------------------------------
def test_quote_must_be_in_the_cited_section(site_catalog: Catalog) -> None:
    corpus = Corpus.from_catalog(site_catalog)
    assert check_answerable(make(), corpus) is None
    wrapped = make(citation={"quote": "The ASA target   is 18 seconds\nor less per month."})
    assert check_answerable(wrapped, corpus) is None, "line breaks and spacing do not matter"
    elsewhere = make(citation={"section": "Handle time", "section_path": ("Handle time",)})
    assert "not found" in (check_answerable(elsewhere, corpus) or "")
    gone = make(citation={"doc_id": "HB-TGT-9"})
    assert "source section not found" in (check_answerable(gone, corpus) or "")
    invented = make(citation={"quote": "The ASA target is 18 seconds, always."})
    assert "not found verbatim" in (check_answerable(invented, corpus) or "")


def test_answer_terms_must_be_in_the_quote() -> None:
    assert check_answerable(make()) is None
    wrong_fact = make(
        fact="20 seconds", choices=("15 seconds", "18 seconds", "20 seconds", "1 m"), answer=2
    )
    assert "not in the quote" in (check_answerable(wrong_fact) or "")


def test_true_false_and_ordering_and_which_document_checks() -> None:
    true = make(
        type="true_false", choices=("True", "False"), answer=0, prompt=f"True or false? “{QUOTE}”"
    )
    assert check_answerable(true) is None
    fake_false = true.model_copy(update={"answer": 1})
    assert "itself" in (check_answerable(fake_false) or "")
    steps = make(
        type="ordering",
        choices=("18 seconds or less", "The ASA target"),
        answer=(1, 0),
        fact="The ASA target | 18 seconds or less",
    )
    assert check_answerable(steps) is None
    swapped = steps.model_copy(update={"answer": (0, 1)})
    assert "order" in (check_answerable(swapped) or "")
    which = make(
        type="which_document",
        choices=("HB-TGT-1 Memo", "LT-QA-1 Scorecard", "SITE-PRO-1 Procedure"),
        answer=0,
        fact="HB-TGT-1",
        prompt=f"Which document says: “{QUOTE}”",
    )
    assert check_answerable(which) is None
    assert "does not name" in (check_answerable(which.model_copy(update={"answer": 1})) or "")


def test_question_model_rejects_answers_that_do_not_fit_the_type() -> None:
    with pytest.raises(ValueError, match="index"):
        make(answer=7)
    with pytest.raises(ValueError, match="cloze"):
        make(type="cloze", choices=(), answer="")
    with pytest.raises(ValueError, match="ordering"):
        make(type="ordering", answer=(0, 0, 1, 2))
