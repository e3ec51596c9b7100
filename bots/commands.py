"""``/copc ask|quiz [area]|interview|stats|report [team]|help``.

The ack function answers at once (help and usage errors in full, a short "on it" line for
the rest); the work runs after it in the listener pool. Everything here is private to the
person who typed the command.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bots import blocks, evidence, home, interview, quiz, report
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.protocol import lazy

COMMAND = "/copc"
SUBCOMMANDS = ("ask", "quiz", "interview", "stats", "report", "help")
_ACKS = {
    "ask": "🔎 Looking that up in your documents…",
    "quiz": "📝 Your practice questions are on their way to our DM.",
    "interview": "🎙️ Starting a mock assessor interview in our DM.",
    "stats": "",
    "report": "",
}


def parse(text: str) -> tuple[str, str]:
    """``"quiz Quality management"`` -> ``("quiz", "Quality management")``."""
    word, _, rest = text.strip().partition(" ")
    return word.lower(), rest.strip()


def ack_command(ack: Ack, command: dict[str, Any]) -> None:
    """Acknowledge within Slack's 3 seconds; help and usage errors need nothing else."""
    sub, rest = parse(str(command.get("text", "")))
    if sub in ("", "help"):
        ack(**blocks.help_message().kwargs())
    elif sub not in SUBCOMMANDS:
        ack(**blocks.help_message(f"I don't know `{blocks.escape(sub)}`.").kwargs())
    elif sub == "ask" and not rest:
        ack(text="Ask a question after `ask`, e.g. `/copc ask how was the AHT target set?`")
    elif _ACKS[sub]:
        ack(text=_ACKS[sub])
    else:
        ack()


def route(deps: Deps, req: Req, sub: str, rest: str) -> bool:
    """Run sub-command ``sub``; False when it is not one (the text is then a question)."""
    if sub == "ask" and rest:
        evidence.answer_command(deps, req, rest)
    elif sub == "quiz":
        quiz.send_quiz(deps, req.client, req.user_id, area=quiz.normalise_area(rest))
    elif sub == "interview":
        interview.start(deps, req.client, req.user_id)
    elif sub == "stats":
        home.send_stats(deps, req)
    elif sub == "report":
        report.send_report(deps, req, rest or None)
    elif sub == "help":
        req.reply_private(blocks.help_message())
    else:
        return False
    return True


def run_command(deps: Deps, req: Req) -> None:
    """The slow part of ``/copc``, after the acknowledgement."""
    sub, rest = parse(str(req.body.get("text", "")))
    if sub in ("", "help") or sub not in SUBCOMMANDS or (sub == "ask" and not rest):
        return  # answered in full by the acknowledgement
    if not route(deps, req, sub, rest):
        req.reply_private(Message(f"Unknown command `{blocks.escape(sub)}`."))


def register(app: App, deps: Deps) -> None:
    app.command(COMMAND)(ack=ack_command, lazy=[lazy(deps, run_command)])
