"""Composition for reports: settings → policies and paths → the readiness report and the audit.

The CLI (``copc report``, ``copc audit``) and the Slack bot call these functions; they take
their parts (records, scheduler, index catalog) as arguments so tests pass real ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.records import Records
from assistant.reports.audit import (
    AuditPolicy,
    AuditReport,
    check_kpis,
    check_register,
    evidence_window,
    normalised_sections,
)
from assistant.reports.kpi import read_actions, read_results
from assistant.reports.model import ReadinessReport, ReportPolicy
from assistant.reports.queries import Queries
from assistant.reports.readiness import ScopeError, build_readiness, make_scope, week_start
from assistant.reports.registry import load_registry
from assistant.scheduling import Scheduler

if TYPE_CHECKING:
    from assistant.embedding import Embedder


class ReportError(AssistantError):
    """The report or audit cannot be built with the options given."""


@dataclass(frozen=True)
class AuditSources:
    """The files the audit reads."""

    targets: Path
    results: Path
    actions: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditSources:
        """The configured files, defaulting to the corpus's ``site/targets`` and ``site/kpi``."""
        site = settings.corpus_dir / "site"
        return cls(
            targets=settings.targets_path or site / "targets",
            results=settings.kpi_results_file or site / "kpi" / "results.csv",
            actions=settings.action_log_file or site / "kpi" / "action-log.csv",
        )


def report_policy(settings: Settings) -> ReportPolicy:
    """The report thresholds configured for the site."""
    return ReportPolicy(
        coverage_days=settings.report_coverage_days,
        ready_recall=settings.report_ready_recall,
        must_know_difficulty=settings.report_must_know_difficulty,
        must_know_authored=settings.report_must_know_authored,
        top_missed=settings.report_top_missed,
        period_days=settings.report_period_days,
    )


def audit_policy(settings: Settings) -> AuditPolicy:
    """The audit thresholds configured for the site (DESIGN §7 defaults)."""
    return AuditPolicy(
        evidence_months=settings.audit_evidence_months,
        consecutive_misses=settings.audit_consecutive_misses,
        min_evidence_sections=settings.audit_min_evidence_sections,
    )


def build_report(
    records: Records,
    scheduler: Scheduler,
    *,
    team: str | None = None,
    program: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    audit_date: date | None = None,
    now: datetime | None = None,
    policy: ReportPolicy | None = None,
    audit: AuditReport | None = None,
) -> ReadinessReport:
    """The readiness report over the practice records.

    Args:
        records: The practice records.
        scheduler: The FSRS scheduler whose forgetting curve gives mastery and recall.
        team: Only this team.
        program: Only this client program (its slug, e.g. ``harbor-bank``).
        since: Start of the period (a date means its midnight UTC); default: ``until``
            minus the policy's period (12 weeks), or the week of the first attempt if later.
        until: End of the period, exclusive (a date includes that whole day); default: now.
        audit_date: Predicted recall is computed for midday UTC of this day.
        now: The current time (default: the clock); mastery is computed at the end of the
            period or now, whichever is earlier.
        policy: Thresholds (default: the built-in site policy).
        audit: An audit to show as a section of the HTML page.

    Raises:
        ReportError: an empty period, or a datetime without a time zone.
    """
    policy = policy or ReportPolicy()
    try:
        scope = make_scope(
            team=team,
            program=program,
            since=since,
            until=until,
            audit_date=audit_date,
            now=now,
            policy=policy,
        )
    except ScopeError as exc:
        raise ReportError(str(exc)) from exc
    if since is None:
        # A site that started practising recently: the trend starts with its first week.
        first = Queries(records, scheduler).first_practice(scope)
        if first is not None and week_start(first) > scope.since:
            scope = replace(scope, since=week_start(first))
    report = build_readiness(
        records,
        scheduler,
        scope,
        policy,
        audit_date=audit_date,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
    )
    return replace(report, audit=audit) if audit is not None else report


def build_audit(
    sources: AuditSources,
    *,
    as_of: date,
    policy: AuditPolicy | None = None,
    catalog: Mapping[str, Mapping[str, Any]] | None = None,
    embedder: Embedder | None = None,
    cache_dir: Path | None = None,
) -> AuditReport:
    """The audit: criteria coverage (when an index catalog is given), the register, the KPIs.

    Args:
        sources: The register, results and action-log files.
        as_of: The day the audit looks from: reviews due before it are overdue, and the KPI
            window is the complete months before its month.
        policy: Thresholds (default: DESIGN §7).
        catalog: The index catalog (``ChunkIndex.catalog``): criteria coverage and a check
            that each register source exists; without it both are left out.
        embedder: The index's embedder, used to map sections to COPC areas.
        cache_dir: Where to keep the section vectors between audits (e.g. ``COPC_HOME``).

    Raises:
        AssistantError: a file is missing or malformed (named in the message).
    """
    from assistant.reports.coverage import criteria_coverage

    policy = policy or AuditPolicy()
    registry = load_registry(sources.targets)
    results = read_results(sources.results)
    actions = read_actions(sources.actions)
    known = None
    criteria: list[Any] = []
    findings = []
    if catalog is not None:
        known = normalised_sections(_headings(catalog))
        criteria, found = criteria_coverage(
            catalog,
            embedder,
            min_sections=policy.min_evidence_sections,
            cache=cache_dir / "cache" / "area-vectors.npz" if cache_dir else None,
        )
        findings += found
    findings += check_register(registry, as_of, known_sections=known)
    statuses, kpi_findings = check_kpis(registry, results, actions, as_of, policy)
    findings += kpi_findings
    return AuditReport(
        as_of=as_of,
        window=evidence_window(as_of, policy.evidence_months),
        policy=policy,
        register_title=registry.info.title,
        criteria=tuple(criteria),
        targets=tuple(statuses),
        findings=tuple(findings),
        sources={
            "register": str(sources.targets),
            "results": str(sources.results),
            "action_log": str(sources.actions),
            "index": "yes" if catalog is not None else "-",
        },
    )


def _headings(catalog: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """``(doc_id, file, heading)`` for every heading on every indexed section's path."""
    out: set[tuple[str, str, str]] = set()
    for meta in catalog.values():
        doc_id = str(meta.get("doc_id") or meta.get("file", ""))
        file = str(meta.get("file", ""))
        for heading in str(meta.get("section_path") or meta.get("section", "")).split(" > "):
            out.add((doc_id, file, heading))
    return sorted(out)
