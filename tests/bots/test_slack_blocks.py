"""Block Kit rendering: Slack's limits, citations, abstentions, quiz messages."""

from __future__ import annotations

import json

import pytest
from slack_fakes import CLOZE, MCQ, SOURCE, answer, citation

from assistant.answers import Answer
from assistant.practice import QuizResult
from assistant.retrieval import Hit
from bots import blocks


def sections_of(message: blocks.Message) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section"]


def actions_of(message: blocks.Message) -> list[dict[str, str]]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize("limit", [50, 300, 3000])
def test_split_text_respects_the_limit_and_keeps_sentences(limit: int) -> None:
    sentences = [
        f"Sentence {n} explains the sample size of {n} contacts [{n % 9 + 1}]." for n in range(400)
    ]
    text = " ".join(sentences)
    pieces = blocks.split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == text.split()  # nothing lost, nothing added
    if limit >= 100:
        assert all(p.endswith("].") for p in pieces)  # cut at sentence ends


def test_unbroken_text_is_cut_hard() -> None:
    pieces = blocks.split_text("x" * 7000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_long_answers_split_within_slack_limits() -> None:
    many = [citation(n, "quote " * 400) for n in range(1, 61)]
    text = " ".join(f"Fact number {n} is documented [{n}]." for n in range(1, 61)) * 10
    long = Answer(question="q", text=text, abstained=False, citations=many)
    messages = blocks.answer_messages(long, ref="r1", shareable=True)
    assert len(messages) >= 2
    for message in messages:
        assert len(message.blocks) <= blocks.BLOCKS_PER_MESSAGE
        assert all(len(t) <= blocks.SECTION_LIMIT for t in sections_of(message))
        assert len(message.text) <= blocks.FALLBACK_LIMIT
    assert actions_of(messages[-1]) and not any(actions_of(m) for m in messages[:-1])
    sources = [t for m in messages for t in sections_of(m) if t.startswith("*[")]
    assert len(sources) == 60


def test_sources_name_doc_section_version_and_approval() -> None:
    message = blocks.answer_messages(answer(), ref="r1", shareable=False)[0]
    texts = sections_of(message)
    assert texts[0] == "The target is 80% of calls answered in 20 seconds [1]."
    assert "*Sources*" in texts
    line = texts[-1]
    assert line.startswith("*[1]* *NB-WFM-001* — Service level &gt; Target")
    assert "version 2.0" in line and "client-approved: yes" in line
    assert "> The target is 80% of calls answered in 20 seconds." in line
    assert [a["action_id"] for a in actions_of(message)] == ["feedback_up", "feedback_down"]


def test_abstention_says_no_evidence_and_lists_closest_as_not_evidence() -> None:
    meta = {"file": "f.md", "section": "Scope", "section_path": "Policy > Scope", "doc_id": "NB-1"}
    hit = Hit(chunk_id="c", text="t", score=0.1, metadata=meta)
    none = Answer(
        question="capital of Australia?",
        abstained=True,
        closest=[hit],
        text="No evidence in the indexed documents for “capital of Australia?”.",
    )
    message = blocks.answer_messages(none, ref="r", shareable=True)[0]
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "No evidence" in sections_of(message)[0]
    assert "Closest documents (not evidence)" in shown and "*Sources*" not in shown
    assert "NB-1 — Policy &gt; Scope" in shown


def test_button_values_carry_the_question_within_2000_chars() -> None:
    value = blocks.answer_ref_value("r1", "why? " * 1000)
    assert len(value) <= blocks.VALUE_LIMIT
    ref, question = blocks.parse_answer_ref(value)
    assert ref == "r1" and question.startswith("why? why?")


def test_mrkdwn_control_characters_are_escaped() -> None:
    assert blocks.escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    odd = Answer(
        question="q", text="Use <!channel> & <@U1> [1].", abstained=False, citations=[citation()]
    )
    assert "<!channel>" not in json.dumps(
        blocks.answer_messages(odd, ref="r", shareable=False)[0].blocks
    )


def test_single_choice_question_has_one_button_per_choice() -> None:
    message = blocks.quiz_question_message(MCQ, position="1/3")
    buttons = actions_of(message)
    assert [b["value"] for b in buttons] == ["q-mcq|A", "q-mcq|B", "q-mcq|C"]
    assert [b["text"]["text"] for b in buttons] == ["A. 4", "B. 8", "C. 12"]
    assert "Quality management · 1/3" in json.dumps(message.blocks, ensure_ascii=False)


def test_typed_question_asks_for_a_reply_in_the_thread() -> None:
    message = blocks.quiz_question_message(CLOZE)
    assert actions_of(message) == []
    assert "Reply *in this thread*" in json.dumps(message.blocks)


@pytest.mark.parametrize(("recorded", "note"), [(True, False), (False, True)])
def test_result_shows_choice_verdict_explanation_source(recorded: bool, note: bool) -> None:
    result = QuizResult(
        question=MCQ,
        response="A",
        correct=False,
        score=0.0,
        verdict="incorrect",
        chosen="4",
        correct_text="8",
        explanation=MCQ.explanation,
        citation=SOURCE,
        recorded=recorded,
        next_due=None,
    )
    message = blocks.quiz_result_message(result, answered_by="U1")
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "<@U1> answered: *A* — ❌ Not quite" in shown and "Right answer: *8*" in shown
    assert MCQ.explanation in shown and "Source: *NB-QA-002*" in shown
    assert actions_of(message) == []
    assert ("Already answered" in shown) is note


def test_report_markdown_becomes_slack_mrkdwn() -> None:
    md = "# Readiness report: team HB-1\n\n- People: **4**\n\n"
    md += "| area | ready |\n|---|---|\n| QA | 2 |\n"
    messages = blocks.report_messages(md)
    texts = sections_of(messages[0])
    assert texts[0].startswith("*Readiness report: team HB-1*") and "*4*" in texts[0]
    assert texts[1].startswith("```| area | ready |")
