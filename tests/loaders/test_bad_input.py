"""Every bad input becomes a one-line ``LoadError`` that says what is wrong and what to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import LoadError, UnsupportedFileType
from assistant.loaders import SUPPORTED_SUFFIXES, load_document
from assistant.loaders import common as common_module

TEXT_SUFFIXES = [".md", ".markdown", ".txt", ".html", ".htm"]


def load_error(path: Path, **options: int) -> str:
    with pytest.raises(LoadError) as caught:
        load_document(path, **options)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message and message
    return message


def test_supported_suffixes_are_the_documented_set() -> None:
    expected = {".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf"}
    assert expected == SUPPORTED_SUFFIXES


@pytest.mark.parametrize("name", ["sheet.xlsx", "notes.rtf", "README"])
def test_other_file_types_are_unsupported(write_file, name: str) -> None:
    path = write_file(name, "content")
    with pytest.raises(UnsupportedFileType) as caught:
        load_document(path)
    message = str(caught.value)
    assert message.startswith("unsupported file type ")
    assert "supported: .docx, .htm, .html, .markdown, .md, .pdf, .txt" in message
    assert "\n" not in message


def test_unsupported_message_names_the_suffix(write_file) -> None:
    with pytest.raises(UnsupportedFileType, match=r"^unsupported file type '\.xlsx'; supported: "):
        load_document(write_file("sheet.xlsx", "x"))


def test_suffix_case_does_not_matter(write_file) -> None:
    doc = load_document(write_file("NOTES.MD", "# Notes\n\nBody."))
    assert doc.file == "NOTES.MD"
    assert doc.meta.title == "Notes"


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_empty_or_whitespace_file(write_file, suffix: str, content: bytes) -> None:
    message = load_error(write_file(f"empty{suffix}", content))
    assert message == "file is empty; add content or remove it"


def test_bom_only_file_is_empty(write_file) -> None:
    assert load_error(write_file("bom.md", b"\xef\xbb\xbf \n")) == (
        "file is empty; add content or remove it"
    )


def test_file_above_the_size_limit(write_file) -> None:
    path = write_file("big.md", "# Big\n\n" + "x" * (2 * 1024 * 1024))
    message = load_error(path, max_bytes=1024 * 1024)
    assert message == "file is 2.0 MB, above the 1 MB limit; split it or raise COPC_MAX_FILE_MB"


def test_default_limit_is_25_mb_and_reported_like_the_design(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written
    assert load_error(path) == (
        "file is 50.0 MB, above the 25 MB limit; split it or raise COPC_MAX_FILE_MB"
    )


def test_size_is_checked_before_the_file_is_read(write_file, monkeypatch) -> None:
    path = write_file("big.txt", "y" * 5000)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file must not be opened when stat already shows it too big")

    monkeypatch.setattr(Path, "open", no_open)
    assert "above the" in load_error(path, max_bytes=1000)


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_binary_content_behind_a_text_extension(write_file, suffix: str) -> None:
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert load_error(write_file(f"image{suffix}", content)) == (
        "file looks binary, not text; check its type"
    )


@pytest.mark.parametrize("suffix", TEXT_SUFFIXES)
def test_non_utf8_text_names_the_byte_and_position(write_file, suffix: str) -> None:
    content = b"Caf\xe9 au lait\n"
    assert load_error(write_file(f"latin1{suffix}", content)) == (
        "not valid UTF-8 (byte 0xe9 at position 3); re-save the file as UTF-8"
    )


def test_non_utf8_position_counts_from_the_start_of_the_file(write_file) -> None:
    content = b"\xef\xbb\xbf" + "# Title\n\nna\u00efve ".encode() + b"\xff"
    message = load_error(write_file("bom.md", content))
    assert message == f"not valid UTF-8 (byte 0xff at position {len(content) - 1}); " + (
        "re-save the file as UTF-8"
    )


def test_utf16_text_is_named_as_such(write_file) -> None:
    content = "# Title\n\nBody\n".encode("utf-16")
    message = load_error(write_file("wide.md", content))
    assert "UTF-16" in message and "re-save the file as UTF-8" in message


def test_utf8_bom_is_accepted(write_file) -> None:
    doc = load_document(write_file("bom.md", b"\xef\xbb\xbf# Title\n\nBody text.\n"))
    assert doc.meta.title == "Title"
    assert not doc.text.startswith("\ufeff")


def test_missing_file(tmp_path: Path) -> None:
    assert load_error(tmp_path / "gone.md") == "file disappeared before it could be read"


def test_file_deleted_between_stat_and_read(write_file, monkeypatch) -> None:
    path = write_file("racy.md", "# Title\n\nBody")

    def vanished(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(Path, "open", vanished)
    assert load_error(path) == "file disappeared before it could be read"


def test_permission_denied(write_file, monkeypatch) -> None:
    path = write_file("secret.md", "# Title\n\nBody")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    message = load_error(path)
    assert message.startswith("permission denied") and "read access" in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_permission_denied_for_real(write_file) -> None:
    path = write_file("secret.md", "# Title\n\nBody")
    path.chmod(0)
    try:
        assert load_error(path).startswith("permission denied")
    finally:
        path.chmod(0o600)


def test_folder_with_a_document_suffix(tmp_path: Path) -> None:
    folder = tmp_path / "notes.md"
    folder.mkdir()
    assert load_error(folder).startswith("path is a folder, not a file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert load_error(pipe).startswith("not a regular file")


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf", ".html"])
def test_unexpected_parser_failure_becomes_one_line_load_error(
    write_file, monkeypatch, suffix: str
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise ValueError("deep inside the parser\n  at line 3\n  of something")

    for module in ("markdown", "docx", "pdf", "html"):
        monkeypatch.setattr(f"assistant.loaders.{module}.load_{module}", explode)
    message = load_error(write_file(f"doc{suffix}", b"some bytes"))
    assert "could not be parsed (deep inside the parser at line 3 of something)" in message


def test_one_line_shortens_long_messages() -> None:
    text = common_module.one_line("word " * 100, limit=40)
    assert len(text) <= 40 and text.endswith("…") and "\n" not in text
    assert common_module.one_line(ValueError()) == "ValueError"
