"""Questions about the documents themselves: which document holds a rule, and who approves.

"Which document" quotes a distinctive sentence and offers the document and its closest
neighbours (by title similarity) as choices. "Who approves" comes from the client-approval
field of each document's control block, and from sentences that name an approving role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from assistant.questions.corpus import DocumentView, SectionView
from assistant.questions.generators.base import (
    GenContext,
    label_without,
    make_question,
    stable_pick,
)
from assistant.questions.model import Question
from assistant.questions.text import collapse, normalise

WHICH_PER_DOCUMENT = 3
LONGEST_RATIO = 1.5
_GENERIC_HEADINGS = re.compile(
    r"^(\d+(\.\d+)*\.?\s+)?(purpose|scope|purpose and scope|records?( kept)?|responsibilities|"
    r"roles( and responsibilities)?|definitions|related documents|approvals? and review|"
    r"ownership.*|review cycle|evidence and records|records and retention)$",
    re.I,
)
ROLE_TITLES: tuple[str, ...] = (
    "Site Director",
    "Operations Manager",
    "Quality Manager",
    "WFM Manager",
    "Training Manager",
    "HR Manager",
    "Information Security Officer",
    "Continuous Improvement Lead",
    "team lead",
    "QA analyst",
)
_APPROVES = re.compile(r"\b(approv\w*|signs?|signed|sign-off|signs off)\b", re.I)
_PERSON = r"[A-Z]\w+ [A-Z]\w+"
_NOT_APPLICABLE = re.compile(r"not applicable|not required|n/a", re.I)
_CLIENT_APPROVAL_LINE = re.compile(r"approved by client|client approval", re.I)
_APPROVAL_SECTION = re.compile(r"approv|ownership", re.I)
_APPROVER = re.compile(rf"({_PERSON}) \(([^)]*)\)")


def _doc_choice(doc: DocumentView) -> str:
    return f"{doc.doc_id} {doc.title}"


def generate_documents(ctx: GenContext) -> Iterator[Question]:
    """``which_document`` and ``who_approves`` questions."""
    site_docs = [d for d in ctx.corpus.documents.values() if d.doc_type != "criteria-note"]
    if len(site_docs) >= 4:
        neighbours = _neighbours(ctx, site_docs)
        for doc in site_docs:
            yield from _which_document(ctx, doc, neighbours[doc.doc_id])
    yield from _client_approval(ctx, site_docs)
    yield from _site_approver(ctx, site_docs)
    yield from _approving_roles(ctx)


# -- which document ---------------------------------------------------------------------------
def _neighbours(ctx: GenContext, docs: list[DocumentView]) -> dict[str, list[DocumentView]]:
    """Other documents, most similar title first (document order without an embedder)."""
    if ctx.areas.embedder is None:
        return {d.doc_id: [o for o in docs if o is not d] for d in docs}
    vectors = ctx.areas.embed([d.title for d in docs])
    sims = vectors @ vectors.T
    out = {}
    for i, doc in enumerate(docs):
        order = [int(j) for j in np.argsort(-sims[i], kind="stable") if int(j) != i]
        out[doc.doc_id] = [docs[j] for j in order]
    return out


def _distinct_headings(ctx: GenContext) -> set[str]:
    seen: dict[str, set[str]] = {}
    for s in ctx.corpus.sections:
        seen.setdefault(normalise(s.section), set()).add(s.doc_id)
    return {h for h, docs in seen.items() if len(docs) == 1}


def _which_document(
    ctx: GenContext, doc: DocumentView, others: list[DocumentView]
) -> Iterator[Question]:
    distinct = _distinct_headings(ctx)
    candidates: list[tuple[SectionView, str, str]] = []
    for section in doc.sections:
        heading = normalise(section.section)
        if heading not in distinct or _GENERIC_HEADINGS.match(section.section.strip()):
            continue
        if heading == normalise(doc.title):
            continue
        for s in section.statements(min_chars=50, max_chars=220):
            if s.text.endswith(".") and doc.doc_id.lower() not in s.text.lower():
                candidates.append((section, s.text, s.chunk_id))
                break
    candidates.sort(key=lambda c: (-len(c[0].text), c[0].section))
    answer_text = _doc_choice(doc)
    for section, quote, chunk_id in candidates[:WHICH_PER_DOCUMENT]:
        wrong = [_doc_choice(o) for o in others[:3]]
        if max(len(w) for w in wrong) * LONGEST_RATIO < len(answer_text):
            longer = [
                _doc_choice(o)
                for o in others[3:]
                if len(_doc_choice(o)) * LONGEST_RATIO >= len(answer_text)
            ]
            if not longer:
                continue
            wrong[-1] = longer[0]
        choices = sorted([answer_text, *wrong])
        yield make_question(
            ctx,
            section,
            kind="which_document",
            prompt=f"Which document says: “{quote}”",
            choices=choices,
            answer=choices.index(answer_text),
            explanation=f"{doc.doc_id} ({doc.title}), section “{section.section}”.",
            quote=quote,
            fact=doc.doc_id,
            chunk_id=chunk_id,
        )


# -- who approves -----------------------------------------------------------------------------
def _client_approvers(docs: list[DocumentView]) -> dict[str, str]:
    """Client approver name → program name, from every document's client-approval field."""
    programs = {" ".join(w.capitalize() for w in (d.program or "").split("-")) for d in docs} - {
        "",
        "Site Wide",
    }
    out: dict[str, str] = {}
    for doc in docs:
        for name, org in _APPROVER.findall(doc.first.client_approved or ""):
            program = next((p for p in sorted(programs) if p.lower() in org.lower()), org)
            out.setdefault(name, program)
    return out


