"""Markdown: front matter, cleaning, headings, sections and metadata."""

from __future__ import annotations

import pytest

from assistant.loaders import load_document

FRONT_MATTER_DOC = """\
---
title: "Harbor Bank service level targets"
doc_id: SITE-TGT-001
version: "2.1"
owner: Marcus Webb
effective_date: 2026-01-01
client_approved: true
approved_by: Priya Raman
program: Harbor Bank
doc_type: Target memo
next_review: 2026-11-30
topics:
  - service-level
  - voice
slug: hb-sl
---

This memo records the targets.

## Purpose {#purpose}

Why the memo exists.

### Scope

Who it covers.

## Targets

| Metric | Target |
|---|---|
| Service level | 80/20 |
"""


def heading_names(doc) -> list[str]:
    return [s.heading for s in doc.sections]


def test_front_matter_becomes_metadata(write_file, consistent) -> None:
    doc = load_document(write_file("hb.md", FRONT_MATTER_DOC))
    consistent(doc)
    meta = doc.meta
    assert meta.title == "Harbor Bank service level targets"
    assert meta.doc_id == "SITE-TGT-001"
    assert meta.version == "2.1"
    assert meta.owner == "Marcus Webb"
    assert meta.effective_date == "2026-01-01"
    assert meta.client_approved == "yes"
    assert meta.approved_by == "Priya Raman"
    assert meta.program == "Harbor Bank"
    assert meta.doc_type == "Target memo"
    assert meta.next_review == "2026-11-30"
    assert meta.extra == {"topics": "service-level, voice", "slug": "hb-sl"}
    assert "doc_id" not in doc.text and "---" not in doc.text


def test_sections_paths_and_preamble_named_after_front_matter_title(write_file) -> None:
    doc = load_document(write_file("hb.md", FRONT_MATTER_DOC))
    title = "Harbor Bank service level targets"
    assert [(s.heading, s.path) for s in doc.sections] == [
        (title, (title,)),
        ("Purpose", ("Purpose",)),
        ("Scope", ("Purpose", "Scope")),
        ("Targets", ("Targets",)),
    ]
    assert doc.sections[0].text == "This memo records the targets."
    assert doc.sections[1].text == "Purpose\n\nWhy the memo exists."
    assert doc.sections[3].text == "Targets\n\nMetric | Target\nService level | 80/20"
    assert doc.file == "hb.md"


def test_title_falls_back_to_first_heading_then_file_stem(write_file) -> None:
    doc = load_document(write_file("a.md", "Intro line.\n\n# Real Title\n\nBody.\n"))
    assert doc.meta.title == "Real Title"
    assert doc.sections[0].heading == "Real Title" and doc.sections[0].path == ("Real Title",)
    assert doc.sections[0].text == "Intro line."

    doc = load_document(write_file("call-flow notes.md", "Just a paragraph of text.\n"))
    assert doc.meta.title == "call-flow notes"
    assert [(s.heading, s.text) for s in doc.sections] == [
        ("call-flow notes", "Just a paragraph of text.")
    ]


def test_h1_title_is_parent_of_the_other_headings(write_file, consistent) -> None:
    text = (
        "# Escalation\n\nIntro.\n\n## Level 1\n\nAgent.\n\n"
        "#### Deep\n\nSkips a level.\n\n## Level 2\n"
    )
    doc = load_document(write_file("esc.md", text))
    consistent(doc)
    assert [s.path for s in doc.sections] == [
        ("Escalation",),
        ("Escalation", "Level 1"),
        ("Escalation", "Level 1", "Deep"),
        ("Escalation", "Level 2"),
    ]
    assert doc.sections[-1].text == "Level 2", "a heading without body still has a section"


def test_anchors_shortcodes_links_images_comments_are_cleaned(write_file, consistent) -> None:
    text = (
        "---\ntitle: Ops\n---\n\n"
        '- [Call Calibration]({{< ref "ops.md#call" >}})\n'
        '- [Costs](https://example.gov/costs "Cost page")\n'
        '{{< legacy-img src="x.jpg" alt="Headset" >}}\n\n'
        "See ![Flow chart](img/flow.png) and <https://gsa.gov>.\n"
        "<!-- editor note: remove\nbefore publishing -->\n"
        '[best practices]({{< ref "best.md" >}} "Top Eight Best Practices")\n\n'
        "## Call Calibration {#call}\n\n"
        "{{% note %}}Calibrate weekly.{{% /note %}}\n"
        "A &#8217;quoted&#8217; word &amp; more.\n"
    )
    doc = load_document(write_file("ops.md", text))
    consistent(doc)
    assert "Call Calibration" in [s.heading for s in doc.sections]
    for leftover in ("{{", "}}", "{#", "](", "<!--", "editor note", "https://example.gov", "&#"):
        assert leftover not in doc.text
    assert "- Call Calibration\n- Costs" in doc.text
    assert "See Flow chart and https://gsa.gov." in doc.text
    assert "best practices" in doc.text
    assert "Calibrate weekly." in doc.text
    assert "A \u2019quoted\u2019 word & more." in doc.text


