"""Hostile files: bombs, deep nesting, one huge line, thousands of pages.

Each is loaded in a forked child with a time limit and a memory cap (``bounded.py``): it
either loads (with chunk spans that index the text exactly) or is refused with a one-line
``LoadError`` naming the file and the setting that raises the limit, within the bounds.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bounded import run_bounded

from assistant.app import build_assistant
from assistant.chunking import ChunkingParams, chunk_document
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.limits import MIB, LoadLimits
from assistant.loaders import load_document


def load_and_chunk(path: Path, limits: LoadLimits | None = None) -> Callable[[], str]:
    """The work a child does: load, chunk, and check every span against the text."""

    def work() -> str:
        doc = load_document(path, limits=limits)
        chunks = chunk_document(doc, ChunkingParams(), file_key=str(path))
        assert chunks, "a loaded document has chunks"
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(chunk.text) <= 1200 + 200
        return f"{len(doc.text):,} chars, {len(chunks):,} chunks"

    return work


def refused(measured_outcome: str, message: str, *needles: str) -> None:
    assert measured_outcome == "LoadError", message
    assert "\n" not in message and message.strip() == message
    for needle in needles:
        assert needle in message


# -- DOCX: decompression bombs -----------------------------------------------------------


def _replace_part(docx: bytes, part: str, content: bytes | None, *, size: int = 0) -> bytes:
    """The package with ``part`` replaced by ``content`` (or ``size`` spaces, streamed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(part, "w", force_zip64=True) as handle:
            if content is not None:
                handle.write(content)
            block = b" " * (8 * MIB)
            for _ in range(size // len(block)):
                handle.write(block)
    return out.getvalue()


@pytest.fixture(scope="module")
def docx_bomb(docx_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 9 MB DOCX whose document.xml unpacks to 2 GiB (built in about 2 s)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    path.write_bytes(_replace_part(docx_bytes, "word/document.xml", None, size=2048 * MIB))
    return path


def test_docx_bomb_is_refused_from_the_zip_directory(docx_bomb: Path) -> None:
    assert docx_bomb.stat().st_size < 25 * MIB  # within the file-size limit: only the zip check
    measured = run_bounded(
        "DOCX bomb (9 MB file, 2 GiB document.xml)",
        load_and_chunk(docx_bomb),
        timeout_s=30,
        memory_mib=300,
    )
    refused(measured.outcome, measured.message, "unpacks to 2,04", "COPC_MAX_UNZIPPED_MB")
    assert measured.file == str(docx_bomb)
    assert measured.seconds < 5 and measured.peak_mib < 100


def _lie_about_size(package: bytes, part: str, declared: int) -> bytes:
    """Patch the local header and the central directory to declare ``declared`` bytes."""
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(part)
    assert info.file_size < 0xFFFFFFFF, "a zip64 entry keeps its size elsewhere"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) >= 0:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + name_length]) == part.encode():
            struct.pack_into("<I", data, start + 24, declared)
        start += 4
    return bytes(data)


def test_docx_lying_about_its_sizes_cannot_unpack_more_than_it_declares(
    docx_bytes: bytes, tmp_path: Path
) -> None:
    # 200 MB of spaces that the zip directory says are 2 KB: zipfile would inflate all of it
    # in one read before cutting it to 2 KB; the package check stops one step past 2 KB.
    real = _replace_part(docx_bytes, "word/document.xml", b"<?xml version='1.0'?>", size=200 * MIB)
    path = tmp_path / "liar.docx"
    path.write_bytes(_lie_about_size(real, "word/document.xml", 2048))
    measured = run_bounded(
        "DOCX declaring 2 KB for a 200 MB part", load_and_chunk(path), timeout_s=30, memory_mib=300
    )
    refused(measured.outcome, measured.message, "does not unpack to the size", "word/document.xml")
    assert measured.peak_mib < 50


