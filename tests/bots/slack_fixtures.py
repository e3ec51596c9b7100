"""Helpers shared by the Slack bot tests (fixtures themselves are in conftest.py)."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

from slack_standin import SlackSender, SlackStandIn

from assistant.app import Assistant
from assistant.config import Settings
from assistant.practice import Practice
from assistant.questions.bank import AUTHORED_FOLDER, QuestionBank
from assistant.records import Records
from bots.app import Bot, create_app, web_client
from bots.http import HttpServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_user() -> str:
    """A fresh Slack user id, so tests sharing the records database never meet."""
    return "U" + uuid.uuid4().hex[:10].upper()


def open_practice(assistant: Assistant, home: Path) -> Practice:
    """The real practice engine with its records and bank in ``home``."""
    corpus = assistant.settings.corpus_dir
    return Practice(
        assistant,
        Records.open(f"sqlite:///{home / 'records.db'}"),
        bank=QuestionBank(home / "questions.jsonl", authored_dir=corpus / AUTHORED_FOLDER),
        interviews_dir=corpus / "interviews",
    )


@dataclass
class LiveBot:
    """The bot serving HTTP on 127.0.0.1, the stand-in it talks to, and a signed sender."""

    bot: Bot
    server: HttpServer
    slack: SlackSender
    standin: SlackStandIn


def start_bot(
    settings: Settings, assistant: Assistant, practice: Practice, standin: SlackStandIn
) -> LiveBot:
    bot = create_app(settings, assistant, practice, web_client(settings))
    server = HttpServer(bot.app, host="127.0.0.1", port=free_port())
    server.start()
    return LiveBot(bot, server, SlackSender(f"{server.url}/slack/events", SECRET, standin), standin)
