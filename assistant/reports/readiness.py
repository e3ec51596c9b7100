"""Building the readiness report from the practice records.

    records ─► Queries (SQL aggregates per person × area, per week, per question)
            ─► PersonRow per person ─► GroupRow per team, program, role and the site
            ─► ReadinessReport (rendered by ``assistant.reports.render``)

Definitions (also in ``docs/reports.md``):

- *period*: attempts in ``[since, until)``; by default the 12 weeks up to ``now``.
- *coverage*: practised at least once in the ``coverage_days`` before ``as_of`` (14 by default).
- *first-attempt accuracy*: each person's first-ever attempt at a question, when made in the
  period; it measures what people knew before practising it.
- *mastery*: mean FSRS recall probability over a person's cards on approved questions at
  ``as_of`` (the end of the period, or now if earlier); *predicted recall*: the same on the
  audit date (midday UTC).
- *must-know*: approved questions for the person's role (or for everyone) of difficulty up to
  the policy's level that the site's quality team authored (all such questions for a role the
  site authored none for); *ready*: every one recalled with probability ``ready_recall``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from assistant.records import Records
from assistant.reports.model import (
    GroupRow,
    MissedQuestion,
    PersonRow,
    ReadinessReport,
    ReportPolicy,
    Tally,
    WeekPoint,
)
from assistant.reports.queries import Queries, Scope
from assistant.scheduling import FORECAST_TIME, Scheduler

NO_TEAM = "(no team)"
NO_PROGRAM = "(no program)"


class ScopeError(ValueError):
    """Report options that cannot work together (translated to ``AssistantError`` at the API)."""


def _moment(value: datetime | date | None, *, end: bool = False) -> datetime | None:
    """A date as midnight UTC (the next midnight for an inclusive end); datetimes in UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ScopeError(f"{value.isoformat()} has no time zone; pass an aware datetime")
        return value.astimezone(UTC)
    start = datetime.combine(value, time(0), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def make_scope(
    *,
    team: str | None,
    program: str | None,
    since: datetime | date | None,
    until: datetime | date | None,
    audit_date: date | None,
    now: datetime | None,
    policy: ReportPolicy,
) -> Scope:
    """The period and moments a report is computed for."""
    current = _moment(now) or datetime.now(UTC)
    end = _moment(until, end=True) or current
    start = _moment(since) or end - timedelta(days=policy.period_days)
    if start >= end:
        raise ScopeError(f"the period is empty: since {start:%Y-%m-%d} is not before until")
    as_of = min(end, current)
    audit_at = datetime.combine(audit_date, FORECAST_TIME) if audit_date else None
    return Scope(
        team=team,
        program=program,
        since=start,
        until=end,
        as_of=as_of,
        audit_at=audit_at,
        coverage_from=as_of - timedelta(days=policy.coverage_days),
    )


def build_readiness(
    records: Records,
    scheduler: Scheduler,
    scope: Scope,
    policy: ReportPolicy,
    *,
    audit_date: date | None = None,
    generated_at: datetime | None = None,
) -> ReadinessReport:
    """Run the queries and assemble the report."""
    q = Queries(records, scheduler)
    people = q.people(scope)
    areas: dict[int, dict[str, Tally]] = defaultdict(dict)

    def add(pid: int, area: str, tally: Tally) -> None:
        areas[pid][area] = areas[pid].get(area, Tally()) + tally

    for pid, area, n, recall, audit in q.cards(scope):
        add(pid, area, Tally(cards=n, recall_sum=recall, audit_recall_sum=audit))
    for pid, area, n, correct, score in q.attempts(scope):
        add(pid, area, Tally(attempts=n, correct=correct, score_sum=score))
    for pid, area, n, correct in q.first_attempts(scope):
        add(pid, area, Tally(first_attempts=n, first_correct=correct))
    activity = q.activity(scope)
    interviews = _interviews(q.interview_turns(scope))
    approved = q.approved_questions()
    must = _must_know(q, scope, policy, approved, {p[3] for p in people})

    rows: list[PersonRow] = []
    for pid, external_id, name, role, team, program in people:
        by_area = areas.get(pid, {})
        active, last = activity.get(pid, (False, None))
        sessions, answers, score_sum = interviews.get(pid, (0, 0, 0.0))
        ids = must["ids"].get(role, [])
        seen, ready = must["people"].get(pid, (0, 0))
        rows.append(
            PersonRow(
                person_id=pid,
                external_id=external_id,
                name=name,
                role=role,
                team=team,
                program=program,
                tally=sum(by_area.values(), Tally()),
                areas=dict(sorted(by_area.items())),
                active=active,
                last_practice=last,
                interviews=sessions,
                interview_answers=answers,
                interview_score=score_sum / answers if answers else None,
                must_know=len(ids),
                must_know_ready=ready,
                must_know_seen=seen,
            )
        )
    all_areas = sorted({a for r in rows for a in r.areas})
    return ReadinessReport(
        generated_at=generated_at or scope.as_of,
        as_of=scope.as_of,
        since=scope.since,
        until=scope.until,
        audit_date=audit_date,
        team=scope.team,
        program=scope.program,
        policy=policy,
        areas=tuple(all_areas),
        unpractised=tuple(sorted({a for _, a, _, _, _ in approved} - set(all_areas))),
        people=tuple(rows),
        site=group("site", "All people", rows),
        teams=_groups("team", rows, lambda r: r.team or NO_TEAM),
        programs=_groups("program", rows, lambda r: r.program or NO_PROGRAM),
        roles=_groups("role", rows, lambda r: r.role),
        trend=_trend(q, scope),
        missed=tuple(_missed(row) for row in q.missed(scope, policy.top_missed)),
    )


def group(kind: str, name: str, rows: Iterable[PersonRow]) -> GroupRow:
    """People's figures pooled into one group."""
    members = list(rows)
    areas: dict[str, Tally] = {}
    for row in members:
        for area, tally in row.areas.items():
            areas[area] = areas.get(area, Tally()) + tally
    answers = sum(r.interview_answers for r in members)
    score = sum((r.interview_score or 0.0) * r.interview_answers for r in members)
    return GroupRow(
        kind=kind,
        name=name,
        people=len(members),
        active=sum(r.active for r in members),
        ready=sum(r.ready for r in members),
        tally=sum((r.tally for r in members), Tally()),
        areas=dict(sorted(areas.items())),
        interview_answers=answers,
        interview_score=score / answers if answers else None,
    )


def _groups(kind: str, rows: list[PersonRow], key: Any) -> tuple[GroupRow, ...]:
    members: dict[str, list[PersonRow]] = defaultdict(list)
    for row in rows:
        members[key(row)].append(row)
    return tuple(group(kind, name, members[name]) for name in sorted(members))


def _interviews(
    sessions: list[tuple[int, int, list[dict[str, Any]]]],
) -> dict[int, tuple[int, int, float]]:
    """Per person: ``(sessions, answers scored, score sum)``."""
    out: dict[int, tuple[int, int, float]] = {}
    for pid, _session, turns in sessions:
        scores = [
            float(t["score"])
            for t in turns
            if isinstance(t, dict)
            and t.get("kind", "answer") == "answer"
            and isinstance(t.get("score"), int | float)
            and not isinstance(t.get("score"), bool)
        ]
        n, answers, total = out.get(pid, (0, 0, 0.0))
        out[pid] = (n + 1, answers + len(scores), total + sum(scores))
    return out


def must_know_ids(
    approved: list[tuple[str, str, list[str], int, bool]], role: str, policy: ReportPolicy
) -> list[str]:
    """A role's must-know questions: approved, for the role (or everyone), easy enough.

    With ``policy.must_know_authored``, only the questions the site's quality team authored
    count, unless it authored none for the role: then every such question does.
    """
    fitting = [
        (qid, authored)
        for qid, _area, for_roles, difficulty, authored in approved
        if difficulty <= policy.must_know_difficulty and (not for_roles or role in for_roles)
    ]
    authored = [qid for qid, mine in fitting if mine]
    if policy.must_know_authored and authored:
        return sorted(authored)
    return sorted(qid for qid, _ in fitting)


def _must_know(
    q: Queries,
    scope: Scope,
    policy: ReportPolicy,
    approved: list[tuple[str, str, list[str], int, bool]],
    roles: set[str],
) -> dict[str, Any]:
    ids: dict[str, list[str]] = {}
    people: dict[int, tuple[int, int]] = {}
    for role in sorted(roles):
        ids[role] = must_know_ids(approved, role, policy)
        people.update(q.must_know(scope, role, ids[role], policy.ready_recall))
    return {"ids": ids, "people": people}


def week_start(moment: datetime) -> datetime:
    """Midnight UTC of the Monday that starts ``moment``'s week."""
    day = moment.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=UTC)


