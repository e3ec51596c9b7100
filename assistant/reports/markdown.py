"""The report and the audit as short Markdown, for a Slack message or a chat post.

Built from the same data as the JSON (``export.report_dict``), so every figure matches; only
the headline figures, the teams, the weakest areas, the most-missed questions and the people
not yet ready are listed (the HTML page and the CSV hold everything).
"""

from __future__ import annotations

from typing import Any

from assistant.reports.audit import AuditReport
from assistant.reports.export import audit_dict, report_dict
from assistant.reports.model import ReadinessReport

LIST_LIMIT = 10


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (``–`` for no data)."""
    return "–" if value is None else f"{value * 100:.1f}%"


def score(value: float | None) -> str:
    """A 0..100 score with one decimal."""
    return "–" if value is None else f"{value:.1f}"


def scope_line(data: dict[str, Any]) -> str:
    """``team X, program Y`` or ``all teams and programs``."""
    team, program = data["filters"]["team"], data["filters"]["program"]
    parts = [f"team {team}" if team else "", f"program {program}" if program else ""]
    return ", ".join(p for p in parts if p) or "all teams and programs"


def group_line(g: dict[str, Any], recall: bool) -> str:
    """One group's headline figures."""
    text = (
        f"{g['people']} people, practised in the window {pct(g['coverage'])}, "
        f"first-attempt accuracy {pct(g['first_attempt_accuracy'])}, "
        f"mastery {pct(g['mastery'])}"
    )
    if recall:
        text += f", recall on audit day {pct(g['predicted_recall'])}"
    return text + f", ready {g['ready']}/{g['people']}"


def report_markdown(report: ReadinessReport) -> str:
    """The readiness summary."""
    data = report_dict(report)
    s = data["summary"]
    recall = data["audit_date"] is not None
    days = data["policy"]["coverage_days"]
    lines = [
        f"# Readiness report: {scope_line(data)}",
        "",
        f"Period {data['period']['since'][:10]} to {data['period']['last_day']} "
        f"(figures as of {data['as_of'][:16].replace('T', ' ')} UTC).",
        "",
        f"- People: {s['people']}; practised in the last {days} days: {s['active']} "
        f"({pct(s['coverage'])})",
        f"- First-attempt accuracy: {pct(s['first_attempt_accuracy'])} "
        f"({s['first_attempts']} first attempts); all attempts: {pct(s['accuracy'])} "
        f"({s['attempts']})",
        f"- Mastery (FSRS recall now): {pct(s['mastery'])} over {s['cards']} cards",
    ]
    if recall:
        lines.append(
            f"- Predicted recall on audit day {data['audit_date']}: {pct(s['predicted_recall'])}"
        )
    lines += [
        f"- Ready on their role's must-know questions: {s['ready']} of {s['people']} "
        f"({pct(s['ready_share'])})",
        f"- Mock interviews: mean score {score(s['interview_score'])} "
        f"({s['interview_answers']} answers)",
    ]
    if data["teams"]:
        lines += ["", "## Teams"]
        lines += [f"- {g['name']}: {group_line(g, recall)}" for g in data["teams"]]
    weakest = sorted(
        ((a, f) for a, f in s["areas"].items() if f["mastery"] is not None),
        key=lambda item: (item[1]["mastery"], item[0]),
    )[:5]
    if weakest or data["unpractised_areas"]:
        lines += ["", "## Weakest areas"]
        lines += [
            f"- {area}: mastery {pct(f['mastery'])} ({f['cards']} cards), first-attempt "
            f"accuracy {pct(f['first_attempt_accuracy'])}"
            for area, f in weakest
        ]
        if data["unpractised_areas"]:
            lines.append(f"- Not practised by anyone yet: {', '.join(data['unpractised_areas'])}")
    if data["most_missed"]:
        lines += ["", "## Most-missed questions"]
        for n, m in enumerate(data["most_missed"][:LIST_LIMIT], start=1):
            source = " › ".join(x for x in (m["source_doc_id"], m["source_section"]) if x)
            lines.append(
                f"{n}. {m['prompt'][:120]} ({m['area']}): {m['misses']} of {m['attempts']} "
                f"wrong ({pct(m['miss_rate'])}), {m['people_missing']} people; "
                f"source {source or 'unknown'}"
            )
    lines += ["", f"## Not ready on must-know questions ({len(data['not_ready'])})"]
    for p in data["not_ready"][:LIST_LIMIT]:
        lines.append(
            f"- {p['name']} ({p['role']}, {p['team'] or 'no team'}): {p['must_know_ready']} of "
            f"{p['must_know']} must-know questions recalled, {p['must_know_seen']} practised"
        )
    if len(data["not_ready"]) > LIST_LIMIT:
        lines.append(f"- and {len(data['not_ready']) - LIST_LIMIT} more (see the CSV)")
    if report.audit is not None:
        lines += ["", *audit_markdown(report.audit, heading="##").splitlines()]
    return "\n".join(lines).rstrip() + "\n"


def audit_markdown(audit: AuditReport, *, heading: str = "#") -> str:
    """The audit's findings, grouped by check, then criteria coverage."""
    data = audit_dict(audit)
    sub = heading + "#"
    window = data["window"]
    lines = [
        f"{heading} Audit as of {data['as_of']}: {len(data['findings'])} findings",
        "",
        f"KPI evidence window {window['first']} to {window['last']} "
        f"({data['policy']['evidence_months']} months); a formal improvement plan is due after "
        f"{data['policy']['consecutive_misses']} consecutive misses.",
    ]
    for found in audit.by_check().values():
        lines += ["", f"{sub} {found[0].kind[:1].upper() + found[0].kind[1:]} ({len(found)})"]
        lines += [f"- {f.message}" for f in found]
    if data["criteria"]:
        lines += ["", f"{sub} Criteria coverage"]
        for c in data["criteria"]:
            docs = ", ".join(f"{d['doc_id']} ({d['sections']})" for d in c["documents"])
            lines.append(f"- {c['criterion_id']} {c['title']}: {docs or 'no evidence'}")
    return "\n".join(lines).rstrip() + "\n"
