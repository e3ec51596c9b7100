"""Document-control metadata, recognised in whatever form a site recorded it.

Three forms are read: YAML (or TOML) front matter, a block of ``Key: value`` lines near the
top, and a two-column table near the top whose left column holds the keys. Keys are
matched through synonyms, ignoring case, spacing, underscores and hyphens; keys that are
not recognised go to ``DocumentMeta.extra``. Finding metadata never removes text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import islice

from assistant.documents import DocumentMeta
from assistant.loaders.builder import clean_line

HEAD_WINDOW = 25
"""Control blocks are looked for within this many non-blank lines from the top."""

_MAX_VALUE = 500
_MAX_ITEMS = 100

_FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "doc_id": ("document id", "doc id", "document number", "document no", "id"),
    "title": ("title",),
    "version": ("version", "rev", "revision"),
    "owner": ("owner", "document owner", "process owner"),
    "effective_date": ("effective date", "effective"),
    "client_approved": ("approved by client", "client approved", "client approval"),
    "approved_by": ("approved by", "approver"),
    "program": ("program", "client program", "programme"),
    "doc_type": ("document type", "doc type", "type"),
    "next_review": ("next review", "next review date", "review date"),
}
_SYNONYMS = {key: field for field, keys in _FIELD_KEYS.items() for key in keys}
_TABLE_HEADER = {"field", "key", "item", "attribute", "property", "name", "metadata"}
_KEY_VALUE = re.compile(r"^(?:[-*•]\s+)?([^\W\d_][\w /&().'#-]{0,48}?)\s*:\s*(\S.*)$")


def normalize_key(key: str) -> str:
    """A key reduced to lower-case words: ``Effective_Date:`` and ``effective-date`` match.

    Args:
        key: A key as written.

    Returns:
        The key's words, lower-case, separated by single spaces.
    """
    return " ".join(re.sub(r"[_\-.:*#]+", " ", key.casefold()).split())


def field_for_key(key: str) -> str | None:
    """The ``DocumentMeta`` field a key stands for, or ``None`` when it is not recognised.

    Args:
        key: A key as written (``Document ID``, ``doc_id``, ``Rev``...).

    Returns:
        The field name, or ``None``.
    """
    return _SYNONYMS.get(normalize_key(key))


def value_to_str(value: object, *, _depth: int = 0) -> str | None:
    """Any metadata value (YAML scalars, dates, lists, mappings) as one clean line.

    Args:
        value: The value.

    Returns:
        Booleans as ``yes``/``no``, dates in ISO format, lists joined with ``", "``;
        ``None`` for empty values.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, Mapping):
        items = ((str(k), value_to_str(v, _depth=_depth + 1)) for k, v in value.items())
        text = _join((f"{k}: {v}" for k, v in items if v), depth=_depth)
    elif isinstance(value, (list, tuple, set, frozenset)):
        text = _join((value_to_str(v, _depth=_depth + 1) for v in value), depth=_depth)
    else:
        text = str(value)
    text = clean_line(text)[:_MAX_VALUE].strip()
    return text or None


def _join(parts: Iterable[str | None], *, depth: int) -> str:
    # Nesting is cut off and output bounded so that YAML alias bombs stay cheap.
    if depth >= 2:
        return ""
    kept: list[str] = []
    size = 0
    for part in islice(parts, _MAX_ITEMS):
        if part:
            kept.append(part)
            size += len(part) + 2
            if size > _MAX_VALUE:
                break
    return ", ".join(kept)


def meta_from_pairs(pairs: Iterable[tuple[object, object]]) -> DocumentMeta:
    """Build metadata from key/value pairs; the first value for a field wins.

    Args:
        pairs: Keys as written with their values (any type).

    Returns:
        The metadata; unrecognised keys go to ``extra`` under a snake_case key.
    """
    known: dict[str, str] = {}
    extra: dict[str, str] = {}
    for raw_key, raw_value in pairs:
        key = clean_line(str(raw_key))
        value = value_to_str(raw_value)
        if not key or value is None:
            continue
        field = field_for_key(key)
        if field is not None:
            known.setdefault(field, value)
        else:
            name = normalize_key(key).replace(" ", "_")
            if name:
                extra.setdefault(name, value)
    return DocumentMeta(
        doc_id=known.get("doc_id"),
        title=known.get("title"),
        version=known.get("version"),
        owner=known.get("owner"),
        effective_date=known.get("effective_date"),
        client_approved=known.get("client_approved"),
        approved_by=known.get("approved_by"),
        program=known.get("program"),
        doc_type=known.get("doc_type"),
        next_review=known.get("next_review"),
        extra=extra,
    )


