"""The vector store contract, run against embedded Chroma and a `chroma run` server."""

from __future__ import annotations

import numpy as np

from assistant.app import build_store
from assistant.config import Settings
from assistant.embedding import HashEmbedder
from assistant.retrieval import Filters, chroma_where

TEXTS = [
    "Service level target 80/20 for Harbor Bank voice",
    "QA sample size of five contacts per agent per week",
    "Chat service level for Lumen Telecom",
    "Attrition is reviewed monthly by the site manager",
]


def _filled(store_settings: Settings):  # type: ignore[no-untyped-def]
    store = build_store(store_settings)
    vectors = HashEmbedder(64).embed(TEXTS)
    programs = ["harbor-bank", "site-wide", "lumen-telecom", "site-wide"]
    store.upsert(
        [f"c{i}" for i in range(len(TEXTS))],
        vectors,
        TEXTS,
        [{"file": f"f{i}.md", "program": p} for i, p in enumerate(programs)],
    )
    return store, vectors


def test_query_without_text_returns_the_same_ranking(store_settings: Settings) -> None:
    store, vectors = _filled(store_settings)
    full = store.query(vectors[1], 3)
    bare = store.query(vectors[1], 3, include_text=False)
    assert [s.chunk_id for s in bare] == [s.chunk_id for s in full]
    assert full[0].chunk_id == "c1" and full[0].text == TEXTS[1] and full[0].metadata
    assert np.allclose([s.distance for s in bare], [s.distance for s in full])
    assert all(s.text == "" and s.metadata == {} for s in bare)


def test_query_without_text_honours_the_filter(store_settings: Settings) -> None:
    store, vectors = _filled(store_settings)
    where = chroma_where(Filters(program="Lumen Telecom").where())
    bare = store.query(vectors[0], 4, where, include_text=False)
    assert {s.chunk_id for s in bare} == {"c1", "c2", "c3"}  # Lumen and site-wide only
