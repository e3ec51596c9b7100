"""The report and the audit as data: one dictionary (JSON) and one long table (CSV).

Both come from the same numbers: rates are fractions rounded to four decimals, and the CSV
has one row per figure (``table, kind, name, area, week, metric, value``), which spreadsheets
pivot and tests compare with the JSON one for one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from assistant.reports.audit import AuditReport
from assistant.reports.model import GroupRow, PersonRow, ReadinessReport, Tally

CSV_HEADER = ("table", "kind", "name", "area", "week", "metric", "value")


def r4(value: float | None) -> float | None:
    """A rate rounded for output (``None`` stays ``None``)."""
    return None if value is None else round(value, 4)


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def tally_dict(t: Tally, with_recall: bool) -> dict[str, Any]:
    """A tally's counts and rates (predicted recall only when there is an audit date)."""
    return {
        "attempts": t.attempts,
        "accuracy": r4(t.accuracy),
        "first_attempts": t.first_attempts,
        "first_attempt_accuracy": r4(t.first_attempt_accuracy),
        "cards": t.cards,
        "mastery": r4(t.mastery),
        "predicted_recall": r4(t.predicted_recall) if with_recall else None,
    }


def group_dict(g: GroupRow, with_recall: bool) -> dict[str, Any]:
    """A group's figures, with its per-area figures."""
    figures = tally_dict(g.tally, with_recall)
    return {
        "kind": g.kind,
        "name": g.name,
        "people": g.people,
        "active": g.active,
        "coverage": r4(g.coverage),
        "ready": g.ready,
        "ready_share": r4(g.ready_share),
        **figures,
        "interview_answers": g.interview_answers,
        "interview_score": r4(g.interview_score),
        "areas": {a: tally_dict(t, with_recall) for a, t in g.areas.items()},
    }


def person_dict(p: PersonRow, with_recall: bool) -> dict[str, Any]:
    """One person's figures."""
    figures = tally_dict(p.tally, with_recall)
    return {
        "external_id": p.external_id,
        "name": p.name,
        "role": p.role,
        "team": p.team,
        "program": p.program,
        "active": p.active,
        "last_practice": _iso(p.last_practice),
        **figures,
        "interviews": p.interviews,
        "interview_answers": p.interview_answers,
        "interview_score": r4(p.interview_score),
        "must_know": p.must_know,
        "must_know_seen": p.must_know_seen,
        "must_know_ready": p.must_know_ready,
        "ready": p.ready,
        "areas": {a: tally_dict(t, with_recall) for a, t in p.areas.items()},
    }


def report_dict(report: ReadinessReport) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    recall = report.audit_date is not None
    return {
        "report": "readiness",
        "generated_at": _iso(report.generated_at),
        "as_of": _iso(report.as_of),
        "period": {
            "since": _iso(report.since),
            "until": _iso(report.until),
            "last_day": _iso((report.until - timedelta(microseconds=1)).date()),
        },
        "filters": {"team": report.team, "program": report.program},
        "audit_date": _iso(report.audit_date),
        "policy": {
            "coverage_days": report.policy.coverage_days,
            "ready_recall": report.policy.ready_recall,
            "must_know_difficulty": report.policy.must_know_difficulty,
            "must_know_authored": report.policy.must_know_authored,
        },
        "areas": list(report.areas),
        "unpractised_areas": list(report.unpractised),
        "summary": group_dict(report.site, recall),
        "teams": [group_dict(g, recall) for g in report.teams],
        "programs": [group_dict(g, recall) for g in report.programs],
        "roles": [group_dict(g, recall) for g in report.roles],
        "people": [person_dict(p, recall) for p in report.people],
        "trend": [
            {
                "week": w.week.isoformat(),
                "series": w.series,
                "attempts": w.attempts,
                "correct": w.correct,
                "accuracy": r4(w.accuracy),
                "people": w.people,
            }
            for w in report.trend
        ],
        "most_missed": [
            {
                "question_id": m.question_id,
                "prompt": m.prompt,
                "area": m.area,
                "source_doc_id": m.source_doc_id,
                "source_section": m.source_section,
                "source_file": m.source_file,
                "attempts": m.attempts,
                "misses": m.misses,
                "miss_rate": r4(m.miss_rate),
                "people_missing": m.people_missing,
            }
            for m in report.missed
        ],
        "not_ready": [
            {
                "external_id": p.external_id,
                "name": p.name,
                "role": p.role,
                "team": p.team,
                "must_know": p.must_know,
                "must_know_seen": p.must_know_seen,
                "must_know_ready": p.must_know_ready,
            }
            for p in report.not_ready
        ],
        "audit": audit_dict(report.audit) if report.audit is not None else None,
    }


