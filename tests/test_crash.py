"""Killing an ingest midway (SIGKILL) and running it again leaves a consistent index."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.app import build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder

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


@pytest.mark.parametrize(("point", "nth"), [("after_upsert", 2), ("after_manifest", 3)])
def test_kill_mid_ingest_then_ingest_again(tmp_path: Path, point: str, nth: int) -> None:
    home, corpus = tmp_path / "home", tmp_path / "corpus"
    _corpus(corpus, "v1")
    build_assistant(Settings(home=home), embedder=HashEmbedder()).ingest([corpus])
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
    )
    assert child.returncode == -9, child.stderr[-1500:]

    assistant = build_assistant(Settings(home=home), embedder=HashEmbedder())
    report = assistant.ingest([corpus])
    assert report.ok

    stored = list(assistant.index.store.scan())
    ids = [s.chunk_id for s in stored]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(assistant.index.manifest.all_chunk_ids())
    assert all("v1" not in s.text for s in stored), "stale chunks of the old version survived"
    assert len(stored) == 6 * 3
    manifest = json.loads((assistant.settings.index_dir / "manifest.json").read_text())
    assert len(manifest["files"]) == 6
    assert set(assistant.index.keyword.ids) == set(ids)
