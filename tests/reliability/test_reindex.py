"""Re-indexing while serving: `copc ingest --rebuild` builds a new generation beside the live
one; readers keep answering from the old one until the new one is complete, then switch at
once. Run on the embedded store and on a `chroma run` server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import assistant.ingest as ingest_module
from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder, Vectors
from assistant.generations import BASE
from assistant.store import ChromaStore

from .conftest import DIMENSION
from .procs import wait_until

QUERY = "how are records kept and checked every month"
MARKERS = ("alpha", "beta")


class SlowEmbedder(HashEmbedder):
    """The same vectors as ``HashEmbedder``, slower: a rebuild then lasts long enough for
    many queries to run while it is under way."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(DIMENSION)
        self.delay_s = delay_s

    def embed(self, texts: list[str]) -> Vectors:
        time.sleep(self.delay_s)
        return super().embed(texts)


@dataclass
class Seen:
    """One reader query: when, how many sections, which corpus markers they carried."""

    at: float
    hits: int
    markers: frozenset[str]


def _markers(texts: list[str]) -> frozenset[str]:
    return frozenset(m for m in MARKERS if any(m in t for t in texts))


def _reader_loop(reader: Assistant, stop: threading.Event, seen: list[Seen]) -> None:
    """Query until told to stop (bounded: at most 2,000 queries)."""
    for n in range(2000):
        if stop.is_set():
            return
        if n % 5 == 4:  # every fifth is a whole cited answer, pinned to one generation
            answer = reader.ask(QUERY)
            texts = [c.quote for c in answer.citations]
            seen.append(Seen(time.monotonic(), len(answer.citations), _markers(texts)))
            continue
        with reader.index.reading():
            hits = reader.retriever.search(QUERY, k=6)
        seen.append(Seen(time.monotonic(), len(hits), _markers([h.text for h in hits])))


def _settings(store_settings: Settings, home: Path, **extra: object) -> Settings:
    return store_settings.model_copy(
        update={"home": home, "index_check_s": 0.0, "index_grace_s": 60.0, **extra}
    )


def _collections(assistant: Assistant) -> list[str]:
    store = assistant.index.generations.base if assistant.index.generations else None
    assert isinstance(store, ChromaStore)
    return sorted(n for n in store.collection_names() if n.startswith(store.name))


