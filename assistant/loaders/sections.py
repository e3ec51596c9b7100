"""Turning headings found in a document's clean text into ``Section``s.

Shared by every format: a loader records where each heading line starts in the text and
at what level; this module derives heading paths and spans. Text before the first heading
becomes a section named after the document title.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.documents import Section


@dataclass(frozen=True)
class Heading:
    """A heading line in a document's clean text.

    ``offset`` is where the heading line starts in the text; ``level`` is its depth
    (0 for a document title style, 1 for a top-level heading, deeper numbers below).
    """

    offset: int
    level: int
    text: str


def build_sections(
    text: str,
    headings: Sequence[Heading],
    *,
    title: str,
    page_starts: Sequence[int] = (),
) -> tuple[Section, ...]:
    """Split ``text`` at its headings into sections with heading paths and spans.

    Each section runs from its heading line to the next heading, so the heading line is
    part of the section's text and no section is empty. Leading and trailing whitespace is
    left outside the span, so ``text[start:end] == section.text`` always holds.

    Args:
        text: The document's clean text.
        headings: Headings with offsets into ``text``; out-of-range or repeated offsets are
            ignored.
        title: The document title, used as the heading of the text before the first heading.
        page_starts: Offsets where each page starts (PDF); gives each section its page.

    Returns:
        The sections in document order.
    """
    ordered: list[Heading] = []
    for heading in sorted(headings, key=lambda h: h.offset):
        if 0 <= heading.offset < len(text) and (not ordered or heading.offset > ordered[-1].offset):
            ordered.append(heading)

    sections: list[Section] = []
    first = ordered[0].offset if ordered else len(text)
    preamble = _section(text, title, (title,), 0, first, page_starts)
    if preamble is not None:
        sections.append(preamble)

    stack: list[Heading] = []
    for index, heading in enumerate(ordered):
        end = ordered[index + 1].offset if index + 1 < len(ordered) else len(text)
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        path = tuple(h.text for h in stack)
        section = _section(text, heading.text, path, heading.offset, end, page_starts)
        if section is not None:
            sections.append(section)
    return tuple(sections)


def page_of(offset: int, page_starts: Sequence[int]) -> int | None:
    """The 1-based page holding ``offset``, or ``None`` when the document has no pages.

    Args:
        offset: A character offset into the document text.
        page_starts: Offsets where each page starts, ascending.

    Returns:
        The page number, or ``None`` for formats without pages.
    """
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


def _section(
    text: str,
    heading: str,
    path: tuple[str, ...],
    start: int,
    end: int,
    page_starts: Sequence[int],
) -> Section | None:
    body = text[start:end]
    stripped = body.strip()
    if not stripped:
        return None
    start += len(body) - len(body.lstrip())
    end = start + len(stripped)
    return Section(
        heading=heading,
        path=path,
        text=stripped,
        start=start,
        end=end,
        page=page_of(start, page_starts),
    )
