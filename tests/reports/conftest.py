"""Fixtures for the report tests: a hand-built practice history on SQLite and PostgreSQL.

The history (``scenario``) is small enough to compute every figure by hand; the expected
values live in ``test_readiness.py`` next to the assertions. PostgreSQL is the server at
127.0.0.1:5432 (override with ``COPC_TEST_POSTGRES_URL``); each test gets its own schema.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from assistant.records import Person, Question, Records
from assistant.scheduling import Scheduler

POSTGRES_URL = os.environ.get(
    "COPC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: A Monday, midday UTC: the report's "now".
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=28)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server's URL, or a skip naming why it did not answer."""
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no server here"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        pytest.skip(
            f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} did not answer: {reason}"
        )
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def records(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Records]:
    """A migrated, empty ``Records`` on each backend."""
    if request.param == "sqlite":
        opened = Records.open(f"sqlite:///{tmp_path / 'records.db'}")
        yield opened
        opened.close()
        return
    base: str = request.getfixturevalue("postgres_url")
    schema = f"copc_report_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        opened = Records.open(f"{base}?options=-csearch_path%3D{schema}")
        yield opened
        opened.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_records(tmp_path: Path) -> Iterator[Records]:
    """A migrated, empty SQLite ``Records`` (for tests that need only one backend)."""
    opened = Records.open(f"sqlite:///{tmp_path / 'records.db'}")
    yield opened
    opened.close()


def question(qid: str, area: str, roles: list[str], difficulty: int, status: str) -> Question:
    """A bank question as the records keep it."""
    return Question(
        id=qid,
        type="mcq_numeric",
        prompt=f"What does {qid} ask?",
        area=area,
        payload={"citation": {"doc_id": f"DOC-{area}", "file": f"{area}.md"}},
        roles=roles,
        difficulty=difficulty,
        status=status,
        source_doc_id=f"DOC-{area}",
        source_section=f"Section on {qid}",
        source_hash="h",
    )


@dataclass
class Scenario:
    """The hand-built history: who did what, and the scheduler that graded it."""

    records: Records
    scheduler: Scheduler
    people: dict[str, Person]


def days_ago(n: float) -> datetime:
    """``NOW`` minus ``n`` days."""
    return NOW - timedelta(days=n)


@pytest.fixture
def scenario(records: Records) -> Scenario:
    """The hand-built history (see ``build_scenario``) on each backend."""
    return build_scenario(records)


@pytest.fixture
def sqlite_scenario(sqlite_records: Records) -> Scenario:
    """The hand-built history on SQLite only."""
    return build_scenario(sqlite_records)


def build_scenario(records: Records) -> Scenario:
    """Four people on two teams and programs; six attempts in the period, one before it.

    alice  agent      T1 harbor-bank    q-a1 wrong D-20, q-a1 right D-1, q-a2 right D-3
    bob    agent      T1 harbor-bank    q-a1 right D-30 (before the period), q-a1 wrong D-5
    carol  team_lead  T2 lumen-telecom  q-b1 right D-2, q-a1 wrong D-1; interview D-4: 60, 80
    dave   agent      T2 lumen-telecom  nothing
    """
    scheduler = Scheduler()
    records.upsert_questions(
        [
            question("q-a1", "calibration", ["agent", "team_lead"], 1, "approved"),
            question("q-a2", "calibration", [], 2, "approved"),
            question("q-b1", "sample-size", ["team_lead"], 1, "approved"),
            question("q-r", "sample-size", [], 1, "retired"),
        ],
        now=days_ago(60),
    )
    people = {
        "alice": records.upsert_person(
            "U-ALICE", display_name="Alice", role="agent", team="T1", program="harbor-bank"
        ),
        "bob": records.upsert_person(
            "U-BOB", display_name="Bob", role="agent", team="T1", program="harbor-bank"
        ),
        "carol": records.upsert_person(
            "U-CAROL", display_name="Carol", role="team_lead", team="T2", program="lumen-telecom"
        ),
        "dave": records.upsert_person(
            "U-DAVE", display_name="Dave", role="agent", team="T2", program="lumen-telecom"
        ),
    }
    history = [
        ("bob", "q-a1", True, 30),
        ("alice", "q-a1", False, 20),
        ("bob", "q-a1", False, 5),
        ("alice", "q-a2", True, 3),
        ("carol", "q-b1", True, 2),
        ("alice", "q-a1", True, 1),
        ("carol", "q-a1", False, 1),
    ]
    for n, (who, qid, correct, ago) in enumerate(history):
        scheduler.record(
            records,
            people[who],
            qid,
            "B" if correct else "A",
            correct=correct,
            score=100.0 if correct else 0.0,
            idempotency_key=f"k{n}",
            answered_at=days_ago(ago),
        )
    session = records.start_interview(people["carol"], "team_lead", now=days_ago(4))
    records.add_interview_turn(session.id, {"kind": "plan", "questions": ["i1", "i2"]})
    records.add_interview_turn(session.id, {"kind": "answer", "question_id": "i1", "score": 60})
    records.add_interview_turn(session.id, {"kind": "answer", "question_id": "i2", "score": 80})
    return Scenario(records, scheduler, people)
