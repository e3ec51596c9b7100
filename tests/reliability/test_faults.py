"""Faults while people use the Slack bot over real signed HTTP: the records database cut off
(PostgreSQL behind a TCP proxy that drops every connection), the Chroma server restarted, and
the LLM endpoint slow or down. The bot is never restarted."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply
from slack_fixtures import SECRET, LiveBot, new_user, start_bot
from slack_standin import Call, SlackStandIn, buttons
from sqlalchemy import make_url

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.practice import Practice
from assistant.questions.bank import AUTHORED_FOLDER, QuestionBank
from assistant.records import Records
from bots.protocol import FRIENDLY_ERROR
from bots.resilience import NOT_RECORDED

from .conftest import DIMENSION, write_corpus
from .procs import ChromaProcess, TcpProxy, proxied, wait_until

pytestmark = pytest.mark.slow

QUESTION = "How are records kept and checked every month?"


def dm(user: str) -> str:
    return "D" + user[1:]


def bot_settings(standin: SlackStandIn, home: Path, **extra: object) -> Settings:
    return Settings(
        home=home,
        slack_api_url=standin.api_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_workers=4,
        **extra,  # type: ignore[arg-type]
    )


def practice_over(assistant: Assistant, url: str, folder: Path) -> Practice:
    corpus = assistant.settings.corpus_dir
    return Practice(
        assistant,
        Records.open(url),
        bank=QuestionBank(folder / "questions.jsonl", authored_dir=corpus / AUTHORED_FOLDER),
        interviews_dir=corpus / "interviews",
    )


def attempts(url: str, user: str) -> list:  # type: ignore[type-arg]
    """The user's attempts, read straight from the database (not through the proxy)."""
    with Records.open(url, migrate=False) as records:
        person = records.get_person(user)
        assert person is not None
        now = datetime.now(UTC)
        return records.attempts_between(
            now - timedelta(hours=1), now + timedelta(hours=1), person=person
        )


def updates_of(standin: SlackStandIn, ts: str) -> list[Call]:
    return [c for c in standin.of("chat.update") if c.params.get("ts") == ts]


# -- the records database -------------------------------------------------------------------


@pytest.fixture
def db_bot(
    hash_assistant: Assistant, pg_url: str, standin: SlackStandIn, tmp_path: Path
) -> Iterator[tuple[LiveBot, TcpProxy]]:
    """The bot with its records in PostgreSQL reached through a proxy the test can cut."""
    target = make_url(pg_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    practice = practice_over(hash_assistant, proxied(pg_url, proxy.port), tmp_path)
    practice.sync_bank()
    settings = bot_settings(standin, tmp_path / "bot", records_retry_s=1.5)
    live = start_bot(settings, hash_assistant, practice, standin)
    try:
        yield live, proxy
    finally:
        live.server.stop()
        practice.close()
        proxy.close()


def _quiz(live: LiveBot, user: str) -> list[Call]:
    live.slack.command(user, "quiz")

    def mine() -> list[Call]:
        return [
            c
            for c in live.standin.of("chat.postMessage")
            if c.params.get("_channel") == dm(user) and buttons(c.params)
        ]

    return wait_until(lambda: len(mine()) >= 2 and mine(), timeout=30, what="quiz questions")


def _click(live: LiveBot, user: str, question: Call) -> None:
    p = question.params
    status, _ = live.slack.click(user, p, buttons(p)[0], channel=p["_channel"], ts=p["_ts"])
    assert status == 200


def test_database_down_while_answering_a_quiz(
    db_bot: tuple[LiveBot, TcpProxy], pg_url: str
) -> None:
    live, proxy = db_bot
    user = new_user()
    first, second = _quiz(live, user)[:2]

    # A short outage: the recording step is retried and succeeds; the person sees the grade.
    proxy.cut()
    restore = threading.Timer(0.6, proxy.restore)
    restore.start()
    _click(live, user, first)
    graded = wait_until(
        lambda: updates_of(live.standin, first.params["_ts"]),
        timeout=20,
        what="the graded first question",
    )
    restore.join()
    shown = graded[0].text()
    assert "Source: *" in shown and "Already answered" not in shown
    assert len(attempts(pg_url, user)) == 1

    # A long outage: refused in plain words, nothing recorded, the buttons stay.
    proxy.cut()
    try:
        _click(live, user, second)
        refusal = wait_until(
            lambda: [
                c for c in live.standin.of("response_url") if c.params.get("text") == NOT_RECORDED
            ],
            timeout=20,
            what="the not-recorded reply",
        )
        assert refusal[0].params["response_type"] == "ephemeral"
        time.sleep(0.3)
        assert updates_of(live.standin, second.params["_ts"]) == []
    finally:
        proxy.restore()
    assert len(attempts(pg_url, user)) == 1

    # Back up: answering again records it, once.
    _click(live, user, second)
    wait_until(
        lambda: updates_of(live.standin, second.params["_ts"]),
        timeout=20,
        what="the graded second question",
    )
    recorded = attempts(pg_url, user)
    assert len(recorded) == 2 and len({a.question_id for a in recorded}) == 2
    assert FRIENDLY_ERROR not in json.dumps([c.params for c in live.standin.calls])


def test_database_down_during_an_interview_answer(
    db_bot: tuple[LiveBot, TcpProxy], pg_url: str
) -> None:
    live, proxy = db_bot
    user = new_user()
    live.slack.command(user, "interview")
    roots = wait_until(
        lambda: [
            c
            for c in live.standin.of("chat.postMessage")
            if (c.params.get("metadata") or {}).get("event_type") == "copc_interview"
        ],
        timeout=60,
        what="the interview",
    )
    root = roots[0].params

    def reply(ts: str) -> None:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": root["_channel"],
            "user": user,
            "ts": ts,
            "thread_ts": root["_ts"],
            "text": "A sample of contacts is monitored every month and the records are kept.",
        }
        assert live.slack.event(event, event_id=f"Ev{uuid.uuid4().hex[:10]}")[0] == 200

    def in_thread(text: str) -> list[Call]:
        return [
            c
            for c in live.standin.of("chat.postMessage")
            if c.params.get("thread_ts") == root["_ts"] and text in c.text()
        ]

    proxy.cut()
    try:
        reply("1700030000.000100")
        wait_until(lambda: in_thread("not recorded"), timeout=20, what="the not-recorded reply")
    finally:
        proxy.restore()
    with Records.open(pg_url, migrate=False) as records:
        person = records.get_person(user)
        assert person is not None
        (session,) = records.interviews_for(person)
        assert [t.get("kind") for t in session.turns] == ["plan"]  # nothing half-recorded

    reply("1700030001.000100")  # the person answers again
    wait_until(lambda: in_thread("Score "), timeout=30, what="the grade")
    with Records.open(pg_url, migrate=False) as records:
        (session,) = records.interviews_for(person)
        assert [t.get("kind") for t in session.turns] == ["plan", "answer"]


