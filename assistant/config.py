"""The one typed settings object. Environment prefix ``COPC_``; an optional ``.env`` file.

Secrets (Slack tokens, the LLM key, database passwords inside URLs) come only from the
environment and are held as ``SecretStr`` so they never print by accident.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: The bundled corpus shipped beside the package (criteria notes and the sample site).
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


class Settings(BaseSettings):
    """Everything the assistant can be configured with.

    Attributes are read from ``COPC_<NAME>`` environment variables (Slack's own
    variables keep their usual names).
    """

    model_config = SettingsConfigDict(
        env_prefix="COPC_", env_file=".env", extra="ignore", populate_by_name=True
    )

    home: Path = Field(
        default=Path("indexes"), description="Where indexes and the default DB live."
    )
    corpus_dir: Path = Field(
        default=BUNDLED_CORPUS, description="What `copc ingest` reads by default."
    )
    chroma_url: str | None = Field(
        default=None, description="A Chroma server, e.g. http://127.0.0.1:8000."
    )
    collection: str = "copc_chunks"
    database_url: SecretStr | None = None
    model_path: Path | None = Field(
        default=None,
        description="A sentence-transformers model folder; default: the bundled MiniLM.",
    )
    embed_batch_size: int = 64
    query_runtime: Literal["onnx", "torch"] = Field(
        default="onnx",
        description="What encodes questions and answer sentences: ONNX Runtime or PyTorch.",
    )
    model_cache_dir: Path | None = Field(
        default=None,
        description="Where the model's ONNX graph is cached; default ~/.cache/copc/models.",
    )
    max_file_mb: float = 25.0
    # Hostile input (docs/security.md): each bound refuses one file, never the whole ingest.
    max_unzipped_mb: float = Field(
        default=100.0, gt=0, description="DOCX: most bytes a package may unpack to."
    )
    max_zip_members: int = Field(default=5000, ge=1, description="DOCX: most parts a package.")
    max_pdf_pages: int = Field(default=2000, ge=1, description="PDF: most pages a file.")
    max_pdf_seconds: float = Field(
        default=120.0, gt=0, description="PDF: most seconds extracting one file's text."
    )
    max_text_mb: float = Field(default=50.0, gt=0, description="PDF: most text one file yields.")
    max_html_elements: int = Field(default=200_000, ge=1, description="HTML: most elements.")
    max_html_depth: int = Field(default=5000, ge=1, description="HTML: deepest element nesting.")
    ingest_roots: Annotated[tuple[Path, ...], NoDecode] = Field(
        default=(),
        description="Folders `copc ingest` may read besides the corpus folder and the working "
        "directory; in the environment, separated like PATH (os.pathsep).",
    )
    chunk_max_chars: int = 1200
    chunk_min_chars: int = 200

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    slack_api_url: str | None = None
    roles_file: Path | None = None
    terms_file: Path | None = Field(
        default=None, description="Site vocabulary (programs, metrics, abbreviations) to add."
    )
    llm_timeout_s: float = Field(
        default=2.5,
        gt=0,
        description="LLM time limit; past it the extractive answer is given (Slack allows 3 s).",
    )
    # Reliability (docs/deployment.md): after an LLM failure or timeout, answer extractively
    # for this many seconds before trying the LLM again (0: try it on every question).
    llm_cooldown_s: float = Field(default=30.0, ge=0)
    # Seconds between two looks at the shared index pointer (0: before every query).
    index_check_s: float = Field(default=1.0, ge=0)
    # Seconds an index generation replaced by `copc ingest --rebuild` is kept for readers.
    index_grace_s: float = Field(default=600.0, ge=0)
    # Seconds a call to a Chroma server keeps retrying while the server does not answer.
    chroma_retry_s: float = Field(default=2.0, ge=0)
    # Slack bot: seconds recording an answer keeps retrying while the records DB is down.
    records_retry_s: float = Field(default=3.0, ge=0)
    new_per_day: int = Field(
        default=10, ge=0, description="New practice questions per person a day."
    )
    interview_length: int = Field(
        default=3, ge=1, le=20, description="Questions per mock interview."
    )

    # Readiness reports and the audit (assistant/reports): site policy, DESIGN §7 defaults.
    targets_path: Path | None = Field(
        default=None,
        description="The target register: a YAML file or a folder of them; "
        "default: <corpus_dir>/site/targets.",
    )
    kpi_results_file: Path | None = Field(
        default=None, description="Monthly KPI results CSV; default: <corpus_dir>/site/kpi/."
    )
    action_log_file: Path | None = Field(
        default=None, description="KPI action log CSV; default: <corpus_dir>/site/kpi/."
    )
    audit_evidence_months: int = Field(
        default=12, ge=1, description="Months of KPI results an assessor expects to see."
    )
    audit_consecutive_misses: int = Field(
        default=3, ge=2, description="Consecutive monthly misses needing an improvement plan."
    )
    audit_min_evidence_sections: int = Field(
        default=1, ge=1, description="Site sections a criterion needs to count as evidenced."
    )
    report_period_days: int = Field(default=84, ge=1, description="Default report period (days).")
    report_coverage_days: int = Field(
        default=14, ge=1, description="Practised within this many days counts as active."
    )
    report_ready_recall: float = Field(
        default=0.8, gt=0, le=1, description="Recall probability a must-know question needs."
    )
    report_must_know_difficulty: int = Field(
        default=1, ge=1, le=3, description="Questions up to this difficulty are must-know."
    )
    report_must_know_authored: bool = Field(
        default=True, description="Must-know: the site's authored questions (when it has any)."
    )
    report_top_missed: int = Field(default=10, ge=1, description="Most-missed questions listed.")

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "COPC_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "COPC_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "COPC_SLACK_APP_TOKEN")
    )
    # Slack bot (bots/): the hour (0-23, in each person's own time zone) of the daily practice DM.
    slack_daily_hour: int = Field(default=9, ge=0, le=23)
    # Slack bot: seconds between two checks for people whose daily practice hour has come.
    slack_daily_check_s: float = Field(default=60.0, gt=0)
    # Slack bot: listener pool size, the threads doing the slow work after each acknowledgement.
    slack_workers: int = Field(default=16, ge=1, le=256)
    # Slack bot: questions per `/copc quiz`, "Start practice" and daily DM.
    slack_quiz_size: int = Field(default=3, ge=1, le=10)

    @field_validator("ingest_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        """``COPC_INGEST_ROOTS=/srv/docs:/mnt/share`` (``;`` on Windows), like ``PATH``."""
        if isinstance(value, str):
            return tuple(Path(part) for part in value.split(os.pathsep) if part.strip())
        return value

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def index_dir(self) -> Path:
        """Folder of the embedded Chroma store, the BM25 index and the manifest."""
        return self.home / "index"
