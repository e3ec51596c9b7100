"""Fuzzing: whatever a file holds, loading gives a document or a clean LoadError naming the
file (never another exception), and chunk spans always index the text exactly.

Markdown and plain text are fuzzed in ``tests/loaders/test_properties.py``; here HTML from
markup fragments, DOCX with mutated XML or bytes, PDF with mutated bytes, and the chunker
on documents built the way every loader builds them. Examples are bounded (size and
count) so the whole file runs in seconds.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.chunking import ChunkingParams, chunk_document
from assistant.documents import DocumentMeta, LoadedDocument
from assistant.errors import LoadError
from assistant.loaders import load_document
from assistant.loaders.builder import TextBuilder, finish

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def load_or_refuse(name: str, content: bytes) -> LoadedDocument | None:
    """Load ``content`` as ``name``: a consistent document, or ``None`` after a clean refusal."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            doc = load_document(path)
        except LoadError as error:
            message = str(error)
            assert message and "\n" not in message and message.strip() == message
            assert error.file == str(path), "the error names the file"
            return None
    check_chunks(doc, ChunkingParams())
    return doc


def check_chunks(doc: LoadedDocument, params: ChunkingParams) -> None:
    """Chunks index the text exactly, stay inside their section, and lose no text."""
    chunks = chunk_document(doc, params, file_key="/fuzz/" + doc.file)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    inside = 0
    for section in doc.sections:
        mine = [c for c in chunks if c.start >= section.start and c.end <= section.end]
        inside += len(mine)
        previous = section.start
        for chunk in mine:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.text and chunk.text == chunk.text.strip()
            assert chunk.start >= previous, "chunks are in order and never overlap"
            assert doc.text[previous : chunk.start].strip() == "", "no text between chunks"
            assert len(chunk.text) <= params.max_chars + params.min_chars
            previous = chunk.end
        assert doc.text[previous : section.end].strip() == "", "no text after the last chunk"
    assert inside == len(chunks), "every chunk lies inside a section"


# -- HTML --------------------------------------------------------------------------------

HTML_FRAGMENTS = st.sampled_from(
    [
        "<html>",
        "<body>",
        "</body>",
        "<div>",
        "</div>",
        "<p>",
        "</p>",
        "<h1>",
        "</h1>",
        "<h3>",
        "<table>",
        "<tr>",
        "<td>",
        "</td>",
        "<th>",
        "</table>",
        "<dl>",
        "<dt>",
        "<dd>",
        "</dl>",
        "<ul>",
        "<li>",
        "</ul>",
        "<pre>",
        "</pre>",
        "<br>",
        "<nav>",
        "</nav>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE x>",
        "<?xml?>",
        "<title>",
        "</title>",
        "<meta charset=latin-1>",
        "&amp;",
        "&#0;",
        "&#x110000;",
        "&bogus;",
        "<",
        ">",
        "Version: 2",
        "Owner: Ann",
        "\n",
        " ",
        "\x00",
        "\u2028",
        "é",
    ]
)
HTML = st.lists(st.one_of(HTML_FRAGMENTS, st.text(max_size=12)), max_size=60).map("".join)


