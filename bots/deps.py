"""What every Slack surface is handed: the library parts and the request being served."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from assistant.config import Settings
from bots.blocks import Message
from bots.people import People
from bots.ports import Asker, PracticeEngine
from bots.state import AnswerCache, Threads, TTLCache

log = logging.getLogger("bots")


@dataclass
class Deps:
    """The bot's dependencies, built once by :func:`bots.app.create_app`."""

    settings: Settings
    assistant: Asker
    practice: PracticeEngine
    people: People
    answers: AnswerCache = field(default_factory=AnswerCache)
    threads: Threads = field(default_factory=Threads)
    seen_events: TTLCache[bool] = field(default_factory=lambda: TTLCache(3600.0, 100_000))
    ask_gate: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(os.cpu_count() or 2)
    )
    """Evidence answers are CPU-bound: at most one per core at a time. More threads only
    contend for the GIL (measured on 2 cores: 200 queued asks drained in 49 s with 16 at
    once, 31 s with 2), while the rest of the pool keeps posting to Slack."""


@dataclass(frozen=True)
class Req:
    """One Slack request as a surface sees it (tests build these with mocks)."""

    body: dict[str, Any]
    client: WebClient
    respond: Respond | None = None

    @property
    def event(self) -> dict[str, Any]:
        event = self.body.get("event")
        return event if isinstance(event, dict) else {}

    @property
    def user_id(self) -> str:
        """The acting user: the command's, the click's or the event's."""
        user = self.body.get("user")
        if isinstance(user, dict):
            return str(user.get("id", ""))
        return str(self.body.get("user_id") or self.event.get("user") or "")

    @property
    def team_id(self) -> str:
        team = self.body.get("team")
        if isinstance(team, dict):
            return str(team.get("id", ""))
        return str(self.body.get("team_id") or "")

    @property
    def channel_id(self) -> str:
        channel = self.body.get("channel")
        if isinstance(channel, dict):
            return str(channel.get("id", ""))
        return str(self.body.get("channel_id") or self.event.get("channel") or "")

    def reply_private(self, message: Message, *, replace_original: bool = False) -> None:
        """Only the user sees it: through ``response_url``, else an ephemeral post or DM."""
        if self.respond is not None:
            self.respond(
                **message.kwargs(), response_type="ephemeral", replace_original=replace_original
            )
            return
        channel = self.channel_id
        if channel.startswith("D") or not channel:
            self.client.chat_postMessage(channel=channel or self.user_id, **message.kwargs())
        else:
            self.client.chat_postEphemeral(channel=channel, user=self.user_id, **message.kwargs())

    def dm(self, message: Message, **extra: Any) -> Any:
        """Post into the user's DM with the app (``channel`` = the user id opens it)."""
        return self.client.chat_postMessage(channel=self.user_id, **message.kwargs(), **extra)
