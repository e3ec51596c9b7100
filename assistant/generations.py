"""Index generations: rebuild beside the live index, then switch every reader at once.

    copc ingest            edits the live generation in place, file by file (as always)
    copc ingest --rebuild  builds a new generation ``g<ms><hex>`` in its own Chroma collection
                           (``<collection>-g…``) and folder (``index/generations/g…``), checks
                           it is complete, then flips the pointer; replaced generations are
                           dropped once ``COPC_INDEX_GRACE_S`` has passed

The *pointer* is one record in a small Chroma collection, ``<collection>-pointer``, on the
same Chroma (embedded or server) that every replica already reads, so every replica agrees
on what is live without another shared service. It names the live generation, the digest of
its chunk ids, its chunk count and embedder, and when each replaced generation was retired.

Readers (:class:`assistant.index.ChunkIndex`) look at the pointer at most every
``COPC_INDEX_CHECK_S`` seconds (one small ``get``). When it names another generation or
digest, they load that generation completely (BM25 and catalog from the local folder when
its digest matches, else rebuilt in memory from the store) and only then swap it in with
one assignment. A query pins the generation it started with, so it never mixes two, and
never sees an empty index while a rebuild is under way.

The generation that existed before generations did (``base``) keeps the original layout:
collection ``<collection>`` and the files directly under ``index/``.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.store import ChromaStore

log = logging.getLogger(__name__)

BASE = "base"
POINTER_ID = "current"
_PREFIX = "g"


@dataclass(frozen=True)
class Pointer:
    """What the pointer record says: the live generation and how it was built."""

    generation: str
    digest: str
    """``assistant.keyword.ids_digest`` of the generation's chunk ids when it was published."""
    chunks: int
    embedder_id: str
    schema_version: int
    switched_at: float = field(default_factory=time.time)
    retired: dict[str, float] = field(default_factory=dict)
    """Replaced generations and when they were replaced (dropped after the grace period)."""

    def same_content(self, other: Pointer | None) -> bool:
        """True when ``other`` names the same generation with the same chunks."""
        return other is not None and (self.generation, self.digest) == (
            other.generation,
            other.digest,
        )

    def to_metadata(self) -> dict[str, Any]:
        """The pointer as Chroma record metadata (flat scalars)."""
        return {
            "generation": self.generation,
            "digest": self.digest,
            "chunks": self.chunks,
            "embedder_id": self.embedder_id,
            "schema_version": self.schema_version,
            "switched_at": self.switched_at,
            "retired": json.dumps(self.retired, sort_keys=True),
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> Pointer:
        """Parse what :meth:`to_metadata` wrote."""
        retired = json.loads(str(meta.get("retired") or "{}"))
        return cls(
            generation=str(meta["generation"]),
            digest=str(meta.get("digest", "")),
            chunks=int(meta.get("chunks", 0)),
            embedder_id=str(meta.get("embedder_id", "")),
            schema_version=int(meta.get("schema_version", 0)),
            switched_at=float(meta.get("switched_at", 0.0)),
            retired={str(k): float(v) for k, v in retired.items()},
        )


class Generations:
    """Where each generation lives, the pointer that names the live one, and clean-up.

    Args:
        base: The store of the ``base`` generation (its collection name prefixes the others).
        root: The index folder (``Settings.index_dir``).
        check_s: Seconds between two reads of the pointer by a reader.
        grace_s: Seconds a replaced generation is kept for readers still using it.
    """

    def __init__(self, base: ChromaStore, root: Path, *, check_s: float, grace_s: float) -> None:
        self.base = base
        self.root = root
        self.check_s = check_s
        self.grace_s = grace_s
        # Readers look often and must not stall a query while the server is away: no retries.
        self._pointer = base.sibling(f"{base.name}-pointer", create=False, retry_s=0.0)
        self._pointer_writer = base.sibling(f"{base.name}-pointer", create=True)

    # -- where a generation lives ------------------------------------------------------------
    def folder(self, generation: str) -> Path:
        """The generation's manifest, BM25 and catalog folder on this machine."""
        return self.root if generation == BASE else self.root / "generations" / generation

    def store(self, generation: str, *, create: bool) -> ChromaStore:
        """The generation's Chroma collection (``base``: the store the index was built with)."""
        if generation == BASE:
            return self.base
        return self.base.sibling(self.collection(generation), create=create)

    def collection(self, generation: str) -> str:
        """The generation's Chroma collection name."""
        return self.base.name if generation == BASE else f"{self.base.name}-{generation}"

    @staticmethod
    def new_name(now: float | None = None) -> str:
        """A fresh, time-ordered generation name such as ``g1732291141123a3f0``."""
        millis = int((time.time() if now is None else now) * 1000)
        return f"{_PREFIX}{millis:013d}{secrets.token_hex(2)}"

    @staticmethod
    def started_at(generation: str) -> float | None:
        """When a generation named by :meth:`new_name` was started (None for others)."""
        digits = generation[len(_PREFIX) : len(_PREFIX) + 13]
        if not generation.startswith(_PREFIX) or not digits.isdigit():
            return None
        return int(digits) / 1000

    # -- the pointer -------------------------------------------------------------------------
    def read(self) -> Pointer | None:
        """The live pointer, or None before the first ingest that wrote one."""
        meta = self._pointer.get_record(POINTER_ID)
        return Pointer.from_metadata(meta) if meta else None

    def write(self, pointer: Pointer) -> None:
        """Publish ``pointer``: one record upsert, so readers see the old or the new, never half."""
        self._pointer_writer.put_record(POINTER_ID, pointer.to_metadata())

    # -- clean-up ----------------------------------------------------------------------------
    def drop(self, generation: str) -> None:
        """Delete a generation's collection and its local files."""
        self.store(generation, create=False).drop()
        folder = self.folder(generation)
        if generation == BASE:
            for name in ("manifest.json", "catalog.json"):
                (folder / name).unlink(missing_ok=True)
            shutil.rmtree(folder / "keyword", ignore_errors=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        log.info("dropped index generation %s", generation)

    def collect(self, pointer: Pointer, *, now: float | None = None) -> list[str]:
        """Drop generations replaced (or abandoned mid-build) more than ``grace_s`` ago.

        An abandoned build (a rebuild that was killed or failed) is never in the pointer;
        its age comes from its name. Returns the generations dropped; the pointer is
        rewritten without them.
        """
        now = time.time() if now is None else now
        candidates: dict[str, float] = dict(pointer.retired)
        prefix = f"{self.base.name}-{_PREFIX}"
        for name in self.base.collection_names():
            generation = name[len(self.base.name) + 1 :]
            started = self.started_at(generation)
            if name.startswith(prefix) and started is not None:
                candidates.setdefault(generation, started)
        folders = self.root / "generations"
        if folders.is_dir():
            for path in folders.iterdir():
                started = self.started_at(path.name)
                if started is not None:
                    candidates.setdefault(path.name, started)
        dropped = [
            generation
            for generation, since in sorted(candidates.items())
            if generation != pointer.generation and now - since >= self.grace_s
        ]
        for generation in dropped:
            self.drop(generation)
        if any(g in pointer.retired for g in dropped):
            kept = {g: t for g, t in pointer.retired.items() if g not in dropped}
            self.write(replace(pointer, retired=kept))
        return dropped