def test_docx_with_too_many_parts_is_refused_unopened(docx_bytes: bytes, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target, zipfile.ZipFile(io.BytesIO(docx_bytes)) as source:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for number in range(6000):
            target.writestr(f"extra/part{number}.xml", b"<a/>")
    path = tmp_path / "parts.docx"
    path.write_bytes(out.getvalue())
    measured = run_bounded(
        "DOCX with 6,000 parts", load_and_chunk(path), timeout_s=30, memory_mib=300
    )
    refused(measured.outcome, measured.message, "6,0", "parts, above the 5,000 limit")


@pytest.mark.parametrize(
    ("label", "body"),
    [
        # 100,000 nested content controls: the XML parser's depth limit stops it.
        ("100,000 nested w:sdt", b"<w:sdt><w:sdtContent>" * 100_000),
        # Entities are never expanded (python-docx parses with resolve_entities=False).
        ("billion laughs", b""),
    ],
)
def test_hostile_docx_xml_is_refused_or_read_within_bounds(
    docx_bytes: bytes, tmp_path: Path, label: str, body: bytes
) -> None:
    ns = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    if body:
        xml = b"<?xml version='1.0'?><w:document " + ns + b"><w:body>" + body
    else:
        lol = b"".join(
            b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">'
            % ((n,) + (n - 1,) * 10)
            for n in range(1, 10)
        )
        xml = (
            b"<?xml version='1.0'?><!DOCTYPE w:document [<!ENTITY l0 \"lol\">" + lol + b"]>"
            b"<w:document " + ns + b"><w:body><w:p><w:r><w:t>Intro &l9;</w:t></w:r></w:p>"
            b"</w:body></w:document>"
        )
    path = tmp_path / "xml.docx"
    path.write_bytes(_replace_part(docx_bytes, "word/document.xml", xml))
    measured = run_bounded(f"DOCX XML: {label}", load_and_chunk(path), timeout_s=60, memory_mib=500)
    assert measured.outcome in {"ok", "LoadError"}, measured.message
    if measured.outcome == "LoadError":
        assert "\n" not in measured.message and measured.file == str(path)
    assert measured.peak_mib < 300


# -- HTML: nesting and element bombs -----------------------------------------------------


def test_100k_nested_divs_are_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 100_000 + "Deep text." + "</div>" * 100_000)
    measured = run_bounded(
        "HTML, 100,000 nested divs", load_and_chunk(path), timeout_s=60, memory_mib=800
    )
    refused(measured.outcome, measured.message, "100,00", "COPC_MAX_HTML_DEPTH")
    assert measured.file == str(path)


def test_deep_nesting_under_the_limit_still_loads_in_bounded_time(tmp_path: Path) -> None:
    # Lists, definition lists and tables nested 4,500 deep: every kind of element the
    # walker reads whole, where work per element could grow with the depth.
    unit = "<dl><dt>Term<dd><ul><li><table><tr><td>cell "
    path = tmp_path / "nested.html"
    path.write_text("<html><body><h1>Nested</h1>" + unit * 500)
    measured = run_bounded(
        "HTML, 4,500 deep lists, definitions, tables",
        load_and_chunk(path),
        timeout_s=60,
        memory_mib=800,
    )
    assert measured.outcome == "ok", measured.message


def test_html_element_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "flat.html"
    path.write_text("<html><body>" + "<p>x</p>" * 2_000_000)  # 16 MB, 2 million elements
    measured = run_bounded(
        "HTML, 2 million elements (16 MB)", load_and_chunk(path), timeout_s=30, memory_mib=500
    )
    refused(measured.outcome, measured.message, "2,000,00", "COPC_MAX_HTML_ELEMENTS")
    assert measured.seconds < 5 and measured.peak_mib < 200


