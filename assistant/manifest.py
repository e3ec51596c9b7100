"""The index manifest: how a generation was built (embedder, dimension, chunking, schema)
and which chunks each ingested file has; :class:`assistant.index.ChunkIndex` writes it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 2  # 2: audience and per-role flags in chunk metadata


@dataclass
class FileEntry:
    """What the manifest knows about one ingested file."""

    file: str
    sha256: str
    doc_id: str
    chunk_ids: list[str]
    ingested_at: float = field(default_factory=time.time)


@dataclass
class Manifest:
    """The index's record of how it was built and what it holds."""

    embedder_id: str
    dimension: int
    chunking: dict[str, int]
    schema_version: int = SCHEMA_VERSION
    files: dict[str, FileEntry] = field(default_factory=dict)
    keyword_digest: str = ""

    def all_chunk_ids(self) -> list[str]:
        """Every chunk id of every file."""
        return [cid for entry in self.files.values() for cid in entry.chunk_ids]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "schema_version": self.schema_version,
            "embedder_id": self.embedder_id,
            "dimension": self.dimension,
            "chunking": self.chunking,
            "keyword_digest": self.keyword_digest,
            "files": {key: vars(entry) for key, entry in sorted(self.files.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """Parse what :meth:`to_json` wrote."""
        return cls(
            embedder_id=data["embedder_id"],
            dimension=int(data["dimension"]),
            chunking=dict(data.get("chunking", {})),
            schema_version=int(data.get("schema_version", 0)),
            files={k: FileEntry(**v) for k, v in data.get("files", {}).items()},
            keyword_digest=data.get("keyword_digest", ""),
        )
