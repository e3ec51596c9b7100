"""Practice over the bundled corpus indexed with the real model, one records DB per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.practice import Practice
from assistant.questions import QuestionBank
from assistant.records import Records


@pytest.fixture(scope="session")
def practice_home(bundled_home: Path, minilm: SentenceTransformerEmbedder) -> Path:
    """The bundled home with its question bank generated and saved (once per session)."""
    settings = Settings(home=bundled_home)
    assistant = build_assistant(settings, embedder=minilm)
    with Records.open(f"sqlite:///{bundled_home / 'bank-build.db'}") as records:
        Practice(assistant, records, bank=QuestionBank.from_settings(settings)).sync_bank()
    return bundled_home


def open_practice(assistant: Assistant, home: Path, url: str) -> Practice:
    """A practice engine on ``assistant`` with its own records database at ``url``."""
    return Practice(
        assistant,
        Records.open(url),
        bank=QuestionBank.from_settings(Settings(home=home)),
        interviews_dir=assistant.settings.corpus_dir / "interviews",
    )


@pytest.fixture
def practice(bundled: Assistant, practice_home: Path, tmp_path: Path) -> Iterator[Practice]:
    """A practice engine over the bundled index with an empty SQLite records database."""
    engine = open_practice(bundled, practice_home, f"sqlite:///{tmp_path / 'records.db'}")
    yield engine
    engine.close()
