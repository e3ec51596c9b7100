"""The target register as a document: the loader, quiet ingest of data files, cited answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import build_assistant
from assistant.config import BUNDLED_CORPUS, Settings
from assistant.embedding import HashEmbedder
from assistant.errors import LoadError, UnsupportedFileType
from assistant.ingest import discover
from assistant.loaders import load_document

REGISTERS = BUNDLED_CORPUS / "site" / "targets"

REGISTER = """register:
  doc_id: REG-1
  title: "Target register: Harbor Bank"
  program: Harbor Bank
targets:
  - id: hb-sl
    metric: Service level
    program: Harbor Bank
    target: 80
    unit: "% of calls answered within 20 seconds"
    direction: higher
    method: contract level
    how_set: The contract sets 80/20.
    source: {doc_id: TGT-1, file: sl.md, section: How the 80/20 target was set}
    owner: Ops Manager
    approver: Site Director
    client_approver: Client Manager
    approved_on: 2025-12-10
    effective: 2026-01-01
    next_review: 2026-11-30
  - id: hb-aht
    metric: Average handle time (AHT)
    program: Harbor Bank
    target: 345
    unit: seconds
    direction: lower
"""


def test_a_register_reads_as_one_section_per_target(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    doc = load_document(path)
    assert (doc.meta.doc_id, doc.meta.program, doc.meta.doc_type) == (
        "REG-1",
        "Harbor Bank",
        "Target register",
    )
    assert [s.heading for s in doc.sections] == [
        "Target register: Harbor Bank",
        "Harbor Bank service level target",
        "Harbor Bank average handle time (AHT) target",
    ]
    full, bare = doc.sections[1].text, doc.sections[2].text
    assert "The Harbor Bank service level target is 80% of calls answered within 20 seconds" in full
    assert "How it was set (contract level): The contract sets 80/20." in full
    assert "Source: TGT-1 (sl.md), section “How the 80/20 target was set”." in full
    assert "client approval by Client Manager on 2025-12-10" in full
    assert "Effective from 2026-01-01; next review due 2026-11-30." in full
    # what the register lacks is said plainly, never guessed
    assert "The register records no rationale for how this target was set." in bare
    assert "The register names no source document for this target." in bare
    assert "No internal approver recorded; no client approval recorded." in bare
    assert "No next review date is recorded." in bare


def test_other_yaml_is_not_a_document_and_bad_registers_fail_in_one_line(tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text("questions:\n  - id: q1\n", encoding="utf-8")
    with pytest.raises(UnsupportedFileType, match="read only as a target register"):
        load_document(questions)
    broken = tmp_path / "targets.yaml"
    broken.write_text("targets:\n  - id: [\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"YAML could not be parsed at line \d+"):
        load_document(broken)
    broken.write_text("targets:\n  - id: x\n    metric: m\n    direction: up\n    target: 1\n")
    with pytest.raises(LoadError) as caught:
        load_document(broken)
    assert "targets.0.direction" in str(caught.value) and "\n" not in str(caught.value)


def test_ingest_passes_quietly_over_data_files_in_folders(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "kpi").mkdir(parents=True)
    (corpus / "procedure.md").write_text("# Procedure\n\nAgents verify callers.\n")
    (corpus / "targets.yaml").write_text(REGISTER, encoding="utf-8")
    (corpus / "questions.yaml").write_text("questions: []\n", encoding="utf-8")
    (corpus / "kpi" / "results.csv").write_text("month,target_id,result\n2026-01,hb-sl,81\n")
    (corpus / "kpi" / "log.json").write_text("{}")
    (corpus / "sheet.xlsx").write_bytes(b"PK")
    assistant = build_assistant(Settings(home=tmp_path / "home"), embedder=HashEmbedder())
    report = assistant.ingest([corpus])
    assert sorted(Path(p).name for p in report.added) == ["procedure.md", "targets.yaml"]
    # only the spreadsheet is reported: data files beside the documents are expected there
    assert [Path(p).name for p, _ in report.skipped] == ["sheet.xlsx"]
    assert report.failed == []
    # a data file named on its own is still reported, so a typo does not pass silently
    alone = assistant.ingest([corpus / "kpi" / "results.csv"])
    assert [Path(p).name for p, _ in alone.skipped] == ["results.csv"]


def test_the_bundled_corpus_has_nothing_to_skip() -> None:
    files, skipped = discover([BUNDLED_CORPUS])
    assert skipped == []
    names = {p.name for p in files}
    assert {"harbor-bank.yaml", "lumen-telecom.yaml", "site-wide.yaml"} <= names
    assert not any(p.suffix == ".csv" for p in files)


@pytest.mark.slow
def test_how_was_a_target_set_cites_the_register_and_its_source(bundled) -> None:  # type: ignore[no-untyped-def]
    answer = bundled.ask("How was the service level target for Harbor Bank set?")
    files = {c.file for c in answer.citations}
    assert {"harbor-bank.yaml", "hb-service-level-targets.md"} <= files
    assert "80% of calls answered within 20 seconds" in answer.text
    adherence = bundled.ask("how was the 92% adherance target chosen")
    register = [c for c in adherence.citations if c.file == "site-wide.yaml"]
    assert register and register[0].doc_id == "SITE-REG-001-SW"
    assert "SITE-TGT-006" in adherence.text  # the register names the memo and its section


@pytest.mark.slow
def test_a_program_register_never_answers_for_another_program(bundled) -> None:  # type: ignore[no-untyped-def]
    answer = bundled.ask("whats the ASA target for lumen telecom")
    assert answer.abstained
    assert not any(c.file == "harbor-bank.yaml" for c in answer.citations)
