"""The records contract suite runs on every backend: a SQLite file and a real PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (database ``test``, user ``postgres``; override
with ``COPC_TEST_POSTGRES_URL``). Each test gets its own schema ``copc_test_<random>``,
selected through ``search_path`` in the URL and dropped afterwards. When the server does
not answer, the PostgreSQL cases are skipped with the connection error as the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from assistant.records import Person, Question, Records

POSTGRES_URL = os.environ.get(
    "COPC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


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
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test."""
    return str(request.param)


@pytest.fixture
def records_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL to an empty database of the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    schema = f"copc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def records(records_url: str) -> Iterator[Records]:
    """A migrated ``Records`` on the backend under test."""
    opened = Records.open(records_url)
    yield opened
    opened.close()


def make_question(qid: str, **overrides: object) -> Question:
    """An approved question with sensible defaults."""
    fields: dict[str, object] = {
        "type": "multiple_choice",
        "prompt": f"Prompt of {qid}?",
        "area": "quality_management",
        "payload": {"choices": ["a", "b"], "answer": "a", "citation": {"doc": "QA-01"}},
        "roles": [],
        "difficulty": 1,
        "status": "approved",
        "source_doc_id": "QA-01",
        "source_section": "Monitoring",
        "source_hash": "abc",
    }
    fields.update(overrides)
    return Question(id=qid, **fields)  # type: ignore[arg-type]


@pytest.fixture
def agent(records: Records) -> Person:
    """One agent."""
    return records.upsert_person(
        "U-AGENT", display_name="Ana Agent", role="agent", team="blue", now=NOW
    )


@pytest.fixture
def bank(records: Records) -> list[str]:
    """Five approved questions q1..q5."""
    questions = [make_question(f"q{n}") for n in range(1, 6)]
    records.upsert_questions(questions, now=NOW)
    return [q.id for q in questions]
