"""App Home (due questions, mastery per area, "Start practice") and ``/copc stats``."""

from __future__ import annotations

from slack_bolt import App

from bots import blocks
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.protocol import ack_only, lazy

HOME_DUE_SHOWN = 5


def publish_home(deps: Deps, req: Req) -> None:
    """Render the Home tab for the user who opened it."""
    if req.event.get("tab", "home") != "home":
        return
    user_id = req.user_id
    deps.people.enrol(user_id)
    stats = deps.practice.stats(user_id)
    due = deps.practice.next_questions(user_id, limit=HOME_DUE_SHOWN)
    view = blocks.home_view(stats, [item.question for item in due])
    req.client.views_publish(user_id=user_id, view=view)


def send_stats(deps: Deps, req: Req) -> None:
    """``/copc stats``: the person's own readiness, privately."""
    deps.people.enrol(req.user_id)
    stats = deps.practice.stats(req.user_id)
    req.reply_private(Message("Your COPC readiness", blocks.stats_blocks(stats)))


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(ack=ack_only, lazy=[lazy(deps, publish_home)])