def key_value(line: str) -> tuple[str, str] | None:
    """Split a ``Key: value`` line (optionally a bullet) into key and value.

    Args:
        line: One clean line.

    Returns:
        ``(key, value)``, or ``None`` when the line does not have that shape.
    """
    match = _KEY_VALUE.match(line)
    return (match.group(1), match.group(2)) if match else None


def is_control_line(line: str) -> bool:
    """Whether a line is a ``Key: value`` line with a recognised key.

    Args:
        line: One clean line.

    Returns:
        ``True`` for lines such as ``Version: 2.1``.
    """
    pair = key_value(line)
    return pair is not None and field_for_key(pair[0]) is not None


def find_key_value_block(lines: Sequence[str], *, window: int = HEAD_WINDOW) -> DocumentMeta | None:
    """Metadata from the first run of ``Key: value`` lines near the top with two known keys.

    Blank lines are ignored; any other line ends a run. Unknown keys in the run go to
    ``extra``, except lines before the first known key: a title such as
    ``Site metrics: attrition targets`` is not metadata.

    Args:
        lines: The document's clean lines, in order.
        window: How many non-blank lines from the top are searched.

    Returns:
        The metadata, or ``None`` when no such block exists.
    """
    head = [line for line in lines if line.strip()][:window]
    run: list[tuple[str, str]] = []
    for line in [*head, ""]:
        pair = key_value(line) if line else None
        if pair is not None:
            run.append(pair)
            continue
        known = [i for i, (key, _) in enumerate(run) if field_for_key(key) is not None]
        if len(known) >= 2:
            return meta_from_pairs(run[known[0] :])
        run = []
    return None


def find_table_block(tables: Sequence[Sequence[Sequence[str]]]) -> DocumentMeta | None:
    """Metadata from the first table whose rows are ``key | value`` with two known keys.

    A ``Field | Value`` header row is skipped. A table laid out the other way round (keys
    in the first row, values in the second) is read too.

    Args:
        tables: Tables near the top of the document, each a list of rows of cell texts.

    Returns:
        The metadata, or ``None`` when no table qualifies.
    """
    for table in tables:
        rows = [_trim([clean_line(cell) for cell in row]) for row in table]
        rows = [row for row in rows if row]
        if not rows:
            continue
        if all(len(row) <= 2 for row in rows):
            pairs = [(row[0], row[1]) for row in rows if len(row) == 2]
            if pairs and _is_header(pairs[0]):
                pairs = pairs[1:]
            if sum(field_for_key(key) is not None for key, _ in pairs) >= 2:
                return meta_from_pairs(pairs)
        header = rows[0]
        if len(rows) >= 2 and sum(field_for_key(key) is not None for key in header) >= 2:
            return meta_from_pairs(zip(header, rows[1], strict=False))
    return None


def merge(*metas: DocumentMeta | None) -> DocumentMeta:
    """Combine metadata found in several places; earlier sources win field by field.

    Args:
        *metas: Metadata in order of precedence (``None`` entries are skipped).

    Returns:
        The combined metadata.
    """
    found = [meta for meta in metas if meta is not None]
    values: dict[str, str] = {}
    extra: dict[str, str] = {}
    for meta in found:
        for name in _FIELD_KEYS:
            value = getattr(meta, name)
            if isinstance(value, str):
                values.setdefault(name, value)
        for key, text in meta.extra.items():
            extra.setdefault(key, text)
    return replace(meta_from_pairs(values.items()), extra=extra)


def detect_metadata(
    *,
    front: Mapping[object, object] | None = None,
    lines: Sequence[str] = (),
    tables: Sequence[Sequence[Sequence[str]]] = (),
) -> DocumentMeta:
    """Metadata from every form a document may use, front matter first.

    Args:
        front: Parsed front matter, if the document has it.
        lines: The document's clean lines, in order.
        tables: Tables near the top, each a list of rows of cell texts.

    Returns:
        The combined metadata (all fields ``None`` when nothing was found).
    """
    return merge(
        meta_from_pairs(front.items()) if front else None,
        find_key_value_block(lines),
        find_table_block(tables),
    )


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _is_header(pair: tuple[str, str]) -> bool:
    left, right = (normalize_key(cell) for cell in pair)
    return left in _TABLE_HEADER or right in {"value", "values", "details", "entry"}
