"""What the resource routers' handlers are given, by `Depends`: the services, the dispatcher that
hands runs to the executors, the body limit and the token checks. `include_api` sets one
`ApiContext` on the app (`app.state`); the routers are module-level and read it from the request,
so two apps in one process (tests) never share anything and nothing is stored globally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials

from mwo.api.auth import BearerAuth, Credentials
from mwo.auth import TokenService
from mwo.engine.dispatch import RunDispatcher
from mwo.services import Services
from mwo.store.records import ApiTokenRecord, ApprovalStatus, RunRecord, TokenScope
from mwo.triggers.events import EventDispatcher


@dataclass(frozen=True)
class ApiContext:
    """One app's parts, built once by `include_api` from what `create_app` was given."""

    services: Services
    dispatcher: RunDispatcher
    auth: BearerAuth
    max_body_bytes: int

    @classmethod
    def build(cls, services: Services, dispatcher: RunDispatcher, max_body_bytes: int) -> ApiContext:
        return cls(
            services, dispatcher, BearerAuth(TokenService(services.store, services.clock)), max_body_bytes
        )

    @cached_property
    def events(self) -> EventDispatcher:
        """The same dispatcher as `Services.events`, except that it queues runs (`execute_later`)
        instead of running them; one per app, so its parsed workflows are kept between requests."""
        return EventDispatcher(self.services.store, self.services.workflow_of, self._queue_run)

    def install(self, app: FastAPI) -> None:
        """Make this the context of every request `app` serves (see `api_context`)."""
        app.state.mwo_context = self

    # --- handing runs to the executors ------------------------------------------------------------

    def execute_later(self, run: RunRecord) -> None:
        """Hand a queued run to the executors; the request that created it answers at once. When
        they cannot take it now, it stays queued in the store and the reaper hands it over."""
        self.dispatcher.execute(run.id)

    def _queue_run(self, name: str, inputs: dict[str, Any], trigger: str) -> RunRecord:
        run = self.services.runs.create_run(name, inputs, trigger=trigger)
        self.execute_later(run)
        return run

    def resume_later(self, run: RunRecord, status: ApprovalStatus, by: str) -> None:
        """Continue a run whose approval was just decided (if this is lost, `recover()` resumes
        decided runs)."""
        self.dispatcher.execute(run.id, {"decision": status.value, "by": by})


async def api_context(request: Request) -> ApiContext:
    """The context `ApiContext.install` set on the request's app (async: it never blocks)."""
    context: ApiContext = request.app.state.mwo_context
    return context


Context = Annotated[ApiContext, Depends(api_context)]
"""A handler parameter: the app's `ApiContext`."""


async def _services(context: Context) -> Services:
    return context.services


AppServices = Annotated[Services, Depends(_services)]
"""A handler parameter: the app's `Services` container (store, runs, clock, ...)."""


def _require(
    needed: TokenScope,
) -> Callable[[Request, HTTPAuthorizationCredentials | None, ApiContext], ApiTokenRecord]:
    """A dependency returning the caller's token when its scope includes `needed` (sync: checking a
    token reads the database, so FastAPI runs it in the thread pool)."""

    def dependency(request: Request, credentials: Credentials, context: Context) -> ApiTokenRecord:
        return context.auth.check(request, credentials, needed)

    return dependency


READ = Depends(_require(TokenScope.READ))
"""For `dependencies=[READ]`: 401 without a valid token, 403 below the read scope."""
WRITE = Depends(_require(TokenScope.WRITE))
ADMIN = Depends(_require(TokenScope.ADMIN))
WriteToken = Annotated[ApiTokenRecord, WRITE]
"""A handler parameter: the caller's token, which must have the write scope."""
