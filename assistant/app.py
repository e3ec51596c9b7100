"""The composition root: every surface (CLI, Slack bot, evals) builds the assistant here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.answering import ExtractiveAnswerer, Generator
from assistant.answers import Answer
from assistant.chunking import ChunkingParams
from assistant.config import Settings
from assistant.embedding import Embedder, SentenceTransformerEmbedder
from assistant.generations import Generations
from assistant.index import ChunkIndex
from assistant.ingest import Ingestor, IngestReport, Progress
from assistant.limits import LoadLimits
from assistant.query import Vocabulary
from assistant.retrieval import HybridRetriever
from assistant.store import ChromaStore, VectorStore


@dataclass
class Assistant:
    """The wired parts. Heavy parts (model, store) initialise on first use."""

    settings: Settings
    index: ChunkIndex
    retriever: HybridRetriever
    ingestor: Ingestor
    answerer: ExtractiveAnswerer
    generator: Generator | None = None

    def ingest(
        self,
        paths: list[Path] | None = None,
        progress: Progress | None = None,
        *,
        rebuild: bool = False,
    ) -> IngestReport:
        """Ingest ``paths`` (default: the configured corpus folder).

        With ``rebuild``, index them from scratch into a new generation that readers switch
        to atomically once it is complete (see :mod:`assistant.generations`).
        """
        targets = paths or [self.settings.corpus_dir]
        if rebuild:
            return self.ingestor.rebuild(targets, progress)
        return self.ingestor.run(targets, progress)

    def ask(self, question: str, *, program: str | None = None, role: str | None = None) -> Answer:
        """A cited answer from the indexed documents, or a plain "no evidence".

        With an LLM configured, it rewrites the extractive answer from the same sections;
        its output is verified and the extractive answer is kept when verification fails.
        """
        with self.index.reading():  # one index generation for the whole answer
            answer, hits = self.answerer.ask_with_hits(question, program=program, role=role)
        if self.generator is None or answer.abstained:
            return answer
        return self.generator(question, hits, answer)

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Ingest the default corpus when the index is empty (first use); else do nothing."""
        if self.index.is_empty() and self.settings.corpus_dir.is_dir():
            return self.ingest([self.settings.corpus_dir], progress)
        return None


def build_store(settings: Settings) -> VectorStore:
    """The configured vector store: a Chroma server when ``COPC_CHROMA_URL`` is set."""
    if settings.chroma_url:
        return ChromaStore.server(
            settings.chroma_url, settings.collection, retry_s=settings.chroma_retry_s
        )
    return ChromaStore.embedded(settings.index_dir / "chroma", settings.collection)


def build_assistant(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    store: VectorStore | None = None,
) -> Assistant:
    """Wire the assistant from settings; ``embedder``/``store`` override for tests and evals."""
    settings = settings or Settings()
    embedder = embedder or SentenceTransformerEmbedder(
        settings.model_path,
        batch_size=settings.embed_batch_size,
        runtime=settings.query_runtime,
        cache_dir=settings.model_cache_dir,
    )
    params = ChunkingParams(max_chars=settings.chunk_max_chars, min_chars=settings.chunk_min_chars)
    store = store or build_store(settings)
    generations = (
        Generations(
            store,
            settings.index_dir,
            check_s=settings.index_check_s,
            grace_s=settings.index_grace_s,
        )
        if isinstance(store, ChromaStore)
        else None
    )
    index = ChunkIndex(settings.index_dir, store, embedder, params, generations=generations)
    retriever = HybridRetriever(index)
    return Assistant(
        settings=settings,
        index=index,
        retriever=retriever,
        ingestor=Ingestor(
            index, max_bytes=settings.max_file_bytes, limits=LoadLimits.from_settings(settings)
        ),
        answerer=ExtractiveAnswerer(retriever, Vocabulary.load(settings.terms_file)),
        generator=build_generator(settings, embedder),
    )


def build_generator(settings: Settings, embedder: Embedder) -> Generator | None:
    """The LLM answer generator when ``COPC_LLM_BASE_URL`` and ``COPC_LLM_MODEL`` are set."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    from assistant.llm import LLMGenerator

    return LLMGenerator(settings, embedder)
