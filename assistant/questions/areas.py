"""Which COPC area a section belongs to, and which roles should practise it.

A site document does not say which COPC area it serves. A section is mapped to the area
of the criteria note it is most similar to (cosine between embeddings, with the index's own
embedder), nudged by keywords in its headings; without an embedder or criteria notes the
keywords alone decide. Area slugs are the ``area:`` values of the criteria notes' front matter.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embedding import Embedder, Vectors
from assistant.questions.corpus import Corpus, SectionView
from assistant.questions.model import Role

log = logging.getLogger(__name__)

GENERAL = "general"
"""The area of a section nothing else matches."""


@dataclass(frozen=True)
class AreaInfo:
    """An area's keywords (regular expressions, lower case) and the roles it concerns."""

    keywords: tuple[str, ...]
    roles: tuple[Role, ...]


AREAS: dict[str, AreaInfo] = {
    "setting-direction": AreaInfo(
        (r"\bmission\b", r"\bvision\b", r"setting direction"), ("manager",)
    ),
    "business-planning": AreaInfo((r"business plan", r"annual plan"), ("manager",)),
    "target-setting": AreaInfo(
        (
            r"target[- ]setting",
            r"how the .* target was",
            r"target was set",
            r"target register",
            r"\bbaseline\b",
            r"proposing .* target",
            r"approving a target",
            r"why .* target is",
        ),
        ("team_lead", "manager"),
    ),
    "performance-review": AreaInfo(
        (
            r"kpi review",
            r"\bhuddle\b",
            r"operations review",
            r"business review",
            r"review meetings",
        ),
        ("team_lead", "manager"),
    ),
    "technology-and-security": AreaInfo(
        (
            r"secur",
            r"password",
            r"clean desk",
            r"personal phones",
            r"pause-and-resume",
            r"data privacy",
            r"access review",
            r"customer data",
        ),
        ("agent", "team_lead", "manager"),
    ),
    "business-continuity": AreaInfo((r"continuity", r"disaster", r"outage plan"), ("manager",)),
    "job-definitions": AreaInfo((r"job definition", r"minimum skills"), ("manager",)),
    "recruiting": AreaInfo((r"recruit", r"hiring", r"\bcandidates?\b"), ("manager",)),
    "training": AreaInfo(
        (r"training", r"classroom", r"refresher", r"\bnesting\b", r"curricul"),
        ("agent", "team_lead", "manager"),
    ),
    "skills-verification": AreaInfo(
        (
            r"proficiency",
            r"verification before live",
            r"knowledge test",
            r"mock contact",
            r"sign-off",
            r"retest",
        ),
        ("agent", "team_lead", "manager"),
    ),
    "attrition": AreaInfo(
        (r"attrition", r"leavers?\b", r"absentee", r"absence", r"headcount"), ("manager",)
    ),
    "people-satisfaction": AreaInfo((r"employee satisfaction", r"engagement survey"), ("manager",)),
    "service-performance": AreaInfo(
        (
            r"service level",
            r"speed of answer",
            r"\basa\b",
            r"abandon",
            r"response time",
            r"accepted within",
        ),
        ("team_lead", "manager"),
    ),
    "quality-performance": AreaInfo(
        (r"transaction accuracy", r"reporting accuracy", r"accuracy target"),
        ("team_lead", "manager", "quality"),
    ),
    "cost-efficiency": AreaInfo(
        (r"handle time", r"\baht\b", r"after-call work", r"\bacw\b", r"\bcost\b"),
        ("team_lead", "manager"),
    ),
    "satisfaction-performance": AreaInfo(
        (r"\bcsat\b", r"customer satisfaction", r"first contact resolution", r"\bfcr\b", r"survey"),
        ("team_lead", "manager"),
    ),
    "performance-evidence": AreaInfo(
        (r"retention schedule", r"records kept", r"evidence", r"records and retention"),
        ("manager", "quality"),
    ),
    "kcrp-design": AreaInfo(
        (r"escalat", r"\bkcrp", r"process map", r"verify a customer", r"verification rule"),
        ("agent", "team_lead"),
    ),
    "forecasting-capacity": AreaInfo(
        (r"forecast", r"erlang", r"staffing", r"capacity", r"shrinkage"), ("manager",)
    ),
    "scheduling-rtm": AreaInfo(
        (r"adherence", r"schedul", r"real-time", r"intraday"), ("team_lead", "manager")
    ),
    "transaction-monitoring": AreaInfo(
        (
            r"monitoring",
            r"evaluations?\b",
            r"selecting contacts",
            r"feedback and coaching",
            r"monitoring grid",
        ),
        ("team_lead", "quality"),
    ),
    "calibration": AreaInfo((r"calibrat", r"tolerance"), ("team_lead", "quality")),
    "accuracy-error-classes": AreaInfo(
        (
            r"error class",
            r"customer-critical",
            r"business-critical",
            r"compliance-critical",
            r"\bfatal\b",
            r"scorecard",
            r"overall score",
        ),
        ("agent", "team_lead", "quality"),
    ),
    "sample-size": AreaInfo(
        (
            r"sample size",
            r"sample-size",
            r"evaluations per agent",
            r"margin of error",
            r"double sample",
        ),
        ("team_lead", "quality"),
    ),
    "corrective-action": AreaInfo(
        (
            r"root[- ]cause",
            r"action log",
            r"improvement plan",
            r"\bpip\b",
            r"corrective",
            r"action plans?",
        ),
        ("team_lead", "manager"),
    ),
    "knowledge-management": AreaInfo(
        (
            r"document control",
            r"knowledge base",
            r"superseded",
            r"document ids?",
            r"changing a document",
        ),
        ("team_lead", "manager", "quality"),
    ),
    "customer-feedback": AreaInfo(
        (r"complaint", r"customer feedback"), ("agent", "team_lead", "manager")
    ),
}
CRITERIA_ROLES: tuple[Role, ...] = ("manager", "quality")
KEYWORD_WEIGHT = 0.08
"""Cosine bonus per keyword found in a section's headings."""
TITLE_WEIGHT = 0.05
"""Cosine bonus per keyword found in the document's title."""
DOCUMENT_MARGIN = 0.04
"""A section keeps its document's main area unless another area fits it this much better."""


