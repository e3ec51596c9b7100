"""Listener unit tests: each surface called directly with mocks for ``ack``, ``respond`` and
the Web API client, a scripted assistant, and a practice fake over real SQLite records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from slack_bolt.request import BoltRequest
from slack_fakes import (
    CLOZE,
    MCQ,
    FakeAssistant,
    FakePractice,
    command_req,
    make_deps,
    slack_client,
)

from assistant.practice import PracticeError
from assistant.records import Records, RecordsError
from bots import commands, feedback, home, interview, mentions, messages, quiz, report
from bots.deps import Req
from bots.protocol import FRIENDLY_ERROR, dedupe_events, lazy
from bots.roles import RoleDirectory
from bots.state import INTERVIEW_THREAD, QUIZ_THREAD, ThreadRef, TTLCache


@pytest.fixture
def records(tmp_path: Path) -> Iterator[Records]:
    with Records.open(f"sqlite:///{tmp_path / 'records.db'}") as opened:
        yield opened


def said(respond: MagicMock) -> str:
    return json.dumps([c.kwargs for c in respond.call_args_list], ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "/copc quiz"),
        ("help", "/copc interview"),
        ("dance", "I don't know `dance`"),
        ("ask", "Ask a question after `ask`"),
        ("ask how was AHT set?", "Looking that up"),
        ("quiz", "on their way to our DM"),
    ],
)
def test_ack_answers_at_once(text: str, expected: str) -> None:
    ack = MagicMock()
    commands.ack_command(ack, {"text": text})
    ack.assert_called_once()
    assert expected in json.dumps(ack.call_args.kwargs)


def test_ask_in_a_channel_is_private_with_share_and_feedback(records: Records) -> None:
    assistant = FakeAssistant()
    roles = RoleDirectory.load(None)
    deps = make_deps(records, assistant=assistant, roles=roles)
    req = command_req(slack_client(), "ask How was the service level target set?")
    commands.run_command(deps, req)
    assert assistant.asked == [("How was the service level target set?", None, "agent")]
    reply = req.respond.call_args.kwargs  # type: ignore[union-attr]
    assert reply["response_type"] == "ephemeral"
    text = said(req.respond)  # type: ignore[arg-type]
    assert "[1]" in text and "NB-WFM-001" in text and "client-approved: yes" in text
    actions = [
        e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == ["share_answer", "feedback_up", "feedback_down"]


def test_ask_in_a_dm_has_no_share_button(records: Records) -> None:
    req = command_req(slack_client(), "ask anything", channel="D1")
    commands.run_command(make_deps(records), req)
    assert "share_answer" not in said(req.respond)  # type: ignore[arg-type]


def test_program_scope_comes_from_the_roles_file(records: Records, tmp_path: Path) -> None:
    roles_file = tmp_path / "roles.yaml"
    roles_file.write_text("users:\n  U1: {role: Team leads, team: HB-1, program: Harbor Bank}\n")
    assistant = FakeAssistant()
    deps = make_deps(records, assistant=assistant, roles=RoleDirectory.load(roles_file))
    commands.run_command(deps, command_req(slack_client(), "ask what is a fatal error?"))
    assert assistant.asked == [("what is a fatal error?", "Harbor Bank", "team_lead")]


def test_internal_error_is_friendly_and_logged(
    records: Records, caplog: pytest.LogCaptureFixture
) -> None:
    deps = make_deps(records, assistant=FakeAssistant(RuntimeError("password=hunter2 in DSN")))
    run = lazy(deps, commands.run_command)
    respond = MagicMock()
    body = {"text": "ask anything", "user_id": "U1", "channel_id": "C1", "team_id": "T1"}
    with caplog.at_level(logging.ERROR, logger="bots"):
        run(body=body, client=slack_client(), respond=respond)
    assert respond.call_args.kwargs["text"] == FRIENDLY_ERROR
    assert "hunter2" not in said(respond)
    assert "hunter2" in caplog.text  # the detail is in the log only


def test_practice_errors_are_shown_as_they_say_what_to_do(records: Records) -> None:
    practice = FakePractice(records)
    practice.error = PracticeError("interview 7 is finished; start a new one")
    client = slack_client()
    deps = make_deps(records, practice=practice, client=client)
    run = lazy(deps, messages.on_message)
    deps.threads.remember("D1", "100.1", ThreadRef(INTERVIEW_THREAD, {"session_id": 7}))
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "my answer",
        "ts": "100.2",
        "thread_ts": "100.1",
    }
    run(body={"event": event, "team_id": "T1"}, client=client)
    assert client.chat_postMessage.call_args.kwargs["text"] == practice.error.args[0]


def test_quiz_click_grades_once_and_rewrites_the_message(records: Records) -> None:
    practice = FakePractice(records)
    client = slack_client()
    deps = make_deps(records, practice=practice, client=client)
    body = {
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "container": {"channel_id": "D1", "message_ts": "111.1"},
        "actions": [{"action_id": "quiz_choice_1", "value": "q-mcq|B"}],
    }
    quiz.answer_click(deps, Req(body=body, client=client))
    assert practice.answers == [
        {
            "user": "U1",
            "question": "q-mcq",
            "response": "B",
            "key": "slack:T1:U1:D1:111.1",
            "surface": "slack",
        }
    ]
    update = client.chat_update.call_args.kwargs
    assert (update["channel"], update["ts"]) == ("D1", "111.1")
    shown = json.dumps(update["blocks"], ensure_ascii=False)
    assert "✅ Correct" in shown and "NB-QA-002" in shown and "8 contacts per agent" in shown
    assert not [b for b in update["blocks"] if b["type"] == "actions"]


def test_send_quiz_posts_buttons_and_remembers_typed_threads(records: Records) -> None:
    client = slack_client()
    deps = make_deps(records, practice=FakePractice(records, [MCQ, CLOZE]), client=client)
    assert quiz.send_quiz(deps, client, "U1") == 2
    posts = [c.kwargs for c in client.chat_postMessage.call_args_list]
    assert len(posts) == 3 and "2 questions" in posts[0]["text"]
    assert [
        e["value"] for b in posts[1]["blocks"] if b["type"] == "actions" for e in b["elements"]
    ] == ["q-mcq|A", "q-mcq|B", "q-mcq|C"]
    assert posts[2]["metadata"] == {
        "event_type": QUIZ_THREAD,
        "event_payload": {"question_id": "q-cloze"},
    }
    assert deps.threads.recall("D1", "1700000000.000100") is not None
    assert records.get_person("U1").timezone == "Europe/Madrid"  # type: ignore[union-attr]


def test_thread_reply_found_through_message_metadata(records: Records) -> None:
    """Another replica posted the question: the thread is found from Slack's metadata."""
    practice = FakePractice(records)
    client = slack_client()
    client.conversations_replies.return_value = {
        "messages": [
            {"metadata": {"event_type": QUIZ_THREAD, "event_payload": {"question_id": "q-cloze"}}}
        ]
    }
    deps = make_deps(records, practice=practice, client=client)
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "8",
        "ts": "200.2",
        "thread_ts": "200.1",
    }
    messages.on_message(deps, Req(body={"event": event, "team_id": "T1"}, client=client))
    assert practice.answers[0]["question"] == "q-cloze"
    assert practice.answers[0]["key"] == "slack:T1:U1:D1:200.1"
    assert client.chat_update.call_args.kwargs["ts"] == "200.1"
    assert client.chat_postMessage.call_args.kwargs["thread_ts"] == "200.1"


