"""Each generator on the small hand-made site: the questions it makes and their validity."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assistant.questions.areas import AreaMapper
from assistant.questions.checks import check_answerable
from assistant.questions.corpus import Corpus
from assistant.questions.generators import (
    GenContext,
    generate_cloze,
    generate_documents,
    generate_error_class,
    generate_numeric,
    generate_ordering,
)
from assistant.questions.generators.numeric import Supports
from assistant.questions.linter import lint
from assistant.questions.model import Question
from assistant.questions.quantities import find_quantities
from assistant.questions.text import normalise

from .conftest import PROCEDURE, SITE, BuildCatalog, Catalog


def _statement(prompt: str) -> str:
    """The quoted statement at the end of a prompt."""
    return prompt[prompt.rindex("“") + 1 : prompt.rindex("”")]


def test_numeric_multiple_choice_has_valid_distractors(ctx: GenContext) -> None:
    mcqs = [q for q in generate_numeric(ctx) if q.type == "mcq_numeric"]
    assert len(mcqs) >= 5
    for q in mcqs:
        assert isinstance(q.answer, int)
        right = find_quantities(q.choices[q.answer])[0]
        assert q.choices[q.answer] == q.fact and q.fact in q.citation.quote
        values = [find_quantities(c)[0] for c in q.choices]
        assert len(q.choices) == 4
        assert len({v.value for v in values}) == 4, f"duplicate values in {q.choices}"
        assert {v.unit for v in values} == {right.unit}, "distractors share the answer's unit"
        assert sum(v.value == right.value for v in values) == 1, "no distractor equals the answer"
        assert "____" in q.prompt and q.fact not in q.prompt
        assert _statement(q.prompt).replace("____", q.fact) == q.citation.quote


def test_numeric_distractors_never_appear_in_the_quoted_sentence(ctx: GenContext) -> None:
    for q in generate_numeric(ctx):
        if q.type != "mcq_numeric":
            continue
        own = {x.value for x in find_quantities(q.citation.quote)}
        wrong = [find_quantities(c)[0].value for k, c in enumerate(q.choices) if k != q.answer]
        assert not own & set(wrong), (q.citation.quote, q.choices)


def test_true_false_statements(ctx: GenContext, site_catalog: Catalog) -> None:
    corpus = Corpus.from_catalog(site_catalog)
    sentences = {normalise(s.text) for sec in corpus.sections for s in sec.sentences()}
    tfs = [q for q in generate_numeric(ctx) if q.type == "true_false"]
    assert {q.answer for q in tfs} == {0, 1}, "both true and false statements are made"
    for q in tfs:
        statement = _statement(q.prompt)
        if q.answer == 0:
            assert statement == q.citation.quote
        else:
            assert statement != q.citation.quote
            assert normalise(statement) not in sentences, "a false statement is false everywhere"
            assert q.fact in q.citation.quote and q.fact not in statement
            assert q.fact in q.explanation


def test_wrong_values_stated_elsewhere_in_the_same_words_are_not_used(
    build_catalog: BuildCatalog,
) -> None:
    """When another document says "15 minutes" in the same words, 15 minutes is not "wrong"."""
    twin = PROCEDURE.replace("SITE-PRO-1", "SITE-PRO-2").replace(
        "within 10 minutes of the request", "within 15 minutes of the request"
    )
    catalog = build_catalog({**SITE, "twin.md": twin})
    corpus = Corpus.from_catalog(catalog)
    supports = Supports(corpus)
    sentence = "During a live call the team lead must join the contact within {} of the request."
    assert supports.stated(sentence.format("15 minutes"), "minute", Decimal(15))
    assert not supports.stated(sentence.format("20 minutes"), "minute", Decimal(20))
    assert not supports.stated("Passwords expire after 15 minutes.", "minute", Decimal(15))
    ctx = GenContext.build(corpus, AreaMapper(corpus))
    about = [q for q in generate_numeric(ctx) if "team lead must join" in q.citation.quote]
    assert about
    for q in about:
        shown = " ".join([q.prompt, *q.choices])
        wrong = "10 minutes" if q.citation.doc_id == "SITE-PRO-2" else "15 minutes"
        assert wrong not in shown, (q.citation.doc_id, shown)


def test_cloze_blanks_one_key_term(ctx: GenContext) -> None:
    clozes = list(generate_cloze(ctx))
    assert {q.answer for q in clozes} >= {"Erlang C", "fishbone diagram"}
    for q in clozes:
        assert isinstance(q.answer, str) and q.choices == ()
        statement = _statement(q.prompt)
        assert statement.count("____") == 1
        assert statement.replace("____", q.answer) == q.citation.quote
        assert not find_quantities(q.citation.quote), "numbers are left to the numeric generator"


def test_ordering_shuffles_numbered_steps(ctx: GenContext) -> None:
    [q] = list(generate_ordering(ctx))
    steps = [
        "The KPI owner opens an entry in the action log",
        "The owner gathers the interval data for the month",
        "The owner runs a structured analysis with a fishbone diagram",
        "Actions are agreed with owners and due dates",
    ]
    assert isinstance(q.answer, tuple)
    assert sorted(q.choices) == sorted(steps)
    assert list(q.choices) != steps, "the choices are not already in order"
    assert [q.choices[i] for i in q.answer] == steps
    assert q.difficulty == 3


def test_ordering_ignores_numbered_lists_that_are_not_sequences(
    build_catalog: BuildCatalog,
) -> None:
    text = (
        "# Proposal\n\n## Evidence a proposal must include\n\n"
        "1. The exact definition and formula.\n2. The data source of the figure.\n"
        "3. At least six months of baseline data.\n"
    )
    corpus = Corpus.from_catalog(build_catalog({"p.md": text}))
    assert list(generate_ordering(GenContext.build(corpus, AreaMapper(corpus)))) == []


def test_error_class_examples_grid_rows_and_reasons(ctx: GenContext) -> None:
    questions = list(generate_error_class(ctx))
    by_fact = {q.fact: q.correct_text for q in questions}
    assert by_fact["giving wrong APN settings"] == "Customer-critical"
    assert by_fact["an engineer visit booked for a fault that remote checks would have fixed"] == (
        "Business-critical"
    )
    assert by_fact["an unauthorised SIM swap for an unverified person"] == "Compliance-critical"
    assert by_fact["Retention offer"] == "Business-critical"
    assert by_fact["Case notes"] == "Non-critical"
    why = [q for q in questions if q.prompt.startswith("On the") and "why is" in q.prompt]
    assert len(why) == 3 and all(len(q.choices) == 3 for q in why)
    compliance = next(q for q in why if "compliance-critical" in q.prompt)
    assert "breach data protection law" in compliance.correct_text


def test_which_document_offers_the_source_and_other_documents(ctx: GenContext) -> None:
    questions = [q for q in generate_documents(ctx) if q.type == "which_document"]
    assert questions
    docs = {d.doc_id for d in ctx.corpus.documents.values() if d.doc_type != "criteria-note"}
    for q in questions:
        assert q.correct_text.startswith(q.citation.doc_id + " ")
        offered = {c.split(" ")[0] for c in q.choices}
        assert len(offered) == 4 and offered <= docs
        assert q.citation.quote in q.prompt


def test_who_approves_from_control_blocks_and_approval_sentences(ctx: GenContext) -> None:
    questions = [q for q in generate_documents(ctx) if q.type == "who_approves"]
    client = {q.citation.doc_id: q.correct_text for q in questions if "client approval" in q.prompt}
    assert client == {
        "HB-TGT-1": "Laura Chen only",
        "LT-QA-1": "Raj Patel only",
        "SITE-PRO-1": "Laura Chen and Raj Patel",
        "SITE-SEC-1": "Not applicable (site policy)",
    }
    roles = {q.citation.quote: q.correct_text for q in questions if "____" in q.prompt}
    pip = next(v for k, v in roles.items() if k.startswith("The PIP is approved"))
    access = next(v for k, v in roles.items() if k.startswith("Access reviews are signed"))
    assert (pip, access) == ("Site Director", "Operations Manager")
    assert not any("calibration log" in k for k in roles), "no approval verb, no question"
    [site] = [q for q in questions if "site approver" in q.prompt]
    assert site.correct_text == "Priya Raman (Site Director)" == site.fact
    assert site.citation.quote.startswith("Approved by")
    assert len(set(site.choices)) == 4


def test_every_generated_question_is_answerable_and_lint_clean(ctx: GenContext) -> None:
    from assistant.questions.generators import GENERATORS

    questions = [q for g in GENERATORS for q in g(ctx)]
    kinds = {q.type for q in questions}
    assert kinds == {
        "mcq_numeric",
        "true_false",
        "cloze",
        "ordering",
        "error_class",
        "which_document",
        "who_approves",
    }
    for q in questions:
        assert check_answerable(q, ctx.corpus) is None, q
    issues = [i for i in lint(questions, ctx.corpus) if i.rule != "double_negative"]
    assert issues == []


def _ids(catalog: Catalog) -> dict[str, Question]:
    from assistant.questions.generators import GENERATORS

    corpus = Corpus.from_catalog(catalog)
    ctx = GenContext.build(corpus, AreaMapper(corpus))
    return {q.id: q for g in GENERATORS for q in g(ctx)}


def test_ids_are_stable_and_change_only_with_their_section(build_catalog: BuildCatalog) -> None:
    first = _ids(build_catalog(SITE))
    assert _ids(build_catalog(SITE)).keys() == first.keys()
    changed = {**SITE, "memo.md": SITE["memo.md"].replace("345 seconds", "340 seconds")}
    second = _ids(build_catalog(changed))
    gone = {i for i in first if i not in second}
    assert gone and all(first[i].citation.section == "Handle time" for i in gone)


@pytest.mark.parametrize("unit_text", ["80%", "20 seconds"])
def test_mcq_prompt_never_shows_the_answer_in_its_label(ctx: GenContext, unit_text: str) -> None:
    for q in generate_numeric(ctx):
        if q.type == "mcq_numeric" and q.fact == unit_text:
            assert not re.search(re.escape(unit_text), q.prompt)
