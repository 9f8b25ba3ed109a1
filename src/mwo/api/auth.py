"""Bearer-token authentication as FastAPI dependencies: `Depends(auth.require(TokenScope.WRITE))`
answers 401 without a valid token and 403 for a token whose scope is too small, and hands the
endpoint the token's record (approvals default `by` to the token's name)."""

from __future__ import annotations

from collections.abc import Callable
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

    def require(self, needed: TokenScope) -> Callable[[Request, Credentials], ApiTokenRecord]:
        """A dependency that returns the caller's token when its scope includes `needed`."""

        def dependency(request: Request, credentials: Credentials) -> ApiTokenRecord:
            # A plain (sync) function: FastAPI runs it in the thread pool, off the event loop,
            # because checking a token reads (and now and then writes) the database. A request with
            # a body was authenticated by the RequestGuard already, before its body was read.
            record = request.scope.get(TOKEN_SCOPE_KEY)
            if not isinstance(record, ApiTokenRecord):
                record = self._tokens.authenticate(credentials.credentials if credentials else None)
            self._tokens.authorize(record, needed)
            return record

        return dependency