@pytest.mark.parametrize(
    "event",
    [
        {"channel_type": "im", "bot_id": "B1", "user": "UBOT", "text": "hi"},
        {"channel_type": "im", "subtype": "message_changed", "text": "hi"},
        {"channel_type": "channel", "user": "U1", "text": "hi"},
        {"channel_type": "im", "user": "U1", "text": "   "},
    ],
)
def test_messages_that_need_no_answer(records: Records, event: dict[str, str]) -> None:
    client = slack_client()
    assistant = FakeAssistant()
    deps = make_deps(records, assistant=assistant, client=client)
    body = {"event": {"type": "message", "channel": "D1", "ts": "1.1", **event}}
    messages.on_message(deps, Req(body=body, client=client))
    assert assistant.asked == [] and client.chat_postMessage.call_count == 0


def test_dm_words_route_like_the_command(records: Records) -> None:
    client = slack_client()
    assistant = FakeAssistant()
    deps = make_deps(records, assistant=assistant, client=client)
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": "stats",
        "ts": "1.1",
    }
    messages.on_message(deps, Req(body={"event": event}, client=client))
    assert "Your COPC readiness" in client.chat_postMessage.call_args.kwargs["text"]
    event["text"] = "stats about our AHT target?"  # a question, not the command
    messages.on_message(deps, Req(body={"event": event}, client=client))
    assert assistant.asked == [("stats about our AHT target?", None, "agent")]