def test_hash_lines_inside_fenced_code_are_not_headings(write_file, consistent) -> None:
    text = (
        "# Runbook\n\n"
        "```bash\n# restart the dialer\nsystemctl restart dialer\n```\n\n"
        "~~~\n## not a heading either\n~~~\n\n"
        "## Real heading\n\nDone.\n"
    )
    doc = load_document(write_file("run.md", text))
    consistent(doc)
    assert [s.heading for s in doc.sections] == ["Runbook", "Real heading"]
    assert "# restart the dialer\nsystemctl restart dialer" in doc.text
    assert "## not a heading either" in doc.text
    assert "```" not in doc.text and "~~~" not in doc.text


def test_emphasis_markers_are_removed_even_across_lines(write_file) -> None:
    text = (
        "# T\n\n**Never** mix __program__ figures, *ever*.\n"
        "Confirm the caller's **full name\nplus two of three** items.\n\n"
        "```\nkeep **this** as code\n```\n"
        "snake_case_name and 2 * 3 * 4 stay.\n"
    )
    doc = load_document(write_file("e.md", text))
    assert "Never mix program figures, ever." in doc.text
    assert "caller's full name\nplus two of three items." in doc.text
    assert "keep **this** as code" in doc.text
    assert "snake_case_name and 2 * 3 * 4 stay." in doc.text


def test_setext_headings_and_rules(write_file, consistent) -> None:
    text = "Overview\n========\n\nText.\n\nDetails\n-------\n\nMore.\n\n***\n\nAfter rule.\n"
    doc = load_document(write_file("s.md", text))
    consistent(doc)
    assert [s.path for s in doc.sections] == [("Overview",), ("Overview", "Details")]
    assert "===" not in doc.text and "***" not in doc.text and "---" not in doc.text


def test_lists_tables_and_quotes_stay_readable(write_file) -> None:
    text = (
        "# Lists\n\n* one\n+ two\n1. first\n2) second\n\n"
        "> quoted line\n\n"
        "| Metric | Target |\n|:---|---:|\n| SL | 80% |\n| ASA | 18 s |\n"
    )
    doc = load_document(write_file("l.md", text))
    assert "- one\n- two\n1. first\n2) second" in doc.text
    assert "quoted line" in doc.text and ">" not in doc.text
    assert "Metric | Target\nSL | 80%\nASA | 18 s" in doc.text


def test_whitespace_is_collapsed_and_paragraphs_kept(write_file) -> None:
    text = "# T\r\n\r\nOne   line\twith  gaps.\r\n\r\n\r\n\r\nNext\u00a0paragraph.  \r\n"
    doc = load_document(write_file("w.md", text))
    assert doc.text == "T\n\nOne line with gaps.\n\nNext paragraph."


def test_text_is_nfc_normalised(write_file) -> None:
    doc = load_document(write_file("n.md", "# Cafe\u0301\n\nTo\u0301mas Rivera.\n"))
    assert doc.meta.title == "Caf\u00e9"
    assert "T\u00f3mas Rivera." in doc.text


def test_key_value_block_is_metadata_and_stays_in_text(write_file, consistent) -> None:
    text = (
        "# Target-setting procedure\n\n"
        "Document ID: SITE-PRO-008\nVersion: 1.1\nOwner: Hannah Moore\n"
        "Effective date: 2025-10-01\nApproved by client: Not applicable\n"
        "Approved by: Priya Raman\nProgram: Site-wide\nDocument type: Procedure\n"
        "Next review: 2026-09-30\nClassification: Internal\n\n"
        "## Purpose\n\nWhy.\n"
    )
    doc = load_document(write_file("tsp.md", text))
    consistent(doc)
    meta = doc.meta
    assert (meta.doc_id, meta.version, meta.owner) == ("SITE-PRO-008", "1.1", "Hannah Moore")
    assert meta.effective_date == "2025-10-01"
    assert meta.client_approved == "Not applicable"
    assert meta.approved_by == "Priya Raman"
    assert (meta.program, meta.doc_type, meta.next_review) == (
        "Site-wide",
        "Procedure",
        "2026-09-30",
    )
    assert meta.extra == {"classification": "Internal"}
    assert meta.title == "Target-setting procedure"
    assert "Document ID: SITE-PRO-008" in doc.sections[0].text


def test_bold_key_value_lines_are_recognised(write_file) -> None:
    text = "# Memo\n\n**Document ID:** M-1  \n**Rev:** 3  \n- **Process owner:** Grace Lin\n"
    meta = load_document(write_file("m.md", text)).meta
    assert (meta.doc_id, meta.version, meta.owner) == ("M-1", "3", "Grace Lin")


