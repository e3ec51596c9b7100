"""Checks a gold set against its corpus: files, sections and answer facts all exist.

Usage: ``python -m evals.check GOLD CORPUS_DIR`` (exit 1 and one line per problem).
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.documents import LoadedDocument
from assistant.loaders import REGISTER_SUFFIXES, SUPPORTED_SUFFIXES, load_document
from evals.gold import GoldQuestion, load_gold, normalise_heading

_QUOTES = str.maketrans({"’": "'", "‘": "'"})


def _norm(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def check_gold(questions: list[GoldQuestion], corpus: Path) -> list[str]:
    """Problems found (empty when the gold set is consistent with the corpus)."""
    readable = SUPPORTED_SUFFIXES | REGISTER_SUFFIXES  # target registers are documents too
    files = {p.name: p for p in corpus.rglob("*") if p.suffix.lower() in readable}
    loaded: dict[str, LoadedDocument] = {}
    problems: list[str] = []
    for q in questions:
        for source in q.expected_sources:
            path = files.get(source.file)
            if path is None:
                problems.append(f"{q.id}: no file {source.file!r} in {corpus}")
                continue
            if source.file not in loaded:
                loaded[source.file] = load_document(path)
            doc = loaded[source.file]
            want = normalise_heading(source.section)
            inside = [s for s in doc.sections if any(normalise_heading(h) == want for h in s.path)]
            if not inside:
                problems.append(f"{q.id}: no section {source.section!r} in {source.file}")
        texts = []
        for source in q.expected_sources:
            if source.file not in loaded:
                continue
            doc = loaded[source.file]
            want = normalise_heading(source.section)
            texts += [
                s.text for s in doc.sections if any(normalise_heading(h) == want for h in s.path)
            ]
        blob = _norm(" ".join(texts))
        for fact in q.answer_facts:
            if _norm(fact) not in blob:
                problems.append(f"{q.id}: answer fact {fact!r} not in its expected sections")
    return problems


def main(argv: list[str] | None = None) -> int:
    """CLI entry: print problems, exit 1 when there are any."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m evals.check GOLD CORPUS_DIR", file=sys.stderr)
        return 2
    problems = check_gold(load_gold(Path(args[0])), Path(args[1]))
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
