"""Killing an ingest midway (SIGKILL) and running it again leaves a consistent index:
no duplicate or orphan chunks, the manifest equal to the store, the BM25 index and the shared
index pointer equal to both. On the embedded store and on a `chroma run` server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.keyword import ids_digest

# The child ingests with a fake embedder and kills itself with SIGKILL at a chosen point.
_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from assistant.app import build_assistant
    from assistant.config import Settings
    from assistant.embedding import HashEmbedder
    from assistant.index import ChunkIndex

    point, home, corpus, nth = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    calls = {"n": 0}
    def die_after(fn):
        def wrapped(*a, **k):
            result = fn(*a, **k)
            calls["n"] += 1
            if calls["n"] >= nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return wrapped
    assistant = build_assistant(Settings(home=home), embedder=HashEmbedder())
    store = assistant.index.store
    if point == "after_upsert":
        store.upsert = die_after(store.upsert)
    elif point == "after_manifest":
        assistant.index.save_manifest = die_after(assistant.index.save_manifest)
    assistant.ingest([corpus])
    """
)


def _corpus(folder: Path, version: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(6):
        (folder / f"doc{n}.md").write_text(
            f"# Procedure {n}\n\nIntro {version}.\n\n## Steps\nStep one for {n} in {version}.\n\n"
            f"## Records\nRecords kept for {n} months ({version}).\n",
            encoding="utf-8",
        )


def _child_env(settings: Settings) -> dict[str, str]:
    """The child ingests into the same store as the test (COPC_CHROMA_URL for a server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPC_")}
    if settings.chroma_url:
        env.update(COPC_CHROMA_URL=settings.chroma_url, COPC_COLLECTION=settings.collection)
    return env


def _assert_consistent(assistant: Assistant, chunks: int) -> None:
    stored = list(assistant.index.store.scan())
    ids = [s.chunk_id for s in stored]
    assert len(ids) == len(set(ids)), "duplicate chunks"
    assert set(ids) == set(assistant.index.manifest.all_chunk_ids()), "orphan or missing chunks"
    assert len(stored) == chunks
    assert set(assistant.index.keyword.ids) == set(ids)
    pointer = assistant.index.generations.read() if assistant.index.generations else None
    assert pointer is not None and pointer.digest == ids_digest(ids) and pointer.chunks == chunks


@pytest.mark.parametrize(("point", "nth"), [("after_upsert", 2), ("after_manifest", 3)])
def test_kill_mid_ingest_then_ingest_again(
    tmp_path: Path, point: str, nth: int, store_settings: Settings
) -> None:
    home, corpus = tmp_path / "home", tmp_path / "corpus"
    settings = store_settings.model_copy(update={"home": home})
    _corpus(corpus, "v1")
    build_assistant(settings, embedder=HashEmbedder()).ingest([corpus])
    _corpus(corpus, "v2")  # every file changes: the killed run is replacing chunks
    # one file changes per flush group only if groups are small: force one flush per file
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import assistant.ingest as i; i.EMBED_GROUP = 1\n" + _CHILD,
            point,
            str(home),
            str(corpus),
            str(nth),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_child_env(settings),
    )
    assert child.returncode == -9, child.stderr[-1500:]

    assistant = build_assistant(settings, embedder=HashEmbedder())
    report = assistant.ingest([corpus])
    assert report.ok

    _assert_consistent(assistant, 6 * 3)
    stored = list(assistant.index.store.scan())
    assert all("v1" not in s.text for s in stored), "stale chunks of the old version survived"
    manifest = json.loads((assistant.settings.index_dir / "manifest.json").read_text())
    assert len(manifest["files"]) == 6


# The child ingests slowly (one embed call per file, each 0.15 s) until killed from outside.
_SLOW_CHILD = textwrap.dedent(
    """
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
    home, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    build_assistant(Settings(home=home), embedder=Slow()).ingest([corpus])
    """
)


def test_sigkill_from_outside_mid_ingest_then_ingest_again(
    tmp_path: Path, store_settings: Settings
) -> None:
    """`kill -9` at a moment the ingest does not choose, part-way through 60 files."""
    home, corpus = tmp_path / "home", tmp_path / "corpus"
    settings = store_settings.model_copy(update={"home": home})
    for n in range(10):
        _corpus(corpus / f"d{n:02d}", f"n{n}")  # 6 files each: 60 files, 180 chunks
    manifest = settings.index_dir / "manifest.json"
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_CHILD, str(home), str(corpus)],
        env=_child_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # until the manifest lists some files, but far from all
            try:
                listed = len(json.loads(manifest.read_text())["files"])
            except (OSError, ValueError, KeyError):
                listed = 0
            if listed >= 8:
                break
            assert child.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)

    assistant = build_assistant(settings, embedder=HashEmbedder())
    assert len(assistant.index.manifest.files) < 60  # it really was cut short
    report = assistant.ingest([corpus])
    assert report.ok and len(report.unchanged) >= 8
    _assert_consistent(assistant, 60 * 3)
    assert assistant.ingest([corpus]).summary()["chunks_written"] == 0  # and it stays so
