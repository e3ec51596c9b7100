"""Scale-out: two bot processes (each its own home, as on two machines) sharing a `chroma run`
server and PostgreSQL, people spread across both, Slack's retries landing on the other
process, the daily practice from both loops, and a re-index while both keep answering."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_fixtures import SECRET, new_user
from slack_standin import Call, SlackSender, SlackStandIn, buttons

from assistant.app import Assistant, build_assistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import HashEmbedder
from assistant.practice import Practice
from assistant.questions.bank import AUTHORED_FOLDER, QuestionBank
from assistant.records import Records

from .conftest import DIMENSION
from .procs import free_port, postgres_available, postgres_schema, wait_until

pytestmark = pytest.mark.slow

REPLICA = Path(__file__).resolve().parent / "replica.py"
DAILY_ZONE = "Asia/Karachi"  # UTC+5 all year: the daily hour is five hours after UTC's
KESTREL = "What does the Kestrel escalation ladder require?"
KESTREL_DOC = """---
title: Kestrel escalation ladder
doc_id: SITE-KES-031
version: "1.0"
program: Site-wide
doc_type: Procedure
---

# Kestrel escalation ladder

The Kestrel escalation ladder sends every unresolved complaint to the duty manager within
15 minutes, and to the site director within 2 hours when the customer is still waiting.
"""


@dataclass
class Cluster:
    """Two replicas, the shared stores and the Slack stand-in they all talk to."""

    senders: list[SlackSender]
    urls: list[str]
    standin: SlackStandIn
    database_url: str
    settings: Settings
    """The indexer's settings (its own home, the shared Chroma collection)."""
    approved: list[str]
    """Generated questions the quality team approved on the indexer before replicas started."""
    homes: list[Path]

    def records(self) -> Records:
        return Records.open(self.database_url, migrate=False)


def _daily_hour() -> int:
    now = datetime.now(UTC)
    if now.minute == 59 and now.second >= 20:  # let the hour turn rather than straddle it
        time.sleep(61 - now.second)
        now = datetime.now(UTC)
    return (now.hour + 5) % 24


