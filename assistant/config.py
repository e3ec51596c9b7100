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

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def index_dir(self) -> Path:
        """Folder of the embedded Chroma store, the BM25 index and the manifest."""
        return self.home / "index"
