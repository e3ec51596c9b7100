"""Daily practice: each person's due questions in a DM at a configured hour of *their* day.

Every bot process runs the same loop; the database claim (``Records.claim_daily``, one row
per person per local date) makes sure exactly one of them sends the DM. The claim is taken
only when there is something to practise, and just before sending.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bots.deps import Deps
from bots.quiz import post_questions

log = logging.getLogger(__name__)

#: Slack user ids; people enrolled from the CLI under other ids get no DM.
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class DailyPractice:
    """Sends the daily practice DMs; :meth:`run_once` is one pass, :meth:`start` a loop."""

    def __init__(self, deps: Deps, client: WebClient) -> None:
        self._deps = deps
        self._client = client
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: datetime | None = None) -> int:
        """Send today's practice to everyone whose local hour has come; returns how many."""
        now = now or datetime.now(UTC)
        practice, hour = self._deps.practice, self._deps.settings.slack_daily_hour
        try:  # event claims only matter while Slack may still retry (minutes)
            practice.records.purge_event_claims(now - timedelta(days=1))
        except Exception:
            log.warning("could not purge old event claims", exc_info=True)
        sent = 0
        for person in practice.records.list_people():
            user_id = person.external_id
            if not SLACK_USER_ID.match(user_id):
                continue
            try:
                local = now.astimezone(ZoneInfo(person.timezone))
            except (ZoneInfoNotFoundError, ValueError):
                local = now.astimezone(UTC)
            if local.hour != hour:
                continue
            try:
                items = practice.next_questions(
                    user_id, limit=self._deps.settings.slack_quiz_size, now=now
                )
                if not items or not practice.records.claim_daily(person, local.date(), now=now):
                    continue
                post_questions(self._deps, self._client, user_id, items, area=None, daily=True)
                sent += 1
            except Exception:
                log.exception("daily practice for %s failed", user_id)
        return sent

    def start(self, interval_s: float | None = None) -> None:
        """Run :meth:`run_once` every ``interval_s`` seconds in a daemon thread."""
        every = interval_s or self._deps.settings.slack_daily_check_s

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.run_once()
                except Exception:
                    log.exception("daily practice pass failed")
                self._stop.wait(every)

        self._stop.clear()
        self._thread = threading.Thread(target=loop, name="copc-daily", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