def keyword_scores(text: str) -> dict[str, int]:
    """Keyword hits per area in ``text``."""
    low = text.lower()
    scores: dict[str, int] = {}
    for area, info in AREAS.items():
        hits = sum(1 for k in info.keywords if re.search(k, low))
        if hits:
            scores[area] = hits
    return scores


def roles_for(area: str, *, criteria_note: bool = False) -> tuple[Role, ...]:
    """Who should practise questions of ``area``."""
    if criteria_note:
        return CRITERIA_ROLES
    info = AREAS.get(area)
    return info.roles if info else ("team_lead", "manager")


def _criteria_area(section: SectionView) -> str | None:
    """A criteria note's own ``area:`` from its front matter, read from the indexed file."""
    if not section.file_key:
        return None
    path = Path(section.file_key)
    if not path.is_file():
        return None
    from assistant.loaders import load_document

    try:
        return load_document(path).meta.extra.get("area")
    except Exception as exc:  # a note that no longer loads just loses its area
        log.info("no area for %s: %s", path.name, exc)
        return None


class CachedEmbedder:
    """Wraps an embedder and remembers vectors by text, so regenerating the bank over an
    unchanged index does not embed the same sections again."""

    def __init__(self, embedder: Embedder, *, max_items: int = 20000) -> None:
        self.inner = embedder
        self._max = max_items
        self._vectors: dict[str, Vectors] = {}

    @property
    def embedder_id(self) -> str:
        return self.inner.embedder_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: list[str]) -> Vectors:
        todo = sorted({t for t in texts if t not in self._vectors})
        if todo:
            for text, vector in zip(todo, self.inner.embed(todo), strict=True):
                self._vectors[text] = vector
            while len(self._vectors) > self._max:
                self._vectors.pop(next(iter(self._vectors)))
        if not texts:
            return self.inner.embed([])
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)


