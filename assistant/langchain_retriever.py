"""A LangChain retriever over the assistant's hybrid search.

For LangChain pipelines that want the same sections, filters and citation metadata the
assistant uses::

    from assistant.app import build_assistant
    from assistant.langchain_retriever import CopcRetriever

    retriever = CopcRetriever(retriever=build_assistant().retriever, k=5, program="Harbor Bank")
    docs = retriever.invoke("How was the service level target set?")
    docs[0].metadata["doc_id"], docs[0].metadata["section_path"]

Each ``Document`` is one section (its best chunk); ``metadata`` carries what a citation
needs: file, doc_id, section, section_path, page, version, effective_date, client_approved,
approved_by, program, doc_type, score, chunk_id.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.retrieval import Filters, Hit, HybridRetriever, Mode


class CopcRetriever(BaseRetriever):
    """``HybridRetriever.search`` as a LangChain ``BaseRetriever``.

    Attributes:
        retriever: The assistant's retriever (``build_assistant().retriever``).
        k: Sections returned per query.
        program: Keep this client program's documents (and site-wide ones) only.
        doc_type: Keep this document type only (e.g. ``"criteria-note"``).
        mode: ``"hybrid"`` (default), ``"bm25"`` or ``"dense"``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    program: str | None = None
    doc_type: str | None = None
    mode: Mode = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        filters = Filters(program=self.program, doc_type=self.doc_type)
        hits = self.retriever.search(query, k=self.k, filters=filters, mode=self.mode)
        return [hit_to_document(hit) for hit in hits]


def hit_to_document(hit: Hit) -> Document:
    """A LangChain ``Document`` with the section text and its citation metadata."""
    meta = hit.metadata
    metadata: dict[str, Any] = {
        "file": hit.file,
        "doc_id": hit.doc_id,
        "section": hit.section,
        "section_path": hit.section_path,
        "page": hit.page,
        "version": meta.get("version"),
        "effective_date": meta.get("effective_date"),
        "client_approved": meta.get("client_approved"),
        "approved_by": meta.get("approved_by"),
        "program": meta.get("program"),
        "doc_type": meta.get("doc_type"),
        "score": hit.score,
        "chunk_id": hit.chunk_id,
    }
    return Document(id=hit.chunk_id, page_content=hit.text, metadata=metadata)
