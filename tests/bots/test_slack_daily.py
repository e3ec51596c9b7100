"""Daily practice: each person's due questions at their local hour, once per day, even with
several bot processes (each with its own engine and connections) sharing the database."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_fixtures import new_user, open_practice
from slack_standin import SlackStandIn

from assistant.app import Assistant
from assistant.config import Settings
from assistant.practice import Practice
from bots.app import create_app, web_client

pytestmark = pytest.mark.slow

#: 09:30 UTC is 15:00 in Kolkata, 10:30 in Madrid and 04:30 in New York.
NOW = datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
HOUR = 15


def test_daily_dm_goes_out_once_per_person_across_processes(
    standin: SlackStandIn,
    bot_settings: Settings,
    bot_assistant: Assistant,
    practice: Practice,
    practice_home: Path,
) -> None:
    kolkata, madrid, new_york = new_user(), new_user(), new_user()
    for user, zone in (
        (kolkata, "Asia/Kolkata"),
        (madrid, "Europe/Madrid"),
        (new_york, "America/New_York"),
    ):
        practice.enrol(user, timezone=zone)
    practice.enrol("cli-user-7", timezone="Asia/Kolkata")  # not a Slack id: never messaged

    settings = bot_settings.model_copy(update={"slack_daily_hour": HOUR})
    replicas = []
    for _ in range(3):  # three processes: each its own engine over the shared database
        engine = open_practice(bot_assistant, practice_home)
        replicas.append((engine, create_app(settings, bot_assistant, engine, web_client(settings))))
    sent: list[int] = []
    barrier = threading.Barrier(len(replicas))

    def run(bot_index: int) -> None:
        barrier.wait()
        sent.append(replicas[bot_index][1].daily.run_once(NOW))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for _ in range(2):  # and again later the same day: nothing more
        assert replicas[0][1].daily.run_once(NOW.replace(minute=55)) == 0
    for engine, _bot in replicas:
        engine.close()

    intros = [c for c in standin.of("chat.postMessage") if "daily practice" in c.params["text"]]
    assert [c.params["channel"] for c in intros] == [kolkata]
    assert sum(sent) == 1
    questions = [
        c
        for c in standin.of("chat.postMessage")
        if c.params["channel"] == kolkata and c not in intros
    ]
    assert 1 <= len(questions) <= settings.slack_quiz_size
    assert all(
        "Practice ·" in json.dumps(c.params["blocks"], ensure_ascii=False) for c in questions
    )
    assert standin.of("chat.postMessage") == intros + questions  # Madrid, New York: not now
