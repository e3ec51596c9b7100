"""The audit: register and KPI checks on small hand-made inputs, then the bundled site's gaps."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.config import BUNDLED_CORPUS, Settings
from assistant.reports import AuditPolicy, AuditSources, RegistryError, build_audit, render
from assistant.reports.audit import check_kpis, check_register, evidence_window, normalised_sections
from assistant.reports.kpi import ActionEntry, KpiDataError, KpiResult, read_actions, read_results
from assistant.reports.registry import load_registry, parse_registry

AS_OF = date(2026, 11, 22)

#: Every gap planted in the bundled site (corpus/site/targets and corpus/site/kpi), and only those.
PLANTED = {
    ("register.rationale", "lt-email-12h"),
    ("register.source", "hb-accuracy-business"),
    ("register.approval", "lt-chat-aht"),
    ("register.review", "hb-acw"),
    ("kpi.months", "lt-fcr"),
    ("kpi.unexplained_miss", "hb-asa"),
    ("kpi.unexplained_miss", "lt-csat"),
    ("kpi.no_plan", "site-absenteeism"),
}
#: Criteria the bundled site's documents do not evidence (no document on these subjects).
UNEVIDENCED = {"LP-01", "LP-02", "LP-06", "PE-01", "PE-02", "PE-06"}


def entry(tid: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": tid,
        "metric": "Service level",
        "program": "Harbor Bank",
        "target": 80,
        "unit": "%",
        "direction": "higher",
        "how_set": "From the contract.",
        "source": {"doc_id": "TGT-1", "file": "sl.md", "section": "How it was set"},
        "owner": "Ops",
        "approver": "Director",
        "client_approver": "Client",
        "approved_on": date(2025, 12, 1),
        "effective": date(2026, 1, 1),
        "next_review": date(2026, 11, 30),
    }
    base.update(fields)
    return base


def registry(*entries: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_registry({"targets": list(entries)})


def codes(findings) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(f.check, f.subject) for f in findings]


def test_register_checks_each_missing_piece() -> None:
    reg = registry(
        entry("complete"),
        entry("no-why", how_set=""),
        entry("no-source", source=None),
        entry("no-approver", approver=None),
        entry("no-client", client_approver="", approved_on=None),
        entry("site", program="Site-wide", client_approver=None, approved_on=None),
        entry("overdue", next_review=date(2026, 11, 21)),
        entry("unscheduled", next_review=None),
    )
    assert codes(check_register(reg, AS_OF)) == [
        ("register.rationale", "no-why"),
        ("register.source", "no-source"),
        ("register.approval", "no-approver"),
        ("register.approval", "no-client"),
        ("register.review", "overdue"),
        ("register.review", "unscheduled"),
    ]


def test_register_sources_must_exist_in_the_index_when_it_is_known() -> None:
    reg = registry(
        entry("ok"),
        entry("by-file", source={"file": "sl.md", "section": "how IT was  set"}),
        entry("gone", source={"doc_id": "TGT-9"}),
        entry("renamed", source={"doc_id": "TGT-1", "section": "Old heading"}),
    )
    known = normalised_sections([("TGT-1", "sl.md", "How it was set")])
    found = check_register(reg, AS_OF, known_sections=known)
    assert codes(found) == [("register.source", "gone"), ("register.source", "renamed")]
    assert "TGT-9 is not an indexed document" in found[0].message
    assert "section “Old heading” not found in TGT-1" in found[1].message


def results(tid: str, values: dict[str, float]) -> list[KpiResult]:
    return [KpiResult(date.fromisoformat(m + "-01"), tid, v) for m, v in values.items()]


def year(values: list[float], start: str = "2025-11") -> dict[str, float]:
    y, m = map(int, start.split("-"))
    out = {}
    for v in values:
        out[f"{y}-{m:02d}"] = v
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def rca(tid: str, month: str, cause: str = "why", action: str = "what") -> ActionEntry:
    return ActionEntry(date.fromisoformat(month + "-01"), tid, "rca", cause, action, "", "", "")


def pip(tid: str, month: str) -> ActionEntry:
    return ActionEntry(date.fromisoformat(month + "-01"), tid, "pip", "runs", "plan", "", "", "")


def test_window_is_the_complete_months_before_the_audit_month() -> None:
    assert evidence_window(AS_OF, 12) == (date(2025, 11, 1), date(2026, 10, 1))
    assert evidence_window(date(2026, 1, 5), 3) == (date(2025, 10, 1), date(2025, 12, 1))


def test_kpi_checks_months_misses_and_runs() -> None:
    reg = registry(
        entry("full"),
        entry("short"),
        entry("lower", direction="lower", target=4),
        entry("run", target=80),
        entry("planned", target=80),
    )
    #                         11   12   01   02   03   04   05   06   07   08   09   10
    data = results("full", year([79, 79, 80, 80, 81, 80, 80, 82, 80, 80, 80, 80]))
    data += results("short", year([80, 80, 80], start="2026-08"))
    data += results("lower", year([5, 5, 4, 4.1, 4, 4, 4, 4, 4, 4, 3.9, 4.2]))
    data += results("run", year([80, 80, 80, 79, 78, 79.9, 77, 80, 80, 80, 80, 80]))
    data += results("planned", year([80, 80, 79, 79, 79, 80, 80, 80, 80, 80, 80, 80]))
    data += results("stray", {"2026-01": 1.0})
    actions = [
        rca("lower", "2026-02"),
        rca("lower", "2026-10", action=""),
        rca("run", "2026-02"),
        rca("run", "2026-03"),
        rca("run", "2026-04"),
        rca("run", "2026-05"),
        rca("planned", "2026-01"),
        rca("planned", "2026-02"),
        rca("planned", "2026-03"),
        pip("planned", "2026-04"),
    ]
    statuses, found = check_kpis(reg, data, actions, AS_OF, AuditPolicy())
    assert codes(found) == [
        ("kpi.unregistered", "stray"),
        ("kpi.months", "short"),
        ("kpi.unexplained_miss", "lower"),
        ("kpi.no_plan", "run"),
    ]
    assert "2026-10 result 4.2 missed the target 4; no action recorded" in found[2].message
    assert "4 consecutive months below target (2026-02, 2026-03, 2026-04, 2026-05)" in (
        found[3].message
    )
    by_id = {s.target.id: s for s in statuses}
    # 2025 results are evidence but not judged: the register's target starts in 2026
    assert (by_id["full"].months, by_id["full"].misses) == (12, 0)
    assert (by_id["lower"].misses, by_id["run"].misses, by_id["planned"].misses) == (2, 4, 3)
    assert by_id["short"].months == 3 and by_id["short"].latest == 80


def test_policy_thresholds_change_what_is_found() -> None:
    reg = registry(entry("run", target=80))
    data = results("run", year([80, 80, 79, 79, 80, 80, 80, 80, 80, 80, 80, 80]))
    actions = [rca("run", "2026-01"), rca("run", "2026-02")]
    _, default = check_kpis(reg, data, actions, AS_OF, AuditPolicy())
    assert default == []
    _, strict = check_kpis(
        reg, data, actions, AS_OF, AuditPolicy(consecutive_misses=2, evidence_months=24)
    )
    assert codes(strict) == [("kpi.months", "run"), ("kpi.no_plan", "run")]


def test_csv_and_register_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "results.csv"
    bad.write_text("month,target_id,result\n2026-13,x,1\n", encoding="utf-8")
    with pytest.raises(KpiDataError, match=r"results.csv line 2: month '2026-13' is not YYYY-MM"):
        read_results(bad)
    bad.write_text("month,target_id\n", encoding="utf-8")
    with pytest.raises(KpiDataError, match="has no column result"):
        read_results(bad)
    bad.write_text("month,target_id,result\n2026-01,x,1\n2026-01,x,2\n", encoding="utf-8")
    with pytest.raises(KpiDataError, match="line 3: a second result for x in 2026-01"):
        read_results(bad)
    log = tmp_path / "log.csv"
    log.write_text("month,target_id,kind\n2026-01,x,memo\n", encoding="utf-8")
    with pytest.raises(KpiDataError, match="kind 'memo' is not one of rca, pip"):
        read_actions(log)
    with pytest.raises(KpiDataError, match="cannot be read"):
        read_results(tmp_path / "missing.csv")
    reg = tmp_path / "targets.yaml"
    reg.write_text("targets:\n  - id: a\n    metric: m\n    target: x\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"targets.0.target: .*fix the register"):
        load_registry(reg)
    reg.write_text("questions: []\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="needs a `targets:` list"):
        load_registry(reg)
    with pytest.raises(RegistryError, match="no target register"):
        load_registry(tmp_path)


def test_the_bundled_site_has_exactly_the_planted_kpi_and_register_gaps() -> None:
    sources = AuditSources.from_settings(Settings())
    assert sources.targets == BUNDLED_CORPUS / "site" / "targets"
    audit = build_audit(sources, as_of=AS_OF)
    assert set(codes(audit.findings)) == PLANTED
    assert len(audit.findings) == len(PLANTED)
    assert len(audit.targets) == 23 and audit.criteria == ()
    # the handled cases are not findings: the abandonment run has its PIP, other misses their RCA
    status = {s.target.id: s for s in audit.targets}
    assert status["hb-abandonment"].misses == 3
    assert status["hb-service-level"].misses == 1 and status["site-attrition"].misses == 1
    data = json.loads(render(audit, "json"))
    assert data["counts"] == {
        "register.rationale": 1,
        "register.source": 1,
        "register.approval": 1,
        "register.review": 1,
        "kpi.months": 1,
        "kpi.unexplained_miss": 2,
        "kpi.no_plan": 1,
    }
    md = render(audit, "md")
    for finding in audit.findings:
        assert f"- {finding.message}" in md
    rows = [line for line in render(audit, "csv").splitlines() if line.startswith("finding,")]
    assert len(rows) == len(PLANTED)


@pytest.mark.slow
def test_criteria_coverage_and_register_sources_on_the_indexed_site(bundled) -> None:  # type: ignore[no-untyped-def]
    audit = build_audit(
        AuditSources.from_settings(Settings()),
        as_of=AS_OF,
        catalog=bundled.index.catalog,
        embedder=bundled.index.embedder,
    )
    criteria = {c.criterion_id: c for c in audit.criteria}
    assert len(criteria) == 27  # the category overviews are not criteria
    assert {cid for cid, c in criteria.items() if not c.documents} == UNEVIDENCED
    found = set(codes(audit.findings))
    assert found == PLANTED | {("criteria.no_evidence", cid) for cid in UNEVIDENCED}
    # every register source names an indexed document and section (none beyond the planted gap)
    assert next(f for f in audit.findings if f.check == "register.source").message.endswith(
        "no source document named"
    )
    pr07 = {d.doc_id for d in criteria["PR-07"].documents}
    assert "SITE-QA-009" in pr07  # the quality monitoring procedure holds the sample size
    assert {d.doc_id for d in criteria["PR-05"].documents} >= {"SITE-QA-012"}
