"""Engines and migrations for the records database.

SQLite (the default, a file under ``COPC_HOME``) runs in WAL mode with foreign keys on.
pysqlite's own transaction handling is switched off so that SQLAlchemy emits ``BEGIN``
itself: reads begin ``DEFERRED`` and writes begin ``IMMEDIATE`` (connections made through
:func:`writer`), so concurrent writers queue on the busy timeout instead of failing when
a read snapshot goes stale. PostgreSQL (``postgresql+psycopg://…``) needs nothing special.

Migrations are Alembic revisions in ``migrations/versions``, run from code with a
``Config`` built here (no ``alembic.ini``). To write a new revision::

    from alembic import command
    from assistant.records.engine import alembic_config, create_records_engine
    engine = create_records_engine("sqlite:///scratch.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        command.revision(alembic_config(conn), message="…", autogenerate=True)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from assistant.records.errors import RecordsError, RecordsUnavailableError

if TYPE_CHECKING:  # alembic and the settings load only when needed (import stays fast)
    from alembic.config import Config

    from assistant.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK = 0x434F5043  # "COPC"
_WRITE_OPTION = "copc_write"


def default_url(settings: Settings | None = None) -> str:
    """``COPC_DATABASE_URL`` when set, else the SQLite file ``COPC_HOME/records.db``."""
    if settings is None:
        from assistant.config import Settings

        settings = Settings()
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return f"sqlite:///{(settings.home / 'records.db').resolve()}"


def redact(url: str | URL) -> str:
    """The URL as it may be shown: the password replaced with ``***``."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):  # ValueError: a malformed port, e.g. "[::1/db"
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def one_line(exc: BaseException, url: URL | None = None) -> str:
    """The first line of the driver's message, with any password scrubbed out."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    message = lines[0] if lines else type(orig).__name__
    if url is not None and url.password:
        message = message.replace(str(url.password), "***")
    return message


def unavailable(url: URL, exc: BaseException) -> RecordsUnavailableError:
    """The error raised when the database does not answer."""
    return RecordsUnavailableError(
        f"records database unavailable at {redact(url)}: {one_line(exc, url)}; "
        "check COPC_DATABASE_URL"
    )


def create_records_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings the records layer relies on."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise RecordsError(
            f"invalid records database URL {redact(url)!r}; check COPC_DATABASE_URL"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = 10
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    raise RecordsError(
        f"unsupported records database {redact(parsed)!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB in COPC_DATABASE_URL"
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not memory:
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordsError(
                f"records database folder {folder} cannot be created: {exc.strerror or exc}; "
                "check COPC_HOME or COPC_DATABASE_URL"
            ) from exc
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # SQLAlchemy emits BEGIN itself (see _on_begin); pysqlite must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (and pool) whose transactions take the write lock up front on SQLite."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the records migrations, built in code."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration revision shipped with the package."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` in one transaction.

    Concurrent callers are serialised (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE``
    on SQLite), so two processes opening a new database at once both succeed.
    """
    from alembic import command

    url = engine.url
    try:
        with writer(engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            command.upgrade(alembic_config(conn), revision)
    except SQLAlchemyError as exc:
        if _is_unavailable(exc):
            raise unavailable(url, exc) from exc
        raise RecordsError(
            f"records database at {redact(url)} could not be migrated: {one_line(exc, url)}"
        ) from exc


def _is_unavailable(exc: SQLAlchemyError) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)