def test_interview_answer_is_graded_in_the_thread(records: Records) -> None:
    practice = FakePractice(records)
    client = slack_client()
    deps = make_deps(records, practice=practice, client=client)
    interview.start(deps, client, "U1")
    root = client.chat_postMessage.call_args.kwargs
    assert root["metadata"]["event_payload"] == {"session_id": 7}
    assert "Question 1 of 2" in json.dumps(root["blocks"])
    event = {
        "channel": "D1",
        "user": "U1",
        "text": "From history",
        "ts": "300.2",
        "thread_ts": "1700000000.000100",
    }
    ref = ThreadRef(INTERVIEW_THREAD, {"session_id": 7})
    interview.answer(deps, Req(body={"event": event, "team_id": "T1"}, client=client), ref)
    grade, follow = (c.kwargs for c in client.chat_postMessage.call_args_list[-2:])
    assert "Score 55/100" in grade["text"] and "12 months of history" in json.dumps(grade)
    assert "Question 2 of 2" in json.dumps(follow["blocks"])
    assert practice.interview_answers == [(7, "From history", "slack:T1:D1:300.2")]
    posts = client.chat_postMessage.call_count
    interview.answer(deps, Req(body={"event": event, "team_id": "T1"}, client=client), ref)
    assert client.chat_postMessage.call_count == posts  # a redelivery: graded once, said once


def test_mention_text_is_stripped_and_answered_in_thread(records: Records) -> None:
    client = slack_client()
    assistant = FakeAssistant()
    deps = make_deps(records, assistant=assistant, client=client)
    event = {
        "type": "app_mention",
        "user": "U1",
        "channel": "C1",
        "ts": "5.5",
        "text": "<@UBOT> how was the target set?",
    }
    mentions.answer_mention(deps, Req(body={"event": event}, client=client))
    assert assistant.asked[0][0] == "how was the target set?"
    assert client.chat_postMessage.call_args.kwargs["thread_ts"] == "5.5"


def test_home_publishes_due_questions_and_mastery(records: Records) -> None:
    client = slack_client()
    deps = make_deps(records, client=client)
    home.publish_home(
        deps,
        Req(
            body={"event": {"type": "app_home_opened", "user": "U1", "tab": "home"}}, client=client
        ),
    )
    view = client.views_publish.call_args.kwargs
    shown = json.dumps(view["view"], ensure_ascii=False)
    assert view["user_id"] == "U1" and MCQ.prompt in shown and "62%" in shown
    assert "start_practice" in shown


