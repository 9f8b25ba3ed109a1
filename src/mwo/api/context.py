"""What every resource router is built with: the services, the dispatcher that hands runs to the
executors, and the authentication dependencies. Passed to the router factories, never stored globally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Depends

from mwo.api.auth import BearerAuth
from mwo.auth import TokenService
from mwo.engine.dispatch import RunDispatcher
from mwo.services import Services
from mwo.store.records import ApprovalStatus, RunRecord, TokenScope


@dataclass(frozen=True)
class ApiContext:
    services: Services
    dispatcher: RunDispatcher
    auth: BearerAuth
    max_body_bytes: int

    @classmethod
    def build(cls, services: Services, dispatcher: RunDispatcher, max_body_bytes: int) -> ApiContext:
        return cls(
            services, dispatcher, BearerAuth(TokenService(services.store, services.clock)), max_body_bytes
        )

    def scope(self, needed: TokenScope) -> Any:
        """`Depends(...)` for an endpoint needing `needed` (for a router's `dependencies=[...]`)."""
        return Depends(self.auth.require(needed))

    # --- handing runs to the executors ------------------------------------------------------------

    def execute_later(self, run: RunRecord) -> None:
        """Hand a queued run to the executors; the request that created it answers at once. When
        they cannot take it now, it stays queued in the store and the reaper hands it over."""
        self.dispatcher.execute(run.id)

    def resume_later(self, run: RunRecord, status: ApprovalStatus, by: str) -> None:
        """Continue a run whose approval was just decided (if this is lost, `recover()` resumes
        decided runs)."""
        self.dispatcher.execute(run.id, {"decision": status.value, "by": by})
