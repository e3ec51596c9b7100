"""The audit: what an assessor would find in the documents, the target register and the KPIs.

    criteria notes + index ─► coverage.py ─► criteria with no site evidence
    target register         ─► check_register ─► missing rationale, source, approval, review
    results + action log    ─► check_kpis ─► short evidence, unexplained misses, runs of
                                             misses without a formal improvement plan

Each gap is a ``Finding`` with a stable ``check`` code, the subject (a target id or a
criterion id) and one line that says what is missing. The thresholds (12 months, three
consecutive points) are site policy (``AuditPolicy``, from the settings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from assistant.reports.kpi import ActionEntry, KpiResult, add_months
from assistant.reports.registry import TargetEntry, TargetRegistry

CHECKS: dict[str, str] = {
    "criteria.no_evidence": "criteria with no site evidence",
    "register.rationale": "targets without a recorded rationale",
    "register.source": "targets without a source document",
    "register.approval": "targets without a recorded approval",
    "register.review": "target reviews overdue or not scheduled",
    "kpi.months": "KPIs with fewer months of results than policy",
    "kpi.unexplained_miss": "misses without a recorded reason and action",
    "kpi.no_plan": "consecutive misses without a formal improvement plan",
    "kpi.unregistered": "KPI results for targets not in the register",
}
"""Every check the audit runs, by code."""


@dataclass(frozen=True)
class AuditPolicy:
    """Site policy the audit applies (DESIGN §7 defaults)."""

    evidence_months: int = 12
    consecutive_misses: int = 3
    min_evidence_sections: int = 1


@dataclass(frozen=True)
class Finding:
    """One gap an assessor would find."""

    check: str
    subject: str
    message: str

    @property
    def kind(self) -> str:
        """The check's plain-English name."""
        return CHECKS.get(self.check, self.check)


@dataclass(frozen=True)
class EvidenceDoc:
    """A site document that evidences a criterion, with how many of its sections do."""

    doc_id: str
    title: str
    file: str
    sections: int


@dataclass(frozen=True)
class CriterionCoverage:
    """A COPC criterion note and the site documents that evidence it."""

    criterion_id: str
    title: str
    area: str
    documents: tuple[EvidenceDoc, ...]

    @property
    def sections(self) -> int:
        """Site sections mapped to the criterion's area."""
        return sum(d.sections for d in self.documents)


@dataclass(frozen=True)
class TargetStatus:
    """One registered target's KPI evidence in the audit window."""

    target: TargetEntry
    months: int
    """Months of the window with a result."""
    latest: float | None
    misses: int
    """Months in the window below target (by the register's direction)."""
    results: tuple[tuple[date, float], ...]


@dataclass(frozen=True)
class AuditReport:
    """Everything ``copc audit`` shows."""

    as_of: date
    window: tuple[date, date]
    """First and last month of the KPI evidence window."""
    policy: AuditPolicy
    register_title: str
    criteria: tuple[CriterionCoverage, ...]
    targets: tuple[TargetStatus, ...]
    findings: tuple[Finding, ...]
    sources: dict[str, str] = field(default_factory=dict)
    """What was read: register, results, action log, index (paths or ``-``)."""

    def by_check(self) -> dict[str, list[Finding]]:
        """Findings grouped by check code, in the order of ``CHECKS``."""
        groups: dict[str, list[Finding]] = {code: [] for code in CHECKS}
        for finding in self.findings:
            groups.setdefault(finding.check, []).append(finding)
        return {code: found for code, found in groups.items() if found}


def evidence_window(as_of: date, months: int) -> tuple[date, date]:
    """The ``months`` complete months before ``as_of``'s month, as first and last month."""
    last = add_months(date(as_of.year, as_of.month, 1), -1)
    return add_months(last, -(months - 1)), last


def check_register(
    registry: TargetRegistry,
    as_of: date,
    *,
    known_sections: Mapping[str, set[str]] | None = None,
) -> list[Finding]:
    """Gaps in each register entry: rationale, source, approvals and the review date.

    Args:
        registry: The register.
        as_of: The day the audit looks from (a review before it is overdue).
        known_sections: Indexed documents' section headings by document id and by file
            name; when given, a named source must exist there.
    """
    out: list[Finding] = []
    for t in registry.targets:
        label = f"{t.label} target"
        if not t.how_set:
            out.append(Finding("register.rationale", t.id, f"{label}: no rationale recorded"))
        out += _source_findings(t, label, known_sections)
        if not t.approver:
            out.append(Finding("register.approval", t.id, f"{label}: no internal approver"))
        if t.client_program and not (t.client_approver and t.approved_on):
            out.append(Finding("register.approval", t.id, f"{label}: no client approval recorded"))
        if t.next_review is None:
            out.append(Finding("register.review", t.id, f"{label}: no next review date"))
        elif t.next_review < as_of:
            out.append(
                Finding(
                    "register.review",
                    t.id,
                    f"{label}: review was due {t.next_review.isoformat()} and is overdue",
                )
            )
    return out


