"""Zip packages (DOCX) checked before any parser unpacks them: decompression bombs refused.

python-docx unpacks every part of a package into memory, and Python's ``zipfile`` bounds
what it returns by the sizes the zip directory declares but not what it decompresses on
the way (one ``read()`` inflates a whole part, however long its stream really is, then cuts
it). So each part is inflated here first, in 1 MiB steps, and refused as soon as it yields
more than it declares or stops short, before python-docx sees it:

1. the directory: at most ``max_members`` parts declaring at most ``max_unzipped_bytes``
   in all (a bomb that tells the truth is refused here, without inflating anything);
2. each part: stored or deflated (what Word writes), and its stream ends exactly at its
   declared size (a bomb that lies about its sizes is refused after one step past them).

Memory stays within a few MiB whatever the package holds; time is bounded by the declared
total (inflating 100 MB takes well under a second).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from assistant.errors import LoadError
from assistant.limits import MIB

_STEP = 1 * MIB
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"


def check_zip(
    data: bytes, *, kind: str, broken: str, max_unzipped_bytes: int, max_members: int
) -> None:
    """Refuse a zip package that is malformed, too large when unpacked, or lies about it.

    Args:
        data: The package's bytes.
        kind: The format named in messages (``DOCX``).
        broken: The message when the bytes are not a zip package at all.
        max_unzipped_bytes: Most bytes all parts together may declare.
        max_members: Most parts the package may have.

    Raises:
        LoadError: one line naming the problem and the setting that raises the limit.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise LoadError(broken) from exc
    if len(members) > max_members:
        raise LoadError(
            f"{kind} package has {len(members):,} parts, above the {max_members:,} limit; "
            "save it again or raise COPC_MAX_ZIP_MEMBERS"
        )
    total = sum(member.file_size for member in members)
    if total > max_unzipped_bytes:
        raise LoadError(
            f"{kind} package unpacks to {total / MIB:,.1f} MB, above the "
            f"{max_unzipped_bytes / MIB:.3g} MB limit (a decompression bomb?); "
            "save it again or raise COPC_MAX_UNZIPPED_MB"
        )
    for member in members:
        if not _inflates_as_declared(data, member):
            raise LoadError(
                f"{kind} part {member.filename[:80]!r} does not unpack to the size its zip "
                "directory declares (a decompression bomb?); save it again"
            )


def _inflates_as_declared(data: bytes, member: zipfile.ZipInfo) -> bool:
    """Whether the member's stream yields exactly ``file_size`` bytes (inflated in steps)."""
    start = _data_offset(data, member)
    if start is None:
        return False
    raw = memoryview(data)[start : start + member.compress_size]
    if len(raw) != member.compress_size:
        return False
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size == member.file_size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        return False  # Word writes stored or deflated parts only
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    pending = bytes(raw)
    try:
        while pending and produced <= member.file_size:
            produced += len(inflater.decompress(pending, _STEP))
            pending = inflater.unconsumed_tail
        while not inflater.eof and produced <= member.file_size:
            chunk = inflater.decompress(b"", _STEP)
            if not chunk:
                break
            produced += len(chunk)
    except zlib.error:
        return False
    return inflater.eof and produced == member.file_size


def _data_offset(data: bytes, member: zipfile.ZipInfo) -> int | None:
    """Where the member's compressed bytes start (after its local header), if well-formed."""
    offset = member.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        return None
    fields = _LOCAL_HEADER.unpack_from(data, offset)
    if fields[0] != _LOCAL_SIGNATURE:
        return None
    name_length, extra_length = int(fields[9]), int(fields[10])
    return offset + _LOCAL_HEADER.size + name_length + extra_length
