"""Which index generation a :class:`~assistant.index.ChunkIndex` reads or writes: its views.

A *view* is one generation as this process sees it (its folder, its store, what is loaded
of it). Readers use the live view, swapped when the shared pointer names another generation
(see :mod:`assistant.generations`); :meth:`GenerationViews.reading` pins it for one query,
:meth:`GenerationViews.writing` gives an incremental ingest a writable view of the live
generation, and :meth:`GenerationViews.building` a rebuild a new one, switched to only when
complete.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.embedding import Embedder
from assistant.errors import AssistantError, IndexMismatchError, StoreError
from assistant.generations import BASE, Generations, Pointer
from assistant.keyword import KeywordIndex, ids_digest
from assistant.manifest import SCHEMA_VERSION, Manifest
from assistant.store import VectorStore

log = logging.getLogger("assistant.index")

Mask = npt.NDArray[np.bool_]
MaskKey = tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]


@dataclass(eq=False)
class IndexView:
    """One generation as this process sees it: where it lives and what is loaded of it."""

    generation: str
    folder: Path
    store: VectorStore
    writable: bool
    """Writers keep manifest, BM25 and catalog files in step; readers only load them."""
    pointer: Pointer | None = None
    manifest: Manifest | None = None
    keyword: KeywordIndex | None = None
    catalog: dict[str, dict[str, Any]] | None = None
    # Without this cache a filtered query makes one Python pass over every chunk.
    masks: dict[MaskKey, Mask] = field(default_factory=dict)


@dataclass
class Build:
    """A generation being rebuilt (see :meth:`ChunkIndex.building`)."""

    view: IndexView
    previous: Pointer | None
    switched: bool = False

    @property
    def generation(self) -> str:
        """The new generation's name."""
        return self.view.generation