# -- the Chroma server ----------------------------------------------------------------------


def test_chroma_server_restarted_mid_session(standin: SlackStandIn, tmp_path: Path) -> None:
    chroma = ChromaProcess(tmp_path / "chroma-data")
    chroma.start()
    live: LiveBot | None = None
    try:
        settings = bot_settings(
            standin,
            tmp_path / "home",
            chroma_url=chroma.url,
            collection=f"restart-{uuid.uuid4().hex[:8]}",
            chroma_retry_s=5.0,
            index_check_s=0.0,
        )
        assistant = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
        assert assistant.ingest([write_corpus(tmp_path / "corpus", "alpha")]).ok
        practice = practice_over(assistant, f"sqlite:///{tmp_path / 'records.db'}", tmp_path)
        live = start_bot(settings, assistant, practice, standin)
        user = new_user()

        def ask() -> tuple[dict, float]:  # type: ignore[type-arg]
            count = len(standin.of("response_url"))
            started = time.monotonic()
            assert live.slack.command(user, f"ask {QUESTION}")[0] == 200  # type: ignore[union-attr]
            posted = standin.wait_count("response_url", count + 1, timeout=30)[-1]
            return posted.params, time.monotonic() - started

        def cited(params: dict) -> bool:  # type: ignore[type-arg]
            return "*Sources*" in json.dumps(params) and "alpha" in json.dumps(params)

        assert cited(ask()[0])

        chroma.stop()  # down for longer than the retry budget: a friendly line, no traceback
        params, _ = ask()
        assert params["text"] == FRIENDLY_ERROR

        chroma.start()  # back on the same port and data: answered again, no bot restart
        assert cited(ask()[0])

        chroma.stop()  # a restart while a question is in flight: retried to success
        restart = threading.Thread(target=chroma.start)
        restart.start()
        params, _ = ask()
        restart.join(timeout=60)
        assert cited(params)
    finally:
        if live is not None:
            live.server.stop()
        chroma.stop()


# -- the LLM endpoint -----------------------------------------------------------------------


ACK_BUDGET_S = 3.0


def test_slow_or_down_llm_answers_extractively_within_the_ack_budget(
    hash_home: Path, standin: SlackStandIn, tmp_path: Path
) -> None:
    with FakeOpenAI(default=Reply("Too late [1].", delay_s=30)) as fake:
        settings = bot_settings(
            standin,
            hash_home,
            llm_base_url=fake.url,
            llm_model="fake-model",
            llm_timeout_s=1.5,
            llm_cooldown_s=60.0,
        )
        assistant = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
        practice = practice_over(assistant, f"sqlite:///{tmp_path / 'records.db'}", tmp_path)
        live = start_bot(settings, assistant, practice, standin)
        try:
            user = new_user()
            timings, notes = [], []
            for n in range(3):
                started = time.monotonic()
                live.slack.command(user, "ask How was the service level target set?")
                posted = standin.wait_count("response_url", n + 1, timeout=30)[-1].params
                timings.append(time.monotonic() - started)
                text = json.dumps(posted, ensure_ascii=False)
                assert "*Sources*" in text and "[1]" in text  # the extractive, cited answer
                notes.append([n for n in ("LLM timed out", "LLM unavailable") if n in text])
        finally:
            live.server.stop()
            practice.close()
        assert max(timings) <= ACK_BUDGET_S, timings
        assert notes == [["LLM timed out"], ["LLM unavailable"], ["LLM unavailable"]]
        assert len(fake.requests) == 1  # one timeout, then no call while it cools down
        assert max(timings[1:]) < timings[0]
        down_url = fake.url

    # The endpoint gone altogether (nothing listens on its port): refused at once.
    settings = settings.model_copy(update={"llm_base_url": down_url, "llm_cooldown_s": 0.0})
    assistant = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    started = time.monotonic()
    answer = assistant.ask("How was the service level target set?")
    assert time.monotonic() - started <= ACK_BUDGET_S
    assert answer.citations and answer.notes[-1] == "LLM call failed; showing the extractive answer"
