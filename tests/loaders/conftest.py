"""Fixtures that build loader inputs in ``tmp_path`` and check loaded documents."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from assistant.documents import LoadedDocument

WriteFile = Callable[[str, str | bytes], Path]
# A PDF page is a list of lines; a line may be ("heading text", level) to add a bookmark too.
PdfLine = str | tuple[str, int]
MakePdf = Callable[..., bytes]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write text (UTF-8) or bytes to a file named ``name`` in ``tmp_path``."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        else:
            path.write_bytes(content)
        return path

    return write


@pytest.fixture
def make_pdf() -> MakePdf:
    """Build a PDF with reportlab: one list of lines per page; ``(text, level)`` lines
    also get an outline bookmark at that level (0 = top)."""

    def build(
        pages: Sequence[Sequence[PdfLine]], *, title: str | None = None, footer: str = ""
    ) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        if title is not None:
            canvas.setTitle(title)
        for number, lines in enumerate(pages, start=1):
            y = 800.0
            for index, line in enumerate(lines):
                text = line if isinstance(line, str) else line[0]
                if not isinstance(line, str):
                    key = f"p{number}l{index}"
                    canvas.bookmarkHorizontal(key, 0, y + 12)
                    canvas.addOutlineEntry(text, key, level=line[1])
                canvas.drawString(72, y, text)
                y -= 18
            if footer:
                canvas.drawString(72, 30, footer.format(page=number))
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    return build


@pytest.fixture
def save_docx(tmp_path: Path) -> Callable[[object, str], Path]:
    """Save a python-docx document as ``name`` in ``tmp_path``."""

    def save(document: object, name: str = "doc.docx") -> Path:
        path = tmp_path / name
        document.save(str(path))  # type: ignore[attr-defined]
        return path

    return save


@pytest.fixture
def consistent() -> Callable[[LoadedDocument], None]:
    """Check the invariants every loaded document keeps, whatever its format."""
    return assert_consistent


def assert_consistent(doc: LoadedDocument) -> None:
    assert doc.text, "a loaded document always has text"
    assert doc.sections, "a loaded document always has sections"
    previous_end = 0
    for section in doc.sections:
        assert doc.text[section.start : section.end] == section.text
        assert section.text.strip() == section.text != ""
        assert section.start >= previous_end, "sections are in order and do not overlap"
        assert doc.text[previous_end : section.start].strip() == "", "sections cover the body"
        assert section.path and section.path[-1] == section.heading
        assert section.heading.strip() == section.heading != ""
        previous_end = section.end
    assert doc.text[previous_end:].strip() == ""
    assert doc.meta.title
    if doc.page_starts:
        assert list(doc.page_starts) == sorted(doc.page_starts)
        assert all(section.page is not None for section in doc.sections)
