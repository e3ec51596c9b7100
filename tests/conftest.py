"""Shared fixtures. Every test runs with ``COPC_HOME`` in its own temp dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embedding import HashEmbedder, SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
GSA_DOCS = SHARED_DATA / "gsa-contact-center-guidelines" / "docs"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the session: the ONNX graph is exported once, by the tests."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> Path:
    """Point COPC_HOME at a temp dir and clear settings that would leak in from the machine."""
    home = tmp_path / "copc-home"
    monkeypatch.setenv("COPC_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("COPC_") and name != "COPC_HOME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COPC_MODEL_CACHE_DIR", str(model_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("COPC_INGEST_ROOTS", str(tmp_path))  # `copc ingest` reads only roots
    return home


@pytest.fixture
def settings(isolated_home: Path) -> Settings:
    """Settings for an isolated home."""
    return Settings(home=isolated_home)


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    """A fast deterministic embedder for unit tests."""
    return HashEmbedder(64)


@pytest.fixture(scope="session")
def minilm(model_cache: Path) -> Iterator[SentenceTransformerEmbedder]:
    """The real MiniLM model, loaded once for the whole session."""
    embedder = SentenceTransformerEmbedder(cache_dir=model_cache)
    _ = embedder.model
    yield embedder


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on 127.0.0.1 (a free port), for the whole session."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        found = shutil.which("chroma")
        assert found, "the `chroma` command (from the chromadb package) is not installed"
        exe = Path(found)
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    f"chroma server did not start: {(data / 'server.log').read_text()[-500:]}"
                ) from exc
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(params=["embedded", "server"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Run a test against the embedded store and against a `chroma run` server."""
    return str(request.param)


@pytest.fixture
def store_settings(store_kind: str, settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """Settings pointing at the store kind under test (a fresh collection each test)."""
    import uuid

    if store_kind == "server":
        url = request.getfixturevalue("chroma_server")
        return settings.model_copy(
            update={"chroma_url": url, "collection": f"t-{uuid.uuid4().hex[:12]}"}
        )
    return settings


@pytest.fixture(scope="session")
def bundled_home(
    tmp_path_factory: pytest.TempPathFactory, minilm: SentenceTransformerEmbedder
) -> Path:
    """A home with the bundled corpus indexed by the real model (built once per session)."""
    from assistant.app import build_assistant

    home = tmp_path_factory.mktemp("bundled-home")
    report = build_assistant(Settings(home=home), embedder=minilm).ingest()
    assert report.ok, report.failed
    return home


@pytest.fixture
def bundled(
    bundled_home: Path, minilm: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
):  # type: ignore[no-untyped-def]
    """The assistant over the indexed bundled corpus (COPC_HOME points at it)."""
    from assistant.app import build_assistant

    monkeypatch.setenv("COPC_HOME", str(bundled_home))
    return build_assistant(Settings(home=bundled_home), embedder=minilm)
