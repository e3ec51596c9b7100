"""End to end over real HTTP: signed requests into the bot, answers out to the Slack stand-in.

The bot runs its real uvicorn server on 127.0.0.1 with the real assistant (MiniLM, bundled
index) and practice engine; the Web API and response_url are the local stand-in.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from slack_fixtures import LiveBot, new_user
from slack_standin import BOT_USER, buttons

from assistant.practice import Practice
from bots.protocol import FRIENDLY_ERROR

pytestmark = pytest.mark.slow

SL_QUESTION = "How was the service level target set?"


def test_health_check_answers(live: LiveBot) -> None:
    with urllib.request.urlopen(f"{live.server.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True}


def test_forged_and_stale_signatures_get_401_and_no_work(live: LiveBot) -> None:
    user = new_user()
    status, _ = live.slack.command(user, f"ask {SL_QUESTION}", signature="v0=" + "0" * 64)
    assert status == 401
    status, _ = live.slack.command(user, f"ask {SL_QUESTION}", timestamp=int(time.time()) - 600)
    assert status == 401
    wrong = type(live.slack)(live.slack.url, "not-the-secret", live.standin)
    status, _ = wrong.command(user, f"ask {SL_QUESTION}")
    assert status == 401
    time.sleep(0.3)
    assert live.standin.calls == []


def test_help_is_answered_in_the_acknowledgement(live: LiveBot) -> None:
    status, body = live.slack.command(new_user(), "help")
    assert status == 200
    text = json.loads(body)["blocks"][0]["text"]["text"]
    for sub in ("/copc ask", "/copc quiz", "/copc interview", "/copc stats", "/copc report"):
        assert sub in text


def test_ask_answers_privately_with_citations_and_share_button(live: LiveBot) -> None:
    user = new_user()
    status, body = live.slack.command(user, f"ask {SL_QUESTION}")
    assert status == 200 and "Looking that up" in body
    posted = live.standin.wait_count("response_url", 1)[0].params
    assert posted["response_type"] == "ephemeral"
    texts = [b["text"]["text"] for b in posted["blocks"] if b["type"] == "section"]
    assert re.search(r"\[\d+\]", texts[0]), texts[0]
    assert "*Sources*" in texts
    sources = [t for t in texts if t.startswith("*[")]
    assert sources and all("version" in s and "client-approved" in s for s in sources)
    assert all(len(t) <= 3000 for t in texts) and len(posted["blocks"]) <= 50
    labels = [b["text"]["text"] for b in buttons(posted)]
    assert labels == ["Share in channel", "👍 Helpful", "👎 Not helpful"]

    share = next(b for b in buttons(posted) if b["action_id"] == "share_answer")
    live.slack.click(user, posted, share, channel="C0GENERAL", ts="1.1", ephemeral=True)
    public = live.standin.wait_count("chat.postMessage", 1)[0].params
    assert public["channel"] == "C0GENERAL"
    assert f"Shared by <@{user}>" in public["blocks"][0]["elements"][0]["text"]
    assert "share_answer" not in {b["action_id"] for b in buttons(public)}
    replaced = live.standin.wait_count("response_url", 2)[1].params
    assert replaced["replace_original"] is True and "Shared" in replaced["text"]


def test_out_of_scope_question_says_no_evidence(live: LiveBot) -> None:
    live.slack.command(new_user(), "ask What is the capital of Australia?")
    posted = live.standin.wait_count("response_url", 1)[0].params
    assert "no evidence" in posted["blocks"][0]["text"]["text"].lower()
    assert "*Sources*" not in json.dumps(posted)


def test_mention_is_answered_in_its_thread_once_despite_a_retry(live: LiveBot) -> None:
    user = new_user()
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {SL_QUESTION}",
        "ts": "1700000100.000200",
        "channel": "C0GENERAL",
    }
    assert live.slack.event(event, event_id="EvMENTION1")[0] == 200
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"}
    assert live.slack.event(event, event_id="EvMENTION1", headers=retry)[0] == 200
    answers = live.standin.wait_count("chat.postMessage", 1)
    time.sleep(1.0)  # a second answer, if any, would have arrived by now
    answers = live.standin.of("chat.postMessage")
    assert len(answers) == 1
    assert answers[0].params["thread_ts"] == "1700000100.000200"
    assert re.search(r"\[\d+\]", answers[0].text())


def test_own_messages_and_edits_are_ignored(live: LiveBot) -> None:
    own = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0BOT",
        "user": BOT_USER,
        "bot_id": "BBOT0001",
        "text": "Your daily practice",
        "ts": "1700000200.0001",
    }
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": "D0X",
        "ts": "1700000201.0001",
        "message": {"text": "x"},
    }
    assert live.slack.event(own)[0] == 200
    assert live.slack.event(edit)[0] == 200
    time.sleep(0.8)
    assert live.standin.of("chat.postMessage") == []


def test_dm_question_is_answered_in_the_dm(live: LiveBot) -> None:
    user = new_user()
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": SL_QUESTION,
        "ts": "1700000300.0001",
    }
    live.slack.event(dm)
    answer = live.standin.wait_count("chat.postMessage", 1)[0].params
    assert answer["channel"] == "D" + user[1:]
    assert "share_answer" not in {b["action_id"] for b in buttons(answer)}
    assert re.search(r"\[\d+\]", json.dumps(answer))


def test_feedback_is_stored_with_the_optional_reason(live: LiveBot, practice: Practice) -> None:
    user = new_user()
    live.slack.command(user, f"ask {SL_QUESTION}")
    posted = live.standin.wait_count("response_url", 1)[0].params
    by_action = {b["action_id"]: b for b in buttons(posted)}
    since = time.time() - 5
    live.slack.click(
        user, posted, by_action["feedback_up"], channel="C0GENERAL", ts="1.2", ephemeral=True
    )
    live.standin.wait_count("response_url", 2)
    live.slack.click(
        user, posted, by_action["feedback_down"], channel="C0GENERAL", ts="1.2", ephemeral=True
    )
    modal = live.standin.wait_count("views.open", 1)[0].params["view"]
    submission = {
        "type": "view_submission",
        "user": {"id": user},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": modal["callback_id"],
            "private_metadata": modal["private_metadata"],
            "state": {
                "values": {
                    "reason": {
                        "reason_input": {
                            "type": "plain_text_input",
                            "value": "Quoted the old version",
                        }
                    }
                }
            },
        },
    }
    status, _ = live.slack.interaction(submission)
    assert status == 200
    rows = _wait_feedback(practice, user, 2, since)
    assert [(r.rating, r.reason) for r in rows] == [
        ("up", None),
        ("down", "Quoted the old version"),
    ]
    assert all(r.question == SL_QUESTION and "[1]" in r.answer for r in rows)


def _wait_feedback(practice: Practice, user: str, count: int, since: float) -> list:  # type: ignore[type-arg]
    from datetime import UTC, datetime, timedelta

    person = practice.records.get_person(user)
    deadline = time.monotonic() + 20
    while True:
        start = datetime.fromtimestamp(since, UTC)
        rows = [
            f
            for f in practice.records.feedback_between(start, start + timedelta(hours=1))
            if person is not None and f.person_id == person.id
        ]
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)
        person = practice.records.get_person(user)


def test_an_internal_error_becomes_a_friendly_reply(live: LiveBot) -> None:
    live.standin.fail["users.info"] = "internal_error"  # harmless: the profile falls back
    live.standin.fail["chat.update"] = "fatal_error"
    user = new_user()
    live.slack.command(user, "quiz")
    question = next(
        c
        for c in live.standin.wait_for(
            lambda calls: any(buttons(c.params) for c in calls if c.method == "chat.postMessage"),
            what="a quiz question with buttons",
        )
        if c.method == "chat.postMessage" and buttons(c.params)
    )
    choice = buttons(question.params)[0]
    live.slack.click(
        user,
        question.params,
        choice,
        channel=question.params["_channel"],
        ts=question.params["_ts"],
    )
    reply = live.standin.wait_for(
        lambda calls: any(c.method == "response_url" for c in calls), what="the error reply"
    )
    said = [c for c in reply if c.method == "response_url"][-1].params
    assert said["text"] == FRIENDLY_ERROR
    assert "fatal_error" not in json.dumps(said)