@FUZZ
@given(page=HTML)
def test_any_html_loads_consistently_or_is_refused(page: str) -> None:
    load_or_refuse("page.html", page.encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_as_html_docx_or_pdf(data: bytes) -> None:
    for name in ("x.html", "x.docx", "x.pdf"):
        load_or_refuse(name, data)


# -- DOCX --------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
XML_FRAGMENTS = st.sampled_from(
    [
        "<w:p>",
        "</w:p>",
        "<w:r>",
        "</w:r>",
        "<w:t>",
        "</w:t>",
        "<w:tbl>",
        "</w:tbl>",
        "<w:tr>",
        "</w:tr>",
        "<w:tc>",
        "</w:tc>",
        "<w:sdt>",
        "<w:sdtContent>",
        "</w:sdtContent>",
        "</w:sdt>",
        '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>',
        '<w:pPr><w:pStyle w:val="Title"/></w:pPr>',
        '<w:pPr><w:pStyle w:val="Nope"/></w:pPr>',
        "<w:br/>",
        "<w:tab/>",
        "&amp;",
        "&lt;",
        "<!-- c -->",
        "<![CDATA[x]]>",
        "Text",
        "Version: 2",
        " ",
        "\n",
    ]
)


def _with_document(docx: bytes, xml: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = xml if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, body)
    return out.getvalue()


@FUZZ
@given(parts=st.lists(st.one_of(XML_FRAGMENTS, st.text(max_size=8)), max_size=40))
def test_docx_with_any_document_xml_loads_or_is_refused(
    docx_bytes: bytes, parts: list[str]
) -> None:
    xml = f"<?xml version='1.0'?><w:document {W}><w:body>{''.join(parts)}</w:body></w:document>"
    load_or_refuse("fuzz.docx", _with_document(docx_bytes, xml.encode("utf-8", "surrogatepass")))


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
)
def test_docx_with_mutated_bytes_loads_or_is_refused(
    docx_bytes: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(docx_bytes)
    for position, value in edits:
        data[position % len(data)] = value
    load_or_refuse("mutated.docx", bytes(data[: len(data) - cut % 64]))


# -- PDF ---------------------------------------------------------------------------------


@FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
)
def test_pdf_with_mutated_bytes_loads_or_is_refused(
    pdf_bytes: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(pdf_bytes)
    for position, value in edits:
        data[position % len(data)] = value
    load_or_refuse("mutated.pdf", bytes(data[: len(data) - cut % 128]))


def test_the_unmutated_samples_load(docx_bytes: bytes, pdf_bytes: bytes) -> None:
    """The fuzzed samples are real documents, so mutations start from working files."""
    docx = load_or_refuse("sample.docx", docx_bytes)
    pdf = load_or_refuse("sample.pdf", pdf_bytes)
    assert docx is not None and "within 10 minutes" in docx.text
    assert pdf is not None and "8 contacts monitored" in pdf.text


# -- the chunker -------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["The", "target", "is", "80%.", "Calls", "escalate;", "see", "3.2", "(QA)", "-", "•", "é"]
)
LINE = st.lists(st.one_of(WORDS, st.text(max_size=30)), max_size=40).map(" ".join)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("line"), LINE),
        st.tuples(st.just("heading"), st.integers(0, 4), LINE),
        st.just(("break",)),
        st.tuples(
            st.just("long"), st.sampled_from(["word ", "Word. ", "x", "a;b "]), st.integers(1, 3000)
        ),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(
    ops=OPS,
    max_chars=st.integers(20, 1500),
    min_chars=st.integers(0, 400),
)
def test_chunk_spans_index_the_text_exactly(
    ops: list[tuple[object, ...]], max_chars: int, min_chars: int
) -> None:
    builder = TextBuilder()
    for op in ops:
        if op[0] == "line":
            builder.add_line(op[1])
        elif op[0] == "heading":
            builder.add_heading(op[1], op[2])
        elif op[0] == "long":
            builder.add_line(op[1] * op[2])
        else:
            builder.break_paragraph()
    try:
        doc = finish(builder, file="fuzz.txt", meta=DocumentMeta(), title="Fuzz")
    except LoadError:
        return  # nothing readable: the loaders refuse it the same way
    check_chunks(doc, ChunkingParams(max_chars=max_chars, min_chars=min(min_chars, max_chars)))


@pytest.mark.parametrize("unit", ["word ", "Word. ", "x", "\u00a0a "])
def test_one_long_line_splits_within_the_limit(unit: str) -> None:
    builder = TextBuilder()
    builder.add_line(unit * 20_000)
    doc = finish(builder, file="line.txt", meta=DocumentMeta(), title="Line")
    check_chunks(doc, ChunkingParams(max_chars=300, min_chars=50))
