"""The site target register: one typed entry per target, read from YAML.

The register (``corpus/site/targets.yaml`` in the bundled site) is where a site records, for
every target, what it is, how it was set, where that is documented, who owns and approved it
and when it is reviewed. The audit checks it; the loader in ``assistant/loaders/targets.py``
turns it into a document so evidence answers can cite it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped, unused-ignore]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import AssistantError

SITE_WIDE = "Site-wide"
_SITE_WIDE_NAMES = {"", "site-wide", "sitewide", "site", "all", "both", "none"}


class RegistryError(AssistantError):
    """The target register cannot be read as given."""


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


class SourceRef(BaseModel):
    """Where a target is documented: the memo's document id, file and section."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str | None = None
    file: str | None = None
    section: str | None = None

    _blank = field_validator("doc_id", "file", "section", mode="before")(_blank_to_none)

    @property
    def given(self) -> bool:
        """True when the entry names a document (by id or file)."""
        return bool(self.doc_id or self.file)


class TargetEntry(BaseModel):
    """One row of the register."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    """The key KPI results and the action log use for this target."""
    metric: str
    program: str = SITE_WIDE
    target: float
    unit: str = ""
    direction: Literal["higher", "lower"]
    """``higher``: a result below the target misses it; ``lower``: a result above it does."""
    method: str | None = None
    how_set: str | None = None
    source: SourceRef = Field(default_factory=SourceRef)
    owner: str | None = None
    approver: str | None = None
    client_approver: str | None = None
    approved_on: date | None = None
    effective: date | None = None
    next_review: date | None = None

    _blank = field_validator(
        "method",
        "how_set",
        "owner",
        "approver",
        "client_approver",
        "approved_on",
        "effective",
        "next_review",
        mode="before",
    )(_blank_to_none)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> Any:
        return {} if value is None else value

    @property
    def client_program(self) -> bool:
        """True for a client program's target (these need the client's written approval)."""
        return self.program.strip().lower() not in _SITE_WIDE_NAMES

    @property
    def label(self) -> str:
        """``Harbor Bank service level``: the program and the metric, for headings and lists."""
        return f"{self.program} {self.metric[:1].lower()}{self.metric[1:]}"

    def misses(self, result: float) -> bool:
        """True when ``result`` is worse than the target (a miss by any margin)."""
        return result < self.target if self.direction == "higher" else result > self.target

    def figure(self) -> str:
        """The target with its unit, e.g. ``80% of calls answered …`` or ``345 seconds``."""
        number = f"{self.target:g}"
        unit = self.unit.strip()
        if not unit:
            return number
        return f"{number}{unit}" if unit.startswith("%") else f"{number} {unit}"


class RegisterInfo(BaseModel):
    """The register's own document control."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str = "TARGET-REGISTER"
    title: str = "Target register"
    version: str | None = None
    owner: str | None = None
    approved_by: str | None = None
    effective_date: str | None = None
    next_review: str | None = None
    program: str = SITE_WIDE
    doc_type: str = "Target register"
    audience: str | None = None

    @field_validator(
        "version", "owner", "approved_by", "effective_date", "next_review", mode="before"
    )
    @classmethod
    def _text(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        return None if value is None else str(value)


class TargetRegistry(BaseModel):
    """The whole register: its document control and its entries."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    info: RegisterInfo = Field(default_factory=RegisterInfo, alias="register")
    """The ``register:`` block of the file."""
    targets: tuple[TargetEntry, ...]

    @field_validator("targets")
    @classmethod
    def _unique(cls, targets: tuple[TargetEntry, ...]) -> tuple[TargetEntry, ...]:
        seen: set[str] = set()
        for entry in targets:
            if entry.id in seen:
                raise ValueError(f"target id {entry.id!r} appears twice")
            seen.add(entry.id)
        return targets

    def by_id(self) -> dict[str, TargetEntry]:
        """Entries by id."""
        return {t.id: t for t in self.targets}


def looks_like_registry(data: object) -> bool:
    """True for parsed YAML shaped like a register: a mapping with a ``targets`` list."""
    return isinstance(data, dict) and isinstance(data.get("targets"), list)


def parse_registry(data: object, *, name: str = "target register") -> TargetRegistry:
    """A register from parsed YAML.

    Raises:
        RegistryError: the data is not a register, or an entry is invalid (named in the
            one-line message).
    """
    if not looks_like_registry(data):
        raise RegistryError(f"{name} is not a target register: it needs a `targets:` list")
    try:
        return TargetRegistry.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RegistryError(
            f"{name}: {where}: {first['msg']} ({exc.error_count()} problem(s)); fix the register"
        ) from exc


def _read_one(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(
            f"target register {path} cannot be read ({exc.strerror or exc}); "
            "set COPC_TARGETS_PATH to the site's register file or folder"
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise RegistryError(f"target register {path}{where} is not valid YAML") from exc


def load_registry(path: Path) -> TargetRegistry:
    """Read and check the register at ``path``: one YAML file, or a folder of them.

    A folder holds one register per program (the bundled site: Harbor Bank, Lumen Telecom and
    site-wide); YAML files in it that are not registers are passed over. The entries of all
    files form one register, and an id may appear only once across them.

    Raises:
        RegistryError: nothing to read, a file that is not YAML, or an invalid register.
    """
    if not path.is_dir():
        return parse_registry(_read_one(path), name=str(path))
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    parts = [
        parse_registry(data, name=str(p))
        for p in files
        if looks_like_registry(data := _read_one(p))
    ]
    if not parts:
        raise RegistryError(
            f"no target register (YAML with a `targets:` list) in {path}; "
            "set COPC_TARGETS_PATH to the site's register"
        )
    info = (
        parts[0].info
        if len(parts) == 1
        else RegisterInfo(
            doc_id=", ".join(p.info.doc_id for p in parts),
            title=parts[0].info.title.split(":")[0],
        )
    )
    try:
        return TargetRegistry(register=info, targets=tuple(t for p in parts for t in p.targets))
    except ValidationError as exc:
        raise RegistryError(f"target register {path}: {exc.errors()[0]['msg']}") from exc
