"""The assistant's error tree. Messages say what to do next.

    AssistantError
    ├── ConfigError            settings that cannot work (bad URL, missing model)
    ├── LoadError              one file could not be read (the reason is one line)
    │   └── UnsupportedFileType
    ├── IndexMismatchError     the index was built with another embedder or schema
    └── StoreError             the store could not be read or written

The CLI and the bot translate these into one-line messages; nothing else catches them.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """The settings cannot work as given."""


class LoadError(AssistantError):
    """A file could not be turned into a document. ``str(err)`` is the one-line reason."""

    file: str | None = None
    """The file that failed (``load_document`` sets it), for messages that must name it."""


class UnsupportedFileType(LoadError):
    """No loader handles this file type; it is skipped, not failed."""


class IndexMismatchError(AssistantError):
    """The index on disk was built with a different embedder, dimension or schema."""


class StoreError(AssistantError):
    """The vector store or keyword index could not be read or written."""
