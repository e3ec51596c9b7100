"""Evidence answers: cited sentences from the best sections, or a plain "no evidence".

Pipeline for one question::

    parse (programs, channels, metrics) ─► scope checks ─► hybrid retrieval in scope
      ─► evidence checks (metric named in scope? enough overlap?) ─► sentence selection
      ─► Answer with [n] markers and verbatim quotes (or an abstention with closest sections)

The extractive answerer is deterministic: the same question over the same index gives
the same answer. An optional generator (an LLM) may rewrite it; see ``assistant.llm``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.answers import Answer, Citation
from assistant.embedding import Vectors
from assistant.guard import looks_like_instruction
from assistant.keyword import Tokenizer
from assistant.query import ParsedQuery, Program, Vocabulary
from assistant.retrieval import Filters, Hit, HybridRetriever

# Sentence ends, blank lines and list items; a single newline inside a paragraph is a soft wrap.
_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n"
    r"|\n(?=\s*(?:[-*•|]|\d+[.)]|[a-z][.)]|[A-Z][\w ]{0,40}:)\s)"
    r"|\s(?=[a-h]\)\s)"
)
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|[a-h][.)])\s+")
# Words that say what kind of answer is wanted, not what it is about.
_GENERIC = frozenset(
    [
        "target",
        "targets",
        "set",
        "setting",
        "settl",
        "get",
        "got",
        "much",
        "mani",
        "often",
        "long",
        "whi",
        "happen",
        "happens",
        "procedur",
        "document",
        "documents",
        "polici",
        "site",
        "process",
        "rule",
        "rules",
        "tell",
        "explain",
        "describ",
        "mean",
        "use",
        "need",
        "want",
        "know",
        "make",
        "made",
        "give",
        "given",
        "take",
        "taken",
        "ask",
        "question",
        'answer".',
    ]
)

# Cue words for the aspects a "how was X set / why" answer should cover.
_ASPECTS: dict[str, re.Pattern[str]] = {
    "value": re.compile(r"\d"),
    "derivation": re.compile(
        r"\b(baseline|calculat\w*|formula|study|model|erlang|median|analysis|derived)\b"
        r"|\d\s*[=×÷]\s*\d",
        re.I,
    ),
    "rationale": re.compile(r"\b(because|so that|reason|rationale|why|ensures?|protects?)\b", re.I),
    "source": re.compile(
        r"\b(contract|schedule \d|agreement|statement of work|sow|appendix)\b", re.I
    ),
    "approval": re.compile(r"\b(approv\w*|signed|owner|owns|sign-off)\b", re.I),
    "review": re.compile(r"\b(review\w*|annual\w*|every (year|november|quarter))\b", re.I),
}
_HOW_SET = re.compile(
    r"\b(how|why)\b.*\b(set|setting|derived|decided|chosen|calculated|determined|get)\b", re.I
)
_WHO = re.compile(r"\bwho\b", re.I)
_TARGET = re.compile(r"\b(target|goal|threshold|limit|capped|cap|minimum|maximum|max|min)\b", re.I)
_OVERVIEW = re.compile(
    r"^\s*(\d+(\.\d+)*\.?\s+)?(purpose|scope|introduction|overview|about this)", re.I
)
_ABOUT_COPC = re.compile(
    r"\b(copc|assessor|assessors|standard|criteri\w*|certification|audit)\b", re.I
)


@dataclass(frozen=True)
class AnswerPolicy:
    """Tunable thresholds of the extractive answerer (measured on the gold sets)."""

    sections_considered: int = 4
    max_sentences: int = 6
    min_coverage: float = 0.5
    """Share of the question's content words a top section must contain to count as evidence."""
    min_dense: float = 0.5
    """Cosine similarity of the best dense match that counts as evidence on its own."""
    semantic_weight: float = 3.0
    """Weight of a sentence's cosine similarity to the question, in specific-word units."""
    relative_cutoff: float = 0.35
    """Further sentences must score at least this share of the best one."""


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and list items) in ``text``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in _SENTENCE.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            out.append((a + lead, a + lead + len(piece)))
    return out


