"""The backup and restore commands of docs/deployment.md bring the records back: SQLite's
online ``.backup`` taken while a writer is busy, and PostgreSQL's ``pg_dump``/``pg_restore``
into a fresh database."""

from __future__ import annotations

import shutil
import subprocess
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from assistant.records import Question, Records

from .procs import POSTGRES_URL

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def _fill(records: Records, people: int) -> None:
    records.upsert_questions(
        [
            Question(
                id="q-backup",
                type="mcq_numeric",
                prompt="How many?",
                area="quality_management",
                payload={},
                roles=[],
                difficulty=1,
                status="approved",
                source_doc_id="D",
                source_section="S",
                source_hash="h",
            )
        ]
    )
    for n in range(people):
        person = records.upsert_person(f"UBACKUP{n:03d}", display_name=f"P{n}")
        records.record_attempt(
            person,
            "q-backup",
            "B",
            correct=True,
            score=100.0,
            idempotency_key=f"backup:{n}",
            answered_at=NOW,
        )


def _count(records: Records) -> int:
    return len(records.attempts_between(NOW - timedelta(days=1), NOW + timedelta(days=1)))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def test_the_page_names_the_commands_tested_here() -> None:
    page = DOC.read_text(encoding="utf-8")
    for command in (
        ".backup '",
        "PRAGMA integrity_check",
        "pg_dump --format=custom",
        "pg_restore --no-owner --dbname",
    ):
        assert command in page


def test_sqlite_online_backup_while_writing_then_restore(tmp_path: Path) -> None:
    sqlite3 = _tool("sqlite3")
    live = tmp_path / "records.db"
    with Records.open(f"sqlite:///{live}") as records:
        _fill(records, 20)
        writing = threading.Thread(target=_fill, args=(records, 60))  # busy during the backup
        writing.start()
        backup = tmp_path / "backup.db"
        subprocess.run([sqlite3, str(live), f".backup '{backup}'"], check=True, timeout=60)
        writing.join(timeout=60)
    check = subprocess.run(
        [sqlite3, str(backup), "PRAGMA integrity_check"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert check.stdout.strip() == "ok"

    restored = tmp_path / "restored" / "records.db"
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    with Records.open(f"sqlite:///{restored}") as records:
        assert 20 <= _count(records) <= 60
        assert records.get_attempt("backup:0") is not None


def test_postgresql_dump_and_restore_into_a_fresh_database(pg_url: str, tmp_path: Path) -> None:
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    with Records.open(pg_url) as records:
        _fill(records, 25)
    schema = make_url(pg_url).query["options"].split("=", 1)[1]
    base = make_url(POSTGRES_URL)
    libpq = base.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "copc.dump"
    subprocess.run(
        [pg_dump, "--format=custom", f"--schema={schema}", f"--file={dump}", libpq],
        check=True,
        timeout=120,
    )
    database = f"copc_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        target = base.set(drivername="postgresql", database=database)
        subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--dbname",
                target.render_as_string(hide_password=False),
                str(dump),
            ],
            check=True,
            timeout=120,
        )
        url = base.set(database=database).render_as_string(hide_password=False)
        with Records.open(f"{url}?options=-csearch_path%3D{schema}") as records:
            assert _count(records) == 25
            assert records.get_attempt("backup:24") is not None
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
