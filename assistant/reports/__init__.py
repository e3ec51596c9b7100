"""Readiness reports and the audit-gap analysis.

    records ─► build_report ─► ReadinessReport ─┐
    register + KPI CSVs + index ─► build_audit ─► AuditReport ─┴─► render(..., "html|csv|json|md")

``build_report`` aggregates the practice records in SQL (coverage, first-attempt accuracy,
FSRS mastery, interview scores, weekly trend, most-missed questions, must-know readiness and
predicted recall on the audit day); ``build_audit`` checks criteria coverage, the target
register and the monthly KPI evidence. Both render to the same four formats, with the same
numbers. Importing this package loads no model and opens no database.

    >>> report = build_report(records, scheduler, team="HB-1")        # doctest: +SKIP
    >>> html = render(report, "html")                                 # doctest: +SKIP
"""

from __future__ import annotations

from typing import Literal

from assistant.reports.audit import AuditPolicy, AuditReport, Finding
from assistant.reports.model import ReadinessReport, ReportPolicy
from assistant.reports.registry import RegistryError, TargetEntry, TargetRegistry, load_registry
from assistant.reports.service import (
    AuditSources,
    ReportError,
    audit_policy,
    build_audit,
    build_report,
    report_policy,
)

Format = Literal["html", "csv", "json", "md"]
FORMATS: tuple[str, ...] = ("html", "csv", "json", "md")


def render(report: ReadinessReport | AuditReport, fmt: str) -> str:
    """A report or an audit as ``html``, ``csv``, ``json`` or ``md`` (Markdown for Slack).

    Raises:
        ReportError: an unknown format.
    """
    from assistant.reports import export, html, markdown

    if fmt == "json":
        return export.to_json(report)
    if fmt == "csv":
        return export.to_csv(report)
    if fmt == "md":
        if isinstance(report, ReadinessReport):
            return markdown.report_markdown(report)
        return markdown.audit_markdown(report)
    if fmt == "html":
        if isinstance(report, ReadinessReport):
            return html.report_html(report)
        return html.audit_html(report)
    raise ReportError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = [
    "FORMATS",
    "AuditPolicy",
    "AuditReport",
    "AuditSources",
    "Finding",
    "Format",
    "ReadinessReport",
    "RegistryError",
    "ReportError",
    "ReportPolicy",
    "TargetEntry",
    "TargetRegistry",
    "audit_policy",
    "build_audit",
    "build_report",
    "load_registry",
    "render",
    "report_policy",
]
