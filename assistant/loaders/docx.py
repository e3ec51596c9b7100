"""Word documents (.docx): paragraphs and tables in body order, headings from styles.

Headings come from the "Title" style (level 0) and "Heading N" styles (level N), also when
a custom style is based on one of them. Tables become ``cell | cell`` lines.

A DOCX file is a zip package that python-docx unpacks whole into memory, so the package
is checked first (``package.check_zip``): a decompression bomb is refused before python-docx
opens it, whether its zip directory tells the truth about the sizes or not.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from docx import Document as open_document
from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.style import CharacterStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from assistant.documents import LoadedDocument
from assistant.errors import LoadError
from assistant.limits import LoadLimits
from assistant.loaders.builder import TextBuilder, clean_line, finish, pick_title, split_lines
from assistant.loaders.metadata import HEAD_WINDOW, detect_metadata
from assistant.loaders.package import check_zip

NOT_DOCX = (
    "not a readable DOCX file (encrypted, corrupt or another format); "
    "open it in Word and save as .docx"
)
_HEADING_STYLE = re.compile(r"heading\s*([1-9])")
_STYLE_DEPTH = 5


def load_docx(
    data: bytes,
    *,
    name: str,
    max_unzipped_bytes: int = LoadLimits.max_unzipped_bytes,
    max_members: int = LoadLimits.max_zip_members,
) -> LoadedDocument:
    """Load a Word document.

    Args:
        data: The file's bytes.
        name: The bare file name.
        max_unzipped_bytes: Packages whose parts unpack to more are refused unopened.
        max_members: Packages with more parts are refused unopened.

    Returns:
        The loaded document; its title is the control-block title, else the first "Title"
        paragraph, else the first heading, else the document properties' title, else the
        file name stem.

    Raises:
        LoadError: The file is not a readable DOCX package, exceeds a limit, or holds no text.
    """
    check_zip(
        data,
        kind="DOCX",
        broken=NOT_DOCX,
        max_unzipped_bytes=max_unzipped_bytes,
        max_members=max_members,
    )
    try:
        document = open_document(io.BytesIO(data))
    except Exception as exc:  # any failure to open means the same to the user
        raise LoadError(NOT_DOCX) from exc
    builder = TextBuilder()
    tables: list[list[list[str]]] = []
    styled_title: str | None = None
    in_list = False
    for block in _blocks(document):
        if isinstance(block, Table):
            in_list = False
            rows = _table_rows(block)
            if len(builder.lines) < HEAD_WINDOW:
                tables.append(rows)
            builder.break_paragraph()
            for cells in rows:
                builder.add_line(" | ".join(cell for cell in cells if cell))
            builder.break_paragraph()
            continue
        level, is_list = _paragraph_kind(block)
        text = block.text
        if level is not None:
            in_list = False
            if builder.add_heading(level, text) and level == 0 and styled_title is None:
                styled_title = builder.lines[-1]
            continue
        # Consecutive list items stay on consecutive lines; other paragraphs are separated.
        if not (is_list and in_list):
            builder.break_paragraph()
        in_list = is_list
        for line in split_lines(text):
            builder.add_line(f"- {line}" if is_list and clean_line(line) else line)
    meta = detect_metadata(lines=builder.lines, tables=tables)
    first_heading = builder.headings[0].text if builder.headings else None
    title = pick_title(
        meta.title, styled_title, first_heading, document.core_properties.title, file=name
    )
    return finish(builder, file=name, meta=meta, title=title)


def _blocks(document: Document) -> Iterator[Paragraph | Table]:
    """Body paragraphs and tables in document order, including those in content controls."""
    return _children(document.element.body, document)


def _children(element: BaseOxmlElement, document: Document) -> Iterator[Paragraph | Table]:
    for child in element.iterchildren():
        if isinstance(child, CT_P):
            yield Paragraph(child, document)
        elif isinstance(child, CT_Tbl):
            yield Table(child, document)
        elif isinstance(child, BaseOxmlElement) and child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                if isinstance(content, BaseOxmlElement):
                    yield from _children(content, document)


def _paragraph_kind(paragraph: Paragraph) -> tuple[int | None, bool]:
    """The paragraph's heading level (or ``None``) and whether it is a list item."""
    style: CharacterStyle | None = paragraph.style
    is_list = False
    for _ in range(_STYLE_DEPTH):
        if style is None:
            break
        style_name = (style.name or "").strip().casefold()
        if style_name == "title":
            return 0, False
        match = _HEADING_STYLE.fullmatch(style_name)
        if match:
            return int(match.group(1)), False
        is_list = is_list or style_name.startswith("list")
        style = style.base_style
    return None, is_list


def _table_rows(table: Table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            key = id(cell._tc)
            if key in seen:
                continue
            seen.add(key)
            cells.append(clean_line(cell.text))
        if any(cells):
            rows.append(cells)
    return rows