def test_two_column_pipe_table_is_metadata(write_file) -> None:
    text = (
        "# WFM targets\n\n"
        "| Field | Value |\n|---|---|\n| Document No. | SITE-TGT-006 |\n"
        "| Revision | 1.4 |\n| Client approval | Yes |\n| Programme | Site-wide |\n\n"
        "## Forecast accuracy\n\nWithin 5%.\n"
    )
    doc = load_document(write_file("wfm.md", text))
    meta = doc.meta
    assert (meta.doc_id, meta.version, meta.client_approved, meta.program) == (
        "SITE-TGT-006",
        "1.4",
        "Yes",
        "Site-wide",
    )
    assert "field" not in meta.extra
    assert "Document No. | SITE-TGT-006" in doc.text


def test_front_matter_wins_over_body_control_block(write_file) -> None:
    text = "---\nversion: '3'\n---\nVersion: 2\nOwner: Ann\n\nBody.\n"
    meta = load_document(write_file("p.md", text)).meta
    assert (meta.version, meta.owner) == ("3", "Ann")


def test_front_matter_dates_lists_and_numbers_become_strings(write_file) -> None:
    text = (
        "---\ntitle: T\ndate: 2014-02-05\nupdated: 2014-02-05 10:36:45 -04:00\nversion: 2.0\n"
        "raw: 2014-02-05 9:41:22 -0400\nrevision: 7\n"
        "authors:\n  - tonya-beres\n  - mary\nsettings: {a: 1}\nempty:\n---\n\nBody.\n"
    )
    meta = load_document(write_file("d.md", text)).meta
    assert meta.version == "2.0"
    assert meta.extra["date"] == "2014-02-05"
    assert meta.extra["updated"] == "2014-02-05T10:36:45-04:00"
    assert meta.extra["raw"] == "2014-02-05 9:41:22 -0400"
    assert meta.extra["authors"] == "tonya-beres, mary"
    assert meta.extra["settings"] == "a: 1"
    assert "empty" not in meta.extra
    assert all(isinstance(value, str) for value in meta.extra.values())


@pytest.mark.parametrize(
    "front",
    [
        "title: [unclosed",
        "title: Foo: bar: baz\n  - oops",
        "date: 2024-02-30",
        "just a string",
        "- a list\n- not a mapping",
    ],
)
def test_invalid_front_matter_is_not_fatal(write_file, consistent, front: str) -> None:
    doc = load_document(write_file("bad.md", f"---\n{front}\n---\n\n# Heading\n\nBody text.\n"))
    consistent(doc)
    assert doc.meta.title == "Heading"
    assert "Body text." in doc.text


def test_invalid_front_matter_lines_can_still_be_a_control_block(write_file) -> None:
    text = "---\nDocument ID: X-1: draft\nVersion: [2\n---\n\nBody.\n"
    meta = load_document(write_file("bad.md", text)).meta
    assert (meta.doc_id, meta.version) == ("X-1: draft", "[2")


def test_toml_front_matter(write_file) -> None:
    text = '+++\ntitle = "Hugo page"\nversion = "4"\n+++\n\nBody.\n'
    doc = load_document(write_file("h.md", text))
    assert (doc.meta.title, doc.meta.version) == ("Hugo page", "4")
    assert doc.text == "Body."


def test_markdown_suffix_is_loaded_as_markdown(write_file) -> None:
    doc = load_document(write_file("x.markdown", "# Head {#h}\n\nText.\n"))
    assert doc.sections[0].heading == "Head"


def test_only_front_matter_means_no_readable_text(write_file) -> None:
    from assistant.errors import LoadError

    with pytest.raises(LoadError, match=r"^file has no readable text after cleaning; "):
        load_document(write_file("fm.md", "---\ntitle: Only metadata\n---\n<!-- nothing -->\n"))


def test_reference_definitions_are_dropped_but_bracketed_notes_kept(write_file) -> None:
    text = (
        "# T\n\nSee the [guide][g] and [faq].\n\n"
        '[g]: https://example.gov/guide "Guide"\n[faq]: <https://example.gov/faq>\n'
        "[Note]: call the duty manager after hours.\n"
    )
    doc = load_document(write_file("r.md", text))
    assert "See the guide and [faq]." in doc.text
    assert "example.gov" not in doc.text
    assert "[Note]: call the duty manager after hours." in doc.text


def test_escaped_punctuation_is_literal(write_file) -> None:
    text = "# T\n\n\\*not emphasis\\*, 5 \\* 3, \\_\\_init\\_\\_, \\[draft\\] and a \\# sign.\n"
    doc = load_document(write_file("esc.md", text))
    assert "*not emphasis*, 5 * 3, __init__, [draft] and a # sign." in doc.text