def _trend(q: Queries, scope: Scope) -> tuple[WeekPoint, ...]:
    origin = week_start(scope.since)
    weeks = max(1, -(-int((scope.until - origin).total_seconds()) // (7 * 86_400)))
    rows = q.weekly(scope, origin)
    by_team: dict[str, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    total: dict[int, tuple[int, int, int]] = {}
    for week, team, n, correct, people in rows:
        by_team[team or NO_TEAM][week] = (n, correct, people)
        a, c, p = total.get(week, (0, 0, 0))
        total[week] = (a + n, c + correct, p + people)  # a person is in one team: sums hold
    points: list[WeekPoint] = []
    for series, values in [("all", total), *sorted(by_team.items())]:
        for week in range(weeks):
            n, correct, people = values.get(week, (0, 0, 0))
            start = (origin + timedelta(weeks=week)).date()
            points.append(WeekPoint(start, series, n, correct, people))
    return tuple(points)


def _missed(row: tuple[Any, ...]) -> MissedQuestion:
    qid, prompt, area, doc_id, section, payload, n, misses, who = row
    citation = payload.get("citation") if isinstance(payload, dict) else None
    file = citation.get("file") if isinstance(citation, dict) else None
    return MissedQuestion(
        question_id=str(qid),
        prompt=str(prompt),
        area=str(area),
        source_doc_id=doc_id,
        source_section=section,
        source_file=str(file) if file else None,
        attempts=int(n),
        misses=int(misses or 0),
        people_missing=int(who or 0),
    )
