"""Slack markup typed by a person is shown as typed: it never pings, mentions or links.

Whenever the bot echoes what someone typed (a question, a quiz or interview answer) or
quotes a document, ``&``, ``<`` and ``>`` are escaped (Slack's formatting rules), in the
blocks and in the message's fallback ``text`` alike. The only markup left is the bot's
own ``<@user>`` naming the person who acted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock

import pytest
from slack_fakes import CLOZE, MCQ, citation
from slack_fixtures import LiveBot, new_user
from slack_standin import buttons

from assistant.answers import Answer
from assistant.practice import Practice, QuizItem
from assistant.practice.grading import PracticeError
from assistant.practice.service import QuizResult, from_row
from bots import blocks, commands, quiz
from bots.deps import Req
from bots.protocol import tell

HOSTILE = "<!channel> <!here> <@U0BOSS> <#C0GENERAL> <http://evil.example|click me> & <!subteam^S1>"
ESCAPED = (
    "&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOSS&gt; &lt;#C0GENERAL&gt; "
    "&lt;http://evil.example|click me&gt; &amp; &lt;!subteam^S1&gt;"
)
MARKUP = re.compile(r"<[!#@]|<(?:https?|mailto):")


def rendered(value: Any) -> Iterator[str]:
    """Every string Slack renders: the fallback ``text`` and each block's text."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            elif key not in ("value", "private_metadata", "metadata"):
                yield from rendered(item)
    elif isinstance(value, list):
        for item in value:
            yield from rendered(item)


def assert_no_markup(payload: Any, *, actor: str | None = None) -> None:
    """No ``<!…>``, ``<#…>``, ``<@…>`` or link markup, except ``<@actor>``."""
    for text in rendered(payload):
        for match in MARKUP.finditer(text):
            assert actor and text.startswith(f"<@{actor}>", match.start()), (
                f"unescaped markup at {match.start()}: {text[match.start() : match.start() + 40]!r}"
            )


# -- each rendering function ---------------------------------------------------------------


def test_escape_follows_slacks_rules() -> None:
    assert blocks.escape(HOSTILE) == ESCAPED
    assert blocks.escape("a && b <> c") == "a &amp;&amp; b &lt;&gt; c"


def test_an_answer_escapes_the_question_in_its_fallback_text_and_blocks() -> None:
    abstained = Answer(HOSTILE, f"No evidence in the indexed documents for “{HOSTILE}”.", True)
    cited = Answer(
        HOSTILE,
        f"Escalate {HOSTILE} [1].",
        False,
        [citation(quote=f"Quote {HOSTILE}.")],
        notes=[HOSTILE],
    )
    for answer in (abstained, cited):
        for shared_by in (None, "U0SHARER"):
            for message in blocks.answer_messages(
                answer, ref="r1", shareable=True, shared_by=shared_by
            ):
                assert_no_markup(message.kwargs(), actor=shared_by)
                assert ESCAPED in json.dumps(message.kwargs(), ensure_ascii=False)


def test_quiz_and_interview_messages_escape_what_was_typed_and_quoted() -> None:
    hostile_question = MCQ.model_copy(update={"prompt": f"Prompt {HOSTILE}?"})
    result = QuizResult(
        question=hostile_question,
        response=HOSTILE,
        correct=False,
        score=0.0,
        verdict="wrong",
        chosen=HOSTILE,
        correct_text=HOSTILE,
        explanation=HOSTILE,
        citation=CLOZE.citation.model_copy(update={"quote": HOSTILE}),
        recorded=True,
        next_due=None,
    )
    grade = MagicMock(
        score=40.0,
        verdict=HOSTILE,
        matched_facts=(HOSTILE,),
        missing_facts=(HOSTILE,),
        model_answer=HOSTILE,
        citations=(citation(quote=HOSTILE),),
        follow_up=HOSTILE,
    )
    step = MagicMock(index=0, total=3, prompt=HOSTILE, session_id=1)
    messages = [
        blocks.quiz_question_message(hostile_question, position="1/3"),
        blocks.quiz_result_message(result, answered_by="U0ME"),
        blocks.interview_question_message(step),
        blocks.grade_message(grade, finished=False),
    ]
    for message in messages:
        assert_no_markup(message.kwargs(), actor="U0ME")
        assert "&lt;!channel&gt;" in json.dumps(message.kwargs(), ensure_ascii=False)


def test_an_unknown_command_and_a_practice_error_are_escaped() -> None:
    ack = MagicMock()
    commands.ack_command(ack, {"text": "<!channel>"})
    assert_no_markup(ack.call_args.kwargs)
    client = MagicMock()
    req = Req(body={"event": {"channel": "D0ME", "user": "U0ME"}}, client=client)
    tell(req, str(PracticeError(f"cannot read {HOSTILE}")))
    assert_no_markup(client.chat_postMessage.call_args.kwargs)


# -- end to end, over signed HTTP ----------------------------------------------------------


def dm(user: str) -> str:
    return "D" + user[1:]


@pytest.mark.slow
def test_a_hostile_question_in_the_dm_and_in_a_channel_is_echoed_escaped(live: LiveBot) -> None:
    user = new_user()
    live.slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": dm(user),
            "user": user,
            "text": f"What is {HOSTILE}?",
            "ts": "1700000001.000100",
        }
    )
    answer = live.standin.wait_count("chat.postMessage", 1, timeout=60)[0]
    assert ESCAPED in answer.text(), "the abstention quotes the question, escaped"
    assert_no_markup(answer.params)

    live.slack.command(user, f"ask What is {HOSTILE}?", channel="C0GENERAL")
    private = live.standin.wait_count("response_url", 1, timeout=60)[0]
    assert_no_markup(private.params)
    share = next(b for b in buttons(private.params) if b["action_id"] == blocks.SHARE_ANSWER)
    live.slack.click(
        user, private.params, share, channel="C0GENERAL", ts="1700000002.000100", ephemeral=True
    )
    shared = live.standin.wait_for(
        lambda calls: any(c.params.get("channel") == "C0GENERAL" for c in calls),
        what="the shared answer",
        timeout=60,
    )
    public = [c for c in shared if c.params.get("channel") == "C0GENERAL"]
    assert public and "Shared by" in public[0].text()
    for call in public:
        assert_no_markup(call.params, actor=user)


@pytest.mark.slow
def test_a_hostile_quiz_answer_typed_in_the_thread_is_shown_escaped(
    live: LiveBot, sec_practice: Practice
) -> None:
    user = new_user()
    cloze = next(
        from_row(r)
        for r in sec_practice.records.list_questions(status="approved")
        if r.type == "cloze"
    )
    sec_practice.enrol(user)
    quiz.post_questions(
        live.bot.deps,
        live.bot.app.client,
        user,
        [QuizItem(cloze, True, None)],
        area=None,
        daily=False,
    )
    root = live.standin.wait_for(
        lambda calls: any(c.params.get("metadata") for c in calls), what="the cloze question"
    )
    posted = next(c for c in root if c.params.get("metadata")).params
    live.slack.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": posted["_channel"],
            "user": user,
            "text": HOSTILE,
            "ts": "1700000003.000100",
            "thread_ts": posted["_ts"],
        }
    )
    update = live.standin.wait_count("chat.update", 1, timeout=60)[0]
    assert ESCAPED in update.text(), "the result repeats the answer as typed, escaped"
    assert_no_markup(update.params, actor=user)
    for call in live.standin.of("chat.postMessage"):
        assert_no_markup(call.params, actor=user)
