"""Criteria coverage: for each COPC criterion note, the site documents that evidence it.

A site section evidences a criterion when the question bank's area mapper puts it in the
criterion's area (cosine similarity to the criteria notes with the index's own embedder,
nudged by heading keywords; see ``assistant/questions/areas.py``). The same mapping decides
the COPC area of every practice question, so the report and the audit speak of the same areas.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding import Embedder, Vectors
from assistant.questions.areas import AREAS, AreaMapper
from assistant.questions.corpus import Corpus, DocumentView
from assistant.reports.audit import CriterionCoverage, EvidenceDoc, Finding

log = logging.getLogger(__name__)

_CRITERION_ID = re.compile(r"([A-Z]{2}-\d{2})$")


class VectorCache:
    """An embedder that keeps the vectors it computed in a file, by embedder id and text.

    Mapping every section of a site to an area embeds a few hundred texts (half a minute on
    a small CPU); the texts rarely change between audits, so later audits reuse the vectors
    and do not even load the model.
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.path = path
        self._vectors: dict[str, Vectors] = {}
        self._dirty = False
        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["embedder"]) == inner.embedder_id:
                    self._vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        except (OSError, KeyError, ValueError) as exc:
            if path.exists():
                log.info("area vector cache %s not used: %s", path, exc)

    @property
    def embedder_id(self) -> str:
        return self.inner.embedder_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> Vectors:
        keys = [self._key(t) for t in texts]
        todo = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        if todo:
            fresh = self.inner.embed([t for _, t in todo])
            self._vectors.update({k: v for (k, _), v in zip(todo, fresh, strict=True)})
            self._dirty = True
        if not texts:
            return self.inner.embed([])
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        """Write the vectors (atomically) when new ones were computed."""
        if not self._dirty or not self._vectors:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(
            tmp,
            embedder=np.array(self.inner.embedder_id),
            keys=np.array(keys),
            vectors=np.stack([self._vectors[k] for k in keys]).astype(np.float32),
        )
        os.replace(tmp, self.path)
        self._dirty = False


def criteria_coverage(
    catalog: Mapping[str, Mapping[str, Any]],
    embedder: Embedder | None,
    *,
    min_sections: int = 1,
    cache: Path | None = None,
) -> tuple[list[CriterionCoverage], list[Finding]]:
    """Every criterion note's evidence in the site documents, and the criteria without any.

    Category overviews (notes whose area is ``overview``) are not criteria and are left out.
    With ``cache`` (a file), the section vectors are kept there for the next audit.
    """
    corpus = Corpus.from_catalog(catalog)
    cached = VectorCache(embedder, cache) if embedder is not None and cache else None
    mapper = AreaMapper(corpus, cached or embedder)
    notes = [d for d in corpus.documents.values() if d.doc_type == "criteria-note"]
    by_area: dict[str, Counter[str]] = defaultdict(Counter)
    for section in corpus.site_sections():
        if not section.is_control_block:
            by_area[mapper.area_of(section)][section.doc_id] += 1
    if cached is not None:
        cached.save()
    out: list[CriterionCoverage] = []
    findings: list[Finding] = []
    for note in sorted(notes, key=lambda d: d.doc_id):
        area, criterion = _note_area(note)
        if area is None or area == "overview":
            continue
        area = area if area in AREAS else mapper.document_area(note.doc_id)
        documents = tuple(
            EvidenceDoc(
                doc_id=doc_id,
                title=corpus.documents[doc_id].title,
                file=corpus.documents[doc_id].file,
                sections=count,
            )
            for doc_id, count in sorted(by_area.get(area, Counter()).items())
        )
        coverage = CriterionCoverage(criterion or note.doc_id, note.title, area, documents)
        out.append(coverage)
        if coverage.sections < min_sections:
            findings.append(
                Finding(
                    "criteria.no_evidence",
                    coverage.criterion_id,
                    f"{coverage.criterion_id} {note.title}: no site document evidences it",
                )
            )
    return out, findings


def _note_area(note: DocumentView) -> tuple[str | None, str | None]:
    """The note's own ``area`` and ``criterion_id`` from its front matter."""
    area: str | None = None
    criterion: str | None = None
    key = note.first.file_key
    if key and Path(key).is_file():
        from assistant.loaders import load_document

        try:
            extra = load_document(Path(key)).meta.extra
            area, criterion = extra.get("area"), extra.get("criterion_id")
        except Exception as exc:  # a note that no longer loads keeps the mapper's area
            log.info("criteria note %s: %s", key, exc)
    if criterion is None:
        match = _CRITERION_ID.search(note.doc_id)
        criterion = match.group(1) if match else None
    if area is None and criterion and criterion.endswith("-00"):
        area = "overview"
    return area, criterion
