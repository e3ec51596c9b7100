"""``/copc report [team]``: team readiness for managers (and team leads, for their own team).

The report is built and rendered by ``assistant.reports``; this module only checks who may
see which team and posts the Markdown privately.
"""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.chunking import SITE_WIDE, normalise_program
from bots import blocks
from bots.blocks import Message
from bots.deps import Deps, Req
from bots.ports import PracticeEngine

#: Slack lets a ``response_url`` be used five times; a report is at most that many messages.
MAX_REPORT_MESSAGES = 5

REFUSAL = (
    "Readiness reports are for managers, the quality team and team leads (for their own "
    "team). If you should see this report, ask your quality team to add you to the roles file."
)


def render_report(
    practice: PracticeEngine, *, team: str | None, program: str | None, now: datetime | None = None
) -> str:
    """The readiness report for ``team``/``program`` as Markdown (``assistant.reports``)."""
    from assistant.reports import build_report, render

    report = build_report(
        practice.records,
        practice.scheduler,
        team=team,
        program=program,
        now=now or datetime.now(UTC),
    )
    return render(report, "md")


def send_report(deps: Deps, req: Req, team: str | None) -> None:
    """Check the asker's role, then post the report privately (or refuse politely)."""
    profile = deps.people.profile(req.user_id)
    if team is None and not profile.is_manager:
        team = profile.team
    if not profile.may_report(team):
        req.reply_private(Message(REFUSAL))
        return
    # People are recorded under the program's slug ("harbor-bank"); the roles file names it
    # as people write it ("Harbor Bank"). A site-wide scope is no program filter at all.
    scope = normalise_program(profile.program) if profile.program else SITE_WIDE
    program = None if scope == SITE_WIDE else scope
    markdown = render_report(deps.practice, team=team, program=program)
    for message in blocks.report_messages(markdown)[:MAX_REPORT_MESSAGES]:
        req.reply_private(message)
