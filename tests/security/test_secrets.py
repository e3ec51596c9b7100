"""Secrets never reach a log record, an error message or anything shown to a person.

Distinctive values are set for every secret (the Slack bot token, signing secret and app
token, the records database password, the LLM key), every logger is turned up to DEBUG,
and failures are driven: an unreachable or malformed database URL, Slack API errors
through the stand-in, a forged Slack signature, the LLM endpoint failing, timing out and
gone. Every captured record (with its traceback), all CLI output and everything the bot
posted are scanned. Each scenario also checks that the secret was really in use.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_openai import FakeOpenAI, Reply
from pydantic import SecretStr
from slack_fixtures import free_port
from slack_standin import SlackSender, SlackStandIn

from assistant import cli
from assistant.app import build_assistant
from assistant.config import Settings
from assistant.embedding import SentenceTransformerEmbedder
from assistant.errors import AssistantError
from assistant.practice import Practice
from assistant.records import Records
from bots.app import create_app, web_client
from bots.http import HttpServer

pytestmark = pytest.mark.slow

BOT_TOKEN = "xoxb-SECRET-bot-5b1e0c7a44"
SIGNING = "SECRET-signing-9d2f44aa31c0"
APP_TOKEN = "xapp-SECRET-app-77c1e0d2"
DB_PASSWORD = "SECRET-dbpass-4417aa"
LLM_KEY = "sk-SECRET-llm-0a9b8c7d6e"
SECRETS = (BOT_TOKEN, SIGNING, APP_TOKEN, DB_PASSWORD, LLM_KEY)


def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Collect(logging.Handler):
    """Keeps every record formatted as a log file would show it (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def debug_log() -> Iterator[list[str]]:
    """Every logger at DEBUG for the test, every record collected."""
    handler = Collect()
    root = logging.getLogger()
    saved: list[tuple[logging.Logger, int, bool]] = [(root, root.level, root.disabled)]
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    extra: list[logging.Logger] = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            saved.append((logger, logger.level, logger.disabled))
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
            if not logger.propagate:
                logger.addHandler(handler)
                extra.append(logger)
    yield handler.lines
    root.removeHandler(handler)
    for logger in extra:
        logger.removeHandler(handler)
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """The secrets in the environment, the database URL pointing at a closed port."""
    url = f"postgresql+psycopg://copc:{DB_PASSWORD}@127.0.0.1:{closed_port()}/copc"
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("COPC_DATABASE_URL", url)
    monkeypatch.setenv("COPC_LLM_API_KEY", LLM_KEY)
    return url


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked: …{text[max(0, text.find(secret) - 80) :]}"


def test_settings_never_print_their_secrets(secret_env: str) -> None:
    settings = Settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN  # really set
    assert_no_secret(repr(settings), str(settings), settings.model_dump_json())


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://copc:{pw}@127.0.0.1:{port}/copc",
        "postgresql+psycopg://copc:{pw}@no-such-host.invalid/copc",
        "mysql://copc:{pw}@127.0.0.1/copc",
        "postgresql+psycopg://copc:{pw}@[::1/copc",
        "copc:{pw}",
    ],
    ids=["refused", "unknown-host", "other-database", "malformed", "not-a-url"],
)
def test_records_errors_never_show_the_database_password(debug_log: list[str], url: str) -> None:
    with pytest.raises(AssistantError) as caught:
        Records.open(url.format(pw=DB_PASSWORD, port=closed_port()))
    assert "\n" not in str(caught.value)
    assert_no_secret(str(caught.value), *debug_log)


def test_cli_failures_with_secrets_set_show_none_of_them(
    secret_env: str,
    debug_log: list[str],
    bundled_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    standin: SlackStandIn,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("COPC_HOME", str(bundled_home))  # indexed: no model run at start-up
    runner = CliRunner()
    outputs = []
    for args in (
        ["--debug", "stats", "--user", "alice"],
        ["--debug", "quiz", "--user", "alice", "--n", "1"],
        ["--debug", "slack", "--http", "--port", str(free_port())],
    ):
        result = runner.invoke(cli.main, args, input="")
        assert result.exit_code != 0
        assert "records database unavailable" in result.output, result.output
        outputs.append(result.output)
    # Slack refusing the token at start-up (the database is fine this time).
    monkeypatch.setenv("COPC_DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.setenv("COPC_SLACK_API_URL", standin.api_url)
    standin.fail["auth.test"] = "invalid_auth"
    result = runner.invoke(cli.main, ["--debug", "slack", "--http", "--port", str(free_port())])
    assert result.exit_code != 0 and "invalid_auth" in result.output, result.output
    assert any(c.params.get("_token") == BOT_TOKEN for c in standin.of("auth.test"))
    assert_no_secret(*outputs, result.output, *debug_log)


def test_slack_api_errors_and_forged_requests_log_no_secret(
    debug_log: list[str],
    standin: SlackStandIn,
    sec_assistant: object,
    sec_practice: Practice,
    tmp_path: Path,
) -> None:
    settings = Settings(
        home=tmp_path / "bot-home",
        slack_api_url=standin.api_url,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING),
        slack_app_token=SecretStr(APP_TOKEN),
        slack_workers=2,
    )
    bot = create_app(settings, sec_assistant, sec_practice, web_client(settings))  # type: ignore[arg-type]
    server = HttpServer(bot.app, host="127.0.0.1", port=free_port())
    server.start()
    try:
        slack = SlackSender(f"{server.url}/slack/events", SIGNING, standin)
        standin.fail["chat.postMessage"] = "invalid_auth"
        standin.fail["users.info"] = "token_revoked"
        slack.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D0SEC1",
                "user": "U0SEC1",
                "text": "What is the QA sample size?",
                "ts": "1700000001.000100",
            }
        )
        slack.command("U0SEC2", "stats")
        standin.wait_count("chat.postMessage", 2, timeout=60)  # the answer, then the apology
        standin.wait_count("response_url", 1, timeout=60)
        forged = SlackSender(f"{server.url}/slack/events", "not-the-secret", standin)
        status, _ = forged.command("U0SEC3", "help")
        assert status == 401
    finally:
        server.stop()
    assert standin.of("chat.postMessage")[0].params.get("_token") == BOT_TOKEN  # in use
    shown = [str({k: v for k, v in call.params.items() if k != "_token"}) for call in standin.calls]
    assert_no_secret(*shown, *debug_log)
    assert any("invalid_auth" in line for line in debug_log), "the failure itself was logged"


def test_llm_failures_log_no_key(
    debug_log: list[str], bundled_home: Path, minilm: SentenceTransformerEmbedder
) -> None:
    with FakeOpenAI() as fake:
        fake.script(Reply(status=500), Reply(status=401), Reply(delay_s=3))
        settings = Settings(
            home=bundled_home,
            llm_base_url=fake.url,
            llm_model="fake-model",
            llm_api_key=SecretStr(LLM_KEY),
            llm_timeout_s=1,
            llm_cooldown_s=0,
        )
        assistant = build_assistant(settings, embedder=minilm)
        answers = [assistant.ask("What is the QA sample size per agent?") for _ in range(3)]
        used = [r.headers.get("authorization") for r in fake.requests]
    gone = settings.model_copy(update={"llm_base_url": f"http://127.0.0.1:{closed_port()}/v1"})
    answers.append(build_assistant(gone, embedder=minilm).ask("What is the QA sample size?"))
    assert f"Bearer {LLM_KEY}" in used, "the key was sent to the endpoint"
    assert all(a.generator == "extractive" for a in answers), "each failure fell back"
    assert_no_secret(*(a.text for a in answers), *(str(a.notes) for a in answers), *debug_log)
