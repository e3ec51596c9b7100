"""Plain-text documents, and the heading rules shared with PDF text.

A heading is a short line (at most 90 characters, no trailing period) that starts with a
section number (``1.``, ``2 ``, ``2.1``, ``3.2.1``: the depth is the level), is ALL CAPS
(level 1), or is underlined with ``===`` (level 1) or ``---`` (level 2).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from assistant.documents import LoadedDocument
from assistant.loaders.builder import TextBuilder, clean_line, finish, pick_title, split_lines
from assistant.loaders.common import decode_text
from assistant.loaders.metadata import detect_metadata, is_control_line

MAX_HEADING_CHARS = 90

_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,5})\.?\s+(\S.*)$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_RULE = re.compile(r"^\s*([-=*_~#+.])(?:\s*\1){2,}\s*$")
_NOT_HEADING_END = (".", ",", ";")


def load_text(data: bytes, *, name: str) -> LoadedDocument:
    """Load a plain-text document.

    Args:
        data: The file's bytes (UTF-8).
        name: The bare file name.

    Returns:
        The loaded document; its title is the metadata title, else the first heading-like
        line, else the file name stem.

    Raises:
        LoadError: The bytes are not UTF-8 text or hold nothing readable.
    """
    lines = split_lines(decode_text(data))
    builder = TextBuilder()
    add_plain_lines(builder, lines)
    meta = detect_metadata(lines=builder.lines)
    first_heading = builder.headings[0].text if builder.headings else None
    title = pick_title(meta.title, title_line(lines), first_heading, file=name)
    return finish(builder, file=name, meta=meta, title=title)


def heading_level(line: str) -> int | None:
    """The heading level of a clean line by the plain-text rules (not underlines).

    Args:
        line: One clean line.

    Returns:
        The level (section-number depth, or 1 for ALL CAPS), or ``None`` for body text.
    """
    if not _short_title_like(line) or is_control_line(line):
        return None
    match = _NUMBERED.match(line)
    if match is not None:
        words = match.group(2)
        first_letter = next((c for c in words if c.isalpha()), "")
        # "3.5 million calls were handled" is a sentence, not section 3.5.
        if first_letter.isupper():
            return match.group(1).count(".") + 1
        return None
    cased = [c for c in line if c.isupper() or c.islower()]
    if len(cased) >= 3 and not any(c.islower() for c in cased):
        return 1
    return None


def title_line(lines: Sequence[str], *, skip: Collection[str] = ()) -> str | None:
    """The first line that reads as a title, skipping document-control lines.

    Args:
        lines: Raw lines from the top of the document.
        skip: Clean lines that are never the title (running page headers).

    Returns:
        The clean line, or ``None`` when the first other line is body text.
    """
    for raw in lines:
        line = clean_line(raw)
        if not line or line in skip or _RULE.match(line) or is_control_line(line):
            continue
        return line if _short_title_like(line) else None
    return None


def add_plain_lines(
    builder: TextBuilder,
    lines: Sequence[str],
    *,
    not_headings: Collection[str] = (),
) -> None:
    """Add plain-text lines to a builder, marking headings by the plain-text rules.

    Blank lines become paragraph breaks; ``===``/``---`` underlines and separator rules
    are dropped from the text.

    Args:
        builder: The builder to fill.
        lines: Raw lines.
        not_headings: Clean lines never to treat as headings (repeated page headers).
    """
    index = 0
    while index < len(lines):
        line = clean_line(lines[index])
        following = lines[index + 1] if index + 1 < len(lines) else ""
        index += 1
        if not line or _RULE.match(line):
            builder.break_paragraph()
            continue
        underline = _UNDERLINE.match(following)
        if underline and len(underline.group(1)) >= 3 and _short_title_like(line):
            builder.add_heading(1 if underline.group(1)[0] == "=" else 2, line)
            index += 1
            continue
        level = None if line in not_headings else heading_level(line)
        if level is not None:
            builder.add_heading(level, line)
        else:
            builder.add_line(line)


def _short_title_like(line: str) -> bool:
    return (
        0 < len(line) <= MAX_HEADING_CHARS
        and not line.endswith(_NOT_HEADING_END)
        and any(c.isalpha() for c in line)
    )