class GenerationViews:
    """The generation plumbing of :class:`~assistant.index.ChunkIndex` (a mixin)."""

    root: Path
    embedder: Embedder
    generations: Generations | None

    def _init_views(self, store: VectorStore) -> None:
        self._base_store = store
        self._pinned = threading.local()
        self._current: IndexView | None = None
        self._switch_lock = threading.Lock()
        self._checked_at = 0.0

    def _manifest_of(self, view: IndexView) -> Manifest:
        raise NotImplementedError

    def _load(self, view: IndexView, *, force: bool = False) -> KeywordIndex:
        raise NotImplementedError

    # -- generations and views ----------------------------------------------------------------
    @property
    def folder(self) -> Path:
        """The folder of the generation in use."""
        return self._view().folder

    @property
    def store(self) -> VectorStore:
        """The vector store of the generation in use."""
        return self._view().store

    @property
    def generation(self) -> str:
        """The name of the generation in use (``base`` before any rebuild)."""
        return self._view().generation

    @contextmanager
    def reading(self) -> Iterator[IndexView]:
        """Pin the live generation for this thread while one query runs (re-entrant).

        Every read inside (BM25, catalog, vector store) then comes from the same generation,
        even when a rebuild switches the pointer meanwhile.
        """
        pinned: IndexView | None = getattr(self._pinned, "view", None)
        if pinned is not None:
            yield pinned
            return
        with self._pinning(self._live()) as view:
            yield view

    @contextmanager
    def writing(self) -> Iterator[IndexView]:
        """A writable view of the live generation for one incremental ingest.

        At the end the pointer is updated (same generation, new digest), so readers in
        other processes reload it. Nested inside :meth:`building`, the build is used.
        """
        pinned: IndexView | None = getattr(self._pinned, "view", None)
        if pinned is not None and pinned.writable:
            yield pinned
            return
        pointer = self._read_pointer()
        if pointer is None:
            view = IndexView(BASE, self.root, self._base_store, writable=True)
        else:
            assert self.generations is not None
            self._check_pointer(pointer)
            view = IndexView(
                pointer.generation,
                self.generations.folder(pointer.generation),
                self.generations.store(pointer.generation, create=pointer.generation == BASE),
                writable=True,
                pointer=pointer,
            )
            if pointer.chunks and not view.folder.joinpath("manifest.json").is_file():
                raise IndexMismatchError(
                    f"the live index generation {pointer.generation} was built on another "
                    f"machine (no manifest in {view.folder}); run `copc ingest --rebuild` here"
                )
        with self._pinning(view):
            yield view
        self._publish(view, previous=pointer)

    @contextmanager
    def building(self) -> Iterator[Build]:
        """A new, empty generation pinned for writing; live only after :meth:`switch`.

        When the block ends without a switch (or raises) the new generation is dropped and
        readers never saw it.
        """
        if self.generations is None:
            raise StoreError("a rebuild needs the Chroma store (COPC_HOME or COPC_CHROMA_URL)")
        previous = self._read_pointer()
        if previous is not None:
            self._check_pointer(previous)
        name = self.generations.new_name()
        view = IndexView(
            name,
            self.generations.folder(name),
            self.generations.store(name, create=True),
            writable=True,
        )
        build = Build(view, previous)
        try:
            with self._pinning(view):
                yield build
        finally:
            if not build.switched:
                self.generations.drop(name)

    def switch(self, build: Build) -> Pointer:
        """Make a complete build the live generation; returns the new pointer.

        Raises:
            StoreError: the build's store does not hold exactly its manifest's chunks.
        """
        view = build.view
        listed = self._manifest_of(view).all_chunk_ids()
        stored = view.store.count()
        if stored != len(listed):
            raise StoreError(
                f"generation {view.generation} is incomplete ({stored} chunks stored, "
                f"{len(listed)} listed); the live index was left as it was"
            )
        pointer = self._publish(view, previous=build.previous, retire=True)
        build.switched = True
        return pointer

    def collect_garbage(self) -> list[str]:
        """Drop generations replaced more than ``COPC_INDEX_GRACE_S`` ago."""
        if self.generations is None:
            return []
        pointer = self._read_pointer()
        return self.generations.collect(pointer) if pointer is not None else []

    @contextmanager
    def _pinning(self, view: IndexView) -> Iterator[IndexView]:
        self._pinned.view = view
        try:
            yield view
        finally:
            self._pinned.view = None

    def _view(self) -> IndexView:
        pinned: IndexView | None = getattr(self._pinned, "view", None)
        return pinned if pinned is not None else self._live()

    def _live(self) -> IndexView:
        """The live view, after a look at the pointer when ``check_s`` has passed."""
        current = self._current
        if current is None:
            with self._switch_lock:
                if self._current is None:
                    self._current = self._open(self._read_pointer())
                    self._checked_at = time.monotonic()
                return self._current
        gens = self.generations
        if gens is not None and time.monotonic() - self._checked_at >= gens.check_s:
            self._maybe_switch()
        return self._current or current

    def _maybe_switch(self) -> None:
        """Swap in the generation the pointer names, fully loaded; keep the old on failure."""
        if not self._switch_lock.acquire(blocking=False):
            return  # another thread is looking; use the current view meanwhile
        try:
            self._checked_at = time.monotonic()
            current = self._current
            pointer = self._read_pointer()
            if pointer is None or current is None or pointer.same_content(current.pointer):
                return
            fresh = self._open(pointer)
            self._load(fresh)
            self._current = fresh
            log.info(
                "index switched to generation %s (%d chunks)", pointer.generation, pointer.chunks
            )
        except AssistantError as exc:
            log.warning("index pointer check failed; still serving the current generation: %s", exc)
        finally:
            self._switch_lock.release()

    def _read_pointer(self) -> Pointer | None:
        return self.generations.read() if self.generations is not None else None

    def _check_pointer(self, pointer: Pointer) -> None:
        rebuild = "run `copc ingest --rebuild` with this model, or point COPC_HOME elsewhere"
        if pointer.schema_version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index schema {pointer.schema_version} is not {SCHEMA_VERSION}; {rebuild}"
            )
        if pointer.embedder_id != self.embedder.embedder_id:
            raise IndexMismatchError(
                f"index was built with embedder {pointer.embedder_id!r}, "
                f"not {self.embedder.embedder_id!r}; {rebuild}"
            )

    def _open(self, pointer: Pointer | None) -> IndexView:
        """A reader's view of what ``pointer`` names (nothing loaded yet)."""
        if pointer is None or self.generations is None:
            return IndexView(BASE, self.root, self._base_store, writable=True)
        self._check_pointer(pointer)
        generation = pointer.generation
        return IndexView(
            generation,
            self.generations.folder(generation),
            self.generations.store(generation, create=False),
            writable=False,
            pointer=pointer,
        )

    def _publish(
        self, view: IndexView, *, previous: Pointer | None, retire: bool = False
    ) -> Pointer:
        """Point readers at ``view`` and serve it here too."""
        if self.generations is None:
            self._current = view
            return Pointer(view.generation, "", 0, self.embedder.embedder_id, SCHEMA_VERSION)
        ids = self._manifest_of(view).all_chunk_ids()
        retired = dict(previous.retired) if previous is not None else {}
        if retire:
            retired[previous.generation if previous is not None else BASE] = time.time()
        retired.pop(view.generation, None)
        pointer = Pointer(
            generation=view.generation,
            digest=ids_digest(ids),
            chunks=len(ids),
            embedder_id=self.embedder.embedder_id,
            schema_version=SCHEMA_VERSION,
            retired=retired,
        )
        self.generations.write(pointer)
        view.pointer = pointer
        self._current = view
        self._checked_at = time.monotonic()
        return pointer