def _client_approval(ctx: GenContext, docs: list[DocumentView]) -> Iterator[Question]:
    approvers = _client_approvers(docs)
    if len(approvers) != 2:
        return  # the choices below are written for two client approvers
    a, b = sorted(approvers)
    # Mutually exclusive wordings ("X only" never contains "X and Y").
    choices = (f"{a} only", f"{b} only", f"{a} and {b}", "Not applicable (site policy)")
    for doc in docs:
        value = doc.first.client_approved or ""
        names = {n for n, _ in _APPROVER.findall(value)}
        not_applicable = _NOT_APPLICABLE.search(value)
        if not_applicable and not names:
            answer, fact = 3, not_applicable.group(0)
        elif names == {a, b}:
            answer, fact = 2, f"{a}; {b}"
        elif names in ({a}, {b}):
            answer, fact = (0 if a in names else 1), next(iter(names))
        else:
            continue
        found = _approval_line(doc, fact)
        if found is None:
            continue
        section, quote, chunk_id = found
        yield make_question(
            ctx,
            section,
            kind="who_approves",
            prompt=f"Who gave client approval for {doc.doc_id} “{doc.title}”?",
            choices=choices,
            answer=answer,
            explanation=f"The control block of {doc.doc_id} reads: “{quote}”",
            quote=quote,
            fact=fact,
            chunk_id=chunk_id,
            area=ctx.areas.document_area(doc.doc_id),
        )


_PERSON_WITH_ROLE = re.compile(rf"^{_PERSON} \([^)]+\)$")


def _site_approver(ctx: GenContext, docs: list[DocumentView]) -> Iterator[Question]:
    """One question per distinct site approver (``approved_by``), on the first document
    whose control block records it; the other choices are people named in the metadata."""
    people = sorted(
        {
            value.strip()
            for d in docs
            for value in (d.first.owner, d.first.approved_by)
            if value and _PERSON_WITH_ROLE.match(value.strip())
        }
    )
    seen: set[str] = set()
    for doc in sorted(docs, key=lambda d: d.doc_id):
        approver = (doc.first.approved_by or "").strip()
        if approver in seen or not _PERSON_WITH_ROLE.match(approver):
            continue
        line = _control_line(doc, "approved by", approver)
        others = [p for p in people if p != approver]
        if line is None or len(others) < 3:
            continue
        seen.add(approver)
        section, quote, chunk_id = line
        start = stable_pick(doc.doc_id, len(others))
        choices = sorted([approver, *(others[(start + k) % len(others)] for k in range(3))])
        yield make_question(
            ctx,
            section,
            kind="who_approves",
            prompt=f"Who is the site approver (“Approved by”) of {doc.doc_id} “{doc.title}”?",
            choices=choices,
            answer=choices.index(approver),
            explanation=f"The control block of {doc.doc_id} reads: “{quote}”",
            quote=quote,
            fact=approver,
            chunk_id=chunk_id,
            area=ctx.areas.document_area(doc.doc_id),
        )


