"""PDF: page offsets and numbers, outline headings, numbered headings, bad PDFs."""

from __future__ import annotations

import importlib.util
import io

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import LoadError
from assistant.loaders import load_document
from assistant.loaders.pdf import load_pdf

ENCRYPTED = "PDF is encrypted; remove the password and ingest it again"
NO_TEXT = "PDF has no extractable text (scanned image?); run OCR first"

PAGES = [
    [
        "Quality Monitoring Procedure",
        "Document ID: SITE-QA-009",
        "Version: 3.1",
        "Owner: Daniel Okafor",
        ("1. Purpose", 0),
        "This procedure describes monitoring.",
        ("2. Scope", 0),
        "All agents on live contacts.",
    ],
    [
        ("3. Sample size", 0),
        "The formula for a proportion.",
        ("3.1 Harbor Bank", 1),
        "554 evaluations a month.",
    ],
    [
        ("3.2 Lumen Telecom", 1),
        "451 evaluations a month.",
        ("4. Records", 0),
        "Kept for 36 months.",
    ],
]


def load_error(data: bytes, **options: int) -> str:
    with pytest.raises(LoadError) as caught:
        load_pdf(data, name="x.pdf", **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def encrypt(data: bytes, user_password: str, **options: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password="owner-secret", **options)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_outline_headings_pages_and_metadata(make_pdf, write_file, consistent) -> None:
    doc = load_document(write_file("qm.pdf", make_pdf(PAGES, footer="SITE-QA-009 page {page}")))
    consistent(doc)
    assert doc.file == "qm.pdf"
    assert doc.meta.title == "Quality Monitoring Procedure"
    assert (doc.meta.doc_id, doc.meta.version, doc.meta.owner) == (
        "SITE-QA-009",
        "3.1",
        "Daniel Okafor",
    )
    assert [(s.heading, s.path, s.page) for s in doc.sections] == [
        ("Quality Monitoring Procedure", ("Quality Monitoring Procedure",), 1),
        ("1. Purpose", ("1. Purpose",), 1),
        ("2. Scope", ("2. Scope",), 1),
        ("3. Sample size", ("3. Sample size",), 2),
        ("3.1 Harbor Bank", ("3. Sample size", "3.1 Harbor Bank"), 2),
        ("3.2 Lumen Telecom", ("3. Sample size", "3.2 Lumen Telecom"), 3),
        ("4. Records", ("4. Records",), 3),
    ]
    assert doc.sections[0].text.startswith("Quality Monitoring Procedure\nDocument ID: SITE-QA-009")


def test_page_starts_point_at_each_page(make_pdf, write_file) -> None:
    doc = load_document(write_file("qm.pdf", make_pdf(PAGES)))
    assert len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    assert doc.text[doc.page_starts[1] :].startswith("3. Sample size")
    assert doc.text[doc.page_starts[2] :].startswith("3.2 Lumen Telecom")


def test_bookmark_titles_name_the_sections(make_pdf) -> None:
    # Bookmarks without the number still find the numbered heading line of their page.
    pages = [
        ["Manual", "1. Introduction", "Intro text.", "2. Safety rules", "Wear the headset."],
    ]
    data = make_pdf(pages)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.add_outline_item("Introduction", 0)
    writer.add_outline_item("Safety rules", 0)
    buffer = io.BytesIO()
    writer.write(buffer)
    doc = load_pdf(buffer.getvalue(), name="m.pdf")
    assert [(s.heading, s.text.split("\n")[0]) for s in doc.sections] == [
        ("Manual", "Manual"),
        ("Introduction", "1. Introduction"),
        ("Safety rules", "2. Safety rules"),
    ]


def test_numbered_lines_are_headings_without_an_outline(make_pdf, consistent) -> None:
    pages = [[line if isinstance(line, str) else line[0] for line in page] for page in PAGES]
    doc = load_pdf(make_pdf(pages), name="plain.pdf")
    consistent(doc)
    assert [(s.path, s.page) for s in doc.sections] == [
        (("Quality Monitoring Procedure",), 1),
        (("1. Purpose",), 1),
        (("2. Scope",), 1),
        (("3. Sample size",), 2),
        (("3. Sample size", "3.1 Harbor Bank"), 2),
        (("3. Sample size", "3.2 Lumen Telecom"), 3),
        (("4. Records",), 3),
    ]


def test_running_headers_are_not_headings(make_pdf) -> None:
    pages = [
        ["CONFIDENTIAL", "Hold procedure", "1. Purpose", "Text."],
        ["CONFIDENTIAL", "More text."],
        ["CONFIDENTIAL", "2. Scope", "End."],
    ]
    doc = load_pdf(make_pdf(pages), name="h.pdf")
    assert doc.meta.title == "Hold procedure"
    assert [s.heading for s in doc.sections] == ["Hold procedure", "1. Purpose", "2. Scope"]
    assert doc.text.count("CONFIDENTIAL") == 3, "header lines stay in the text"


def test_title_from_pdf_properties_when_no_control_block(make_pdf) -> None:
    doc = load_pdf(make_pdf([["1. Purpose", "Text."]], title="Hold procedure"), name="x.pdf")
    assert doc.meta.title == "Hold procedure"
    doc = load_pdf(make_pdf([["1. Purpose", "Text."]], title="untitled"), name="hold-v2.pdf")
    assert doc.meta.title == "1. Purpose"


def test_blank_pages_keep_page_numbers_right(make_pdf) -> None:
    doc = load_pdf(make_pdf([[], ["1. Start", "Text on page two."]]), name="b.pdf")
    assert doc.sections[0].heading == "1. Start" and doc.sections[0].page == 2
    assert doc.page_starts == (0, 0)


def test_pdf_with_an_empty_user_password_is_read(make_pdf) -> None:
    doc = load_pdf(encrypt(make_pdf(PAGES), ""), name="restricted.pdf")
    assert doc.meta.doc_id == "SITE-QA-009"


def test_password_protected_pdf(make_pdf, write_file) -> None:
    path = write_file("locked.pdf", encrypt(make_pdf(PAGES), "s3cret"))
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert str(caught.value) == ENCRYPTED


@pytest.mark.skipif(
    importlib.util.find_spec("cryptography") is None, reason="pypdf needs cryptography for AES"
)
def test_aes_password_protected_pdf(make_pdf) -> None:
    assert load_error(encrypt(make_pdf(PAGES), "s3cret", algorithm="AES-256")) == ENCRYPTED


@pytest.mark.parametrize("fraction", [0.9, 0.6, 0.3, 0.05])
def test_truncated_pdf(make_pdf, fraction: float) -> None:
    data = make_pdf(PAGES)
    message = load_error(data[: int(len(data) * fraction)])
    assert message.startswith("PDF could not be read (corrupt or truncated): ")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n" + b"garbage " * 200, b"not a pdf at all", b"%PDF-1.7\ntrailer <<>>\n%%EOF"],
    ids=["garbage", "not-pdf", "no-xref"],
)
def test_corrupt_pdf(data: bytes) -> None:
    assert load_error(data).startswith("PDF could not be read (corrupt or truncated): ")


def test_pdf_without_text(make_pdf, write_file) -> None:
    path = write_file("scan.pdf", make_pdf([[], []]))
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert str(caught.value) == NO_TEXT


def test_page_limit(make_pdf, write_file) -> None:
    path = write_file("long.pdf", make_pdf([["Page text."]] * 5))
    with pytest.raises(LoadError) as caught:
        load_document(path, max_pages=3)
    message = str(caught.value)
    assert message == "PDF has 5 pages, above the 3-page limit; split it into smaller files"


def test_default_page_limit_is_2000() -> None:
    writer = PdfWriter()
    for _ in range(2001):
        writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "2001 pages, above the 2000-page limit" in load_error(buffer.getvalue())
