"""The one typed settings object. Environment prefix ``COPC_``; an optional ``.env`` file.

Secrets (Slack tokens, the LLM key, database passwords inside URLs) come only from the
environment and are held as ``SecretStr`` so they never print by accident.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    max_file_mb: float = 25.0
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
    llm_timeout_s: float = 20.0
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

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def index_dir(self) -> Path:
        """Folder of the embedded Chroma store, the BM25 index and the manifest."""
        return self.home / "index"
