"""The LangChain retriever adapter over the bundled corpus with the real model."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from pydantic import ValidationError

from assistant.app import Assistant
from assistant.langchain_retriever import CopcRetriever
from assistant.retrieval import Filters

QUESTION = "How was the service level target set?"


def test_invoke_returns_sections_with_citation_metadata(bundled: Assistant) -> None:
    docs = CopcRetriever(retriever=bundled.retriever, k=3).invoke(QUESTION)

    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    hits = bundled.retriever.search(QUESTION, k=3)
    assert [d.page_content for d in docs] == [h.text for h in hits]
    assert [d.id for d in docs] == [h.chunk_id for h in hits]
    top = docs[0].metadata
    assert top["doc_id"] == "SITE-TGT-001"
    assert top["file"] == "hb-service-level-targets.md"
    assert isinstance(top["section_path"], list) and top["section_path"][-1] == top["section"]
    assert top["version"] == "2.1" and top["program"] == "harbor-bank"
    assert top["client_approved"] and top["effective_date"]
    expected = {
        "file", "doc_id", "section", "section_path", "page", "version", "effective_date",
        "client_approved", "approved_by", "program", "doc_type", "score", "chunk_id",
    }  # fmt: skip
    assert all(expected <= set(d.metadata) for d in docs)
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_program_filter_keeps_that_program_and_site_wide(bundled: Assistant) -> None:
    retriever = CopcRetriever(retriever=bundled.retriever, k=8, program="Lumen Telecom")

    docs = retriever.invoke("service level target")

    programs = {d.metadata["program"] for d in docs}
    assert docs and programs <= {"lumen-telecom", "site-wide"}
    assert "lumen-telecom" in programs
    unfiltered = bundled.retriever.search("service level target", k=8)
    assert "harbor-bank" in {h.metadata["program"] for h in unfiltered}


def test_doc_type_filter_and_mode_pass_through(bundled: Assistant) -> None:
    retriever = CopcRetriever(
        retriever=bundled.retriever, k=4, doc_type="criteria-note", mode="bm25"
    )

    docs = retriever.invoke("how was the target set")

    expected = bundled.retriever.search(
        "how was the target set", k=4, filters=Filters(doc_type="criteria-note"), mode="bm25"
    )
    assert [d.id for d in docs] == [h.chunk_id for h in expected]
    assert {d.metadata["doc_type"] for d in docs} == {"criteria-note"}


def test_unknown_mode_is_refused(bundled: Assistant) -> None:
    with pytest.raises(ValidationError):
        CopcRetriever(retriever=bundled.retriever, mode="semantic")  # type: ignore[arg-type]
