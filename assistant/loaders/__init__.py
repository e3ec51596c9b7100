"""Document loaders: one file in, one ``LoadedDocument`` (clean text, metadata, sections) out.

    load_document(path)
    ├── common.read_file        existence, type, size (checked before reading), emptiness
    ├── markdown / text / html  UTF-8 text formats (binary and encoding checks)
    ├── docx / pdf              binary formats
    ├── metadata                front matter, ``Key: value`` blocks, two-column tables
    └── builder + sections      clean text with heading offsets ─► ``Section``s

Any bad input raises ``LoadError`` with a one-line reason and the file in ``error.file``;
other file types raise ``UnsupportedFileType``. Parser failures nobody foresaw are wrapped
the same way. ``LoadLimits`` (``assistant/limits.py``) bounds the time and memory one file
may take; ``tests/security`` fuzzes every format against that contract.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.documents import LoadedDocument
from assistant.errors import LoadError, UnsupportedFileType
from assistant.limits import LoadLimits
from assistant.loaders.common import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, one_line, read_file

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PAGES",
    "REGISTER_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "LoadLimits",
    "load_document",
]

_KINDS = {
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".txt": "text",
    ".html": "HTML",
    ".htm": "HTML",
    ".docx": "DOCX",
    ".pdf": "PDF",
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_KINDS)
"""File suffixes (lower case) that ``load_document`` reads."""

REGISTER_SUFFIXES: frozenset[str] = frozenset({".yaml", ".yml"})
"""YAML is read only when it is a site target register (``loaders/targets.py``)."""


def load_document(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_pages: int | None = None,
    limits: LoadLimits | None = None,
) -> LoadedDocument:
    """Load one file into clean text, document-control metadata and sections.

    Args:
        path: The file; its suffix (any case) picks the loader.
        max_bytes: Larger files are refused before they are read (overrides ``limits``).
        max_pages: PDFs with more pages are refused before their text is extracted
            (overrides ``limits``).
        limits: Every bound on the load (default: ``LoadLimits()``, the settings' defaults).

    Returns:
        The loaded document.

    Raises:
        UnsupportedFileType: No loader handles the file's suffix.
        LoadError: The file is missing, unreadable, too large, empty, binary, not UTF-8,
            encrypted, corrupt, above a limit or without text. ``str(error)`` is one line;
            ``error.file`` is ``str(path)``.
    """
    path = Path(path)
    limits = limits or LoadLimits()
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    if max_pages is not None:
        limits = replace(limits, max_pages=max_pages)
    try:
        return _load(path, limits)
    except LoadError as error:
        error.file = str(path)
        raise


def _load(path: Path, limits: LoadLimits) -> LoadedDocument:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES and suffix not in REGISTER_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "(no extension)"
        raise UnsupportedFileType(
            f"unsupported file type {shown}; supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    data = read_file(path, max_bytes=limits.max_bytes)
    kind = _KINDS.get(suffix, "target register")
    try:
        return _parse(kind, data, name=path.name, limits=limits)
    except LoadError:
        raise
    except Exception as exc:  # a bad file must never crash an ingest run
        raise LoadError(
            f"{kind} file could not be parsed ({one_line(exc, limit=120)}); "
            "check that it opens normally and save it again"
        ) from exc


def _parse(kind: str, data: bytes, *, name: str, limits: LoadLimits) -> LoadedDocument:
    # Parser libraries load on first use, so importing the package stays fast.
    if kind == "Markdown":
        from assistant.loaders.markdown import load_markdown

        return load_markdown(data, name=name)
    if kind == "HTML":
        from assistant.loaders.html import load_html

        return load_html(
            data,
            name=name,
            max_elements=limits.max_html_elements,
            max_depth=limits.max_html_depth,
        )
    if kind == "DOCX":
        from assistant.loaders.docx import load_docx

        return load_docx(
            data,
            name=name,
            max_unzipped_bytes=limits.max_unzipped_bytes,
            max_members=limits.max_zip_members,
        )
    if kind == "PDF":
        from assistant.loaders.pdf import load_pdf

        return load_pdf(
            data,
            name=name,
            max_pages=limits.max_pages,
            max_text_chars=limits.max_text_chars,
            max_seconds=limits.max_pdf_seconds,
        )
    if kind == "target register":
        from assistant.loaders.targets import load_targets

        return load_targets(data, name=name)
    from assistant.loaders.text import load_text

    return load_text(data, name=name)
