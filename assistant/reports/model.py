"""The readiness report's nouns: plain frozen values, so every renderer prints the same numbers.

Rates are fractions 0..1 (``None`` when there is nothing to divide by); renderers format them
as percentages. Figures are pooled, not averaged per person: a group's accuracy is its
correct attempts over its attempts, its mastery the mean recall over all its people's cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from assistant.reports.audit import AuditReport


def ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is 0."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Tally:
    """Sums from which the rates are derived (kept so that groups pool exactly)."""

    attempts: int = 0
    correct: int = 0
    score_sum: float = 0.0
    first_attempts: int = 0
    first_correct: int = 0
    cards: int = 0
    recall_sum: float = 0.0
    """Sum of each card's recall probability at the report's ``as_of``."""
    audit_recall_sum: float = 0.0
    """Sum of each card's recall probability on the audit date (0 without one)."""

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.attempts + other.attempts,
            self.correct + other.correct,
            self.score_sum + other.score_sum,
            self.first_attempts + other.first_attempts,
            self.first_correct + other.first_correct,
            self.cards + other.cards,
            self.recall_sum + other.recall_sum,
            self.audit_recall_sum + other.audit_recall_sum,
        )

    @property
    def accuracy(self) -> float | None:
        """Correct attempts over attempts in the period."""
        return ratio(self.correct, self.attempts)

    @property
    def first_attempt_accuracy(self) -> float | None:
        """Correct first-ever attempts over first-ever attempts made in the period."""
        return ratio(self.first_correct, self.first_attempts)

    @property
    def mastery(self) -> float | None:
        """Mean FSRS recall probability over the cards (``None`` without cards)."""
        return ratio(self.recall_sum, self.cards)

    @property
    def predicted_recall(self) -> float | None:
        """Mean recall probability on the audit date over the cards."""
        return ratio(self.audit_recall_sum, self.cards)


@dataclass(frozen=True)
class PersonRow:
    """One person's readiness."""

    person_id: int
    external_id: str
    name: str
    role: str
    team: str | None
    program: str | None
    tally: Tally
    areas: dict[str, Tally]
    active: bool
    """Practised at least once in the coverage window (the last 14 days by default)."""
    last_practice: datetime | None
    interviews: int
    """Mock interviews started in the period."""
    interview_answers: int
    interview_score: float | None
    """Mean score (0..100) of the interview answers given in the period."""
    must_know: int
    must_know_ready: int
    must_know_seen: int

    @property
    def ready(self) -> bool:
        """Every must-know question of the person's role is recalled well enough."""
        return self.must_know_ready >= self.must_know


@dataclass(frozen=True)
class GroupRow:
    """A team, program or role: its people's figures pooled."""

    kind: str
    """``team``, ``program``, ``role`` or ``site``."""
    name: str
    people: int
    active: int
    ready: int
    tally: Tally
    areas: dict[str, Tally]
    interview_answers: int
    interview_score: float | None

    @property
    def coverage(self) -> float | None:
        """Share of the group who practised in the coverage window."""
        return ratio(self.active, self.people)

    @property
    def ready_share(self) -> float | None:
        """Share of the group ready on their must-know questions."""
        return ratio(self.ready, self.people)


@dataclass(frozen=True)
class WeekPoint:
    """One week of practice (weeks start on Monday, UTC)."""

    week: date
    series: str
    """``all`` for the whole population, else a team name."""
    attempts: int
    correct: int
    people: int

    @property
    def accuracy(self) -> float | None:
        """Correct attempts over attempts that week."""
        return ratio(self.correct, self.attempts)


@dataclass(frozen=True)
class MissedQuestion:
    """A question people get wrong, with the section it was drawn from."""

    question_id: str
    prompt: str
    area: str
    source_doc_id: str | None
    source_section: str | None
    source_file: str | None
    attempts: int
    misses: int
    people_missing: int

    @property
    def miss_rate(self) -> float | None:
        """Wrong attempts over attempts in the period."""
        return ratio(self.misses, self.attempts)


@dataclass(frozen=True)
class ReportPolicy:
    """The thresholds a report was built with (site policy, from the settings)."""

    coverage_days: int = 14
    ready_recall: float = 0.8
    must_know_difficulty: int = 1
    must_know_authored: bool = True
    top_missed: int = 10
    period_days: int = 84


@dataclass(frozen=True)
class ReadinessReport:
    """Everything ``copc report`` shows, in every format."""

    generated_at: datetime
    as_of: datetime
    since: datetime
    until: datetime
    audit_date: date | None
    team: str | None
    program: str | None
    policy: ReportPolicy
    areas: tuple[str, ...]
    """COPC areas with any card or attempt in the report (heatmap columns)."""
    unpractised: tuple[str, ...]
    """Areas that have approved questions but no card or attempt in the report."""
    people: tuple[PersonRow, ...]
    site: GroupRow
    teams: tuple[GroupRow, ...]
    programs: tuple[GroupRow, ...]
    roles: tuple[GroupRow, ...]
    trend: tuple[WeekPoint, ...]
    missed: tuple[MissedQuestion, ...]
    audit: AuditReport | None = field(default=None)
    """An audit to show as a section of the HTML page (``None``: no audit)."""

    @property
    def not_ready(self) -> tuple[PersonRow, ...]:
        """People not yet ready on their role's must-know questions, least ready first."""
        rows = [p for p in self.people if not p.ready]
        return tuple(
            sorted(
                rows, key=lambda p: (p.must_know_ready / (p.must_know or 1), p.name, p.person_id)
            )
        )

    def area_tally(self, area: str) -> Tally:
        """The whole population's figures on one area."""
        return self.site.areas.get(area, Tally())
