"""Fixtures for the Slack bot: the real practice engine over the bundled index (built once),
a local Slack Web API stand-in, and the bot's real HTTP server on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fixtures import SECRET, LiveBot, open_practice, start_bot
from slack_standin import SlackStandIn

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.practice import Practice


@pytest.fixture(scope="session")
def bot_assistant(bundled_home: Path, minilm: SentenceTransformerEmbedder) -> Assistant:
    """The assistant over the indexed bundled corpus (session-wide)."""
    return build_assistant(Settings(home=bundled_home), embedder=minilm)


@pytest.fixture(scope="session")
def practice_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bot-practice")


@pytest.fixture(scope="session")
def practice(bot_assistant: Assistant, practice_home: Path) -> Iterator[Practice]:
    """The real practice engine, its bank synced once; tests use fresh user ids."""
    engine = open_practice(bot_assistant, practice_home)
    engine.sync_bank()
    yield engine
    engine.close()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """The Slack Web API stand-in on a free port."""
    server = SlackStandIn()
    yield server
    server.close()


@pytest.fixture
def bot_settings(standin: SlackStandIn, tmp_path: Path) -> Settings:
    """Settings pointing the bot's Web API client at the stand-in."""
    return Settings(
        home=tmp_path / "bot-home",
        slack_api_url=standin.api_url,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_workers=8,
    )


@pytest.fixture
def live(
    bot_settings: Settings, bot_assistant: Assistant, practice: Practice, standin: SlackStandIn
) -> Iterator[LiveBot]:
    """The bot's real HTTP server on 127.0.0.1 with the real assistant and practice engine."""
    running = start_bot(bot_settings, bot_assistant, practice, standin)
    yield running
    running.server.stop()
