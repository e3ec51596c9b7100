"""Incremental ingest against a real Chroma (embedded and `chroma run`), with a fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import Assistant, build_assistant
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.errors import IndexMismatchError


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def _memo(doc_id: str, topic: str, extra: str = "") -> str:
    return (
        f'---\ntitle: {topic} memo\ndoc_id: {doc_id}\nversion: "1.0"\nprogram: Harbor Bank\n---\n'
        f"# {topic} memo\n\nIntro about {topic}.\n\n"
        f"## Target\nThe {topic} target is set by contract. {extra}\n\n"
        f"## Review\nThe {topic} target is reviewed every November.\n"
    )


def _consistent(assistant: Assistant) -> set[str]:
    """Assert store and manifest hold exactly the same chunk ids; return them."""
    stored = {c.chunk_id for c in assistant.index.store.scan(include_text=False)}
    listed = set(assistant.index.manifest.all_chunk_ids())
    assert stored == listed
    assert assistant.index.keyword.digest == assistant.index.manifest.keyword_digest
    assert set(assistant.index.keyword.ids) == listed
    return stored


def test_add_change_delete(store_settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    a = _write(corpus, "a.md", _memo("A-1", "service level"))
    _write(corpus, "b.md", _memo("B-1", "handle time"))
    c = _write(corpus, "sub/c.md", _memo("C-1", "attrition"))
    assistant = build_assistant(store_settings, embedder=HashEmbedder())

    first = assistant.ingest([corpus])
    assert first.summary()["added"] == 3 and first.ok
    before = _consistent(assistant)

    again = assistant.ingest([corpus])
    assert again.summary() | {"chunks_written": 0} == {
        "added": 0,
        "updated": 0,
        "unchanged": 3,
        "removed": 0,
        "failed": 0,
        "skipped": 0,
        "chunks_written": 0,
    }
    assert _consistent(assistant) == before

    a.write_text(_memo("A-1", "service level", "Now 85% in 30 seconds."), encoding="utf-8")
    c.unlink()
    changed = assistant.ingest([corpus])
    assert [Path(p).name for p in changed.updated] == ["a.md"]
    assert [Path(p).name for p in changed.removed] == ["c.md"]
    after = _consistent(assistant)
    texts = [s.text for s in assistant.index.store.scan()]
    assert any("85% in 30 seconds" in t for t in texts)
    assert not any("attrition" in t for t in texts)
    assert len(after) == len(before) - 3  # c.md's three sections are gone, a.md replaced in place

    # a fresh process (new objects over the same home) sees the same index
    reopened = build_assistant(store_settings, embedder=HashEmbedder())
    assert set(reopened.index.manifest.all_chunk_ids()) == after
    hits = reopened.retriever.search("85% in 30 seconds", k=3)
    assert hits[0].file == "a.md" and hits[0].section == "Target"


def test_ingesting_another_folder_keeps_the_first(settings: Settings, tmp_path: Path) -> None:
    _write(tmp_path / "one", "a.md", _memo("A-1", "service level"))
    _write(tmp_path / "two", "b.md", _memo("B-1", "handle time"))
    assistant = build_assistant(settings, embedder=HashEmbedder())
    assistant.ingest([tmp_path / "one"])
    report = assistant.ingest([tmp_path / "two"])
    assert report.removed == []
    assert {e.doc_id for e in assistant.index.manifest.files.values()} == {"A-1", "B-1"}


def test_embedder_mismatch_is_refused_with_a_rebuild_hint(
    settings: Settings, tmp_path: Path
) -> None:
    _write(tmp_path / "d", "a.md", _memo("A-1", "service level"))
    build_assistant(settings, embedder=HashEmbedder(64)).ingest([tmp_path / "d"])
    other = build_assistant(settings, embedder=HashEmbedder(32))
    with pytest.raises(IndexMismatchError) as err:
        other.ingest([tmp_path / "d"])
    message = str(err.value)
    assert "hash-64" in message and "hash-32" in message and "copc ingest" in message
    assert "\n" not in message


def test_bad_files_are_reported_and_the_others_indexed(settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    _write(corpus, "good.md", _memo("G-1", "service level"))
    _write(corpus, "empty.md", "")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 binary \x00" * 50)
    (corpus / "latin1.txt").write_bytes("Caf\xe9 procedure\n".encode("latin-1"))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    _write(corpus, "copy.md", _memo("G-1", "service level"))  # same content as good.md
    (corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    big = corpus / "huge.txt"
    with big.open("wb") as fh:
        fh.write(b"word " * (50 * 1024 * 1024 // 5))
    assistant = build_assistant(settings, embedder=HashEmbedder())

    report = assistant.ingest([corpus])

    failed = {Path(f).name: reason for f, reason in report.failed}
    # files are read in name order, so copy.md is indexed and good.md is its duplicate
    assert set(failed) == {
        "empty.md",
        "binary.txt",
        "latin1.txt",
        "broken.pdf",
        "huge.txt",
        "good.md",
    }
    assert "same content as" in failed["good.md"] and "copy.md" in failed["good.md"]
    assert "empty" in failed["empty.md"]
    assert "binary" in failed["binary.txt"]
    assert "UTF-8" in failed["latin1.txt"]
    assert "PDF" in failed["broken.pdf"]
    assert "MB" in failed["huge.txt"]
    assert all("\n" not in r for r in failed.values())
    assert [Path(f).name for f, _ in report.skipped] == ["table.xlsx"]
    assert [Path(f).name for f in report.added] == ["copy.md"]
    _consistent(assistant)


def test_file_deleted_mid_run(settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    for name in ("a.md", "b.md", "c.md"):
        _write(corpus, name, _memo(name, f"topic {name}"))
    assistant = build_assistant(settings, embedder=HashEmbedder())

    def vanish(name: str, done: int, total: int) -> None:
        if name == "a.md":
            (corpus / "c.md").unlink()

    report = assistant.ingest([corpus], progress=vanish)
    assert [(Path(f).name, r) for f, r in report.failed] == [
        ("c.md", "file disappeared before it could be read")
    ]
    assert sorted(Path(f).name for f in report.added) == ["a.md", "b.md"]
    _consistent(assistant)