def _source_findings(
    t: TargetEntry, label: str, known: Mapping[str, set[str]] | None
) -> list[Finding]:
    source = t.source
    if not source.given:
        return [Finding("register.source", t.id, f"{label}: no source document named")]
    if known is None:
        return []
    keys = [k for k in (source.doc_id, source.file) if k]
    sections = next((known[k] for k in keys if k in known), None)
    name = source.doc_id or source.file
    if sections is None:
        return [
            Finding("register.source", t.id, f"{label}: source {name} is not an indexed document")
        ]
    if source.section and _norm(source.section) not in sections:
        return [
            Finding(
                "register.source",
                t.id,
                f"{label}: section “{source.section}” not found in {name}",
            )
        ]
    return []


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def normalised_sections(pairs: Iterable[tuple[str, str, str]]) -> dict[str, set[str]]:
    """``(doc_id, file, heading)`` triples as the ``known_sections`` map."""
    out: dict[str, set[str]] = defaultdict(set)
    for doc_id, file, heading in pairs:
        out[doc_id].add(_norm(heading))
        out[file].add(_norm(heading))
    return dict(out)


def check_kpis(
    registry: TargetRegistry,
    results: Iterable[KpiResult],
    actions: Iterable[ActionEntry],
    as_of: date,
    policy: AuditPolicy,
) -> tuple[list[TargetStatus], list[Finding]]:
    """KPI evidence per target in the window: months present, misses explained, runs planned."""
    first, last = evidence_window(as_of, policy.evidence_months)
    entries = registry.by_id()
    series: dict[str, dict[date, float]] = defaultdict(dict)
    findings: list[Finding] = []
    for r in results:
        series[r.target_id][r.month] = r.result
    for unknown in sorted(set(series) - set(entries)):
        findings.append(
            Finding(
                "kpi.unregistered",
                unknown,
                f"results for {unknown!r}, which is not in the register",
            )
        )
    logged: dict[tuple[str, date], list[ActionEntry]] = defaultdict(list)
    plans: dict[str, list[date]] = defaultdict(list)
    for a in actions:
        if a.kind == "pip":
            plans[a.target_id].append(a.month)
        logged[(a.target_id, a.month)].append(a)
    statuses: list[TargetStatus] = []
    for t in registry.targets:
        values = {m: v for m, v in series.get(t.id, {}).items() if first <= m <= last}
        judged = {
            m: v for m, v in values.items() if t.effective is None or m >= _month(t.effective)
        }
        missed = sorted(m for m, v in judged.items() if t.misses(v))
        label = f"{t.label} target"
        if len(values) < policy.evidence_months:
            findings.append(
                Finding(
                    "kpi.months",
                    t.id,
                    f"{label}: {len(values)} of {policy.evidence_months} months of results "
                    f"({first:%Y-%m} to {last:%Y-%m})",
                )
            )
        for month in missed:
            findings += _miss_findings(t, label, month, judged[month], logged[(t.id, month)])
        for run in _runs(missed, policy.consecutive_misses):
            trigger = run[policy.consecutive_misses - 1]
            planned = any(trigger <= m <= add_months(trigger, 1) for m in plans.get(t.id, []))
            if not planned:
                months = ", ".join(f"{m:%Y-%m}" for m in run)
                findings.append(
                    Finding(
                        "kpi.no_plan",
                        t.id,
                        f"{label}: {len(run)} consecutive months below target ({months}) "
                        "and no formal improvement plan in the action log",
                    )
                )
        ordered = tuple(sorted(values.items()))
        statuses.append(
            TargetStatus(t, len(values), ordered[-1][1] if ordered else None, len(missed), ordered)
        )
    return statuses, findings


def _miss_findings(
    t: TargetEntry, label: str, month: date, value: float, entries: list[ActionEntry]
) -> list[Finding]:
    analyses = [e for e in entries if e.kind == "rca"]
    reason = any(e.root_cause for e in analyses)
    action = any(e.action for e in analyses)
    if reason and action:
        return []
    missing = (
        "no reason or action recorded"
        if not (reason or action)
        else ("no action recorded" if reason else "no reason recorded")
    )
    return [
        Finding(
            "kpi.unexplained_miss",
            t.id,
            f"{label}: {month:%Y-%m} result {value:g} missed the target {t.target:g}; {missing}",
        )
    ]


def _runs(months: list[date], length: int) -> list[list[date]]:
    """Maximal runs of consecutive calendar months at least ``length`` long."""
    runs: list[list[date]] = []
    current: list[date] = []
    for month in months:
        if current and month == add_months(current[-1], 1):
            current.append(month)
        else:
            if len(current) >= length:
                runs.append(current)
            current = [month]
    if len(current) >= length:
        runs.append(current)
    return runs


def _month(day: date) -> date:
    return date(day.year, day.month, 1)
