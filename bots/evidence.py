"""Evidence answers in Slack: ``/copc ask``, @mentions, DM questions and "Share in channel".

Answers come from ``Assistant.ask`` scoped to the asker's program and role. ``/copc ask``
answers privately (ephemeral) with a "Share in channel" button; a DM question in the DM.
"""

from __future__ import annotations

from slack_bolt import App

from bots import blocks
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.protocol import ack_only, lazy
from bots.state import AskedAnswer


def ask(deps: Deps, user_id: str, question: str, *, shareable: bool) -> list[Message]:
    """Answer ``question`` for ``user_id`` (in their program and role) as Slack messages."""
    profile = deps.people.profile(user_id)
    with deps.ask_gate:
        answer = deps.assistant.ask(question, program=profile.program, role=profile.role)
    ref = deps.answers.put(AskedAnswer(answer, profile.program, profile.role))
    return blocks.answer_messages(answer, ref=ref, shareable=shareable)


def recall(deps: Deps, user_id: str, value: str) -> tuple[str, AskedAnswer]:
    """The answer a share/feedback button refers to; asked again if no longer cached."""
    ref, question = blocks.parse_answer_ref(value)
    asked = deps.answers.get(ref)
    if asked is None:
        profile = deps.people.profile(user_id)
        with deps.ask_gate:
            answer = deps.assistant.ask(question, program=profile.program, role=profile.role)
        asked = AskedAnswer(answer, profile.program, profile.role)
        ref = deps.answers.put(asked)
    return ref, asked


def is_channel(channel_id: str) -> bool:
    """Public or private channels can receive a shared answer; DMs cannot."""
    return channel_id[:1] in ("C", "G")


def answer_command(deps: Deps, req: Req, question: str) -> None:
    """``/copc ask``: a private answer with a Share button when asked in a channel."""
    for message in ask(deps, req.user_id, question, shareable=is_channel(req.channel_id)):
        req.reply_private(message)


def answer_in_dm(deps: Deps, req: Req, question: str, *, thread_ts: str | None = None) -> None:
    """A question written in the DM: answered in the DM (in the thread when it was one)."""
    for message in ask(deps, req.user_id, question, shareable=False):
        req.client.chat_postMessage(channel=req.channel_id, thread_ts=thread_ts, **message.kwargs())


def share(deps: Deps, req: Req) -> None:
    """ "Share in channel": post the answer publicly and replace the private copy."""
    value = str(req.body["actions"][0].get("value", ""))
    ref, asked = recall(deps, req.user_id, value)
    messages = blocks.answer_messages(asked.answer, ref=ref, shareable=False, shared_by=req.user_id)
    for message in messages:
        req.client.chat_postMessage(channel=req.channel_id, **message.kwargs())
    req.reply_private(Message("Shared in the channel. ✔"), replace_original=True)


def register(app: App, deps: Deps) -> None:
    """The Share button (questions arrive through commands, mentions and DMs)."""
    app.action(blocks.SHARE_ANSWER)(ack=ack_only, lazy=[lazy(deps, share)])