@dataclass(frozen=True)
class _Candidate:
    hit_rank: int
    hit: Hit
    quote: str
    score: float
    aspects: frozenset[str]


#: The document type of target-register entries (assistant/loaders/targets.py).
REGISTER = "target-register"


def _covers(candidate: _Candidate) -> frozenset[str]:
    """The aspects a chosen sentence settles. A register entry names the method in a word
    ("checked by Erlang C") and points at its memo: the derivation itself is in the memo."""
    if candidate.hit.metadata.get("doc_type") == REGISTER:
        return candidate.aspects - {"derivation"}
    return candidate.aspects


class ExtractiveAnswerer:
    """Answers from retrieved sections without a language model."""

    def __init__(
        self,
        retriever: HybridRetriever,
        vocabulary: Vocabulary,
        *,
        policy: AnswerPolicy | None = None,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self.retriever = retriever
        self.vocabulary = vocabulary
        self.policy = policy or AnswerPolicy()
        self._tokenize = tokenizer or retriever.index.tokenizer
        self._idf: dict[str, float] | None = None
        self._sentences: dict[str, tuple[list[tuple[int, int]], Vectors]] = {}
        self._idf_digest = ""
        self._idf_default = 1.0
        self._idf_of: object = None
        # Chunks per file (catalog order), rebuilt when the index changes: without it every
        # "how was X set" question scanned the whole catalog for its siblings.
        self._by_file: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._by_file_of: dict[str, dict[str, Any]] | None = None

    def _weights(self) -> dict[str, float]:
        """Inverse document frequency of each word over the indexed chunks (cached per index)."""
        import math

        keyword = self.retriever.index.keyword
        # The index replaces its keyword index whenever its chunks change: identity first
        # (free), the ids digest only when the object is new (it hashes every chunk id).
        if self._idf is None or (
            keyword is not self._idf_of and self._idf_digest != keyword.digest
        ):
            catalog = self.retriever.index.catalog
            df: dict[str, int] = {}
            for entry in catalog.values():
                for word in set(self._tokenize(str(entry.get("text", "")))):
                    df[word] = df.get(word, 0) + 1
            n = max(len(catalog), 1)
            self._idf = {w: math.log(1 + n / c) for w, c in df.items()}
            self._idf_default = max(self._idf.values(), default=1.0)
            self._idf_digest = keyword.digest
        self._idf_of = keyword
        return self._idf

    def _weight(self, words: set[str]) -> float:
        idf = self._weights()
        default = self._idf_default  # the weight of a word the index has never seen
        return sum(idf.get(w, default) for w in words)

    def ask(self, question: str, *, program: str | None = None, role: str | None = None) -> Answer:
        """Answer ``question``; ``program`` and ``role`` limit which documents count."""
        return self.ask_with_hits(question, program=program, role=role)[0]

    def ask_with_hits(
        self, question: str, *, program: str | None = None, role: str | None = None
    ) -> tuple[Answer, list[Hit]]:
        """The answer and the in-scope sections it was drawn from (context for a generator)."""
        started = time.perf_counter()
        answer, hits = self._answer(question.strip(), program, role)
        return _with_latency(answer, started), hits

    # -- steps ------------------------------------------------------------------------------
    def _answer(
        self, question: str, program: str | None, role: str | None = None
    ) -> tuple[Answer, list[Hit]]:
        parsed = self.vocabulary.parse(question)
        scope = self._scope(parsed, program)
        filters = Filters(program=scope.slug if scope else None, role=role)
        if not question:
            return _abstain(question, "No question was given.", []), []
        # One embedding of the expanded question serves the dense search and sentence
        # selection: a model pass is most of an answer's time (measured on the site gold
        # set, the same answers as embedding the question as typed a second time).
        vector = self.retriever.index.embedder.embed([parsed.expanded])[0]
        hits = self.retriever.search(parsed.expanded, k=8, filters=filters, vector=vector)
        answer = self._decide(question, parsed, scope, hits, vector)
        return answer, ([] if answer.abstained else hits)

    def _decide(
        self,
        question: str,
        parsed: ParsedQuery,
        scope: Program | None,
        hits: list[Hit],
        vector: Vectors,
    ) -> Answer:
        closest = hits[:3]
        unsupported = [
            c for c in parsed.channels if scope and scope.channels and c not in scope.channels
        ]
        if scope and unsupported:
            asked = " and ".join(unsupported)
            return _abstain(
                question,
                f"No evidence in the indexed documents for {asked} at {scope.name}: "
                f"{scope.name} is handled on {' and '.join(scope.channels)} only.",
                closest,
            )
        if not hits:
            return _abstain(question, f"No evidence in the indexed documents for “{question}”.", [])
        missing = self._metric_gap(parsed, hits, scope)
        if missing:
            return _abstain(question, missing[0], closest, notes=missing[1:])
        if not self._has_evidence(parsed, hits):
            return _abstain(
                question, f"No evidence in the indexed documents for “{question}”.", closest
            )
        return self._compose(question, parsed, hits, vector)

    def _scope(self, parsed: ParsedQuery, program: str | None) -> Program | None:
        if program:
            from assistant.chunking import normalise_program

            slug = normalise_program(program)
            return self.vocabulary.programs.get(slug) or Program(slug, program, (), ())
        return parsed.program

    def _metric_gap(
        self, parsed: ParsedQuery, hits: list[Hit], scope: Program | None
    ) -> list[str] | None:
        """An abstention message when a metric asked about is not in the in-scope evidence."""
        # A site's targets live in its own documents: criteria notes mention metrics only
        # in general terms, so they do not count as evidence of a target unless asked about.
        about_copc = bool(_ABOUT_COPC.search(parsed.text))
        evidence = [
            h
            for h in hits[: self.policy.sections_considered + 2]
            if about_copc or h.metadata.get("doc_type") != "criteria-note"
        ]
        for metric in parsed.metrics:
            pattern = self.vocabulary.metric_pattern(metric)
            if any(pattern.search(f"{h.section} {h.text}") for h in evidence):
                continue
            where = f" for {scope.name}" if scope else ""
            named = f"{_article(metric.name)} {metric.name}"
            message = f"No evidence in the indexed documents for {named} target{where}."
            if scope:
                elsewhere = self.retriever.search(" ".join(metric.expand) or metric.name, k=8)
                others = sorted(
                    {
                        (str(h.metadata.get("program")), h.doc_id)
                        for h in elsewhere
                        if pattern.search(f"{h.section} {h.text}")
                        and h.metadata.get("program") not in (scope.slug, "site-wide")
                    }
                )
                if others:
                    names = ", ".join(f"{self._program_name(p)} ({doc})" for p, doc in others)
                    message += (
                        f" The documents give {metric.name} only for {names}; "
                        f"those figures do not apply to {scope.name}."
                    )
            return [message]
        return None

    def _program_name(self, slug: str) -> str:
        program = self.vocabulary.programs.get(slug)
        return program.name if program else slug

    def _content_terms(self, parsed: ParsedQuery) -> set[str]:
        terms = set(self._tokenize(parsed.text)) - _GENERIC
        for p in parsed.programs:
            terms -= set(self._tokenize(" ".join([p.name, *p.aliases])))
        return terms

    def _has_evidence(self, parsed: ParsedQuery, hits: list[Hit]) -> bool:
        # A named metric in the heading of a top in-scope section is evidence enough.
        for metric in parsed.metrics:
            pattern = self.vocabulary.metric_pattern(metric)
            if any(pattern.search(" ".join(h.section_path)) for h in hits[:2]):
                return True
        terms = self._content_terms(parsed)
        expanded = set(self._tokenize(parsed.expanded)) - _GENERIC
        best_cov = 0.0
        for hit in hits[: self.policy.sections_considered]:
            words = set(self._tokenize(f"{' '.join(hit.section_path)} {hit.text}"))
            if terms:
                cov = len(terms & words) / len(terms)
            else:
                cov = len(expanded & words) / max(len(expanded), 1)
            best_cov = max(best_cov, cov)
        dense = max((h.signals.get("dense", 0.0) for h in hits[:3]), default=0.0)
        return best_cov >= self.policy.min_coverage or dense >= self.policy.min_dense

    def _sentence_vectors(
        self, hits: list[Hit]
    ) -> dict[str, tuple[list[tuple[int, int]], Vectors]]:
        """Sentence spans and vectors per chunk, embedded once per process and chunk."""
        todo = [h for h in hits if h.chunk_id not in self._sentences]
        spans = {h.chunk_id: split_sentences(h.text) for h in todo}
        texts = [h.text[a:b] for h in todo for a, b in spans[h.chunk_id]]
        if texts:
            vectors = self.retriever.index.embedder.embed(texts)
            row = 0
            for h in todo:
                n = len(spans[h.chunk_id])
                self._sentences[h.chunk_id] = (spans[h.chunk_id], vectors[row : row + n])
                row += n
            while len(self._sentences) > 20000:  # bounded cache
                self._sentences.pop(next(iter(self._sentences)))
        return {h.chunk_id: self._sentences[h.chunk_id] for h in hits}

    def _file_chunks(self, file_key: str) -> list[tuple[str, dict[str, Any]]]:
        """The catalog's (chunk id, entry) pairs of one file, indexed once per catalog.

        The index replaces its catalog object whenever its content changes, so identity
        marks a generation (cheaper than the ids digest, which hashes every chunk id).
        """
        catalog = self.retriever.index.catalog
        if self._by_file_of is not catalog:
            by_file: dict[str, list[tuple[str, dict[str, Any]]]] = {}
            for chunk_id, entry in catalog.items():
                by_file.setdefault(str(entry.get("file_key")), []).append((chunk_id, entry))
            self._by_file, self._by_file_of = by_file, catalog
        return self._by_file.get(file_key, [])

    def _siblings(self, top: Hit, seen: set[str], limit: int = 6) -> list[Hit]:
        """Other chunks under the same parent heading as ``top`` (a sub-section's siblings)."""
        path = top.section_path
        if len(path) < 3:  # a top-level section: its parent is the whole document
            return []
        parent = " > ".join(path[:-1]) + " > "
        out: list[Hit] = []
        for chunk_id, entry in self._file_chunks(str(top.metadata.get("file_key"))):
            if chunk_id in seen:
                continue
            if str(entry.get("section_path", "")).startswith(parent):
                meta = {k: v for k, v in entry.items() if k != "text"}
                out.append(Hit(chunk_id, str(entry["text"]), top.score, meta))
        out.sort(key=lambda h: int(h.metadata.get("start", 0)))
        return out[:limit]

    def _compose(
        self, question: str, parsed: ParsedQuery, hits: list[Hit], query_vector: Vectors
    ) -> Answer:
        terms = set(self._tokenize(parsed.expanded)) - _GENERIC
        core = self._content_terms(parsed) or terms
        how_set = bool(_HOW_SET.search(question))
        about_copc = bool(_ABOUT_COPC.search(question))
        asks_target = bool(_TARGET.search(question))
        considered = hits[: self.policy.sections_considered]
        sibling_ids: set[str] = set()
        if how_set and hits:
            # A derivation is often spread over sibling sections of the same document: take
            # the whole part the best section belongs to ("How the 80/20 target was set").
            # A target register entry summarises and points at its memo: the derivation is
            # in the memo, so the anchor is the best section that is not a register entry.
            anchor = next((h for h in hits if h.metadata.get("doc_type") != REGISTER), hits[0])
            considered += [
                h for h in hits[self.policy.sections_considered :] if h.doc_id == anchor.doc_id
            ]
            siblings = self._siblings(anchor, {h.chunk_id for h in considered})
            sibling_ids = {h.chunk_id for h in siblings}
            considered += siblings
        sentence_vectors = self._sentence_vectors(considered)
        unit = 2.0  # about the weight of one fairly specific word
        intent = _intent(question)
        candidates: list[_Candidate] = []
        for position, hit in enumerate(considered):
            # Siblings of the best section rank with it: they are parts of one explanation.
            rank = 1 if hit.chunk_id in sibling_ids else position
            # The site's own documents are its evidence; criteria notes explain the standard,
            # and purpose/scope sections describe a document rather than answer from it.
            prior = 1.0 if about_copc or hit.metadata.get("doc_type") != "criteria-note" else 0.5
            if _OVERVIEW.search(hit.section):
                prior *= 0.6
            heading_words = set(self._tokenize(" ".join(hit.section_path)))
            spans, vectors = sentence_vectors[hit.chunk_id]
            similarities: list[float] = (vectors @ query_vector).tolist() if len(spans) else []
            for (a, b), similarity in zip(spans, similarities, strict=True):
                quote = hit.text[a:b]
                if (
                    _is_heading_line(quote, hit)
                    or quote.rstrip().endswith(("?", '?"', "?”"))
                    or looks_like_instruction(quote)
                ):
                    continue  # headings, questions and text aimed at a model are not evidence
                words = set(self._tokenize(quote))
                if not words:
                    continue
                overlap = self._weight(core & words) + 0.5 * self._weight((terms - core) & words)
                context = 0.5 * self._weight(core & heading_words)
                aspects = frozenset(n for n, p in _ASPECTS.items() if p.search(quote))
                bonus = self.policy.semantic_weight * unit * max(float(similarity), 0.0)
                bonus += unit * sum(intent.get(a, 0.0) for a in aspects)
                if (parsed.metrics or asks_target) and "value" in aspects:
                    bonus += 0.5 * unit
                if asks_target and "value" in aspects and _TARGET.search(quote):
                    bonus += unit
                score = prior * (overlap + context + bonus) / (1.0 + 0.35 * rank)
                if overlap + context > 0 or similarity >= 0.5:
                    candidates.append(_Candidate(rank, hit, quote, score, aspects))
        if not candidates:
            return _abstain(
                question, f"No evidence in the indexed documents for “{question}”.", hits[:3]
            )
        chosen = self._choose(candidates, how_set)
        return self._render(question, chosen)

    def _choose(self, candidates: list[_Candidate], how_set: bool) -> list[_Candidate]:
        ordered = sorted(candidates, key=lambda c: (-c.score, c.hit_rank, c.quote))
        best = ordered[0]
        chosen = [best]
        covered = _covers(best)
        sections = {best.hit.chunk_id}
        for cand in ordered[1:]:
            if len(chosen) >= self.policy.max_sentences:
                break
            if cand.score < self.policy.relative_cutoff * best.score:
                break
            if cand.quote in {c.quote for c in chosen}:
                continue
            if len(sections | {cand.hit.chunk_id}) > 3:
                continue
            if how_set and cand.aspects and cand.aspects <= covered and len(chosen) >= 2:
                continue
            chosen.append(cand)
            covered |= _covers(cand)
            sections.add(cand.hit.chunk_id)
        if how_set:
            # "How was X set" is answered by the derivation, its source, who approved it and
            # when it is reviewed: add the best sentence of a document already cited for each
            # aspect the answer does not cover yet.
            cited = {c.hit.doc_id for c in chosen}
            for aspect in ("derivation", "source", "approval", "review"):
                if aspect in covered:
                    continue
                extra = next(
                    (
                        c
                        for c in ordered
                        if aspect in c.aspects
                        and c.hit.doc_id in cited
                        and c.score >= 0.15 * best.score
                        and c.quote not in {x.quote for x in chosen}
                    ),
                    None,
                )
                if extra is not None:
                    chosen.append(extra)
                    covered |= _covers(extra)
        # Read in document order within each section, sections by rank.
        chosen = [_with_list(c) for c in chosen]
        follow = _next_sentence(max(chosen, key=lambda c: c.score))
        if follow and follow.quote not in {c.quote for c in chosen}:
            if len(chosen) >= self.policy.max_sentences:
                chosen.pop()
            chosen.append(follow)
        return sorted(chosen, key=lambda c: (c.hit_rank, c.hit.text.find(c.quote)))

    @staticmethod
    def _render(question: str, chosen: list[_Candidate]) -> Answer:
        """One citation per sentence, so every quote is verbatim in its section."""
        sentences: list[str] = []
        citations: list[Citation] = []
        for n, cand in enumerate(chosen, start=1):
            sentence = LIST_ITEM.sub("", " ".join(cand.quote.split())).strip()
            sentence = sentence if sentence.endswith((".", "!", "?", ":")) else sentence + "."
            sentences.append(f"{sentence} [{n}]")
            citations.append(Citation.from_hit(n, cand.hit, cand.quote))
        return Answer(
            question=question, text=" ".join(sentences), abstained=False, citations=citations
        )


_INTENTS: list[tuple[re.Pattern[str], dict[str, float]]] = [
    (re.compile(r"\b(why|reason|rationale)\b", re.I), {"rationale": 1.0, "derivation": 0.5}),
    (
        re.compile(r"\b(calculat\w*|determin\w*|derived?|worked out|come up|land(ed)? on)\b", re.I),
        {"derivation": 1.0, "value": 0.25},
    ),
    (
        re.compile(r"\bhow\b.*\b(set|chosen|decided|agreed|get|got)\b", re.I),
        {"derivation": 0.6, "source": 0.6, "rationale": 0.4, "approval": 0.2},
    ),
    (re.compile(r"\b(who|approv\w*|sign(ed)?[ -]off|owner)\b", re.I), {"approval": 1.0}),
    (re.compile(r"\b(when|how often|reviewed|review)\b", re.I), {"review": 1.0}),
]


def _intent(question: str) -> dict[str, float]:
    """Aspect weights for what the question asks (why, how it was set, who, when)."""
    weights: dict[str, float] = {}
    for pattern, aspects in _INTENTS:
        if pattern.search(question):
            for aspect, weight in aspects.items():
                weights[aspect] = max(weights.get(aspect, 0.0), weight)
    return weights


_LIST_LINE = re.compile(r"\n[ \t]*(?:[-*•]|\d+[.)]|[a-h][.)])[ \t]+[^\n]+")


def _next_sentence(cand: _Candidate) -> _Candidate | None:
    """The sentence right after the best one in its paragraph: answers often continue there."""
    text = cand.hit.text
    end = text.find(cand.quote) + len(cand.quote)
    if "\n\n" in text[end : end + 3]:
        return None
    for a, b in split_sentences(text[end:]):
        quote = text[end + a : end + b]
        if quote.rstrip().endswith("?") or looks_like_instruction(quote) or len(quote) < 20:
            return None
        return _Candidate(cand.hit_rank, cand.hit, quote, cand.score * 0.5, frozenset())
    return None


def _with_list(cand: _Candidate, max_chars: int = 700) -> _Candidate:
    """A sentence that introduces a list ("… alleges:") is quoted with the list items after it."""
    if not cand.quote.rstrip().endswith(":"):
        return cand
    text = cand.hit.text
    start = text.find(cand.quote)
    end = start + len(cand.quote)
    while True:
        match = _LIST_LINE.match(text, end)
        if not match or match.end() - start > max_chars:
            break
        end = match.end()
    if end == start + len(cand.quote):
        return cand
    return _Candidate(cand.hit_rank, cand.hit, text[start:end], cand.score, cand.aspects)


def _is_heading_line(quote: str, hit: Hit) -> bool:
    flat = " ".join(quote.split()).lower().lstrip("#").strip()
    return any(flat == " ".join(h.split()).lower() for h in hit.section_path) or len(flat) < 3


def _abstain(
    question: str, message: str, closest: list[Hit], notes: list[str] | None = None
) -> Answer:
    return Answer(
        question=question, text=message, abstained=True, closest=closest, notes=list(notes or [])
    )


def _with_latency(answer: Answer, started: float) -> Answer:
    from dataclasses import replace

    return replace(answer, latency_ms=(time.perf_counter() - started) * 1000)


Generator = Callable[[str, list[Hit], Answer], Answer]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
