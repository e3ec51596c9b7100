"""Ingest: files on disk into the chunk index, incrementally.

Unchanged files (same SHA-256) are skipped, changed ones replaced, deleted ones removed
(only within the folders being ingested). A bad file is reported with a one-line reason
and never stops the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.chunking import chunk_document
from assistant.documents import Chunk
from assistant.errors import LoadError, UnsupportedFileType
from assistant.index import ChunkIndex
from assistant.limits import LoadLimits
from assistant.loaders import REGISTER_SUFFIXES, SUPPORTED_SUFFIXES, load_document
from assistant.roots import check_paths, is_under, outside_reason

#: Data kept beside the documents (KPI results, action logs, authored questions): a folder
#: walk passes over these quietly; YAML is still read when it is a target register.
DATA_SUFFIXES: frozenset[str] = frozenset({".csv", ".tsv", ".json", ".jsonl", ".yaml", ".yml"})
#: Chunks embedded together: big enough for efficient batches, small enough to commit often.
EMBED_GROUP = 512


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    orphans_removed: int = 0
    generation: str | None = None
    """The index generation written (``copc ingest --rebuild`` makes a new one)."""
    switched: bool = False
    """A rebuild only: the new generation became the live one."""
    dropped: list[str] = field(default_factory=list)
    """A rebuild only: old generations dropped after their grace period."""

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def summary(self) -> dict[str, int]:
        """Counts per outcome."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "chunks_written": self.chunks_written,
        }


Progress = Callable[[str, int, int], None]
"""Called as ``progress(file_name, done, total)``."""


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest under ``paths`` (sorted) and files skipped with a reason."""
    found: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for root in paths:
        if root.is_file():
            candidates: Iterator[Path] = iter([root])
        elif root.is_dir():
            candidates = (p for p in sorted(root.rglob("*")) if p.is_file())
        else:
            skipped.append((str(root), "no such file or folder"))
            continue
        for path in candidates:
            if any(part.startswith(".") for part in path.relative_to(root.parent).parts):
                continue
            suffix = path.suffix.lower()
            if suffix in SUPPORTED_SUFFIXES or suffix in REGISTER_SUFFIXES:
                found.append(path.resolve())
            elif root.is_dir() and suffix in DATA_SUFFIXES:
                continue
            else:
                skipped.append(
                    (str(path), f"unsupported file type '{path.suffix or 'none'}'; skipped")
                )
    return sorted(set(found)), skipped


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class _Pending:
    key: str
    sha: str
    chunks: list[Chunk]
    is_new: bool


class Ingestor:
    """Runs ingest against one :class:`ChunkIndex`."""

    def __init__(
        self,
        index: ChunkIndex,
        *,
        max_bytes: int,
        limits: LoadLimits | None = None,
        roots: Sequence[Path] | None = None,
    ) -> None:
        """``limits`` bound each file's load; with ``roots`` (see :mod:`assistant.roots`),
        paths outside them are refused and links leading out of them are not read."""
        self.index = index
        self.max_bytes = max_bytes
        self.limits = replace(limits or LoadLimits(), max_bytes=max_bytes)
        self.roots: tuple[Path, ...] | None = None if roots is None else tuple(roots)

    def run(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        """Ingest ``paths`` (files or folders) into the live index and report what happened."""
        with self.index.writing() as view:
            report = self._run(paths, progress)
            report.generation = view.generation
        return report

    def rebuild(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        """Index ``paths`` from scratch into a new generation; switch readers to it when complete.

        Readers keep answering from the live generation meanwhile. When any file failed
        the new generation is dropped (it would lack documents the live one has) and the
        live index stays as it was; ``report.switched`` says which happened.
        """
        with self.index.building() as build:
            report = self._run(paths, progress)
            report.generation = build.generation
            if report.ok and not self.index.is_empty():
                self.index.switch(build)
                report.switched = True
        if report.switched:
            report.dropped = self.index.collect_garbage()
        return report

    def _run(self, paths: list[Path], progress: Progress | None) -> IngestReport:
        if self.roots is not None:
            check_paths(paths, self.roots)  # before anything is read or written
        report = IngestReport()
        report.orphans_removed = self.index.reconcile()
        files, report.skipped = discover(paths)
        if self.roots is not None:
            report.failed += [(str(f), outside_reason(f)) for f in files if not self._allowed(f)]
            files = [f for f in files if self._allowed(f)]
        manifest = self.index.manifest
        roots = [p.resolve() for p in paths if p.exists()]
        file_keys = {str(f) for f in files}
        seen_hashes: dict[str, str] = {
            e.sha256: key for key, e in manifest.files.items() if key not in file_keys
        }
        pending: list[_Pending] = []
        current = set(file_keys)
        for done, path in enumerate(files, start=1):
            if progress:
                progress(path.name, done, len(files))
            key = str(path)
            try:
                sha = file_sha256(path)
            except FileNotFoundError:
                report.failed.append((key, "file disappeared before it could be read"))
                current.discard(key)
                continue
            except OSError as exc:
                report.failed.append((key, f"cannot read file: {exc.strerror or exc}"))
                continue
            twin = seen_hashes.get(sha)
            if twin and twin != key and Path(twin).exists():
                report.failed.append(
                    (key, f"same content as {twin}; remove one copy (kept the first)")
                )
                continue
            seen_hashes.setdefault(sha, key)
            entry = manifest.files.get(key)
            if entry and entry.sha256 == sha:
                report.unchanged.append(key)
                continue
            try:
                doc = load_document(path, limits=self.limits)
            except UnsupportedFileType as exc:
                if path.suffix.lower() not in DATA_SUFFIXES:  # YAML that is not a register
                    report.skipped.append((key, str(exc)))
                continue
            except LoadError as exc:
                report.failed.append((key, str(exc)))
                continue
            chunks = chunk_document(doc, self.index.params, file_key=key)
            if not chunks:
                report.failed.append((key, "no text to index; check the file's content"))
                continue
            pending.append(_Pending(key, sha, chunks, entry is None))
            if sum(len(p.chunks) for p in pending) >= EMBED_GROUP:
                self._flush(pending, report)
        self._flush(pending, report)
        self._remove_deleted(roots, current, report)
        if report.added or report.updated or report.removed or report.orphans_removed:
            self.index.refresh_keyword(force=True)
        else:
            self.index.refresh_keyword()
        return report

    def _allowed(self, path: Path) -> bool:
        return self.roots is None or is_under(path, self.roots)

    def _flush(self, pending: list[_Pending], report: IngestReport) -> None:
        if not pending:
            return
        all_chunks = [c for p in pending for c in p.chunks]
        vectors = self.index.embed_chunks(all_chunks)
        row = 0
        for item in pending:
            n = len(item.chunks)
            self.index.write_file(item.key, item.sha, item.chunks, vectors[row : row + n])
            row += n
            report.chunks_written += n
            (report.added if item.is_new else report.updated).append(item.key)
        pending.clear()

    def _remove_deleted(self, roots: list[Path], current: set[str], report: IngestReport) -> None:
        for key in list(self.index.manifest.files):
            path = Path(key)
            under_root = any(path == r or r in path.parents for r in roots)
            if under_root and key not in current and not path.exists():
                self.index.remove_file(key)
                report.removed.append(key)
