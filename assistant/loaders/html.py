"""HTML pages: the readable body text, with h1–h6 headings and tables as ``cell | cell`` lines.

Page furniture (scripts, styles, navigation, headers, footers, asides, forms) is dropped.

A hostile page is refused before it costs much: more start tags than ``max_elements`` are
refused before parsing (the parsed tree takes about 1 KB per element), and elements nested
deeper than ``max_depth`` before the tree is walked (work per element grows with depth).
"""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from assistant.documents import LoadedDocument
from assistant.errors import LoadError
from assistant.limits import LoadLimits
from assistant.loaders.builder import TextBuilder, clean_line, finish, pick_title
from assistant.loaders.common import declared_charset, decode_text
from assistant.loaders.metadata import HEAD_WINDOW, detect_metadata

_DROP = frozenset(
    {
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "noscript",
        "template",
        "svg",
        "iframe",
        "head",
        "button",
        "select",
    }
)
# An .html file that is really XHTML/XML is still read as HTML; the warning would only
# add a multi-line note to the ingest output.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Elements that start a new paragraph; other block elements only start a new line.
_PARAGRAPHS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "blockquote",
        "ul",
        "ol",
        "dl",
        "figure",
        "address",
        "details",
        "hr",
        "center",
        "fieldset",
    }
)
_LINES = frozenset({"li", "dt", "dd", "figcaption", "summary", "caption", "legend", "tr"})
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)


def load_html(
    data: bytes,
    *,
    name: str,
    max_elements: int = LoadLimits.max_html_elements,
    max_depth: int = LoadLimits.max_html_depth,
) -> LoadedDocument:
    """Load an HTML page.

    Args:
        data: The file's bytes (UTF-8, or the charset the page declares).
        name: The bare file name.
        max_elements: Pages with more start tags are refused before parsing.
        max_depth: Pages nesting elements deeper are refused before the tree is walked.

    Returns:
        The loaded document; its title is the control-block title, else ``<title>``, else
        the first ``h1``, else the first heading, else the file name stem.

    Raises:
        LoadError: The bytes are not text, hold nothing readable, or exceed a limit.
    """
    text = decode_text(data, fallback_charset=declared_charset(data))
    # Every "<" not closing a tag, counted in C: an upper bound on the elements parsed.
    tags = data.count(b"<") - data.count(b"</")
    if tags > max_elements:
        raise LoadError(
            f"HTML page has about {tags:,} elements, above the {max_elements:,} limit; "
            "split the page or raise COPC_MAX_HTML_ELEMENTS"
        )
    soup = BeautifulSoup(text, "lxml")
    depth = nesting_depth(soup)
    if depth > max_depth:
        raise LoadError(
            f"HTML page nests elements {depth:,} deep, above the {max_depth} limit; "
            "check the page (it looks broken or hostile) or raise COPC_MAX_HTML_DEPTH"
        )
    page_title = soup.title.get_text(" ") if soup.title else None
    first_h1 = soup.find("h1")
    h1_text = first_h1.get_text(" ") if isinstance(first_h1, Tag) else None
    for tag in soup.find_all(list(_DROP)):
        if isinstance(tag, Tag):
            tag.decompose()
    walker = _Walker()
    root = soup.body if soup.body is not None else soup
    walker.walk(root)
    walker.flush()
    builder = walker.builder
    meta = detect_metadata(lines=builder.lines, tables=walker.tables)
    first_heading = builder.headings[0].text if builder.headings else None
    title = pick_title(meta.title, page_title, h1_text, first_heading, file=name)
    return finish(builder, file=name, meta=meta, title=title)


def nesting_depth(root: Tag) -> int:
    """How deep elements nest under ``root`` (an explicit stack: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Tag, int]] = [(root, 0)]
    while stack:
        tag, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in tag.contents if isinstance(child, Tag))
    return deepest


class _Walker:
    """Walks the tree in document order, turning inline runs into lines."""

    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.tables: list[list[list[str]]] = []
        self._buffer: list[str] = []
        self._prefix = ""

    def flush(self) -> None:
        line = clean_line("".join(self._buffer))
        self._buffer.clear()
        if line:
            self.builder.add_line(self._prefix + line)
            self._prefix = ""

    def walk(self, root: Tag) -> None:
        # An explicit stack, not recursion: real pages can nest thousands of elements deep.
        stack: list[tuple[PageElement, bool]] = [(c, False) for c in reversed(root.contents)]
        while stack:
            node, leaving = stack.pop()
            if not isinstance(node, Tag):
                if isinstance(node, NavigableString) and not isinstance(node, _SKIPPED_STRINGS):
                    self._buffer.append(str(node))
                continue
            name = node.name.lower()
            if leaving:
                self._leave(name)
            elif not self._whole(node, name):
                if name in _PARAGRAPHS or name in _LINES:
                    self._enter(node, name)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))

    def _whole(self, tag: Tag, name: str) -> bool:
        """Handle elements read in one go; ``False`` when the walk must descend instead."""
        if name in _HEADINGS:
            self.flush()
            self.builder.add_heading(_HEADINGS[name], tag.get_text(" "))
        elif name == "table":
            self.flush()
            self._table(tag)
        elif name == "br":
            self.flush()
        elif name == "pre":
            self.flush()
            self.builder.add_paragraph(tag.get_text())
        else:
            return False
        return True

    def _enter(self, tag: Tag, name: str) -> None:
        self.flush()
        if name in _PARAGRAPHS:
            self.builder.break_paragraph()
        if name == "dl":
            self._definitions(tag)
        if name == "li":
            self._prefix = "- "

    def _leave(self, name: str) -> None:
        if name not in _PARAGRAPHS and name not in _LINES:
            return
        self.flush()
        if name == "li":
            self._prefix = ""
        if name in _PARAGRAPHS:
            self.builder.break_paragraph()

    def _table(self, table: Tag) -> None:
        rows: list[list[str]] = []
        for row in table.find_all("tr"):
            if not isinstance(row, Tag) or row.find_parent("table") is not table:
                continue
            found = row.find_all(["td", "th"], recursive=False)
            rows.append([clean_line(cell.get_text(" ")) for cell in found if isinstance(cell, Tag)])
        if len(self.builder.lines) < HEAD_WINDOW:
            self.tables.append(rows)
        self.builder.break_paragraph()
        for cells in rows:
            self.builder.add_line(" | ".join(cell for cell in cells if cell))
        self.builder.break_paragraph()

    def _definitions(self, dl: Tag) -> None:
        # A <dl> of terms and definitions is the HTML form of a key/value table.
        if len(self.builder.lines) >= HEAD_WINDOW:
            return
        rows: list[list[str]] = []
        # Its own terms only (also those grouped in a <div>), never those of nested lists:
        # searching the whole subtree of every nested <dl> would be quadratic.
        for child in _terms(dl):
            text = clean_line(child.get_text(" "))
            if child.name == "dt":
                rows.append([text])
            elif rows and len(rows[-1]) == 1:
                rows[-1].append(text)
        self.tables.append(rows)


def _terms(dl: Tag) -> list[Tag]:
    """The ``dt``/``dd`` children of a ``dl``, including those wrapped in a ``div``."""
    found: list[Tag] = []
    for child in dl.children:
        if not isinstance(child, Tag):
            continue
        if child.name in ("dt", "dd"):
            found.append(child)
        elif child.name == "div":
            found += [c for c in child.children if isinstance(c, Tag) and c.name in ("dt", "dd")]
    return found
