"""The DM conversation: questions, a few command words, and replies in quiz/interview threads.

A reply in a thread that a quiz question or an interview started is an answer to it; the
thread is found in this process's memory or, on another replica, from the Slack metadata
of the thread's first message. Anything else in the DM is a question for the assistant,
except a message that is just ``interview``, ``stats`` or ``help``, or ``quiz [area]`` or
``report [team]``.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots import commands, evidence, interview, quiz
from bots.deps import Deps, Req
from bots.protocol import ack_only, lazy
from bots.state import INTERVIEW_THREAD, QUIZ_THREAD, ThreadRef

log = logging.getLogger(__name__)

#: Words that act like the slash command when they start a DM.
DM_COMMANDS = ("quiz", "interview", "stats", "report", "help")


def find_thread(deps: Deps, client: WebClient, channel: str, thread_ts: str) -> ThreadRef | None:
    """What the thread is about: from memory, else from its first message's metadata."""
    ref = deps.threads.recall(channel, thread_ts)
    if ref is not None:
        return ref
    try:
        found = client.conversations_replies(
            channel=channel, ts=thread_ts, limit=1, include_all_metadata=True
        )
    except SlackApiError as exc:
        log.warning("conversations.replies failed: %s", exc.response.get("error"))
        return None
    messages = found.get("messages") or []
    ref = ThreadRef.from_metadata(messages[0].get("metadata")) if messages else None
    if ref is not None:
        deps.threads.remember(channel, thread_ts, ref)
    return ref


def on_message(deps: Deps, req: Req) -> None:
    """A message in the DM with the app."""
    event = req.event
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and bot posts (our own included) need no answer
    text = str(event.get("text") or "").strip()
    if not text:
        return
    thread = event.get("thread_ts")
    if thread and thread != event.get("ts"):
        ref = find_thread(deps, req.client, req.channel_id, str(thread))
        if ref is not None and ref.kind == QUIZ_THREAD:
            quiz.answer_typed(deps, req, ref)
        elif ref is not None and ref.kind == INTERVIEW_THREAD:
            interview.answer(deps, req, ref)
        else:
            evidence.answer_in_dm(deps, req, text, thread_ts=str(thread))
        return
    word, rest = commands.parse(text)
    takes_argument = word in ("quiz", "report")
    if (
        word in DM_COMMANDS
        and (not rest or takes_argument)
        and commands.route(deps, req, word, rest)
    ):
        return
    evidence.answer_in_dm(deps, req, text)


def register(app: App, deps: Deps) -> None:
    app.event("message")(ack=ack_only, lazy=[lazy(deps, on_message)])
