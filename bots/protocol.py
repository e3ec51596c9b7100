"""Protocol discipline: acknowledge first, work later, never twice, fail politely.

- Every listener is split in two: an *ack function* that only calls ``ack()`` (it runs
  inline while Slack waits, so the acknowledgement never queues behind slow work) and a
  *lazy* function that runs in the sized listener pool (``process_before_response=True``
  is what makes Bolt run them this way, in HTTP and Socket Mode alike).
- Slack retries an event it thinks was not delivered, with the same ``event_id`` and an
  ``x-slack-retry-num`` header. A retry is acknowledged and dropped when this process has
  seen the ``event_id``, when another replica claimed it in the records database, or when
  the reason is ``http_timeout`` (the first delivery reached a replica, which is doing the
  work). Attempts are idempotent in the database as well.
- A lazy function that raises is logged with its traceback; the user gets one short
  friendly line, never the exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.context.respond import Respond
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from assistant.practice import PracticeError
from assistant.records import RecordsError
from bots.deps import Deps, Req
from bots.state import TTLCache

log = logging.getLogger("bots")

FRIENDLY_ERROR = (
    "Sorry — something went wrong on my side and I couldn't finish that. "
    "Please try again in a minute; if it keeps happening, tell your quality team."
)

Work = Callable[[Deps, Req], None]


def header(request: BoltRequest, name: str) -> str | None:
    values = request.headers.get(name) or []
    return str(values[0]) if values else None


def dedupe_events(
    seen: TTLCache[bool], claim: Callable[[str], bool] | None = None
) -> Callable[..., BoltResponse | None]:
    """A global middleware that acknowledges and drops Slack's retries of an event.

    ``claim`` is the shared claim in the records database (``Records.claim_event``): with
    it, a retry that reaches another replica is dropped there too. When the database
    cannot be reached the event is handled (attempts stay idempotent on their own keys).
    """

    def shared_first(event_id: str) -> bool:
        if claim is None:
            return True
        try:
            return claim(f"slack:{event_id}")
        except RecordsError:
            log.warning("event claim unavailable for %s; handling it", event_id, exc_info=True)
            return True

    def drop_retries(
        body: dict[str, Any], request: BoltRequest, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        retry_reason = header(request, "x-slack-retry-reason")
        retried = header(request, "x-slack-retry-num") is not None
        if isinstance(event_id, str) and event_id:
            first = seen.claim(event_id, True) and shared_first(event_id)
            if not first or (retried and retry_reason == "http_timeout"):
                log.info("dropped retried event %s (retry reason %s)", event_id, retry_reason)
                return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        next()
        return None

    return drop_retries


def user_message(exc: Exception) -> str | None:
    """The message of a library error meant for the person (an unreadable answer, a
    finished interview); other errors may name internals and are only logged."""
    return str(exc) if isinstance(exc, PracticeError) else None


def lazy(deps: Deps, work: Work) -> Callable[..., None]:
    """Wrap a surface function as a Bolt lazy listener with the friendly-error edge.

    Bolt injects arguments by name, so the wrapper declares the names it needs and
    hands the surface one :class:`Req`.
    """

    def run(body: dict[str, Any], client: WebClient, respond: Respond | None = None) -> None:
        req = Req(body=body, client=client, respond=respond)
        try:
            work(deps, req)
        except Exception as exc:
            log.exception("%s failed for user %s", work.__name__, req.user_id or "?")
            tell(req, user_message(exc) or FRIENDLY_ERROR)

    run.__name__ = run.__qualname__ = work.__name__
    return run


def tell(req: Req, text: str) -> None:
    """Send ``text`` privately to the acting user; a failure here is only logged.

    ``text`` is escaped: a library message may quote what the person typed.
    """
    from bots.blocks import Message, escape

    text = escape(text)
    try:
        if req.body.get("type") == "view_submission" or req.body.get("type") == "view_closed":
            req.client.chat_postMessage(channel=req.user_id, text=text)
            return
        event = req.event
        thread = event.get("thread_ts")
        if event and str(event.get("channel", "")).startswith("D"):
            req.client.chat_postMessage(channel=event["channel"], text=text, thread_ts=thread)
            return
        req.reply_private(Message(text))
    except Exception:
        log.exception("could not tell user %s about a failure", req.user_id or "?")


def ack_only(ack: Callable[..., Any]) -> None:
    """The ack function of listeners whose whole answer comes later."""
    ack()
