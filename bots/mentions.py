"""@mentions in channels: the question is answered in the message's thread.

A mention is public by the asker's choice, so the answer is too; it is still scoped to the
asker's program and role.
"""

from __future__ import annotations

import re

from slack_bolt import App

from bots import blocks
from bots.deps import Deps, Req
from bots.evidence import ask
from bots.protocol import ack_only, lazy

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def question_of(text: str) -> str:
    """The text of a mention without the ``<@U…>`` mentions themselves."""
    return _MENTION.sub("", text).strip()


def answer_mention(deps: Deps, req: Req) -> None:
    """Answer the mention in its thread (help when it holds no question)."""
    event = req.event
    question = question_of(str(event.get("text", "")))
    thread = event.get("thread_ts") or event.get("ts")
    if not question:
        hint = "Ask me a question after the mention, e.g. `@COPC how was the AHT target set?`"
        messages = [blocks.help_message(hint)]
    else:
        messages = ask(deps, req.user_id, question, shareable=False)
    for message in messages:
        req.client.chat_postMessage(channel=req.channel_id, thread_ts=thread, **message.kwargs())


def register(app: App, deps: Deps) -> None:
    app.event("app_mention")(ack=ack_only, lazy=[lazy(deps, answer_mention)])
