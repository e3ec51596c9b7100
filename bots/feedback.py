"""👍/👎 on answers, stored in the records database with an optional reason.

👍 is stored at once. 👎 opens a small modal asking why (optional): sending it stores the
rating with the reason, closing it stores the rating without one. When the modal cannot
be opened (Slack's trigger expired), the rating is stored without a reason.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from assistant.records import FeedbackRating
from bots import blocks
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.evidence import recall
from bots.protocol import ack_only, lazy

log = logging.getLogger(__name__)

THANKS = "Thanks for the feedback — it helps the quality team improve the documents."


def store(deps: Deps, user_id: str, value: str, rating: FeedbackRating, reason: str | None) -> None:
    """Record the rating of the answer that ``value`` (a button value) refers to."""
    person = deps.people.enrol(user_id)
    _ref, asked = recall(deps, user_id, value)
    reason = reason.strip() if reason and reason.strip() else None
    deps.practice.records.add_feedback(
        person, asked.answer.question, asked.answer.text, rating, reason
    )


def thumbs_up(deps: Deps, req: Req) -> None:
    store(deps, req.user_id, str(req.body["actions"][0].get("value", "")), FeedbackRating.UP, None)
    req.reply_private(Message(THANKS))


def thumbs_down(deps: Deps, req: Req) -> None:
    value = str(req.body["actions"][0].get("value", ""))
    metadata = json.dumps({"value": value, "channel": req.channel_id})
    try:
        req.client.views_open(
            trigger_id=str(req.body.get("trigger_id", "")), view=blocks.feedback_modal(metadata)
        )
    except SlackApiError as exc:
        log.warning(
            "views.open failed (%s); storing 👎 without a reason", exc.response.get("error")
        )
        store(deps, req.user_id, value, FeedbackRating.DOWN, None)
        req.reply_private(Message(THANKS))


def _modal_value(body: dict[str, Any]) -> str:
    view = body.get("view") or {}
    return str(json.loads(view.get("private_metadata") or "{}").get("value", ""))


def reason_sent(deps: Deps, req: Req) -> None:
    view = req.body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(blocks.FEEDBACK_REASON_BLOCK) or {}).get(blocks.FEEDBACK_REASON_INPUT) or {}
    reason = field.get("value")
    store(deps, req.user_id, _modal_value(req.body), FeedbackRating.DOWN, reason)


def reason_skipped(deps: Deps, req: Req) -> None:
    store(deps, req.user_id, _modal_value(req.body), FeedbackRating.DOWN, None)


def register(app: App, deps: Deps) -> None:
    app.action(blocks.FEEDBACK_UP)(ack=ack_only, lazy=[lazy(deps, thumbs_up)])
    app.action(blocks.FEEDBACK_DOWN)(ack=ack_only, lazy=[lazy(deps, thumbs_down)])
    app.view_submission(blocks.FEEDBACK_MODAL)(ack=ack_only, lazy=[lazy(deps, reason_sent)])
    app.view_closed(blocks.FEEDBACK_MODAL)(ack=ack_only, lazy=[lazy(deps, reason_skipped)])
