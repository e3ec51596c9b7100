"""Recording answers while the records database is down: retry briefly, else say so.

A quiz click, a typed quiz answer or an interview reply is only worth something once it is
in the records. When the database does not answer (``RecordsUnavailableError``, possibly
wrapped in a ``PracticeError`` by the engine), the recording step is retried with a short
backoff for up to ``COPC_RECORDS_RETRY_S`` seconds; attempts are idempotent per Slack
message, so a retry can never count twice. When the database is still down the person is
told plainly that the answer was *not recorded* and to answer again: the question keeps its
buttons (or the thread stays open), so nothing is dropped silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from assistant.records import RecordsUnavailableError
from bots.deps import Deps, Req
from bots.protocol import tell

log = logging.getLogger("bots")
T = TypeVar("T")

NOT_RECORDED = (
    "⚠️ Your answer was *not recorded*: the practice records are unavailable right now. "
    "Please answer again in a minute."
)


def records_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the records database did not answer."""
    seen: BaseException | None = exc
    for _ in range(5):  # the engine wraps at most a level or two
        if seen is None:
            return False
        if isinstance(seen, RecordsUnavailableError):
            return True
        seen = seen.__cause__
    return False


def retry_records(
    work: Callable[[], T],
    budget_s: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``work``; while the records database is unavailable, retry until ``budget_s``.

    Raises:
        The last error when the budget is spent, or any other error at once.
    """
    deadline = clock() + budget_s
    delay = 0.25
    while True:
        try:
            return work()
        except Exception as exc:
            left = deadline - clock()
            if not records_unavailable(exc) or left <= 0:
                raise
            log.warning("records database unavailable; retrying in %.2fs", min(delay, left))
            sleep(min(delay, left))
            delay = min(delay * 2, 2.0)


def record_or_refuse(deps: Deps, req: Req, work: Callable[[], T]) -> T | None:
    """The result of the recording step, or None after telling the person it was not recorded."""
    try:
        return retry_records(work, deps.settings.records_retry_s)
    except Exception as exc:
        if not records_unavailable(exc):
            raise
        log.error("answer of user %s not recorded: %s", req.user_id or "?", exc)
        tell(req, NOT_RECORDED)
        return None
