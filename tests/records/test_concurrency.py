"""Two answers at the same moment never lose or duplicate data, on every backend."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TypeVar

from assistant.records import Person, Records
from assistant.scheduling import Scheduler

from .conftest import NOW

T = TypeVar("T")


def _at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` on ``count`` threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_threads_same_key_write_one_attempt(
    records: Records, agent: Person, bank: list[str]
) -> None:
    scheduler = Scheduler()
    results = _at_once(
        20,
        lambda _i: scheduler.record(
            records,
            agent,
            "q1",
            "a",
            correct=True,
            score=100,
            idempotency_key="slack:retry:1",
            surface="slack",
            answered_at=NOW,
        ),
    )
    assert sum(created for _, created in results) == 1
    assert len({attempt.id for attempt, _ in results}) == 1
    assert len(records.attempts_between(NOW, NOW + timedelta(seconds=1))) == 1
    card = records.get_card(agent, "q1")
    assert card is not None
    assert card.reps == 1  # the card moved once, not twenty times


def test_twenty_threads_different_keys_write_twenty_attempts(
    records: Records, agent: Person, bank: list[str]
) -> None:
    scheduler = Scheduler()
    results = _at_once(
        20,
        lambda i: scheduler.record(
            records,
            agent,
            "q1",
            "a",
            correct=True,
            score=100,
            idempotency_key=f"key-{i}",
            answered_at=NOW + timedelta(seconds=i),
        ),
    )
    assert all(created for _, created in results)
    assert len({attempt.id for attempt, _ in results}) == 20
    assert len(records.attempts_between(NOW, NOW + timedelta(minutes=1))) == 20
    card = records.get_card(agent, "q1")
    assert card is not None
    assert card.reps == 20  # no lost update on the shared card


def test_ten_concurrent_daily_claims_one_winner(records: Records, agent: Person) -> None:
    day = date(2025, 3, 3)
    results = _at_once(10, lambda _i: records.claim_daily(agent, day, now=NOW))
    assert sorted(results) == [False] * 9 + [True]
    assert records.claim_daily(agent, day) is False
    assert records.claim_daily(agent, day + timedelta(days=1)) is True



def test_ten_threads_same_interview_answer_append_one_turn(records: Records, agent: Person) -> None:
    session = records.start_interview(agent, "manager", now=NOW)
    results = _at_once(
        10,
        lambda i: records.record_interview_turn(
            session.id, {"answer": f"copy {i}", "score": 60.0}, idempotency_key="slack:Ev1"
        )[1],
    )
    assert sum(1 for earlier in results if earlier is None) == 1
    turns = records.get_interview(session.id).turns
    assert len(turns) == 1 and turns[0]["key"] == "slack:Ev1"
    assert all(earlier == turns[0] for earlier in results if earlier is not None)


def test_ten_concurrent_event_claims_one_winner_and_purge(records: Records) -> None:
    results = _at_once(10, lambda _i: records.claim_event("slack:Ev9", now=NOW))
    assert sorted(results) == [False] * 9 + [True]
    assert records.claim_event("slack:Ev10", now=NOW + timedelta(days=2)) is True
    assert records.purge_event_claims(NOW + timedelta(days=1)) == 1
    assert records.claim_event("slack:Ev9", now=NOW + timedelta(days=2)) is True  # forgotten
    assert records.claim_event("slack:Ev10") is False

_CLAIMER = """
import sys
from datetime import date
from assistant.records import Records
records = Records.open(sys.argv[1], migrate=False)
print("ready", flush=True)
sys.stdin.readline()
print(records.claim_daily(int(sys.argv[2]), date(2025, 3, 3)), flush=True)
"""


def test_daily_claim_across_processes_one_winner(
    records: Records, records_url: str, agent: Person
) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CLAIMER, records_url, str(agent.id)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:  # every process imported and connected: release them together
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.communicate()[1]
    outputs = [proc.communicate("go\n", timeout=60) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in outputs]
    assert sorted(out.strip() for out, _ in outputs) == ["False", "False", "True"]
