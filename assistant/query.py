"""Query understanding: programs, channels and metrics named in a question, and expansions.

All vocabulary is data (``assistant/data/terms.yaml``, extended by ``COPC_TERMS_FILE``), so a
site adds its own programs, metric names and abbreviations without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import ConfigError


@dataclass(frozen=True)
class Program:
    """A client program: its slug, display name, aliases and channels."""

    slug: str
    name: str
    aliases: tuple[str, ...]
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    """A metric people ask about, with the words that name it."""

    key: str
    name: str
    aliases: tuple[str, ...]
    expand: tuple[str, ...]
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """What a question asks about."""

    text: str
    expanded: str
    programs: tuple[Program, ...] = ()
    channels: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()

    @property
    def program(self) -> Program | None:
        """The single program named, if exactly one is."""
        return self.programs[0] if len(self.programs) == 1 else None


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    ordered = sorted({p.lower() for p in phrases if p}, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in ordered) or r"(?!x)x"
    return re.compile(rf"(?<![\w/-])(?:{body})(?![\w/-])", re.IGNORECASE)


@dataclass
class Vocabulary:
    """Programs, channels, metrics and synonyms, compiled for matching."""

    programs: dict[str, Program]
    channels: dict[str, tuple[str, ...]]
    metrics: dict[str, Metric]
    synonyms: dict[str, tuple[str, ...]]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, extra: Path | None = None) -> Vocabulary:
        """The bundled vocabulary, merged with a site file when given."""
        text = resources.files("assistant.data").joinpath("terms.yaml").read_text(encoding="utf-8")
        data: dict[str, Any] = yaml.safe_load(text)
        if extra is not None:
            try:
                site = yaml.safe_load(extra.read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ConfigError(
                    f"cannot read terms file {extra}: {exc}; fix or unset COPC_TERMS_FILE"
                ) from exc
            for section in ("programs", "channels", "metrics", "synonyms"):
                data.setdefault(section, {}).update(site.get(section) or {})
        return cls(
            programs={
                slug: Program(
                    slug,
                    str(p.get("name", slug)),
                    tuple(p.get("aliases", [])),
                    tuple(p.get("channels", [])),
                )
                for slug, p in (data.get("programs") or {}).items()
            },
            channels={k: tuple(v) for k, v in (data.get("channels") or {}).items()},
            metrics={
                key: Metric(
                    key,
                    str(m.get("name", key)),
                    tuple(m.get("aliases", [])),
                    tuple(m.get("expand", [])),
                    tuple(m.get("channels", [])),
                )
                for key, m in (data.get("metrics") or {}).items()
            },
            synonyms={str(k): tuple(v) for k, v in (data.get("synonyms") or {}).items()},
        )

    @cached_property
    def _program_patterns(self) -> list[tuple[Program, re.Pattern[str]]]:
        return [(p, _pattern([p.name, *p.aliases])) for p in self.programs.values()]

    @cached_property
    def _channel_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        return [(c, _pattern(list(words))) for c, words in self.channels.items()]

    @cached_property
    def _metric_patterns(self) -> list[tuple[Metric, re.Pattern[str]]]:
        return [(m, _pattern([m.name, *m.aliases])) for m in self.metrics.values()]

    @cached_property
    def _synonym_patterns(self) -> list[tuple[tuple[str, ...], re.Pattern[str]]]:
        return [(words, _pattern([key])) for key, words in self.synonyms.items()]

    def metric_pattern(self, metric: Metric) -> re.Pattern[str]:
        """Matches any name of ``metric`` in a text."""
        return dict((m.key, p) for m, p in self._metric_patterns)[metric.key]

    def program_pattern(self, program: Program) -> re.Pattern[str]:
        """Matches any name of ``program`` in a text."""
        return dict((p.slug, pat) for p, pat in self._program_patterns)[program.slug]

    def parse(self, question: str) -> ParsedQuery:
        """Find programs, channels and metrics in ``question`` and build the expanded query."""
        programs = tuple(p for p, pat in self._program_patterns if pat.search(question))
        channels = tuple(c for c, pat in self._channel_patterns if pat.search(question))
        metrics = [m for m, pat in self._metric_patterns if pat.search(question)]
        # "chat service level" also matches "service level": keep the most specific metric.
        names = {m.key: m for m in metrics}
        if "chat-service-level" in names:
            names.pop("service-level", None)
        extra: list[str] = []
        for m in names.values():
            extra.extend(m.expand)
        for words, pat in self._synonym_patterns:
            if pat.search(question):
                extra.extend(words)
        for p in programs:
            extra.append(p.name)
        expanded = " ".join([question, *dict.fromkeys(extra)])
        return ParsedQuery(question, expanded, programs, channels, tuple(names.values()))