def test_readers_switch_atomically_when_a_rebuild_completes(
    store_settings: Settings,
    tmp_path: Path,
    corpus_writer: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(store_settings, tmp_path / "home")
    old, new = corpus_writer("alpha"), corpus_writer("beta")
    writer = build_assistant(settings, embedder=SlowEmbedder(0.08))
    assert writer.ingest([old]).ok
    reader = build_assistant(settings, embedder=HashEmbedder(DIMENSION))  # another "replica"
    monkeypatch.setattr(ingest_module, "EMBED_GROUP", 1)  # one slow embed call per file

    seen: list[Seen] = []
    stop = threading.Event()
    thread = threading.Thread(target=_reader_loop, args=(reader, stop, seen))
    thread.start()
    try:
        time.sleep(0.3)
        started = time.monotonic()
        report = writer.ingest([new], rebuild=True)
        finished = time.monotonic()
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(timeout=30)

    assert report.ok and report.switched and report.generation != BASE
    assert report.summary()["added"] == 8
    during = [s for s in seen if started <= s.at <= finished]
    assert len(during) >= 5, f"only {len(during)} queries ran during the rebuild"
    assert all(s.hits > 0 for s in seen), "a query found nothing"
    assert all(len(s.markers) == 1 for s in seen), "a query mixed two generations"
    order = [next(iter(s.markers)) for s in seen]
    first_new = order.index("beta")
    assert set(order[:first_new]) == {"alpha"} and set(order[first_new:]) == {"beta"}
    assert all(s.markers == {"alpha"} for s in during[:-1])  # old until the switch
    assert reader.index.generation == report.generation

    # The replaced generation stays for the grace period, then goes (collection and files).
    names = _collections(writer)
    assert settings.collection in names and f"{settings.collection}-{report.generation}" in names
    assert writer.index.collect_garbage() == []
    writer.index.generations.grace_s = 0.0  # type: ignore[union-attr]
    assert writer.index.collect_garbage() == [BASE]
    assert settings.collection not in _collections(writer)
    assert not (settings.index_dir / "manifest.json").exists()
    with reader.index.reading():
        assert reader.retriever.search(QUERY, k=3)  # readers were never on the dropped one


def test_a_replica_without_local_files_serves_the_live_generation(
    store_settings: Settings, tmp_path: Path, corpus_writer: Callable[..., Path]
) -> None:
    """A replica on another machine has no manifest or BM25 files: it rebuilds them in memory
    from the store the pointer names, and never re-ingests on first use."""
    builder = build_assistant(
        _settings(store_settings, tmp_path / "indexer"), embedder=HashEmbedder(DIMENSION)
    )
    report = builder.ingest([corpus_writer("alpha")], rebuild=True)
    assert report.switched
    if store_settings.chroma_url is None:  # embedded: the same store folder, another home
        store = ChromaStore.embedded(tmp_path / "indexer" / "index" / "chroma", "copc_chunks")
        replica = build_assistant(
            _settings(store_settings, tmp_path / "replica"),
            embedder=HashEmbedder(DIMENSION),
            store=store,
        )
    else:
        replica = build_assistant(
            _settings(store_settings, tmp_path / "replica"), embedder=HashEmbedder(DIMENSION)
        )

    assert not replica.index.is_empty()
    assert replica.ensure_index() is None  # nothing ingested here
    assert replica.index.generation == report.generation
    assert set(replica.index.catalog) == set(builder.index.manifest.all_chunk_ids())
    answer = replica.ask(QUERY)
    assert answer.citations and all("alpha" in c.quote for c in answer.citations)
    assert not (tmp_path / "replica" / "index" / "generations").exists()  # readers write nothing


def test_incremental_ingest_after_a_rebuild_updates_the_live_generation(
    store_settings: Settings, tmp_path: Path, corpus_writer: Callable[..., Path]
) -> None:
    settings = _settings(store_settings, tmp_path / "home")
    writer = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    corpus = corpus_writer("alpha", 3)
    generation = writer.ingest([corpus], rebuild=True).generation
    reader = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    assert reader.index.generation == generation

    (corpus / "proc01.md").write_text(
        "# Procedure 1\n\nThe gamma escalation ladder replaces the old checklist for "
        "records kept every month.\n",
        encoding="utf-8",
    )
    report = writer.ingest([corpus])

    assert report.generation == generation and report.updated == [str(corpus / "proc01.md")]
    ids = [s.chunk_id for s in writer.index.store.scan(include_text=False)]
    assert len(ids) == len(set(ids)) and set(ids) == set(writer.index.manifest.all_chunk_ids())
    with reader.index.reading():  # the reader reloads the same generation's new content
        hits = reader.retriever.search("gamma escalation ladder", k=1)
    assert hits and "gamma" in hits[0].text


def test_a_rebuild_with_a_failed_file_leaves_the_live_index(
    store_settings: Settings, tmp_path: Path, corpus_writer: Callable[..., Path]
) -> None:
    settings = _settings(store_settings, tmp_path / "home")
    writer = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    assert writer.ingest([corpus_writer("alpha", 3)]).ok
    before = set(writer.index.manifest.all_chunk_ids())
    broken = corpus_writer("beta", 3)
    (broken / "empty.md").write_text("   \n", encoding="utf-8")

    report = writer.ingest([broken], rebuild=True)

    assert not report.ok and not report.switched
    assert [Path(f).name for f, _ in report.failed] == ["empty.md"]
    assert writer.index.generation == BASE
    assert set(writer.index.manifest.all_chunk_ids()) == before
    assert _collections(writer) == sorted([settings.collection, f"{settings.collection}-pointer"])
    assert not any((settings.index_dir / "generations").glob("*"))
    vectors = np.asarray(HashEmbedder(DIMENSION).embed([QUERY]))
    assert all("alpha" in s.text for s in writer.index.store.query(vectors[0], 5))


# A rebuild that is slow (one embed call per file) and is killed from outside part-way.
_REBUILD_CHILD = """
import sys, time
from pathlib import Path
import assistant.ingest
from assistant.app import build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder

class Slow(HashEmbedder):
    def embed(self, texts):
        time.sleep(0.15)
        return super().embed(texts)

assistant.ingest.EMBED_GROUP = 1
build_assistant(Settings(home=Path(sys.argv[1])), embedder=Slow(64)).ingest(
    [Path(sys.argv[2])], rebuild=True
)
"""


def test_kill_9_during_a_rebuild_leaves_the_live_index_and_is_cleaned_up(
    store_settings: Settings, tmp_path: Path, corpus_writer: Callable[..., Path]
) -> None:
    settings = _settings(store_settings, tmp_path / "home", index_grace_s=0.0)
    live = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    assert live.ingest([corpus_writer("alpha")]).ok
    before = live.index.generations.read()  # type: ignore[union-attr]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPC_")}
    if settings.chroma_url:
        env.update(COPC_CHROMA_URL=settings.chroma_url, COPC_COLLECTION=settings.collection)
    new = corpus_writer("beta", 24)
    child = subprocess.Popen(
        [sys.executable, "-c", _REBUILD_CHILD, str(settings.home), str(new)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def building() -> bool:
            manifests = list((settings.index_dir / "generations").glob("g*/manifest.json"))
            return bool(manifests) and len(json.loads(manifests[0].read_text())["files"]) >= 3

        wait_until(building, timeout=120, what="the rebuild to write some files")
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)

    abandoned = [p.name for p in (settings.index_dir / "generations").iterdir()]
    assert len(abandoned) == 1
    reader = build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    assert reader.index.generations.read() == before  # type: ignore[union-attr]
    answer = reader.ask(QUERY)  # readers never noticed
    assert answer.citations and all("alpha" in c.quote for c in answer.citations)

    report = reader.ingest([new], rebuild=True)  # the next rebuild cleans up
    assert report.switched and set(report.dropped) == {BASE, abandoned[0]}
    assert _collections(reader) == sorted(
        [f"{settings.collection}-{report.generation}", f"{settings.collection}-pointer"]
    )
    assert [p.name for p in (settings.index_dir / "generations").iterdir()] == [report.generation]
    ids = [s.chunk_id for s in reader.index.store.scan(include_text=False)]
    assert len(ids) == len(set(ids)) == 24 * 3
    assert set(ids) == set(reader.index.manifest.all_chunk_ids())


def test_copc_ingest_rebuild_on_the_command_line(
    tmp_path: Path, corpus_writer: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from assistant import cli
    from assistant.cli import evidence

    settings = Settings(home=tmp_path / "home")
    monkeypatch.setattr(
        evidence, "build", lambda: build_assistant(settings, embedder=HashEmbedder(DIMENSION))
    )
    runner = CliRunner()
    good = corpus_writer("alpha", 3)
    result = runner.invoke(cli.main, ["ingest", "--rebuild", str(good), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["switched"] is True and payload["generation"].startswith("g")
    assert payload["added"] == 3

    (good / "empty.md").write_text("", encoding="utf-8")
    result = runner.invoke(cli.main, ["ingest", "--rebuild", str(good)])
    assert result.exit_code == 3
    assert "rebuild not switched: the live index was left as it was" in result.stderr
    assert "empty.md" in result.stderr
