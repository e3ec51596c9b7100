"""PDF documents: page text via pypdf, headings from the outline or from numbered lines.

When the PDF has bookmarks, each bookmark is matched to a line of its page's text and that
line becomes a heading at the bookmark's depth; otherwise the plain-text heading rules
apply. Lines repeated on most pages (running headers and footers) are never headings.

A few kilobytes of PDF can hold thousands of pages, or pages that all draw one huge
compressed content stream, so three limits bound a load: the page count (checked before
any text is extracted), the text extracted so far and the time spent (both checked after
each page). pypdf itself caps each decompressed stream at 75 MB.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import Destination

from assistant.documents import LoadedDocument
from assistant.errors import LoadError
from assistant.limits import MIB, LoadLimits
from assistant.loaders.builder import TextBuilder, clean_line, finish, pick_title, split_lines
from assistant.loaders.common import DEFAULT_MAX_PAGES, one_line
from assistant.loaders.metadata import detect_metadata
from assistant.loaders.text import add_plain_lines, title_line

ENCRYPTED = "PDF is encrypted; remove the password and ingest it again"
NO_TEXT = "PDF has no extractable text (scanned image?); run OCR first"
_NEEDS_CRYPTO = (
    "PDF is encrypted with AES and the 'cryptography' package is missing; "
    "install it, or remove the password and ingest it again"
)
_MAX_OUTLINE_ENTRIES = 5000
_MAX_OUTLINE_DEPTH = 12
_NUMBER_PREFIX = re.compile(r"\d{1,3}(?:\.\d{1,3})*[.)]?|[A-Za-z][.)]|[IVXLivxl]{1,5}[.)]")
_JUNK_TITLE = re.compile(r"^(untitled|microsoft word - .*|.*\.(docx?|pdf|rtf))$", re.IGNORECASE)


@dataclass(frozen=True)
class _Bookmark:
    level: int
    title: str
    page: int


def load_pdf(
    data: bytes,
    *,
    name: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    max_text_chars: int = LoadLimits.max_text_chars,
    max_seconds: float = LoadLimits.max_pdf_seconds,
) -> LoadedDocument:
    """Load a PDF document.

    Args:
        data: The file's bytes.
        name: The bare file name.
        max_pages: PDFs with more pages are refused before any text is extracted.
        max_text_chars: PDFs yielding more text are refused as soon as they pass it.
        max_seconds: PDFs whose text takes longer to extract are refused (checked after
            each page, so one pathological page can overrun it).

    Returns:
        The loaded document, with ``page_starts`` and a page on every section. Its title is
        the control-block title, else the PDF's own title, else the first heading-like
        line, else the first heading, else the file name stem.

    Raises:
        LoadError: The PDF is encrypted, corrupt, above a limit, or has no extractable text.
    """
    reader = _open(data)
    try:
        count = len(reader.pages)
    except Exception as exc:  # pypdf raises many types for broken files
        raise LoadError(_corrupt(exc)) from exc
    if count > max_pages:
        raise LoadError(
            f"PDF has {count} pages, above the {max_pages}-page limit; split it into smaller files"
        )
    pages = _extract(reader, count, max_text_chars=max_text_chars, max_seconds=max_seconds)
    if not any(clean_line(line) for lines in pages for line in lines):
        raise LoadError(NO_TEXT)

    marks = _match_outline(_outline(reader), pages)
    repeated = _repeated_lines(pages)
    builder = TextBuilder()
    starts: list[int] = []
    for number, lines in enumerate(pages):
        builder.break_paragraph()
        starts.append(builder.next_offset())
        if not marks:
            add_plain_lines(builder, lines, not_headings=repeated)
            continue
        for index, line in enumerate(lines):
            mark = marks.get((number, index))
            if mark is not None:
                builder.add_heading(mark.level, line, name=mark.title)
            elif clean_line(line):
                builder.add_line(line)
            else:
                builder.break_paragraph()

    meta = detect_metadata(lines=builder.lines)
    first_page = pages[0] if pages else []
    first_heading = builder.headings[0].text if builder.headings else None
    title = pick_title(
        meta.title,
        _info_title(reader),
        title_line(first_page, skip=repeated),
        first_heading,
        file=name,
    )
    return finish(builder, file=name, meta=meta, title=title, page_starts=starts)


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except DependencyError as exc:
        raise LoadError(_NEEDS_CRYPTO) from exc
    except Exception as exc:  # pypdf raises many types for broken files
        raise LoadError(_corrupt(exc)) from exc
    if encrypted:
        # Many PDFs are "encrypted" only to restrict printing; the empty password opens them.
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise LoadError(_NEEDS_CRYPTO) from exc
        except Exception as exc:  # a failed decryption means the same thing
            raise LoadError(ENCRYPTED) from exc
        if not opened:
            raise LoadError(ENCRYPTED)
    return reader


def _extract(
    reader: PdfReader, count: int, *, max_text_chars: int, max_seconds: float
) -> list[list[str]]:
    """Each page's text lines, within the text and time limits."""
    deadline = time.monotonic() + max_seconds
    pages: list[list[str]] = []
    size = 0
    for number in range(count):
        text = _page_text(reader, number)
        size += len(text)
        if size > max_text_chars:
            raise LoadError(
                f"PDF holds more than {max_text_chars / MIB:.3g} MB of text by page "
                f"{number + 1}; split it or raise COPC_MAX_TEXT_MB"
            )
        if time.monotonic() > deadline:
            raise LoadError(
                f"PDF text took longer than {max_seconds:g} s to extract (page {number + 1} of "
                f"{count}); split it or raise COPC_MAX_PDF_SECONDS"
            )
        pages.append(split_lines(text))
    return pages