@pytest.fixture(scope="module")
def cluster(chroma_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    reason = postgres_available()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("scale-out")
    collection = f"scale-{uuid.uuid4().hex[:8]}"
    settings = Settings(home=root / "indexer", chroma_url=chroma_server, collection=collection)
    indexer = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    assert indexer.ingest().ok
    standin = SlackStandIn()
    procs: list[subprocess.Popen[bytes]] = []
    with postgres_schema() as (database_url, _schema):
        reviewed = Practice(
            indexer,
            Records.open(database_url),
            bank=QuestionBank(
                settings.home / "questions.jsonl",
                authored_dir=settings.corpus_dir / AUTHORED_FOLDER,
            ),
            interviews_dir=settings.corpus_dir / "interviews",
        )
        reviewed.sync_bank()
        approved = [q.id for q in reviewed.records.list_questions(status="draft")][:3]
        assert reviewed.review(approved, "approved") == 3
        reviewed.close()
        try:
            ports = [free_port(), free_port()]
            base_env = {k: v for k, v in os.environ.items() if not k.startswith("COPC_")}
            for n, port in enumerate(ports):
                env = {
                    **base_env,
                    "COPC_HOME": str(root / f"replica{n}"),
                    "COPC_CHROMA_URL": chroma_server,
                    "COPC_COLLECTION": collection,
                    "COPC_DATABASE_URL": database_url,
                    "COPC_SLACK_API_URL": standin.api_url,
                    "SLACK_BOT_TOKEN": "xoxb-scale-out",
                    "SLACK_SIGNING_SECRET": SECRET,
                    "COPC_SLACK_WORKERS": "4",
                    "COPC_SLACK_DAILY_HOUR": str(_daily_hour()),
                    "COPC_SLACK_DAILY_CHECK_S": "0.5",
                    "COPC_INDEX_CHECK_S": "0.2",
                    "HF_HUB_OFFLINE": "1",
                }
                log = (root / f"replica{n}.log").open("wb")
                procs.append(
                    subprocess.Popen(
                        [sys.executable, str(REPLICA), str(port), "--daily"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
                log.close()
            urls = [f"http://127.0.0.1:{port}" for port in ports]

            def healthy() -> bool:
                for proc, url in zip(procs, urls, strict=True):
                    assert proc.poll() is None, (root / "replica0.log").read_text()[-2000:]
                    try:
                        with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                            pass
                    except OSError:
                        return False
                return True

            wait_until(healthy, timeout=180, what="both replicas", every=0.3)
            senders = [SlackSender(f"{u}/slack/events", SECRET, standin) for u in urls]
            homes = [root / "replica0", root / "replica1"]
            yield Cluster(senders, urls, standin, database_url, settings, approved, homes)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=20)
            standin.close()


def dm(user: str) -> str:
    return "D" + user[1:]


def quiz_questions(standin: SlackStandIn, user: str) -> list[Call]:
    def mine() -> list[Call]:
        return [
            c
            for c in standin.of("chat.postMessage")
            if c.params.get("_channel") == dm(user) and buttons(c.params)
        ]

    return wait_until(lambda: len(mine()) >= 2 and mine(), timeout=60, what="quiz questions")


def test_people_on_both_replicas_are_recorded_exactly_once(cluster: Cluster) -> None:
    users = [new_user() for _ in range(6)]
    for n, user in enumerate(users):  # each person's quiz comes from one replica...
        assert cluster.senders[n % 2].command(user, "quiz")[0] == 200
    firsts = {user: quiz_questions(cluster.standin, user)[:2] for user in users}

    def click_twice(job: tuple[int, str, Call]) -> list[int]:
        """...and each click reaches both (a double click, or a retry sent elsewhere)."""
        n, user, question = job
        p = question.params
        action = buttons(p)[0]
        return [
            cluster.senders[(n + k) % 2].click(user, p, action, channel=p["_channel"], ts=p["_ts"])[
                0
            ]
            for k in range(2)
        ]

    jobs = [(n, u, q) for n, u in enumerate(users) for q in firsts[u]]
    with ThreadPoolExecutor(12) as pool:
        statuses = [s for pair in pool.map(click_twice, jobs) for s in pair]
    assert set(statuses) == {200}
    cluster.standin.wait_for(
        lambda calls: sum(c.method == "chat.update" for c in calls) >= 2 * len(jobs),
        timeout=60,
        what="every click answered",
    )
    now = datetime.now(UTC)
    with cluster.records() as records:
        for user in users:
            person = records.get_person(user)
            assert person is not None
            got = records.attempts_between(now - timedelta(hours=1), now, person=person)
            assert sorted(a.question_id for a in got) == sorted(
                str(buttons(q.params)[0]["value"]).rpartition("|")[0] for q in firsts[user]
            ), f"{user}: {len(got)} attempts for 2 questions"
    shown = [c.text() for c in cluster.standin.of("chat.update")]
    assert sum("Already answered" in t for t in shown) == len(jobs)  # the second of each pair


def test_an_event_retried_to_the_other_replica_is_answered_once(cluster: Cluster) -> None:
    user = new_user()
    cluster.senders[0].command(user, "interview")
    root = wait_until(
        lambda: [
            c.params
            for c in cluster.standin.of("chat.postMessage")
            if c.params.get("_channel") == dm(user) and c.params.get("metadata")
        ],
        timeout=60,
        what="the interview",
    )[0]
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": root["_channel"],
        "user": user,
        "ts": "1700040000.000100",
        "thread_ts": root["_ts"],
        "text": "Each agent has a sample of contacts monitored every month by the QA team.",
    }
    event_id = f"EvSCALE{uuid.uuid4().hex[:8]}"
    retry = {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_error"}
    with ThreadPoolExecutor(2) as pool:  # Slack's retry reaches the other process at once
        first = pool.submit(cluster.senders[0].event, event, event_id=event_id)
        again = pool.submit(cluster.senders[1].event, event, event_id=event_id, headers=retry)
        assert first.result()[0] == again.result()[0] == 200

    def grades() -> list[Call]:
        return [
            c
            for c in cluster.standin.of("chat.postMessage")
            if c.params.get("thread_ts") == root["_ts"] and "Score " in c.text()
        ]

    wait_until(grades, timeout=60, what="the grade")
    time.sleep(1.5)  # a second grade, if any, would have been posted by now
    assert len(grades()) == 1
    with cluster.records() as records:
        person = records.get_person(user)
        assert person is not None
        (session,) = records.interviews_for(person)
        assert sum(t.get("kind") == "answer" for t in session.turns) == 1


def test_daily_practice_goes_out_once_per_person_from_two_loops(cluster: Cluster) -> None:
    daily = [new_user() for _ in range(4)]
    others = [new_user() for _ in range(2)]
    with cluster.records() as records:  # enrolled as the bot would; both loops look every 0.5 s
        for user in daily:
            records.upsert_person(user, display_name=user, timezone=DAILY_ZONE)
        for user in others:
            records.upsert_person(user, display_name=user, timezone="UTC")

    def intros(user: str) -> list[Call]:
        return [
            c
            for c in cluster.standin.of("chat.postMessage")
            if c.params.get("channel") == user and "daily practice" in c.params.get("text", "")
        ]

    wait_until(lambda: all(intros(u) for u in daily), timeout=60, what="every daily DM")
    time.sleep(2.0)  # four more passes of each loop: nothing more may go out
    assert [len(intros(u)) for u in daily] == [1] * len(daily)
    assert [len(intros(u)) for u in others] == [0] * len(others)


def test_a_rebuild_while_serving_switches_both_replicas_without_a_restart(
    cluster: Cluster, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    (corpus / "site" / "kestrel-escalation-ladder.md").write_text(KESTREL_DOC, encoding="utf-8")
    indexer: Assistant = build_assistant(cluster.settings, embedder=HashEmbedder(DIMENSION))
    user = new_user()
    answers: list[tuple[int, float, str]] = []
    stop = threading.Event()

    def ask_forever() -> None:
        """Ask both replicas in turn until stopped (bounded: at most 400 questions)."""
        for n in range(400):
            if stop.is_set():
                return
            replica = n % 2
            count = len(cluster.standin.of("response_url"))
            cluster.senders[replica].command(user, f"ask {KESTREL}")
            posted = cluster.standin.wait_count("response_url", count + 1, timeout=60)[-1]
            answers.append((replica, time.monotonic(), json.dumps(posted.params)))

    asker = threading.Thread(target=ask_forever)
    asker.start()
    try:
        wait_until(lambda: len(answers) >= 4, timeout=60, what="answers before the rebuild")
        started = time.monotonic()
        report = indexer.ingest([corpus], rebuild=True)
        finished = time.monotonic()
        wait_until(
            lambda: sum(at > finished + 1.0 for _, at, _ in answers) >= 4,
            timeout=60,
            what="answers after the switch",
        )
    finally:
        stop.set()
        asker.join(timeout=120)

    assert report.ok and report.switched
    assert all("*Sources*" in text for _, _, text in answers), "an answer came back empty"
    assert not any("went wrong" in text for _, _, text in answers)
    during = [text for _, at, text in answers if started <= at <= finished]
    assert during and not any("SITE-KES-031" in text for text in during[:-1])
    for replica in (0, 1):  # each switched once, for good, without a restart
        cited = ["SITE-KES-031" in text for r, _, text in answers if r == replica]
        assert cited[0] is False and cited[-1] is True
        assert cited == sorted(cited), f"replica {replica} went back to the old index"


def test_review_decisions_survive_replicas_that_build_their_own_banks(cluster: Cluster) -> None:
    """Each replica generated its question bank in its own home: approvals made by the
    quality team before (kept in the shared records) must not fall back to drafts."""
    with cluster.records() as records:
        assert [records.get_question(q).status for q in cluster.approved] == ["approved"] * 3
    for home in cluster.homes:
        bank = QuestionBank(home / "questions.jsonl").load()
        statuses = {q.id: q.status for q in bank}
        assert [statuses[q] for q in cluster.approved] == ["approved"] * 3