class AreaMapper:
    """Maps sections to COPC area slugs (cached per section key)."""

    def __init__(self, corpus: Corpus, embedder: Embedder | None = None) -> None:
        self.corpus = corpus
        self.embedder = embedder
        self._doc_area: dict[str, str] = {}
        self._cache: dict[tuple[str, str, str], str] = {}
        self._doc_main: dict[str, str] = {}
        self._profiles: tuple[list[str], Vectors] | None = None
        for doc in corpus.documents.values():
            if doc.doc_type == "criteria-note":
                area = _criteria_area(doc.first) or _best_keyword(doc.title)
                if area and area in AREAS:
                    self._doc_area[doc.doc_id] = area

    def area_of(self, section: SectionView) -> str:
        """The COPC area of ``section``."""
        if section.doc_id in self._doc_area:
            return self._doc_area[section.doc_id]
        key = section.key
        if key not in self._cache:
            self._map([s for s in self.corpus.sections if s.doc_id not in self._doc_area])
        return self._cache.get(key) or self._keyword_area(section)

    def document_area(self, doc_id: str) -> str:
        """The area most of a document's sections belong to."""
        if doc_id in self._doc_area:
            return self._doc_area[doc_id]
        doc = self.corpus.documents[doc_id]
        areas = [self.area_of(s) for s in doc.sections]
        if doc_id in self._doc_main:
            return self._doc_main[doc_id]
        return max(sorted(set(areas)), key=areas.count) if areas else GENERAL

    def _keyword_area(self, section: SectionView) -> str:
        heads = keyword_scores(" ".join([*section.section_path, section.title]))
        body = keyword_scores(section.text)
        scores = {a: 3 * heads.get(a, 0) + body.get(a, 0) for a in set(heads) | set(body)}
        return max(sorted(scores), key=lambda a: scores[a]) if scores else GENERAL

    def _map(self, sections: list[SectionView]) -> None:
        profiles = self._area_profiles()
        if profiles is None or not sections:
            for s in sections:
                self._cache[s.key] = self._keyword_area(s)
            return
        areas, matrix = profiles
        vectors = self.embed([_section_text(s) for s in sections])
        similarities = vectors @ matrix.T
        scores = np.zeros_like(similarities)
        for row, section in enumerate(sections):
            heads = keyword_scores(
                " > ".join(h for h in section.section_path if h != section.title)
            )
            title = keyword_scores(section.title)
            for j, area in enumerate(areas):
                scores[row, j] = (
                    similarities[row, j]
                    + KEYWORD_WEIGHT * heads.get(area, 0)
                    + TITLE_WEIGHT * title.get(area, 0)
                )
        best = scores.argmax(axis=1)
        # A section that fits its document's main area almost as well as its best area
        # stays with the document: areas should not flicker section by section.
        by_doc: dict[str, list[int]] = {}
        for row, section in enumerate(sections):
            by_doc.setdefault(section.doc_id, []).append(row)
        for rows in by_doc.values():
            counts = np.bincount(best[rows], minlength=len(areas))
            main = int(counts.argmax())
            self._doc_main[sections[rows[0]].doc_id] = areas[main]
            for row in rows:
                choice = int(best[row])
                if scores[row, choice] - scores[row, main] < DOCUMENT_MARGIN:
                    choice = main
                self._cache[sections[row].key] = areas[choice]

    def embed(self, texts: list[str]) -> Vectors:
        """Vectors from the mapper's embedder."""
        assert self.embedder is not None
        return self.embedder.embed(texts)

    def _area_profiles(self) -> tuple[list[str], Vectors] | None:
        """One unit vector per area: the mean of its criteria notes' section vectors."""
        if self._profiles is not None:
            return self._profiles
        if self.embedder is None or not self._doc_area:
            return None
        by_area: dict[str, list[str]] = {}
        for doc in self.corpus.documents.values():
            area = self._doc_area.get(doc.doc_id)
            if area:
                by_area.setdefault(area, []).append(_note_text(doc.title, doc.sections))
        areas = sorted(by_area)
        rows = []
        for area in areas:
            mean = self.embed(by_area[area]).mean(axis=0)
            rows.append(mean / (np.linalg.norm(mean) or 1.0))
        self._profiles = (areas, np.asarray(rows, dtype=np.float32))
        return self._profiles


def _section_text(section: SectionView) -> str:
    heading = " > ".join(section.section_path)
    return f"{section.title} | {heading}\n{section.text[:1000]}"


def _note_text(title: str, sections: tuple[SectionView, ...]) -> str:
    """A criteria note as one text: its title, headings and opening paragraphs."""
    body = " ".join(s.text for s in sections)
    return f"{title}\n{body[:1500]}"


def _best_keyword(text: str) -> str | None:
    scores = keyword_scores(text)
    return max(sorted(scores), key=lambda a: scores[a]) if scores else None