def audit_dict(audit: AuditReport) -> dict[str, Any]:
    """The audit as JSON-ready data."""
    first, last = audit.window
    return {
        "report": "audit",
        "as_of": audit.as_of.isoformat(),
        "window": {"first": first.strftime("%Y-%m"), "last": last.strftime("%Y-%m")},
        "policy": {
            "evidence_months": audit.policy.evidence_months,
            "consecutive_misses": audit.policy.consecutive_misses,
            "min_evidence_sections": audit.policy.min_evidence_sections,
        },
        "sources": audit.sources,
        "findings": [
            {"check": f.check, "kind": f.kind, "subject": f.subject, "message": f.message}
            for f in audit.findings
        ],
        "counts": {code: len(found) for code, found in audit.by_check().items()},
        "criteria": [
            {
                "criterion_id": c.criterion_id,
                "title": c.title,
                "area": c.area,
                "sections": c.sections,
                "documents": [
                    {"doc_id": d.doc_id, "title": d.title, "file": d.file, "sections": d.sections}
                    for d in c.documents
                ],
            }
            for c in audit.criteria
        ],
        "targets": [
            {
                "id": s.target.id,
                "metric": s.target.metric,
                "program": s.target.program,
                "target": s.target.target,
                "unit": s.target.unit,
                "direction": s.target.direction,
                "months": s.months,
                "misses": s.misses,
                "latest": s.latest,
                "results": {m.strftime("%Y-%m"): v for m, v in s.results},
            }
            for s in audit.targets
        ],
    }


def _csv(rows: Iterator[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def _figures(table: str, kind: str, name: str, data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for metric, value in data.items():
        if metric == "areas":
            for area, figures in value.items():
                for m, v in figures.items():
                    yield (table, kind, name, area, "", m, v)
        elif isinstance(value, bool):
            yield (table, kind, name, "", "", metric, int(value))
        elif isinstance(value, int | float) or value is None:
            yield (table, kind, name, "", "", metric, value)


def report_rows(report: ReadinessReport) -> Iterator[tuple[Any, ...]]:
    """Every number of the report as ``(table, kind, name, area, week, metric, value)``."""
    data = report_dict(report)
    yield from _figures("summary", "site", "All people", data["summary"])
    for key in ("teams", "programs", "roles"):
        for g in data[key]:
            yield from _figures("group", g["kind"], g["name"], g)
    for p in data["people"]:
        yield from _figures("person", p["role"], p["external_id"], p)
    for w in data["trend"]:
        for metric in ("attempts", "correct", "accuracy", "people"):
            yield ("trend", "week", w["series"], "", w["week"], metric, w[metric])
    for m in data["most_missed"]:
        for metric in ("attempts", "misses", "miss_rate", "people_missing"):
            yield ("most_missed", "question", m["question_id"], m["area"], "", metric, m[metric])
    for p in data["not_ready"]:
        for metric in ("must_know", "must_know_seen", "must_know_ready"):
            yield ("not_ready", p["role"], p["external_id"], "", "", metric, p[metric])
    if report.audit is not None:
        yield from audit_rows(report.audit)


def audit_rows(audit: AuditReport) -> Iterator[tuple[Any, ...]]:
    """The audit's findings and figures as CSV rows (findings: metric ``finding``)."""
    for f in audit.findings:
        yield ("finding", f.check, f.subject, "", "", "finding", f.message)
    for c in audit.criteria:
        yield ("criterion", "criterion", c.criterion_id, c.area, "", "sections", c.sections)
    for s in audit.targets:
        yield ("target", s.target.program, s.target.id, "", "", "months", s.months)
        yield ("target", s.target.program, s.target.id, "", "", "misses", s.misses)
        for month, value in s.results:
            yield (
                "target",
                s.target.program,
                s.target.id,
                "",
                month.strftime("%Y-%m"),
                "result",
                value,
            )


def to_json(obj: ReadinessReport | AuditReport) -> str:
    """Pretty JSON of a report or an audit."""
    data = report_dict(obj) if isinstance(obj, ReadinessReport) else audit_dict(obj)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(obj: ReadinessReport | AuditReport) -> str:
    """The long CSV of a report or an audit."""
    return _csv(report_rows(obj) if isinstance(obj, ReadinessReport) else audit_rows(obj))
