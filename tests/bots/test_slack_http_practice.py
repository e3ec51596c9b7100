"""End to end over real HTTP: quizzes, typed answers, interviews, App Home, stats, reports,
and 20 people answering at the same moment (each attempt recorded exactly once)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_fixtures import LiveBot, new_user, start_bot
from slack_standin import Call, SlackStandIn, buttons

from assistant.app import Assistant
from assistant.config import Settings
from assistant.practice import Practice, QuizItem, grade
from assistant.practice.service import from_row
from bots import quiz
from bots.report import REFUSAL

pytestmark = pytest.mark.slow


def dm(user: str) -> str:
    return "D" + user[1:]


def quiz_questions(standin: SlackStandIn, user: str, count: int = 1) -> list[Call]:
    """Wait for ``count`` question messages with buttons in ``user``'s DM."""

    def mine(calls: list[Call]) -> list[Call]:
        return [
            c
            for c in calls
            if c.method == "chat.postMessage"
            and c.params.get("_channel") == dm(user)
            and buttons(c.params)
        ]

    return mine(standin.wait_for(lambda calls: len(mine(calls)) >= count, what="quiz questions"))


def attempts_of(practice: Practice, user: str) -> list:  # type: ignore[type-arg]
    person = practice.records.get_person(user)
    assert person is not None
    now = datetime.now(UTC)
    return practice.records.attempts_between(
        now - timedelta(hours=1), now + timedelta(hours=1), person=person
    )


def test_quiz_click_updates_the_message_and_cannot_count_twice(
    live: LiveBot, practice: Practice
) -> None:
    user = new_user()
    status, body = live.slack.command(user, "quiz")
    assert status == 200 and "DM" in body
    question = quiz_questions(live.standin, user)[0]
    choice = buttons(question.params)[0]
    channel, ts = question.params["_channel"], question.params["_ts"]
    live.slack.click(user, question.params, choice, channel=channel, ts=ts)
    update = live.standin.wait_count("chat.update", 1)[0].params
    assert (update["channel"], update["ts"]) == (channel, ts)
    shown = json.dumps(update, ensure_ascii=False)
    assert any(mark in shown for mark in ("✅ Correct", "❌ Not quite", "🟡 Partly right"))
    assert "Source: *" in shown
    assert buttons(update) == []  # no buttons left to click

    second = buttons(question.params)[-1]
    live.slack.click(user, question.params, second, channel=channel, ts=ts)
    again = live.standin.wait_count("chat.update", 2)[1].params
    assert "Already answered" in json.dumps(again)
    assert len(attempts_of(practice, user)) == 1


def test_typed_answer_in_the_thread_is_graded_there(live: LiveBot, practice: Practice) -> None:
    user = new_user()
    cloze = next(
        from_row(r) for r in practice.records.list_questions(status="approved") if r.type == "cloze"
    )
    practice.enrol(user)
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
    reply = {
        "type": "message",
        "channel_type": "im",
        "channel": posted["_channel"],
        "user": user,
        "text": str(cloze.answer),
        "ts": "1700009999.000300",
        "thread_ts": posted["_ts"],
    }
    live.slack.event(reply)
    expected = grade(cloze, str(cloze.answer))  # the bot shows the engine's grade, whatever it is
    mark = {"correct": "✅ Correct", "partial": "🟡 Partly right"}.get(expected.verdict, "❌")
    update = live.standin.wait_count("chat.update", 1)[0].params
    assert update["ts"] == posted["_ts"] and mark in json.dumps(update, ensure_ascii=False)
    in_thread = [
        c
        for c in live.standin.wait_count("chat.postMessage", 3)
        if c.params.get("thread_ts") == posted["_ts"]
    ]
    assert in_thread and mark in in_thread[0].text() and "Source: *" in in_thread[0].text()
    attempts = attempts_of(practice, user)
    assert [(a.question_id, a.score) for a in attempts] == [(cloze.id, expected.score)]


