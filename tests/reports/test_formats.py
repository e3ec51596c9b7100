"""Every format carries the same numbers: JSON, CSV, Markdown and HTML of one report."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from assistant.reports import ReportError, build_report, render
from assistant.reports.markdown import pct

from .conftest import NOW, SINCE, Scenario

AUDIT_DAY = date(2026, 3, 20)


@pytest.fixture
def report(scenario: Scenario):  # type: ignore[no-untyped-def]
    return build_report(
        scenario.records, scenario.scheduler, since=SINCE, now=NOW, audit_date=AUDIT_DAY
    )


def csv_table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def value(text: str) -> float | None:
    return None if text == "" else float(text)


def test_csv_holds_every_json_number(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(report, "json"))
    rows = csv_table(render(report, "csv"))
    assert list(rows[0]) == ["table", "kind", "name", "area", "week", "metric", "value"]
    figures = {(r["table"], r["name"], r["area"], r["week"], r["metric"]): r["value"] for r in rows}

    def check(table: str, name: str, block: dict, area: str = "") -> int:  # type: ignore[type-arg]
        n = 0
        for metric, v in block.items():
            if isinstance(v, bool) or not isinstance(v, int | float | type(None)):
                continue
            assert value(figures[(table, name, area, "", metric)]) == v, (table, name, metric)
            n += 1
        return n

    checked = check("summary", "All people", data["summary"])
    for area, block in data["summary"]["areas"].items():
        checked += check("summary", "All people", block, area)
    for key in ("teams", "programs", "roles"):
        for g in data[key]:
            checked += check("group", g["name"], g)
    for p in data["people"]:
        checked += check("person", p["external_id"], p)
        for area, block in p["areas"].items():
            checked += check("person", p["external_id"], block, area)
    for w in data["trend"]:
        for metric in ("attempts", "correct", "accuracy", "people"):
            got = figures[("trend", w["series"], "", w["week"], metric)]
            assert value(got) == w[metric]
            checked += 1
    assert checked > 150
    missed = data["most_missed"][0]
    assert value(figures[("most_missed", "q-a1", "calibration", "", "miss_rate")]) == 0.75
    assert missed["miss_rate"] == 0.75
    assert {r["name"] for r in rows if r["table"] == "not_ready"} == {"U-BOB", "U-DAVE", "U-CAROL"}


def test_json_figures_match_the_report_object(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(report, "json"))
    s = data["summary"]
    assert (s["people"], s["active"], s["attempts"], s["first_attempts"]) == (4, 3, 6, 4)
    assert s["coverage"] == 0.75 and s["accuracy"] == 0.5
    assert s["mastery"] == round(report.site.tally.mastery, 4)
    assert s["predicted_recall"] == round(report.site.tally.predicted_recall, 4)
    assert data["audit_date"] == "2026-03-20"
    assert data["filters"] == {"team": None, "program": None}
    assert [p["name"] for p in data["not_ready"]] == ["Bob", "Dave", "Carol"]


def test_markdown_quotes_the_same_figures(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(report, "json"))
    md = render(report, "md")
    s = data["summary"]
    assert md.startswith("# Readiness report: all teams and programs\n")
    assert f"practised in the last 14 days: 3 ({pct(s['coverage'])})" in md
    assert f"First-attempt accuracy: {pct(s['first_attempt_accuracy'])} (4 first attempts)" in md
    assert f"Mastery (FSRS recall now): {pct(s['mastery'])} over {s['cards']} cards" in md
    assert f"Predicted recall on audit day 2026-03-20: {pct(s['predicted_recall'])}" in md
    assert "Ready on their role's must-know questions: 1 of 4 (25.0%)" in md
    assert "Mock interviews: mean score 70.0 (2 answers)" in md
    t1 = next(g for g in data["teams"] if g["name"] == "T1")
    assert f"- T1: 2 people, practised in the window {pct(t1['coverage'])}" in md
    assert "3 of 4 wrong (75.0%), 3 people; source DOC-calibration › Section on q-a1" in md
    assert "- Bob (agent, T1): 0 of 1 must-know questions recalled, 1 practised" in md


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.charts: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if tag == "svg" and found.get("data-chart"):
            self.charts.append(str(found["data-chart"]))
        for name in ("src", "href", "xlink:href"):
            if found.get(name):
                self.urls.append(str(found[name]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_shows_the_same_figures(report) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render(report, "json"))
    page = render(report, "html")
    parsed = _Collect()
    parsed.feed(page)
    assert parsed.charts == [
        "team-area-heatmap",
        "people-area-heatmap",
        "weekly-accuracy",
        "weekly-active",
        "area-mastery",
        "team-first-attempt",
    ]
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert parsed.urls == [] and not re.search(r"https?://", page)
    text = " ".join(parsed.text)
    s = data["summary"]
    for figure in (pct(s["coverage"]), pct(s["first_attempt_accuracy"]), pct(s["mastery"])):
        assert figure in text
    assert pct(s["predicted_recall"]) in text and "predicted recall on 2026-03-20" in text
    assert "Section on q-a1" in text  # the most-missed question's source section
    # a heatmap cell per team × area, coloured by mastery, each with a tooltip
    cells = re.findall(r'<rect class="cell"[^>]*><title>([^<]*)</title>', page)
    assert len(cells) == len(data["teams"]) * len(data["areas"]) + len(data["people"]) * len(
        data["areas"]
    )
    t1 = next(g for g in data["teams"] if g["name"] == "T1")
    shown = f"{t1['areas']['calibration']['mastery'] * 100:.0f}%"
    assert f"T1 × calibration: {shown}" in cells


def test_unknown_format_is_refused(report) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReportError, match="unknown report format 'pdf'; use one of html"):
        render(report, "pdf")
