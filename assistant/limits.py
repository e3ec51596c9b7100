"""Limits that keep one hostile or broken file from exhausting time or memory while loading.

Every limit is a setting (``COPC_*``, see ``docs/security.md``); a file above one is refused
with a ``LoadError`` that names the limit and the setting that raises it, and the other
files of an ingest run carry on.

    LoadLimits
    ├── max_bytes            any file: size on disk, checked before reading
    ├── max_unzipped_bytes   DOCX: total uncompressed size in the zip directory, before unpacking
    ├── max_zip_members      DOCX: number of parts in the package
    ├── max_pages            PDF: page count, before any text is extracted
    ├── max_text_chars       PDF: text extracted so far, checked page by page
    ├── max_pdf_seconds      PDF: time spent extracting text, checked page by page
    ├── max_html_elements    HTML: start tags counted in the bytes, before parsing
    └── max_html_depth       HTML: element nesting, checked before the page is walked
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings

MIB = 1024 * 1024


@dataclass(frozen=True)
class LoadLimits:
    """The bounds one document load stays within. Defaults match ``Settings``' defaults."""

    max_bytes: int = 25 * MIB
    max_unzipped_bytes: int = 100 * MIB
    max_zip_members: int = 5000
    max_pages: int = 2000
    max_text_chars: int = 50 * MIB
    max_pdf_seconds: float = 120.0
    max_html_elements: int = 200_000
    max_html_depth: int = 5000

    @classmethod
    def from_settings(cls, settings: Settings) -> LoadLimits:
        """The limits configured in ``settings``."""
        return cls(
            max_bytes=settings.max_file_bytes,
            max_unzipped_bytes=int(settings.max_unzipped_mb * MIB),
            max_zip_members=settings.max_zip_members,
            max_pages=settings.max_pdf_pages,
            max_text_chars=int(settings.max_text_mb * MIB),
            max_pdf_seconds=settings.max_pdf_seconds,
            max_html_elements=settings.max_html_elements,
            max_html_depth=settings.max_html_depth,
        )
