"""The site target register (YAML) as a document: one section per target, in plain sentences.

Reading the register as a document lets retrieval and the extractive answerer cite it as they
cite any memo: "how was the X target set?" finds the entry, which states the figure, how it
was set, the source document and section, the owner, the approvals and the next review.

Only a YAML mapping with a ``targets:`` list is a register; any other YAML file (authored
questions, configuration) raises ``UnsupportedFileType`` so ingest passes over it.
"""

from __future__ import annotations

import yaml  # type: ignore[import-untyped, unused-ignore]

from assistant.documents import DocumentMeta, LoadedDocument
from assistant.errors import LoadError, UnsupportedFileType
from assistant.loaders.builder import TextBuilder, finish
from assistant.loaders.common import decode_text
from assistant.reports.registry import (
    RegistryError,
    TargetEntry,
    TargetRegistry,
    looks_like_registry,
    parse_registry,
)


def load_targets(data: bytes, *, name: str) -> LoadedDocument:
    """Load a target register.

    Args:
        data: The file's bytes (UTF-8 YAML).
        name: The bare file name.

    Returns:
        The register as a document: a short introduction, then one section per target.

    Raises:
        UnsupportedFileType: The YAML is not a target register (no ``targets:`` list).
        LoadError: The register is not valid YAML or an entry is invalid.
    """
    try:
        parsed = yaml.safe_load(decode_text(data))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise LoadError(f"YAML could not be parsed{where}; check the indentation") from exc
    if not looks_like_registry(parsed):
        raise UnsupportedFileType(
            "YAML files are read only as a target register (a `targets:` list); "
            "this one is data, not a document"
        )
    try:
        registry = parse_registry(parsed, name=name)
    except RegistryError as exc:
        raise LoadError(str(exc)) from exc
    return registry_document(registry, name=name)


def registry_document(registry: TargetRegistry, *, name: str) -> LoadedDocument:
    """The register as a ``LoadedDocument``: a short introduction, one section per target."""
    info = registry.info
    builder = TextBuilder()
    builder.add_heading(1, info.title)
    builder.add_paragraph(
        f"This register lists {len(registry.targets)} targets, one entry each: the figure, "
        "the method, the document that explains how it was set, the owner, the approvals and "
        "the next review date."
    )
    for entry in registry.targets:
        builder.add_heading(2, f"{entry.label} target")
        builder.add_paragraph("\n".join(entry_sentences(entry)))
    meta = DocumentMeta(
        doc_id=info.doc_id,
        title=info.title,
        version=info.version,
        owner=info.owner,
        effective_date=info.effective_date,
        # Client approval is recorded per target, in each entry's sentences.
        client_approved=(
            "Per entry: each target states its client approval"
            if info.program
            else "Not applicable (site-wide targets)"
        ),
        approved_by=info.approved_by,
        program=info.program,
        doc_type=info.doc_type,
        next_review=info.next_review,
        extra={"audience": info.audience} if info.audience else {},
    )
    return finish(builder, file=name, meta=meta, title=info.title)


def entry_sentences(entry: TargetEntry) -> list[str]:
    """One entry as a few plain sentences: figure, how it was set, source, approvals, review."""
    better = "higher is better" if entry.direction == "higher" else "lower is better"
    lines = [f"The {entry.label} target is {entry.figure()} ({better})."]
    method = f" ({entry.method})" if entry.method else ""
    if entry.how_set:
        lines.append(f"How it was set{method}: {entry.how_set.strip()}")
    else:
        lines.append("The register records no rationale for how this target was set.")
    source = entry.source
    if source.given:
        where = source.doc_id or source.file
        file = f" ({source.file})" if source.doc_id and source.file else ""
        section = f", section “{source.section}”" if source.section else ""
        lines.append(f"Source: {where}{file}{section}.")
    else:
        lines.append("The register names no source document for this target.")
    owner = f"Owned by {entry.owner}; " if entry.owner else ""
    approval = (
        f"approved by {entry.approver}" if entry.approver else "no internal approver recorded"
    )
    if not entry.client_program:
        client = "site policy, so no client approval is needed"
    elif entry.client_approver:
        when = f" on {entry.approved_on.isoformat()}" if entry.approved_on else ""
        client = f"client approval by {entry.client_approver}{when}"
    else:
        client = "no client approval recorded"
    text = f"{owner}{approval}; {client}."
    lines.append(text[:1].upper() + text[1:])
    start = f"Effective from {entry.effective.isoformat()}; " if entry.effective else ""
    review = (
        f"next review due {entry.next_review.isoformat()}."
        if entry.next_review
        else "no next review date is recorded."
    )
    lines.append(start + (review if start else review[:1].upper() + review[1:]))
    return lines
