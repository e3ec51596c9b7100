"""DOCX: headings from styles, paragraphs and tables in body order, metadata, bad files."""

from __future__ import annotations

import zipfile

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE

from assistant.errors import LoadError
from assistant.loaders import load_document

NOT_DOCX = (
    "not a readable DOCX file (encrypted, corrupt or another format); "
    "open it in Word and save as .docx"
)


def memo() -> Document:
    doc = Document()
    doc.add_paragraph("Lumen Telecom digital targets", style="Title")
    table = doc.add_table(rows=0, cols=2)
    for field, value in [
        ("Document ID", "SITE-TGT-003"),
        ("Version", "1.3"),
        ("Owner", "Elena Sousa"),
        ("Approved by client", "Yes — Raj Patel, 2025-12-12"),
        ("Next review", "2026-11-30"),
        ("Site", "Riverton"),
    ]:
        cells = table.add_row().cells
        cells[0].text = field
        cells[1].text = value
    doc.add_heading("Purpose and scope", level=1)
    doc.add_paragraph("This memo sets the 2026 targets.")
    doc.add_heading("Chat service level", level=1)
    doc.add_heading("How it is measured", level=2)
    doc.add_paragraph("Chats accepted within 45 seconds.")
    grid = doc.add_table(rows=2, cols=3)
    for row, values in zip(
        grid.rows, [("Metric", "Target", "Source"), ("SL", "85/45", "SOW")], strict=True
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    doc.add_paragraph("Text after the table.")
    doc.add_paragraph("First bullet", style="List Bullet")
    doc.add_paragraph("Second bullet", style="List Bullet")
    doc.add_heading("Related documents", level=1)
    return doc


def test_title_headings_and_paths(save_docx, consistent) -> None:
    doc = load_document(save_docx(memo(), "lt.docx"))
    consistent(doc)
    title = "Lumen Telecom digital targets"
    assert doc.file == "lt.docx"
    assert doc.meta.title == title
    assert [s.path for s in doc.sections] == [
        (title,),
        (title, "Purpose and scope"),
        (title, "Chat service level"),
        (title, "Chat service level", "How it is measured"),
        (title, "Related documents"),
    ]
    assert doc.sections[-1].text == "Related documents"


def test_tables_are_rendered_in_body_order(save_docx) -> None:
    doc = load_document(save_docx(memo()))
    measured = next(s for s in doc.sections if s.heading == "How it is measured")
    assert measured.text == (
        "How it is measured\n\nChats accepted within 45 seconds.\n\n"
        "Metric | Target | Source\nSL | 85/45 | SOW\n\nText after the table.\n\n"
        "- First bullet\n- Second bullet"
    )


def test_docx_table_is_metadata_and_stays_in_text(save_docx) -> None:
    doc = load_document(save_docx(memo()))
    meta = doc.meta
    assert (meta.doc_id, meta.version, meta.owner) == ("SITE-TGT-003", "1.3", "Elena Sousa")
    assert meta.client_approved == "Yes — Raj Patel, 2025-12-12"
    assert meta.next_review == "2026-11-30"
    assert meta.extra == {"site": "Riverton"}
    assert "Document ID | SITE-TGT-003" in doc.sections[0].text


def test_key_value_paragraphs_are_metadata(save_docx) -> None:
    doc = Document()
    doc.add_heading("Complaint handling", level=1)
    for line in ["Document ID: SITE-CX-015", "Revision: 1.4", "Process owner: Hannah Moore"]:
        doc.add_paragraph(line)
    doc.add_paragraph("Body.")
    meta = load_document(save_docx(doc)).meta
    assert (meta.doc_id, meta.version, meta.owner, meta.title) == (
        "SITE-CX-015",
        "1.4",
        "Hannah Moore",
        "Complaint handling",
    )


def test_lowercase_and_derived_heading_styles(save_docx, consistent) -> None:
    doc = Document()
    styles = doc.styles
    lower = styles.add_style("heading 2 custom", WD_STYLE_TYPE.PARAGRAPH)
    lower.name = "heading 2"
    derived = styles.add_style("Site Heading", WD_STYLE_TYPE.PARAGRAPH)
    derived.base_style = styles["Heading 1"]
    doc.add_paragraph("Top", style="Site Heading")
    doc.add_paragraph("Under top")
    doc.add_paragraph("Second level", style="heading 2")
    doc.add_paragraph("Detail text")
    loaded = load_document(save_docx(doc, "styles.docx"))
    consistent(loaded)
    assert [s.path for s in loaded.sections] == [("Top",), ("Top", "Second level")]


def test_title_falls_back_to_first_heading_properties_then_stem(save_docx) -> None:
    doc = Document()
    doc.add_paragraph("Intro paragraph.")
    doc.add_heading("Scope", level=1)
    loaded = load_document(save_docx(doc))
    assert loaded.meta.title == "Scope"
    assert loaded.sections[0].heading == "Scope" and loaded.sections[0].text == "Intro paragraph."

    doc = Document()
    doc.core_properties.title = "From properties"
    doc.add_paragraph("Only text.")
    assert load_document(save_docx(doc, "a.docx")).meta.title == "From properties"

    doc = Document()
    doc.core_properties.title = ""
    doc.add_paragraph("Only text.")
    assert load_document(save_docx(doc, "fallback-name.docx")).meta.title == "fallback-name"


def test_merged_cells_appear_once(save_docx) -> None:
    doc = Document()
    doc.add_heading("Grid", level=1)
    table = doc.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "Spanning header"
    for cell, value in zip(table.rows[1].cells, ["a", "b", "c"], strict=True):
        cell.text = value
    loaded = load_document(save_docx(doc))
    assert loaded.text.count("Spanning header") == 1
    assert "a | b | c" in loaded.text


def test_paragraph_line_breaks_and_whitespace(save_docx) -> None:
    doc = Document()
    paragraph = doc.add_paragraph("Line   one")
    paragraph.add_run().add_break()
    paragraph.add_run("Line\ttwo")
    assert load_document(save_docx(doc, "b.docx")).text == "Line one\nLine two"


def test_document_without_text_is_refused(save_docx) -> None:
    doc = Document()
    doc.add_paragraph("   ")
    with pytest.raises(LoadError, match=r"^file has no readable text after cleaning; "):
        load_document(save_docx(doc))


@pytest.mark.parametrize(
    "content",
    [
        b"This is plain text pretending to be a DOCX file.",
        # The start of an OLE compound file: how Word stores an encrypted .docx.
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
    ],
    ids=["text", "encrypted-ole"],
)
def test_non_zip_or_encrypted_docx(write_file, content: bytes) -> None:
    with pytest.raises(LoadError) as caught:
        load_document(write_file("bad.docx", content))
    assert str(caught.value) == NOT_DOCX


def test_zip_that_is_not_a_word_document(tmp_path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not word")
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert str(caught.value) == NOT_DOCX


def test_truncated_docx(save_docx, tmp_path) -> None:
    data = save_docx(memo()).read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError) as caught:
        load_document(cut)
    assert str(caught.value) == NOT_DOCX
