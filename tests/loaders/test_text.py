"""Plain text: numbered, ALL CAPS and underlined headings; title line; control block."""

from __future__ import annotations

import pytest

from assistant.loaders import load_document
from assistant.loaders.text import heading_level

MEMO = """\
Site people metrics: attrition and absenteeism targets
Document ID: SITE-TGT-005
Version: 3.0
Owner: Aisha Bello (HR Manager)
Effective date: 2026-01-01
Approved by client: Not applicable (site policy)
Program: Site-wide

1. Purpose

This memo sets the 2026 targets.

2 Scope

The whole site.

3. Attrition target
3.1 Definition of attrition
A leaver is an agent who leaves.
3.1.1 Voluntary leavers
Resignations.
3.2 Attrition calculation
Leavers divided by headcount.

4. Absenteeism target
"""


def test_title_metadata_and_numbered_heading_paths(write_file, consistent) -> None:
    doc = load_document(write_file("people.txt", MEMO))
    consistent(doc)
    title = "Site people metrics: attrition and absenteeism targets"
    assert doc.meta.title == title
    assert doc.meta.doc_id == "SITE-TGT-005"
    assert doc.meta.version == "3.0"
    assert doc.meta.client_approved == "Not applicable (site policy)"
    assert doc.meta.extra == {}, "the title line is not part of the control block"
    assert [(s.heading, s.path) for s in doc.sections] == [
        (title, (title,)),
        ("1. Purpose", ("1. Purpose",)),
        ("2 Scope", ("2 Scope",)),
        ("3. Attrition target", ("3. Attrition target",)),
        ("3.1 Definition of attrition", ("3. Attrition target", "3.1 Definition of attrition")),
        (
            "3.1.1 Voluntary leavers",
            ("3. Attrition target", "3.1 Definition of attrition", "3.1.1 Voluntary leavers"),
        ),
        ("3.2 Attrition calculation", ("3. Attrition target", "3.2 Attrition calculation")),
        ("4. Absenteeism target", ("4. Absenteeism target",)),
    ]
    assert doc.sections[0].text.startswith(title + "\nDocument ID: SITE-TGT-005")
    assert doc.sections[-1].text == "4. Absenteeism target"


def test_all_caps_and_underlined_headings(write_file, consistent) -> None:
    text = (
        "Escalation guide\n================\n\nIntro text.\n\n"
        "WHO TO CALL\n\nThe team lead.\n\nAfter hours\n-----------\n\nThe duty manager.\n"
    )
    doc = load_document(write_file("esc.txt", text))
    consistent(doc)
    assert doc.meta.title == "Escalation guide"
    assert [(s.heading, s.path) for s in doc.sections] == [
        ("Escalation guide", ("Escalation guide",)),
        ("WHO TO CALL", ("WHO TO CALL",)),
        ("After hours", ("WHO TO CALL", "After hours")),
    ]
    assert "====" not in doc.text and "----" not in doc.text


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("1. Purpose", 1),
        ("2 Scope", 1),
        ("2.1 Harbor Bank", 2),
        ("3.2.1 Sampling rules", 3),
        ("10. Reporting accuracy", 1),
        ("PURPOSE AND SCOPE", 1),
        ("1. Purpose.", None),
        ("3.5 million calls were handled", None),
        ("2026 Targets", None),
        ("This line ends with a period.", None),
        ("Just some words", None),
        ("VERSION: 3.0", None),
        ("OK", None),
        ("1. " + "Long heading words " * 6, None),
    ],
)
def test_plain_heading_rules(line: str, level: int | None) -> None:
    assert heading_level(line) == level


def test_title_is_first_line_when_no_metadata_title(write_file) -> None:
    doc = load_document(write_file("notes.txt", "\n\nHold procedure\n\nPlace callers on hold.\n"))
    assert doc.meta.title == "Hold procedure"
    assert doc.sections[0].heading == "Hold procedure"


def test_title_falls_back_to_file_stem_when_first_line_is_a_sentence(write_file) -> None:
    doc = load_document(write_file("hold-rules.txt", "Callers wait no more than a minute.\n"))
    assert doc.meta.title == "hold-rules"


def test_whitespace_is_normalised(write_file) -> None:
    doc = load_document(write_file("w.txt", "Title\r\n\r\n\r\n\tIndented   text\u2003here.\f\r\n"))
    assert doc.text == "Title\n\nIndented text here."
