"""Migrations, connection handling and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.records import Records, RecordsError, RecordsUnavailableError
from assistant.records.engine import default_url, head_revision
from assistant.records.models import Base

TABLES = {
    "alembic_version",
    "person",
    "question",
    "attempt",
    "card",
    "interview_session",
    "feedback",
    "daily_claim",
    "event_claim",
}


def test_migrations_apply_and_match_the_models(records: Records, records_url: str) -> None:
    assert records.revision() == head_revision() == "0003"
    assert set(inspect(records.engine).get_table_names()) >= TABLES
    with records.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    # Opening again is a no-op, not a failure.
    with Records.open(records_url) as again:
        assert again.revision() == "0003"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with (
        Records.open(f"sqlite:///{tmp_path / 'r.db'}") as records,
        records.engine.connect() as conn,
    ):
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_database_is_a_sqlite_file_under_copc_home(settings: Settings) -> None:
    url = default_url(settings)
    assert url == f"sqlite:///{(settings.home / 'records.db').resolve()}"
    with Records.open(settings=settings) as records:
        assert records.revision() == "0003"
    assert (settings.home / "records.db").is_file()


def test_database_url_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPC_DATABASE_URL", "postgresql+psycopg://u:pw@db.example/copc")
    assert default_url(Settings()) == "postgresql+psycopg://u:pw@db.example/copc"


def test_unreachable_database_is_one_line_without_password() -> None:
    url = "postgresql+psycopg://postgres:s3cr3t-pw@127.0.0.1:1/test"
    with pytest.raises(RecordsUnavailableError) as caught:
        Records.open(url)
    message = str(caught.value)
    assert isinstance(caught.value, AssistantError)
    assert message.startswith(
        "records database unavailable at postgresql+psycopg://postgres:***@127.0.0.1:1/test: "
    )
    assert message.endswith("; check COPC_DATABASE_URL")
    assert "s3cr3t-pw" not in message
    assert "\n" not in message


def test_unsupported_url_is_a_clear_error() -> None:
    with pytest.raises(RecordsError, match="unsupported records database"):
        Records.open("mysql://root:pw@localhost/db")
    with pytest.raises(RecordsError, match="invalid records database URL"):
        Records.open("not a url")


def test_unwritable_sqlite_path_is_a_records_error() -> None:
    with pytest.raises(RecordsError, match="cannot be created"):
        Records.open("sqlite:////proc/copc-cannot-write-here/records.db")


def test_people_can_have_the_wfm_role_after_the_upgrade(records: Records) -> None:
    person = records.upsert_person("U-WFM", display_name="Grace Lin", role="wfm")
    assert records.person(person.id).role == "wfm"
    with pytest.raises(RecordsError, match="role"):
        records.upsert_person("U-X", display_name="X", role="director")