def test_interview_is_asked_and_graded_in_the_dm_thread(live: LiveBot) -> None:
    user = new_user()
    live.slack.command(user, "interview")
    root = live.standin.wait_for(
        lambda calls: any(
            (c.params.get("metadata") or {}).get("event_type") == "copc_interview" for c in calls
        ),
        what="the interview",
        timeout=60,
    )
    start = next(c for c in root if c.params.get("metadata")).params
    assert "Question 1 of" in json.dumps(start)
    total = int(json.dumps(start).split("Question 1 of ")[1][0])
    for n in range(total):
        answer = {
            "type": "message",
            "channel_type": "im",
            "channel": start["_channel"],
            "user": user,
            "ts": f"17000200{n:02d}.000100",
            "thread_ts": start["_ts"],
            "text": "We monitor a sample of calls per agent each month, as the QA "
            "procedure sets, and the client approves the targets.",
        }
        event_id = f"EvINT{user}{n}"
        live.slack.event(answer, event_id=event_id)
        live.slack.event(
            answer,
            event_id=event_id,  # Slack's retry: no second grade
            headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"},
        )
        live.standin.wait_for(
            lambda calls, k=n: (
                sum(
                    "Score " in c.text() for c in calls if c.params.get("thread_ts") == start["_ts"]
                )
                >= k + 1
            ),
            what=f"grade {n + 1}",
            timeout=60,
        )
    thread = live.standin.wait_for(
        lambda calls: any("Interview finished" in c.text() for c in calls), what="the end"
    )
    in_thread = [c.text() for c in thread if c.params.get("thread_ts") == start["_ts"]]
    assert sum("Score " in t for t in in_thread) == total
    assert sum("Question " in t for t in in_thread) == total - 1
    assert any("Model answer" in t for t in in_thread)


def test_app_home_shows_due_questions_mastery_and_start_practice(live: LiveBot) -> None:
    user = new_user()
    live.slack.event({"type": "app_home_opened", "user": user, "channel": dm(user), "tab": "home"})
    view = live.standin.wait_count("views.publish", 1)[0].params
    assert view["user_id"] == user
    shown = json.dumps(view["view"], ensure_ascii=False)
    assert "Up next" in shown and "Mastery by area" in shown
    start = next(b for b in buttons(view["view"]) if b["action_id"] == "start_practice")
    live.slack.click(user, view, start, channel=dm(user), ts="1700000000.000001")
    assert quiz_questions(live.standin, user)


def test_stats_are_private_and_report_refuses_agents(live: LiveBot) -> None:
    user = new_user()
    live.slack.command(user, "stats")
    stats = live.standin.wait_count("response_url", 1)[0].params
    assert stats["response_type"] == "ephemeral" and "Your COPC readiness" in json.dumps(stats)
    live.slack.command(user, "report Harbor Voice A")
    refusal = live.standin.wait_count("response_url", 2)[1].params
    assert refusal["text"] == REFUSAL


def test_report_for_a_manager_named_in_the_roles_file(
    standin: SlackStandIn,
    bot_settings: Settings,
    bot_assistant: Assistant,
    practice: Practice,
    tmp_path: Path,
) -> None:
    lead, manager = new_user(), new_user()
    roles = tmp_path / "roles.yaml"
    roles.write_text(
        f"users:\n  {manager}: {{role: manager}}\n"
        f"groups:\n  S0LEADS: {{role: team_lead, team: Harbor Voice A}}\n"
    )
    standin.groups["S0LEADS"] = [lead]
    live = start_bot(
        bot_settings.model_copy(update={"roles_file": roles}), bot_assistant, practice, standin
    )
    try:
        live.slack.command(lead, "report Lumen Chat")  # not their team
        assert standin.wait_count("response_url", 1)[0].params["text"] == REFUSAL
        live.slack.command(manager, "report")
        report = standin.wait_count("response_url", 2)[1].params
        assert report["response_type"] == "ephemeral"
        assert report["text"] != REFUSAL and report.get("blocks")
    finally:
        live.server.stop()


def test_twenty_people_answering_at_once_are_each_recorded_once(
    live: LiveBot, practice: Practice
) -> None:
    users = [new_user() for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        assert set(pool.map(lambda u: live.slack.command(u, "quiz")[0], users)) == {200}
    firsts = {u: quiz_questions(live.standin, u)[0] for u in users}

    def click(user: str) -> int:
        question = firsts[user].params
        return live.slack.click(
            user, question, buttons(question)[0], channel=question["_channel"], ts=question["_ts"]
        )[0]

    with ThreadPoolExecutor(20) as pool:  # each person clicks twice, all at once
        statuses = list(pool.map(click, users + users))
    assert set(statuses) == {200}
    updates = live.standin.wait_count("chat.update", 40, timeout=60)
    assert {u.params["channel"] for u in updates} == {dm(u) for u in users}
    deadline = time.monotonic() + 10
    while True:
        counts = {u: len(attempts_of(practice, u)) for u in users}
        if all(counts.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert counts == dict.fromkeys(users, 1)
