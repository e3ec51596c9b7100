"""Errors of the records layer.

    AssistantError                       (assistant.errors)
    └── RecordsError                     a record could not be read or written
        └── RecordsUnavailableError      the database did not answer

Messages are one line and never contain a database password.
"""

from __future__ import annotations

from assistant.errors import AssistantError


class RecordsError(AssistantError):
    """A record could not be read or written (unknown id, bad value, database error)."""


class RecordsUnavailableError(RecordsError):
    """The records database could not be reached; the message names the URL without password."""
