"""Markdown documents (including Hugo/Jekyll pages with front matter and shortcodes).

Cleaning keeps what a reader sees: front matter becomes metadata; HTML comments, Hugo
shortcodes and ``{#anchor}`` heading ids are removed; links and images become their text;
emphasis markers, inline code ticks and HTML tags are dropped; list bullets and table
cells stay readable. ``#`` lines inside fenced code blocks are code, not headings.

Every pattern runs in time linear in the line (or document) it reads: a hostile file of
20 MB with one line, or with a million unclosed ``<!--``, ``**`` or ``[``, loads in seconds.
Paired markers (comments, shortcodes, strong emphasis) are matched only up to their last
possible closer, code spans are paired by a scan, and bracket classes cannot run past
another bracket (tests/security/test_hostile_text.py measures this).
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Callable, Mapping

import yaml  # type: ignore[import-untyped, unused-ignore]

from assistant.documents import LoadedDocument
from assistant.loaders.builder import TextBuilder, clean_line, finish, pick_title, split_lines
from assistant.loaders.common import decode_text
from assistant.loaders.metadata import HEAD_WINDOW, detect_metadata

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SHORTCODE = re.compile(r"\{\{[<%].*?[>%]\}\}", re.DOTALL)
_COMMENT_END = re.compile(r"-->")
_SHORTCODE_END = re.compile(r"[>%]\}\}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|(\d{1,9}[.)]))\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
# Applied to stripped lines; no two whitespace runs are adjacent, so it cannot backtrack.
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_REFERENCE = re.compile(
    r"""^ {0,3}\[[^\]]+\]:\s*<?[^\s<>]+>?(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*$"""
)

_URL = r"(?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)"
_LINK_TITLE = r"""(?:\s*+(?:"[^"]*"|'[^']*'|\([^()]*\)))?"""
# Link text stops at any bracket, so an unclosed ``[`` never scans the rest of the line;
# whitespace runs are possessive (``\s*+``): given back, they would be rescanned (quadratic).
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\(\s*+" + _URL + _LINK_TITLE + r"\s*+\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*+" + _URL + _LINK_TITLE + r"\s*+\)")
_REF_LINK = re.compile(r"!?\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_ANCHOR = re.compile(r"\{#[^{}]*\}")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_TICKS = re.compile(r"`+")
# Strong emphasis, with the pattern of a closer that can end it (see _sub_closed).
_STRONG_STARS = r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"(?<=\S)\*\*"
_STRONG_UNDERS = r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)", r"(?<=\S)__(?!\w)"
_STRONG = tuple((re.compile(p), re.compile(c)) for p, c in (_STRONG_STARS, _STRONG_UNDERS))
_STRONG_LINES = tuple(
    (re.compile(p, re.DOTALL), re.compile(c)) for p, c in (_STRONG_STARS, _STRONG_UNDERS)
)
_EMPHASIS = re.compile(
    r"(?<![*\w])\*(?=[^\s*])([^*]*?[^\s*])\*(?![*\w])|(?<!\w)_(?=\S)([^_]*?\S)_(?!\w)"
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HIDDEN = 0xE000
_UNHIDE = {_HIDDEN + code: chr(code) for code in range(0x21, 0x7F)}


def load_markdown(data: bytes, *, name: str) -> LoadedDocument:
    """Load a Markdown document.

    Args:
        data: The file's bytes (UTF-8).
        name: The bare file name.

    Returns:
        The loaded document; its title is the front-matter or control-block title, else the
        first heading, else the file name stem.

    Raises:
        LoadError: The bytes are not UTF-8 text or hold nothing readable.
    """
    front, body = split_front_matter(decode_text(data))
    body = _sub_closed(_COMMENT, _COMMENT_END, body, "")
    body = _sub_closed(_SHORTCODE, _SHORTCODE_END, body, "")
    builder = TextBuilder()
    tables = _add_body(builder, _unwrap_strong(split_lines(body)))
    meta = detect_metadata(front=front, lines=builder.lines, tables=tables)
    first_heading = builder.headings[0].text if builder.headings else None
    title = pick_title(meta.title, first_heading, file=name)
    return finish(builder, file=name, meta=meta, title=title)


def split_front_matter(text: str) -> tuple[Mapping[object, object] | None, str]:
    """Separate YAML (``---``) or TOML (``+++``) front matter from the body.

    Front matter that does not parse into a mapping is not metadata: its fences are
    dropped and its lines stay in the body as text, so nothing is lost.

    Args:
        text: The whole document.

    Returns:
        The parsed front matter (or ``None``) and the remaining text.
    """
    lines = split_lines(text)
    fence = lines[0].strip() if lines else ""
    if fence not in {"---", "+++"}:
        return None, text
    closers = {"---", "..."} if fence == "---" else {"+++"}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closers), None)
    if end is None:
        return None, text
    block = "\n".join(lines[1:end])
    rest = "\n".join(lines[end + 1 :])
    parsed = _parse_front_matter(block, toml=fence == "+++")
    if parsed is None:
        return None, block + "\n\n" + rest
    return parsed, rest


def _parse_front_matter(block: str, *, toml: bool) -> Mapping[object, object] | None:
    try:
        parsed: object = tomllib.loads(block) if toml else yaml.safe_load(block)
    except Exception:  # invalid front matter is ignored, never fatal
        return None
    return parsed if isinstance(parsed, Mapping) else None


def clean_inline(text: str) -> str:
    """Reduce one line of Markdown to the text a reader sees.

    Args:
        text: One line of Markdown (outside code blocks).

    Returns:
        The line without link targets, images, anchors, tags, emphasis and escapes.
    """
    # Escaped punctuation is hidden in private-use characters so no pattern below sees it.
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), text)
    # The character checks only skip patterns that cannot match; they keep big files fast.
    if "[" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "{#" in text:
        text = _ANCHOR.sub("", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _TAG.sub(" ", text)
    if "`" in text:
        text = _strip_code(text)
    if "*" in text or "_" in text:
        text = _unwrap(_STRONG, text)
        text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    if "&" in text:
        text = html.unescape(text)
    return clean_line(text.translate(_UNHIDE))


def _add_body(builder: TextBuilder, lines: list[str]) -> list[list[list[str]]]:
    """Add the body lines to the builder; return the tables found near the top."""
    tables: list[list[list[str]]] = []
    table: list[list[str]] | None = None
    fence: str | None = None
    previous_blank = True
    index = 0
    while index < len(lines):
        raw = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        index += 1
        if fence is not None:
            if _closes_fence(raw, fence):
                fence = None
                builder.break_paragraph()
            else:
                builder.add_line(raw)
            continue
        fence = _opens_fence(raw)
        if fence is not None:
            builder.break_paragraph()
            table = None
            continue
        row = _table_row(raw, following, in_table=table is not None)
        if row is None:
            table = None
        elif row:
            if table is None:
                table = []
                if len(builder.lines) < HEAD_WINDOW:
                    tables.append(table)
            table.append(row)
            builder.add_line(" | ".join(cell for cell in row if cell))
            previous_blank = False
            continue
        else:
            continue
        added = _add_line(builder, raw, following, previous_blank=previous_blank)
        if added is None:
            index += 1
        previous_blank = added is not False
    return tables


def _add_line(
    builder: TextBuilder, raw: str, following: str, *, previous_blank: bool
) -> bool | None:
    """Add one ordinary line; ``None`` means the next line was consumed as an underline."""
    if not raw.strip() or _REFERENCE.match(raw):
        builder.break_paragraph()
        return True
    atx = _ATX.match(raw)
    if atx:
        heading = clean_inline(_strip_closing_hashes(atx.group(2) or ""))
        if not builder.add_heading(len(atx.group(1)), heading):
            builder.break_paragraph()
        return True
    underlined = _SETEXT.match(following) and not (_BULLET.match(raw) or _RULE.match(raw))
    if previous_blank and underlined:
        heading = clean_inline(_QUOTE.sub("", raw))
        level = 1 if following.strip()[0] == "=" else 2
        if builder.add_heading(level, heading):
            return None
    if _RULE.match(raw):
        builder.break_paragraph()
        return True
    text = _QUOTE.sub("", raw)
    bullet = _BULLET.match(text)
    if bullet:
        marker = bullet.group(1) or "-"
        text = f"{marker} {clean_inline(bullet.group(2))}"
        return builder.add_line(text if text.strip() != marker else "") is None
    # A line emptied by cleaning (a lone HTML tag or shortcode) is not a paragraph break.
    return builder.add_line(clean_inline(text)) is None


def _unwrap_strong(lines: list[str]) -> list[str]:
    """Drop ``**``/``__`` pairs that open on one line and close on a later line of a paragraph.

    Only markers are removed, never line breaks, so the result has the same lines.
    """
    result: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if len(paragraph) > 1:
            joined = "\n".join(paragraph)
            result.extend(_unwrap(_STRONG_LINES, joined).split("\n"))
        else:
            result.extend(paragraph)
        paragraph.clear()

    fence: str | None = None
    for raw in lines:
        if fence is not None:
            if _closes_fence(raw, fence):
                fence = None
        else:
            fence = _opens_fence(raw)
            if fence is None and raw.strip():
                paragraph.append(raw)
                continue
        flush()
        result.append(raw)
    flush()
    return result


def _opens_fence(raw: str) -> str | None:
    opening = _FENCE.match(raw)
    if opening is None or (opening.group(1)[0] == "`" and "`" in opening.group(2)):
        return None
    return opening.group(1)


def _closes_fence(raw: str, fence: str) -> bool:
    stripped = raw.strip()
    return (
        len(raw) - len(raw.lstrip(" ")) <= 3
        and len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
    )


def _table_row(raw: str, following: str, *, in_table: bool) -> list[str] | None:
    """Cells of a pipe-table row; ``[]`` for a separator row; ``None`` for other lines."""
    stripped = raw.strip()
    if "|" not in stripped:
        return None
    if _TABLE_SEPARATOR.match(stripped) and "-" in stripped:
        return []
    before_separator = "|" in following and _TABLE_SEPARATOR.match(following.strip())
    if not (in_table or stripped.startswith("|") or before_separator):
        return None
    cells = re.split(r"(?<!\\)\|", stripped)
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [clean_inline(cell.replace("\\|", "|")) for cell in cells]


def _sub_closed(
    pattern: re.Pattern[str],
    closer: re.Pattern[str],
    text: str,
    replacement: str | Callable[[re.Match[str]], str],
) -> str:
    """``pattern.sub`` for an ``opener .*? closer`` pattern, in linear time.

    A lazy pattern scans to the end of the text from every opener that has no closer, so
    a million unclosed openers take hours. No match can end after the last closer, so
    only the text up to it (plus one character, for a lookahead after the closer) is
    searched; there every opener finds a closer and each match consumes what it scanned.
    """
    last: re.Match[str] | None = None
    for last in closer.finditer(text):  # noqa: B007 - only the last one is needed
        pass
    if last is None:
        return text
    cut = min(len(text), last.end() + 1)
    return pattern.sub(replacement, text[:cut]) + text[cut:]


def _unwrap(patterns: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...], text: str) -> str:
    """Replace each strong-emphasis span (``**x**``, then ``__x__``) by its text."""
    for pattern, closer in patterns:
        text = _sub_closed(pattern, closer, text, lambda m: m.group(1))
    return text


def _strip_code(text: str) -> str:
    """Code spans become their content: a run of backticks pairs with the next run of the
    same length; a run without one stays as typed. One pass over the runs (linear time)."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    if len(runs) < 2:
        return text
    by_length: dict[int, list[int]] = {}
    for number, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(number)
    cursor = dict.fromkeys(by_length, 0)
    parts: list[str] = []
    done = 0
    number = 0
    while number < len(runs):
        start, end = runs[number]
        same = by_length[end - start]
        k = cursor[end - start]
        while k < len(same) and same[k] <= number:
            k += 1
        cursor[end - start] = k
        if k == len(same):
            number += 1
            continue
        close_start, close_end = runs[same[k]]
        parts += [text[done:start], text[end:close_start]]
        done = close_end
        number = same[k] + 1
    parts.append(text[done:])
    return "".join(parts)


def _strip_closing_hashes(text: str) -> str:
    """An ATX heading's optional closing ``#``s (after a space, or alone) and the space before."""
    stripped = text.rstrip(" \t")
    core = stripped.rstrip("#")
    if core == stripped:
        return text
    if not core or core[-1] in " \t":
        return core.rstrip(" \t")
    return text
