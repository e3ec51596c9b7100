"""Only the corpus folder and COPC_INGEST_ROOTS are indexed; links out of them are not read.

Whatever is indexed is quoted to everyone who asks the bot, so ``copc ingest`` refuses
paths outside the configured roots, with one line naming the setting, and never follows
a symlink from inside a root to a file outside every root.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import cli
from assistant.app import Assistant, build_assistant
from assistant.cli import evidence
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.roots import PathNotAllowedError, allowed_roots

SECRET = "root:x:0:0:the records database password is hunter2"


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A corpus folder, an extra root, and a secret file outside both."""
    corpus, extra, outside = tmp_path / "corpus", tmp_path / "extra", tmp_path / "private"
    for folder in (corpus, extra, outside):
        folder.mkdir()
    (corpus / "escalation.md").write_text("# Escalation\n\nCall the team lead in 10 minutes.\n")
    (extra / "targets.md").write_text("# Targets\n\nService level is 80% in 20 seconds.\n")
    (outside / "secrets.txt").write_text(SECRET + "\n")
    return {"corpus": corpus, "extra": extra, "outside": outside}


@pytest.fixture
def assistant(settings: Settings, layout: dict[str, Path]) -> Assistant:
    """The assistant the CLI builds: corpus folder and one extra root configured."""
    configured = settings.model_copy(
        update={"corpus_dir": layout["corpus"], "ingest_roots": (layout["extra"],)}
    )
    return build_assistant(configured, embedder=HashEmbedder(64))


def ingest(assistant: Assistant, monkeypatch: pytest.MonkeyPatch, *paths: Path) -> tuple[int, str]:
    monkeypatch.setattr(evidence, "build", lambda: assistant)
    result = CliRunner().invoke(cli.main, ["ingest", *map(str, paths), "--json"])
    return result.exit_code, result.output


def indexed_text(assistant: Assistant) -> str:
    return " ".join(c.text for c in assistant.index.store.scan(include_text=True))


def test_the_corpus_folder_and_configured_roots_are_ingested(
    assistant: Assistant, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = ingest(assistant, monkeypatch, layout["corpus"], layout["extra"] / "targets.md")
    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["added"] == 2


@pytest.mark.parametrize(
    "where",
    [
        lambda layout: layout["outside"],
        lambda layout: layout["outside"] / "secrets.txt",
        lambda layout: layout["corpus"] / ".." / "private" / "secrets.txt",  # climbs out
        lambda layout: Path("/etc"),
    ],
    ids=["folder", "file", "dot-dot", "etc"],
)
def test_a_path_outside_the_roots_is_refused_with_one_line(
    assistant: Assistant, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch, where
) -> None:  # type: ignore[no-untyped-def]
    path = where(layout)
    code, output = ingest(assistant, monkeypatch, layout["corpus"], path)
    assert code != 0
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert str(path) in lines[0] and "COPC_INGEST_ROOTS" in lines[0]
    assert assistant.index.is_empty(), "nothing is read when any path is refused"


def test_a_symlink_from_a_root_to_a_file_outside_is_not_read(
    assistant: Assistant, layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    (layout["corpus"] / "notes.txt").symlink_to(layout["outside"] / "secrets.txt")
    (layout["corpus"] / "linked").symlink_to(layout["outside"], target_is_directory=True)
    (layout["corpus"] / "targets.md").symlink_to(layout["extra"] / "targets.md")  # root to root
    code, output = ingest(assistant, monkeypatch, layout["corpus"])
    summary = json.loads(output.strip().splitlines()[-1])
    assert code == 3  # the refused link is a failure the quality team must see
    failed = {item["file"]: item["reason"] for item in summary["failed_files"]}
    secret = str((layout["outside"] / "secrets.txt").resolve())
    assert list(failed) == [secret]
    assert "outside the folders the assistant may index" in failed[secret]
    assert summary["added"] == 2  # escalation.md and the link into the other root
    assert "hunter2" not in indexed_text(assistant)


def test_the_library_ingestor_enforces_roots_when_given_them(
    settings: Settings, layout: dict[str, Path]
) -> None:
    assistant = build_assistant(settings, embedder=HashEmbedder(64))
    assistant.ingestor.roots = (layout["corpus"].resolve(),)
    with pytest.raises(PathNotAllowedError, match=r"is outside the folders .* COPC_INGEST_ROOTS"):
        assistant.ingest([layout["outside"]])
    assistant.ingestor.roots = None  # evaluation runs index private temporary folders
    assert assistant.ingest([layout["outside"]]).added


def test_roots_are_the_corpus_folder_and_the_setting_never_the_working_directory(
    layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(layout["outside"])
    monkeypatch.setenv("COPC_INGEST_ROOTS", f"{layout['extra']}:{layout['outside']}/../extra")
    settings = Settings(corpus_dir=layout["corpus"])
    assert allowed_roots(settings) == (layout["corpus"].resolve(), layout["extra"].resolve())
    monkeypatch.delenv("COPC_INGEST_ROOTS")
    assert allowed_roots(Settings(corpus_dir=layout["corpus"])) == (layout["corpus"].resolve(),)
