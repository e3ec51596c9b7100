"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network.

Built from the same data as the JSON (``export.report_dict``). Sections: headline tiles;
heatmaps of mastery by team and by person × COPC area; weekly trend lines; bar charts of
mastery by area and first-attempt accuracy by team; tables of teams, programs and roles;
the most-missed questions with their source sections; the people not yet ready; and, when
an audit is attached, the audit's findings and criteria coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from assistant.reports import svg
from assistant.reports.audit import AuditReport
from assistant.reports.export import audit_dict, report_dict
from assistant.reports.markdown import pct, scope_line, score
from assistant.reports.model import ReadinessReport

PEOPLE_SHOWN = 40
TEAM_LINES = 7
NOT_READY_SHOWN = 50

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;
color:#111827;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}
h2{font-size:18px;margin-top:32px;border-bottom:1px solid #e5e7eb}
.meta{color:#4b5563;font-size:13px}.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.tile{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:140px}
.tile .v{font-size:22px;font-weight:600}.tile .l{font-size:12px;color:#6b7280}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}.note{font-size:12px;color:#6b7280}
.finding{margin:2px 0}.chart{max-width:100%;height:auto}.bad{color:#b91c1c}
@media print{h2{page-break-before:auto}.tile{break-inside:avoid}}
"""


def _page(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], numeric_from: int = 1) -> str:
    head = "".join(
        f'<th class="{"n" if i >= numeric_from else ""}">{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if i >= numeric_from else ""}">{escape(str(c))}</td>'
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _tile(value: str, label: str) -> str:
    return (
        f'<div class="tile"><div class="v">{escape(value)}</div>'
        f'<div class="l">{escape(label)}</div></div>'
    )


def _group_rows(groups: list[dict[str, Any]], recall: bool) -> list[list[Any]]:
    return [
        [
            g["name"],
            g["people"],
            pct(g["coverage"]),
            pct(g["first_attempt_accuracy"]),
            pct(g["mastery"]),
            *([pct(g["predicted_recall"])] if recall else []),
            score(g["interview_score"]),
            f"{g['ready']}/{g['people']}",
        ]
        for g in groups
    ]


def report_html(report: ReadinessReport) -> str:
    """The whole readiness report as an HTML page."""
    data = report_dict(report)
    s = data["summary"]
    recall = data["audit_date"] is not None
    areas: list[str] = data["areas"]
    days = data["policy"]["coverage_days"]
    body = [
        f"<h1>COPC readiness: {escape(scope_line(data))}</h1>",
        f'<p class="meta">Practice from {data["period"]["since"][:10]} to '
        f"{data['period']['last_day']}; figures as of {data['as_of'][:16].replace('T', ' ')} "
        f"UTC" + (f"; audit day {data['audit_date']}" if recall else "") + ".</p>",
        '<div class="tiles">',
        _tile(f"{s['people']}", "people"),
        _tile(pct(s["coverage"]), f"practised in the last {days} days"),
        _tile(pct(s["first_attempt_accuracy"]), "first-attempt accuracy"),
        _tile(pct(s["mastery"]), "mastery (FSRS recall now)"),
        *(
            [_tile(pct(s["predicted_recall"]), f"predicted recall on {data['audit_date']}")]
            if recall
            else []
        ),
        _tile(f"{s['ready']}/{s['people']}", "ready on must-know questions"),
        _tile(score(s["interview_score"]), "mock interview score"),
        "</div>",
    ]
    body += _charts(data, areas)
    headers = ["group", "people", "practised", "first-attempt acc.", "mastery"]
    headers += ["recall on audit day"] if recall else []
    headers += ["interview", "ready"]
    for key, title in (("teams", "Teams"), ("programs", "Programs"), ("roles", "Roles")):
        if data[key]:
            body += [f"<h2>{title}</h2>", _table(headers, _group_rows(data[key], recall))]
    body += _missed(data)
    body += _not_ready(data)
    if report.audit is not None:
        body += _audit_body(report.audit, level=2)
    body.append(
        '<p class="note">Mastery is the mean FSRS recall probability of each card; '
        "first-attempt accuracy counts each person's first-ever answer to a question. "
        "See docs/reports.md.</p>"
    )
    return _page("COPC readiness report", body)


def _charts(data: dict[str, Any], areas: list[str]) -> list[str]:
    out = ["<h2>Mastery by team and COPC area</h2>"]
    teams = data["teams"]
    values = {(g["name"], a): g["areas"].get(a, {}).get("mastery") for g in teams for a in areas}
    if data["unpractised_areas"]:
        out.append(
            '<p class="note">Areas with approved questions that nobody here has practised: '
            + escape(", ".join(data["unpractised_areas"]))
            + ".</p>"
        )
    out.append(
        svg.heatmap(
            "team-area-heatmap",
            "Mastery by team and area",
            [g["name"] for g in teams],
            areas,
            values,
        )
    )
    people = sorted(
        data["people"], key=lambda p: (p["mastery"] is None, p["mastery"] or 0, p["name"])
    )[:PEOPLE_SHOWN]
    out.append(f"<h2>Mastery by person and COPC area ({len(people)} least ready)</h2>")
    labels = [f"{p['name']} ({p['team'] or '-'})" for p in people]
    values = {
        (label, a): p["areas"].get(a, {}).get("mastery")
        for label, p in zip(labels, people, strict=True)
        for a in areas
    }
    out.append(
        svg.heatmap("people-area-heatmap", "Mastery by person and area", labels, areas, values)
    )
    weeks = sorted({w["week"] for w in data["trend"]})
    series: dict[str, list[float | None]] = {}
    active: dict[str, list[float | None]] = {}
    names = ["all", *[g["name"] for g in teams][:TEAM_LINES]]
    for name in names:
        points = {w["week"]: w for w in data["trend"] if w["series"] == name}
        label = "all people" if name == "all" else name
        series[label] = [points[w]["accuracy"] if w in points else None for w in weeks]
        if name == "all":
            active["people practising"] = [
                float(points[w]["people"]) if w in points else None for w in weeks
            ]
    out += [
        "<h2>Weekly trend</h2>",
        svg.line_chart("weekly-accuracy", "Weekly accuracy", [w[5:] for w in weeks], series),
        svg.line_chart(
            "weekly-active",
            "People practising each week",
            [w[5:] for w in weeks],
            active,
            percent=False,
            height=180,
        ),
        "<h2>Mastery by COPC area</h2>",
        svg.bar_chart(
            "area-mastery",
            "Mastery by area",
            [(a, data["summary"]["areas"].get(a, {}).get("mastery")) for a in areas],
        ),
        "<h2>First-attempt accuracy by team</h2>",
        svg.bar_chart(
            "team-first-attempt",
            "First-attempt accuracy by team",
            [(g["name"], g["first_attempt_accuracy"]) for g in teams],
        ),
    ]
    return out


def _missed(data: dict[str, Any]) -> list[str]:
    if not data["most_missed"]:
        return [
            "<h2>Most-missed questions</h2>",
            '<p class="note">No wrong answers in the period.</p>',
        ]
    rows = [
        [
            m["prompt"][:140],
            m["area"],
            " › ".join(x for x in (m["source_doc_id"], m["source_section"]) if x) or "–",
            m["misses"],
            m["attempts"],
            pct(m["miss_rate"]),
            m["people_missing"],
        ]
        for m in data["most_missed"]
    ]
    return [
        "<h2>Most-missed questions</h2>",
        '<p class="note">Questions many people miss often point to a procedure that is unclear: '
        "check the source section.</p>",
        _table(
            ["question", "area", "source", "wrong", "attempts", "miss rate", "people"],
            rows,
            numeric_from=3,
        ),
    ]


def _not_ready(data: dict[str, Any]) -> list[str]:
    rows = [
        [
            p["name"],
            p["role"],
            p["team"] or "–",
            p["must_know"],
            p["must_know_seen"],
            p["must_know_ready"],
        ]
        for p in data["not_ready"][:NOT_READY_SHOWN]
    ]
    more = len(data["not_ready"]) - len(rows)
    return [
        f"<h2>Not ready on their role's must-know questions ({len(data['not_ready'])})</h2>",
        _table(
            ["person", "role", "team", "must-know", "practised", "recalled"], rows, numeric_from=3
        ),
        *([f'<p class="note">and {more} more: see the CSV or JSON.</p>'] if more > 0 else []),
    ]


def _audit_body(audit: AuditReport, *, level: int) -> list[str]:
    data = audit_dict(audit)
    h, sub = f"h{level}", f"h{level + 1}"
    window = data["window"]
    out = [
        f"<{h}>Audit: what an assessor would find ({len(data['findings'])})</{h}>",
        f'<p class="meta">As of {data["as_of"]}; KPI evidence {window["first"]} to '
        f"{window['last']}; a formal improvement plan after "
        f"{data['policy']['consecutive_misses']} consecutive misses.</p>",
    ]
    for found in audit.by_check().values():
        out.append(
            f"<{sub}>{escape(found[0].kind[:1].upper() + found[0].kind[1:])} ({len(found)})</{sub}>"
        )
        out += [f'<p class="finding bad">{escape(f.message)}</p>' for f in found]
    if audit.targets:
        rows = []
        for status in audit.targets:
            t = status.target
            start = t.effective.replace(day=1) if t.effective else None
            spark = svg.sparkline(
                [v for _, v in status.results],
                t.target,
                t.direction == "lower",
                [start is None or m >= start for m, _ in status.results],
            )
            rows.append(
                "<tr>"
                f'<td>{escape(t.label)}</td><td class="n">{t.target:g}</td>'
                f'<td class="n">{status.months}</td><td class="n">{status.misses}</td>'
                f"<td>{spark}</td></tr>"
            )
        out += [
            f"<{sub}>KPI results against the register</{sub}>",
            '<table><thead><tr><th>target</th><th class="n">target</th><th class="n">'
            'months</th><th class="n">misses</th><th>monthly results</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>",
        ]
    if data["criteria"]:
        rows_c = [
            [
                c["criterion_id"],
                c["title"],
                ", ".join(f"{d['doc_id']} ({d['sections']})" for d in c["documents"]) or "none",
            ]
            for c in data["criteria"]
        ]
        out += [
            f"<{sub}>Criteria coverage</{sub}>",
            _table(["criterion", "title", "site documents (sections)"], rows_c, numeric_from=9),
        ]
    return out


def audit_html(audit: AuditReport) -> str:
    """The audit alone as an HTML page."""
    return _page("COPC audit", _audit_body(audit, level=1))