def _corrupt(exc: object) -> str:
    return f"PDF could not be read (corrupt or truncated): {one_line(exc, limit=120)}"


def _page_text(reader: PdfReader, number: int) -> str:
    try:
        return reader.pages[number].extract_text() or ""
    except DependencyError as exc:
        raise LoadError(_NEEDS_CRYPTO) from exc
    except Exception as exc:  # pypdf raises many types for broken files
        raise LoadError(_corrupt(f"page {number + 1}: {one_line(exc, limit=100)}")) from exc


def _info_title(reader: PdfReader) -> str | None:
    try:
        info = reader.metadata
        title = info.title if info is not None else None
    except Exception:  # a broken info dictionary only loses the title
        return None
    title = clean_line(str(title)) if title else ""
    return title if title and not _JUNK_TITLE.match(title) else None


def _outline(reader: PdfReader) -> list[_Bookmark]:
    """Bookmarks in outline order with their depth (1 = top) and 0-based page."""
    found: list[_Bookmark] = []
    try:
        stack: list[tuple[list[object], int]] = [(list(reader.outline), 1)]
        while stack and len(found) < _MAX_OUTLINE_ENTRIES:
            items, level = stack.pop()
            for position, item in enumerate(items):
                if isinstance(item, list):
                    if level < _MAX_OUTLINE_DEPTH:
                        # Finish this level after the nested one, keeping document order.
                        stack.append((items[position + 1 :], level))
                        stack.append((item, level + 1))
                    break
                if isinstance(item, Destination):
                    page = reader.get_destination_page_number(item)
                    title = clean_line(str(item.title or ""))
                    if title and page is not None and page >= 0:
                        found.append(_Bookmark(level=level, title=title, page=page))
    except Exception:  # a broken outline falls back to the text rules
        return []
    return found


def _match_outline(
    bookmarks: Sequence[_Bookmark], pages: Sequence[Sequence[str]]
) -> dict[tuple[int, int], _Bookmark]:
    """Map (page, line index) to the bookmark whose title that line carries."""
    marks: dict[tuple[int, int], _Bookmark] = {}
    cursor: dict[int, int] = {}
    for bookmark in bookmarks:
        if bookmark.page >= len(pages):
            continue
        lines = pages[bookmark.page]
        start = cursor.get(bookmark.page, 0)
        index = _find_line(bookmark.title, lines, start, taken=marks, page=bookmark.page)
        if index is None and start:
            index = _find_line(bookmark.title, lines, 0, taken=marks, page=bookmark.page)
        if index is not None:
            marks[(bookmark.page, index)] = bookmark
            cursor[bookmark.page] = index + 1
    return marks


def _find_line(
    title: str,
    lines: Sequence[str],
    start: int,
    *,
    taken: dict[tuple[int, int], _Bookmark],
    page: int,
) -> int | None:
    wanted = _comparable(title)
    candidates = [
        (index, _comparable(lines[index]))
        for index in range(start, len(lines))
        if (page, index) not in taken
    ]
    for index, line in candidates:
        if line == wanted:
            return index
    for index, line in candidates:
        # A heading line may carry a number the bookmark lacks, or wrap onto a second line.
        if line.endswith(wanted) and _NUMBER_PREFIX.fullmatch(line[: -len(wanted)].strip()):
            return index
        if len(line) >= 8 and wanted.startswith(line):
            return index
    return None


def _comparable(text: str) -> str:
    return " ".join(clean_line(text).casefold().split())


def _repeated_lines(pages: Sequence[Sequence[str]]) -> frozenset[str]:
    """Clean lines that recur on most pages (digits ignored, so "Page 2" matches "Page 3")."""
    if len(pages) < 2:
        return frozenset()
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({re.sub(r"\d+", "#", clean_line(line)) for line in lines if clean_line(line)})
    common = {key for key, seen in counts.items() if seen >= 2 and seen * 2 > len(pages)}
    return frozenset(
        clean_line(line)
        for lines in pages
        for line in lines
        if re.sub(r"\d+", "#", clean_line(line)) in common
    )
