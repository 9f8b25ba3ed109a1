"""Bearer-token authentication: `BearerAuth.check` answers 401 without a valid token and 403 for a
token whose scope is too small, and returns the token's record (approvals default `by` to the
token's name). The routers reach it through the dependencies in `mwo.api.context` (`READ`,
`WRITE`, `ADMIN`, `WriteToken`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mwo.api.guard import TOKEN_SCOPE_KEY
from mwo.auth import TokenService
from mwo.store.records import ApiTokenRecord, TokenScope

Credentials = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="An API token from `mwo tokens create`.")),
]


class BearerAuth:
    """Checks the request's token with `tokens`; one per app (no global state)."""

    def __init__(self, tokens: TokenService) -> None:
        self._tokens = tokens

    def check(
        self, request: Request, credentials: HTTPAuthorizationCredentials | None, needed: TokenScope
    ) -> ApiTokenRecord:
        """The caller's token when its scope includes `needed`. Reads (and now and then writes) the
        database: call it from a sync dependency, which FastAPI runs off the event loop. A request
        with a body was authenticated by the RequestGuard already, before its body was read."""
        record = request.scope.get(TOKEN_SCOPE_KEY)
        if not isinstance(record, ApiTokenRecord):
            record = self._tokens.authenticate(credentials.credentials if credentials else None)
        self._tokens.authorize(record, needed)
        return record
