"""The one settings object: environment variables (MWO_*) and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path.home() / ".mwo"


class Settings(BaseSettings):
    """Where MWO keeps its data and how it reaches the outside world.

    Every field can be set as an environment variable with the `MWO_` prefix (e.g. `MWO_HOME`,
    `MWO_DATABASE_URL`, `MWO_SMTP_HOST`) or in a `.env` file in the working directory.
    """

    model_config = SettingsConfigDict(env_prefix="MWO_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Data directory (database, keys).")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<home>/mwo.db (WAL mode)."
    )
    checkpoint_path: Path | None = Field(
        default=None, description="LangGraph checkpoint database; default <home>/checkpoints.db."
    )
    secret_key: str | None = Field(
        default=None, description="Fernet key for secrets; default: read or create <home>/secret.key (0600)."
    )
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    run_lease_s: float = Field(
        default=300.0, gt=0, description="How long a run's owner holds it between steps."
    )
    cancel_poll_s: float = Field(
        default=0.05,
        ge=0,
        description=(
            "At a step boundary, re-read the run's cancel flag if it was last read longer ago than this "
            "(0: before every step). Saves a query per step in chains of sub-millisecond steps."
        ),
    )

    smtp_host: str = Field(default="localhost", description="SMTP server for email notifications.")
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password_secret: str = Field(
        default="SMTP_PASSWORD", description="Name of the secret holding the SMTP password (if any)."
    )
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_from: str = "mwo@localhost"
    smtp_timeout_s: float = 30.0

    kakao_api_base: str = Field(
        default="https://kapi.kakao.com", description="Kakao REST API base URL (changed only for testing)."
    )
    http_user_agent: str = "mwo/0.1 (+https://github.com/mwo)"

    def resolved_home(self) -> Path:
        return self.home.expanduser()

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_home() / 'mwo.db'}"

    def resolved_checkpoint_path(self) -> Path:
        return (self.checkpoint_path or self.resolved_home() / "checkpoints.db").expanduser()
