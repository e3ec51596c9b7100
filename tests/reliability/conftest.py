"""Fixtures for the reliability tests: faults, load and several processes.

The Slack stand-in and signed sender of ``tests/bots`` are reused (that folder is put on
``sys.path`` here, as pytest does for its own tests). Indexes here use the deterministic
``HashEmbedder``: these tests are about what survives faults and concurrency, not about
answer quality, which the real model's tests cover.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder

from .procs import postgres_available, postgres_schema

BOTS_TESTS = Path(__file__).resolve().parent.parent / "bots"
if str(BOTS_TESTS) not in sys.path:
    sys.path.insert(0, str(BOTS_TESTS))

DIMENSION = 64


@pytest.fixture(scope="session")
def postgres_ok() -> None:
    """Skip (with the reason CI watches for) when the PostgreSQL test server is down."""
    reason = postgres_available()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def pg_url(postgres_ok: None) -> Iterator[str]:
    """A URL to an empty PostgreSQL schema of its own (dropped afterwards)."""
    with postgres_schema() as (url, _schema):
        yield url


@pytest.fixture(scope="session")
def hash_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the bundled corpus indexed by the HashEmbedder (built once per session)."""
    home = tmp_path_factory.mktemp("hash-home")
    report = build_assistant(Settings(home=home), embedder=HashEmbedder(DIMENSION)).ingest()
    assert report.ok, report.failed
    return home


@pytest.fixture
def hash_assistant(hash_home: Path) -> Assistant:
    """The assistant over :func:`hash_home` (embedded Chroma)."""
    return build_assistant(Settings(home=hash_home), embedder=HashEmbedder(DIMENSION))


def write_corpus(folder: Path, marker: str, count: int = 8) -> Path:
    """``count`` small procedures whose every section carries ``marker``."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"proc{n:02d}.md").write_text(
            f"# Procedure {n}\n\nThis procedure {n} is owned by the {marker} team and covers "
            f"how records are kept and checked every month at the site.\n\n"
            f"## Steps\nStep one of procedure {n}: open the {marker} checklist, record the "
            f"contact, check the records kept for {n + 1} months, and sign the log.\n\n"
            f"## Records\nRecords are kept for {n + 1} months under the {marker} rule; the "
            f"quality team checks the records every month and keeps the evidence.\n",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def corpus_writer(tmp_path: Path) -> Callable[[str, int], Path]:
    """Writes a marker corpus under ``tmp_path/<marker>``."""
    return lambda marker, count=8: write_corpus(tmp_path / marker, marker, count)


@pytest.fixture
def standin() -> Iterator[Any]:
    """The Slack Web API stand-in of ``tests/bots`` on a free port."""
    from slack_standin import SlackStandIn

    server = SlackStandIn()
    yield server
    server.close()