def _control_line(doc: DocumentView, key: str, value: str) -> tuple[SectionView, str, str] | None:
    """The control-block line ``key | value`` (or ``key: value``) of a document."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*[|:]\s*{re.escape(value)}\s*$", re.I)
    for section in doc.sections[:2]:
        if not section.is_control_block:
            continue
        for chunk in section.chunks:
            for line in chunk.text.splitlines():
                if pattern.match(line):
                    return section, collapse(line), chunk.chunk_id
    return None


def _approval_line(doc: DocumentView, fact: str) -> tuple[SectionView, str, str] | None:
    """The line of the control block (or an approval section) recording client approval."""
    needles = [f.strip().lower() for f in fact.split(";")]
    for position, section in enumerate(doc.sections):
        if section.is_control_block and position < 2:
            lines = [(line, c.chunk_id) for c in section.chunks for line in c.text.splitlines()]
        elif _APPROVAL_SECTION.search(section.section):
            lines = [(s.text, s.chunk_id) for s in section.sentences()]
        else:
            continue
        for line, chunk_id in lines:
            low = line.lower()
            if _CLIENT_APPROVAL_LINE.search(line) and all(n in low for n in needles):
                return section, collapse(line), chunk_id
    return None


_PASSIVE = re.compile(r"\b(approved|signed)\s+by\s+(the\s+)?", re.I)
_LABEL = re.compile(r"\bapproval\s*:\s*", re.I)
_ACTIVE = re.compile(r"\b(approves|signs off|signs)\b", re.I)


def _is_approver(text: str, hit: re.Match[str]) -> bool:
    """The role named at ``hit`` is the one approving or signing in ``text``."""
    passive = [m.end() for m in _PASSIVE.finditer(text)]
    if passive:
        return hit.start() in passive
    label = _LABEL.search(text)
    if label:
        return hit.start() >= label.end()
    active = _ACTIVE.search(text)
    return active is not None and hit.end() <= active.start()


def _approving_roles(ctx: GenContext) -> Iterator[Question]:
    """Sentences naming the one role that approves or signs something."""
    present = [
        r
        for r in ROLE_TITLES
        if any(r.lower() in s.text.lower() for s in ctx.corpus.site_sections())
    ]
    if len(present) < 4:
        return
    for section in ctx.corpus.site_sections():
        for sentence in section.statements():
            text = sentence.text
            if not _APPROVES.search(text):
                continue
            mentions = [r for r in present if re.search(rf"\b{re.escape(r)}s?\b", text, re.I)]
            if len(mentions) != 1:
                continue
            role = mentions[0]
            pattern = re.compile(
                rf"(?:{_PERSON},\s+)?(?<![\w-])(?i:{re.escape(role)})(?:,\s+{_PERSON},?)?(?![\w-])"
            )
            hits = list(pattern.finditer(text))
            if len(hits) != 1 or not _is_approver(text, hits[0]):
                continue
            hit = hits[0]
            blanked = text[: hit.start()] + "____" + text[hit.end() :]
            wrong = [r for r in present if r != role]
            start = stable_pick(text, len(wrong))
            picked = [wrong[(start + k) % len(wrong)] for k in range(3)]
            answer_text = text[hit.start() : hit.end()]
            role_text = re.search(re.escape(role), answer_text, re.I)
            shown = role_text.group(0) if role_text else role
            shown = shown[:1].upper() + shown[1:]
            choices = sorted([shown, *(p[:1].upper() + p[1:] for p in picked)])
            yield make_question(
                ctx,
                section,
                kind="who_approves",
                prompt=f"Who approves or signs? Complete the statement from "
                f"{label_without(section, role)}: “{blanked}”",
                choices=choices,
                answer=choices.index(shown),
                explanation=f"{section.doc_id} says: “{text}”",
                quote=text,
                fact=shown,
                chunk_id=sentence.chunk_id,
            )
