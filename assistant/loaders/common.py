"""Reading a file's bytes safely: existence, type, size, emptiness, binary and encoding checks.

Every problem becomes a ``LoadError`` whose message is one line saying what is wrong and
what to do about it.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from assistant.errors import LoadError

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 25 * MIB
DEFAULT_MAX_PAGES = 2000

EMPTY = "file is empty; add content or remove it"
NO_TEXT = "file has no readable text after cleaning; add content or remove it"
GONE = "file disappeared before it could be read"
DENIED = "permission denied reading the file; give the assistant read access to it"
BINARY = "file looks binary, not text; check its type"

_BINARY_PROBE = 8192
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def one_line(message: object, *, limit: int = 160) -> str:
    """Squeeze any message (often a parser's multi-line text) into one short line.

    Args:
        message: The message or exception to shorten.
        limit: Maximum number of characters kept.

    Returns:
        The message on one line, cut with an ellipsis when longer than ``limit``.
    """
    text = " ".join(str(message).split())
    if not text and isinstance(message, BaseException):
        text = type(message).__name__
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole file after checking its type and size.

    The size is checked with ``stat`` before anything is read, and the read is bounded
    so that a file growing in the meantime cannot exhaust memory.

    Args:
        path: The file to read.
        max_bytes: Files larger than this are refused.

    Returns:
        The file's bytes (never empty or whitespace only).

    Raises:
        LoadError: The file is missing, unreadable, not a regular file, too large or empty.
    """
    try:
        info = path.stat()
        # A FIFO or device would block or never end; only regular files are read.
        if stat.S_ISDIR(info.st_mode):
            raise LoadError("path is a folder, not a file; point at the documents inside it")
        if not stat.S_ISREG(info.st_mode):
            raise LoadError("not a regular file (device, pipe or socket); point at a document file")
        check_size(info.st_size, max_bytes)
        with path.open("rb") as handle:
            check_size(os.fstat(handle.fileno()).st_size, max_bytes)
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise LoadError(GONE) from exc
    except PermissionError as exc:
        raise LoadError(DENIED) from exc
    except IsADirectoryError as exc:
        raise LoadError("path is a folder, not a file; point at the documents inside it") from exc
    except OSError as exc:
        reason = one_line(exc.strerror or exc)
        raise LoadError(f"file could not be read ({reason}); check the disk and try again") from exc
    check_size(len(data), max_bytes)
    if not data.strip():
        raise LoadError(EMPTY)
    return data


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file above the size limit.

    Args:
        size: The file's size in bytes.
        max_bytes: The limit in bytes.

    Raises:
        LoadError: ``size`` is above ``max_bytes``.
    """
    if size > max_bytes:
        raise LoadError(
            f"file is {size / MIB:.1f} MB, above the {max_bytes / MIB:.3g} MB limit; "
            "split it or raise COPC_MAX_FILE_MB"
        )


def decode_text(data: bytes, *, fallback_charset: str | None = None) -> str:
    """Decode the bytes of a text format (Markdown, plain text, HTML) as UTF-8.

    Args:
        data: The file's bytes.
        fallback_charset: A charset the file itself declares (HTML ``<meta charset>``),
            tried only when the bytes are not valid UTF-8.

    Returns:
        The decoded text, without a UTF-8 byte-order mark.

    Raises:
        LoadError: The bytes look binary, are UTF-16/32, are not valid UTF-8, or hold
            only whitespace.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError("file is UTF-16 or UTF-32 text, not UTF-8; re-save the file as UTF-8")
    if b"\x00" in data[:_BINARY_PROBE]:
        raise LoadError(BINARY)
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        declared = _decode_declared(data, fallback_charset)
        if declared is None:
            position = exc.start + skip
            raise LoadError(
                f"not valid UTF-8 (byte 0x{data[position]:02x} at position {position}); "
                "re-save the file as UTF-8"
            ) from exc
        text = declared
    if not text.strip():
        raise LoadError(EMPTY)
    return text


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML file declares in a ``<meta>`` tag near its top, if any.

    Args:
        data: The file's bytes.

    Returns:
        The declared charset name, lower-cased, or ``None``.
    """
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _decode_declared(data: bytes, charset: str | None) -> str | None:
    if charset is None or codecs_name(charset) in {"utf-8", None}:
        return None
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def codecs_name(charset: str) -> str | None:
    """The canonical codec name for a charset label, or ``None`` when Python does not know it."""
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None
