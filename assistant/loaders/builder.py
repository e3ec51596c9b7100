"""Assembling a document's clean text line by line while recording where headings start.

Every format loader feeds lines into a ``TextBuilder``: each line is cleaned (Unicode NFC,
runs of whitespace collapsed, control characters dropped) before it is appended, so the
offsets recorded for headings and pages are offsets into the final text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePath

from assistant.documents import DocumentMeta, LoadedDocument
from assistant.errors import LoadError
from assistant.loaders.common import NO_TEXT
from assistant.loaders.sections import Heading, build_sections

_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Control and invisible characters that carry no text (soft hyphen, zero-width space, BOM).
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def split_lines(text: str) -> list[str]:
    """Split text at every kind of line break (CR, LF, CRLF, form feed, Unicode separators).

    Args:
        text: Raw text.

    Returns:
        The lines, without their line breaks.
    """
    return _LINE_BREAK.split(text)


def clean_line(text: str) -> str:
    """One clean line: NFC, invisible characters dropped, whitespace runs made one space.

    Args:
        text: Raw text, possibly holding line breaks (they become spaces).

    Returns:
        The cleaned, stripped line (may be empty).
    """
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return _WHITESPACE.sub(" ", text).strip()


class TextBuilder:
    """Collects clean lines into a document text, remembering heading offsets.

    Lines are joined with one newline; a paragraph break (one blank line) is inserted
    where ``break_paragraph`` was called, so runs of blank lines collapse to one.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._gap = ""
        self.headings: list[Heading] = []
        self.lines: list[str] = []
        """The non-blank lines added so far, in order (used to find control blocks)."""

    @property
    def text(self) -> str:
        """The text assembled so far."""
        return "".join(self._parts)

    def break_paragraph(self) -> None:
        """Start a new paragraph: the next line follows a blank line."""
        if self._size:
            self._gap = "\n\n"

    def next_offset(self) -> int:
        """The offset at which the next added line will start."""
        return self._size + len(self._gap)

    def add_line(self, raw: str) -> int | None:
        """Append one line of text after cleaning it.

        Args:
            raw: The line as found in the source; line breaks inside become spaces.

        Returns:
            The line's offset in the text, or ``None`` when it was blank after cleaning
            (nothing is added then).
        """
        line = clean_line(raw)
        if not line:
            return None
        offset = self._size + len(self._gap)
        self._parts.append(self._gap)
        self._parts.append(line)
        self._size = offset + len(line)
        self._gap = "\n"
        self.lines.append(line)
        return offset

    def add_paragraph(self, raw: str) -> None:
        """Append a block of text as its own paragraph; blank lines inside split paragraphs.

        Args:
            raw: Multi-line text.
        """
        self.break_paragraph()
        for line in split_lines(raw):
            if self.add_line(line) is None:
                self.break_paragraph()
        self.break_paragraph()

    def add_heading(self, level: int, raw: str, *, name: str | None = None) -> bool:
        """Append a heading line as its own paragraph and record it.

        Args:
            level: Heading depth (0 title, 1 top level, ...).
            raw: The heading line as it should appear in the text.
            name: The heading's name when it differs from the line (a PDF bookmark title);
                defaults to the cleaned line.

        Returns:
            ``True`` when a heading was added, ``False`` when the line was blank.
        """
        self.break_paragraph()
        offset = self.add_line(raw)
        if offset is None:
            return False
        heading = clean_line(name) if name else ""
        self.headings.append(Heading(offset=offset, level=level, text=heading or self.lines[-1]))
        self.break_paragraph()
        return True


def pick_title(*candidates: str | None, file: str) -> str:
    """The first non-blank candidate as a clean title, else the file name without suffix.

    Args:
        *candidates: Title sources in order of preference.
        file: The file name, whose stem is the last resort.

    Returns:
        A non-empty title.
    """
    for candidate in candidates:
        title = clean_line(candidate) if candidate else ""
        if title:
            return title
    return clean_line(PurePath(file).stem) or file


def finish(
    builder: TextBuilder,
    *,
    file: str,
    meta: DocumentMeta,
    title: str,
    page_starts: Sequence[int] = (),
) -> LoadedDocument:
    """Turn a filled builder into a ``LoadedDocument`` with sections.

    Args:
        builder: The builder holding the clean text and headings.
        file: The bare file name.
        meta: Metadata found in the document; its ``title`` is set to ``title``.
        title: The document title (names the section before the first heading).
        page_starts: Offsets where each page starts (PDF only).

    Returns:
        The loaded document.

    Raises:
        LoadError: Nothing readable was left after cleaning.
    """
    text = builder.text
    if not text:
        raise LoadError(NO_TEXT)
    starts = tuple(min(offset, len(text)) for offset in page_starts)
    sections = build_sections(text, builder.headings, title=title, page_starts=starts)
    return LoadedDocument(
        file=file,
        text=text,
        meta=replace(meta, title=title),
        sections=sections,
        page_starts=starts,
    )