# -- one 20 MB line ----------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "unit"), [(".txt", "word "), (".md", "**Word.** [a] ")])
def test_a_single_20_mb_line_is_chunked_in_bounded_time(
    tmp_path: Path, suffix: str, unit: str
) -> None:
    size = 20 * MIB
    path = tmp_path / f"line{suffix}"
    path.write_text((unit * (size // len(unit) + 1))[:size])
    measured = run_bounded(
        f"one 20 MB line ({suffix}, {unit.strip()!r} repeated)",
        load_and_chunk(path),
        timeout_s=240,
        memory_mib=2500,
    )
    assert measured.outcome == "ok", measured.message
    assert "chunks" in measured.message


# -- PDF: pages, text and time -----------------------------------------------------------


def _pdf(pages: int, lines: int = 1) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for number in range(pages):
        for line in range(lines):
            canvas.drawString(72, 800 - 14 * line, f"Page {number + 1} line {line}.")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_pdf_with_thousands_of_pages_is_refused_by_its_page_count(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(5000))
    measured = run_bounded("PDF, 5,000 pages", load_and_chunk(path), timeout_s=60, memory_mib=800)
    refused(measured.outcome, measured.message, "5000 pages, above the 2000-page limit")
    assert measured.seconds < 10


def _one_stream_on_every_page(pages: int, repeats: int) -> bytes:
    """A few KB of PDF whose pages all draw one compressed stream of ``repeats`` text runs."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    base = PdfReader(io.BytesIO(_pdf(1)))
    writer = PdfWriter()
    writer.add_page(base.pages[0])
    page = writer.pages[0]
    font = next(iter(page["/Resources"]["/Font"]))
    stream = DecodedStreamObject()
    stream.set_data(f"BT {font} 12 Tf 72 700 Td (overflowing text) Tj ET\n".encode() * repeats)
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    for _ in range(pages - 1):
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("limits", "needles"),
    [
        (LoadLimits(max_text_chars=1 * MIB), ("more than 1 MB of text", "COPC_MAX_TEXT_MB")),
        (LoadLimits(max_pdf_seconds=0.5), ("longer than 0.5 s", "COPC_MAX_PDF_SECONDS")),
    ],
)
def test_a_small_pdf_that_expands_on_every_page_stops_at_its_limits(
    tmp_path: Path, limits: LoadLimits, needles: tuple[str, ...]
) -> None:
    path = tmp_path / "expanding.pdf"
    path.write_bytes(_one_stream_on_every_page(pages=1000, repeats=6000))
    assert path.stat().st_size < 100_000
    measured = run_bounded(
        f"PDF, 1,000 pages sharing one stream, {needles[1]}",
        load_and_chunk(path, limits),
        timeout_s=60,
        memory_mib=800,
    )
    refused(measured.outcome, measured.message, *needles)
    assert measured.seconds < 20


# -- an ingest run names each hostile file and indexes the rest --------------------------


def test_ingest_names_each_hostile_file_and_indexes_the_rest(
    settings: Settings, tmp_path: Path, docx_bomb: Path
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "bomb.docx").write_bytes(docx_bomb.read_bytes())
    (folder / "deep.html").write_text("<div>" * 6000 + "x")
    (folder / "long.pdf").write_bytes(_pdf(2001))
    (folder / "ok.md").write_text("# Escalation\n\nCall the team lead within 10 minutes.\n")
    report = build_assistant(settings, embedder=HashEmbedder(64)).ingest([folder])
    failed = dict(report.failed)
    assert set(failed) == {str(folder / n) for n in ("bomb.docx", "deep.html", "long.pdf")}
    assert "COPC_MAX_UNZIPPED_MB" in failed[str(folder / "bomb.docx")]
    assert "COPC_MAX_HTML_DEPTH" in failed[str(folder / "deep.html")]
    assert "2000-page limit" in failed[str(folder / "long.pdf")]
    assert report.added == [str(folder / "ok.md")]


def test_ingest_limits_come_from_the_settings(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "three.pdf").write_bytes(_pdf(3))
    tight = settings.model_copy(update={"max_pdf_pages": 2})
    report = build_assistant(tight, embedder=HashEmbedder(64)).ingest([folder])
    assert report.failed == [
        (
            str(folder / "three.pdf"),
            "PDF has 3 pages, above the 2-page limit; split it into smaller files",
        )
    ]


def test_a_section_repeated_word_for_word_does_not_stop_the_ingest(
    settings: Settings, tmp_path: Path
) -> None:
    # Found by fuzzing the chunker: identical sections under identical headings shared
    # chunk ids, and the store refused the whole batch, ending the run for every file.
    folder = tmp_path / "docs"
    folder.mkdir()
    section = "## Notes\n\nSee the escalation table.\n\n"
    (folder / "twice.md").write_text("# Memo\n\n" + section + "# Memo\n\n" + section)
    (folder / "other.md").write_text("# Other\n\nCall the team lead within 10 minutes.\n")
    assistant = build_assistant(settings, embedder=HashEmbedder(64))
    report = assistant.ingest([folder])
    assert report.ok and len(report.added) == 2
    stored = {c.chunk_id for c in assistant.index.store.scan(include_text=False)}
    assert stored == set(assistant.index.manifest.all_chunk_ids())
    assert len(assistant.index.manifest.files[str(folder / "twice.md")].chunk_ids) == 4
