"""What the app holds between reruns: one `UiContext` (services, a worker pool that executes the runs
started here, the knowledge base once opened) shared by every browser session of the process, and
each session's language and time zone.

Runs started from the UI are handed to a small worker pool of this process (as `mwo serve` does),
so a page answers at once and the Runs page follows the run live. The UI never runs the scheduler.
Tests put their own context in `st.session_state[CONTEXT_KEY]` before the first run.
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from mwo.errors import FixableError
from mwo.services import Services
from mwo.settings import Settings
from mwo.ui.i18n import t

if TYPE_CHECKING:
    from mwo.engine.dispatch import RunDispatcher
    from mwo.knowledge import KnowledgeService
    from mwo.workers.pool import WorkerPool

CONTEXT_KEY = "mwo.context"
LANGUAGE_KEY = "mwo.language"
TIMEZONE_KEY = "mwo.timezone"
USER_KEY = "mwo.user"


@dataclass
class UiContext:
    """The services every page calls, and who executes the runs the UI starts or resumes."""

    services: Services
    dispatcher: RunDispatcher
    pool: WorkerPool | None = None
    knowledge_service: KnowledgeService | None = field(default=None)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def knowledge(self) -> KnowledgeService:
        """The knowledge base, opened on first use (it loads the embedding model: seconds)."""
        if self.knowledge_service is None:
            from mwo.knowledge import KnowledgeService

            opened = getattr(self.services.__dict__.get("authoring"), "knowledge", None)
            self.knowledge_service = opened or KnowledgeService.open(self.settings)
        return self.knowledge_service

    def start_run(self, name: str, inputs: dict[str, Any], trigger: str = "ui") -> str:
        """Queue a run of the latest version (inputs checked now) and hand it to the executors."""
        run = self.services.runs.create_run(name, inputs, trigger=trigger)
        self.dispatcher.execute(run.id)
        return run.id

    def close(self) -> None:
        if self.pool is not None:
            self.pool.drain(5.0)
        authoring = self.services.__dict__.get("authoring")
        if self.knowledge_service is not None and self.knowledge_service is not getattr(
            authoring, "knowledge", None
        ):
            self.knowledge_service.close()  # authoring's own is closed with the services
        self.services.close()


def open_context(settings: Settings, workers: int | None = None) -> UiContext:
    """Services plus a worker pool of this process; runs started here go where `MWO_EXECUTOR` says
    (this pool, or the Celery workers), event-started runs too. Raises CeleryUnavailable (a
    FixableError) when Celery is chosen but not configured; nothing is left open then."""
    from mwo.workers.dispatchers import open_dispatcher
    from mwo.workers.pool import WorkerPool

    services = Services.open(settings)
    pool = WorkerPool(workers or settings.workers, settings.worker_queue_size, name="mwo-ui")
    try:
        dispatcher = open_dispatcher(settings, lambda: services.runs, pool.submit)
    except FixableError:
        pool.drain(0)
        services.close()
        raise
    services.dispatcher = dispatcher
    return UiContext(services, dispatcher, pool)


def _release(ctx: UiContext) -> None:
    ctx.close()


@st.cache_resource(show_spinner=False, max_entries=1, on_release=_release)
def _shared_context(home: str, database_url: str, digest: str) -> UiContext:
    """One context for the whole process (all browser sessions), per home, database and settings:
    when settings change (saved on the Settings page), the next rerun opens services on the new ones
    and the old context is closed (its runs get a few seconds to finish, as on shutdown)."""
    return open_context(Settings())


def context() -> UiContext:
    """The context of this session: the one a test put in, else the process's shared one."""
    given = st.session_state.get(CONTEXT_KEY)
    if isinstance(given, UiContext):
        return given
    settings = _read_settings()
    digest = hashlib.sha256(settings.model_dump_json().encode()).hexdigest()
    try:
        return _shared_context(str(settings.resolved_home()), settings.resolved_database_url(), digest)
    except FixableError as exc:  # e.g. MWO_EXECUTOR=celery without a broker: say so, not a traceback
        st.error(f"{exc.message}\n\n{t('error.fix', 'en', fix=exc.fix)}")
        st.stop()
        raise  # st.stop() raises; this line only tells the type checker


def _read_settings() -> Settings:
    """Settings as they are now; if they cannot be read (a hand-edited settings.yaml, a bad MWO_*
    variable), the page says which and how to fix it, and stops: nothing works without them."""
    from pydantic import ValidationError

    try:
        return Settings()
    except FixableError as exc:
        message, fix = exc.message, exc.fix
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "MWO_" + "_".join(str(part) for part in first["loc"]).upper()
        message = f"setting {name} is invalid: {first['msg']}"
        fix = f"fix or unset {name} (environment, .env or <home>/settings.yaml), then reload this page"
    st.error(f"{message}\n\n{t('error.fix', 'en', fix=fix)}")
    st.stop()


def language() -> str:
    """The session's language: chosen on the Settings page, else the `language` setting."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in ("en", "ko") else context().settings.language


def tr(key: str, **values: object) -> str:
    """`key` in the session's language."""
    return t(key, language(), **values)


def current_user() -> str:
    """Who decides approvals and repairs here: the name given last in this session, else the OS user."""
    remembered = st.session_state.get(USER_KEY)
    if isinstance(remembered, str) and remembered:
        return remembered
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without a passwd entry
        return "ui"


def timezone_name() -> str:
    chosen = st.session_state.get(TIMEZONE_KEY)
    return chosen if isinstance(chosen, str) and chosen else context().settings.timezone


def zone() -> ZoneInfo:
    try:
        return ZoneInfo(timezone_name())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(instant: datetime | None) -> str:
    """An instant in the session's time zone, e.g. 2026-11-25 18:00 KST; '' for None."""
    if instant is None:
        return ""
    return instant.astimezone(zone()).strftime("%Y-%m-%d %H:%M %Z")