def test_feedback_stores_rating_and_reason(records: Records) -> None:
    client = slack_client()
    deps = make_deps(records, client=client)
    value = json.dumps({"r": "gone", "q": "How was SL set?"})  # no longer cached: asked again
    body = {
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "trigger_id": "t1",
        "actions": [{"action_id": "feedback_up", "value": value}],
    }
    feedback.thumbs_up(deps, Req(body=body, client=client, respond=MagicMock()))
    feedback.thumbs_down(deps, Req(body={**body, "actions": [{"value": value}]}, client=client))
    modal = client.views_open.call_args.kwargs["view"]
    view = {
        "private_metadata": modal["private_metadata"],
        "state": {"values": {"reason": {"reason_input": {"value": " too vague "}}}},
    }
    feedback.reason_sent(deps, Req(body={"user": {"id": "U1"}, "view": view}, client=client))
    feedback.reason_skipped(deps, Req(body={"user": {"id": "U1"}, "view": view}, client=client))
    now = datetime.now(UTC)
    rows = records.feedback_between(now - timedelta(minutes=5), now + timedelta(minutes=5))
    assert [(r.rating, r.reason) for r in rows] == [
        ("up", None),
        ("down", "too vague"),
        ("down", None),
    ]
    assert all(r.question == "How was SL set?" and "[1]" in r.answer for r in rows)


def test_report_is_refused_politely_to_agents_and_other_teams(
    records: Records, tmp_path: Path
) -> None:
    roles_file = tmp_path / "roles.yaml"
    roles_file.write_text(
        "users:\n  ULEAD: {role: team_lead, team: HB-1}\n  UMGR: {role: manager}\n"
    )
    deps = make_deps(records, roles=RoleDirectory.load(roles_file))
    for user, team in (("U1", None), ("U1", "HB-1"), ("ULEAD", "CHAT-2")):
        req = command_req(slack_client(), "report", user=user)
        report.send_report(deps, req, team)
        assert req.respond.call_args.kwargs["text"] == report.REFUSAL  # type: ignore[union-attr]
    for user, team in (("ULEAD", None), ("UMGR", None), ("UMGR", "CHAT-2")):
        req = command_req(slack_client(), "report", user=user)
        report.send_report(deps, req, team)
        shown = said(req.respond)  # type: ignore[arg-type]
        assert report.REFUSAL not in shown and "Readiness report" in shown


def _bolt_request(body: dict[str, object], headers: dict[str, str] | None = None) -> BoltRequest:
    return BoltRequest(
        body=json.dumps(body), headers={"content-type": "application/json", **(headers or {})}
    )


def test_retried_events_are_acknowledged_and_dropped() -> None:
    drop = dedupe_events(TTLCache(60.0, 100))
    passed: list[str] = []
    body = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}
    assert drop(body, _bolt_request(body), lambda: passed.append("Ev1")) is None
    retry = _bolt_request(body, {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"})
    dropped = drop(body, retry, lambda: passed.append("again"))
    assert dropped is not None and dropped.status == 200
    other = {**body, "event_id": "Ev2"}
    timeout = _bolt_request(
        other, {"x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout"}
    )
    assert drop(other, timeout, lambda: passed.append("Ev2")) is not None  # another replica has it
    third = {**body, "event_id": "Ev3"}
    error = _bolt_request(third, {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"})
    assert drop(third, error, lambda: passed.append("Ev3")) is None  # first delivery failed
    assert passed == ["Ev1", "Ev3"]


def test_a_retry_reaching_another_replica_is_dropped_by_the_shared_claim(tmp_path: Path) -> None:
    with Records.open(f"sqlite:///{tmp_path / 'shared.db'}") as shared:
        replica_a = dedupe_events(TTLCache(60.0, 100), shared.claim_event)
        replica_b = dedupe_events(TTLCache(60.0, 100), shared.claim_event)
        body = {"type": "event_callback", "event_id": "EvX1", "event": {"type": "app_mention"}}
        passed: list[str] = []
        assert replica_a(body, _bolt_request(body), lambda: passed.append("a")) is None
        headers = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"}
        dropped = replica_b(body, _bolt_request(body, headers), lambda: passed.append("b"))
        assert dropped is not None and dropped.status == 200
        assert passed == ["a"]

    def broken(_key: str) -> bool:
        raise RecordsError("database unavailable")

    lenient = dedupe_events(TTLCache(60.0, 100), broken)
    other = {**body, "event_id": "EvX2"}
    assert lenient(other, _bolt_request(other), lambda: passed.append("c")) is None
    assert passed == ["a", "c"]  # no database: handled, never silently dropped
