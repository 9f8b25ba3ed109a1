"""`/tokens` (admin scope): create, list and revoke API tokens, as `mwo tokens` does. A created
token's text is in the creation answer only; listings never show it."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mwo.api.context import ApiContext
from mwo.api.models import ApiModel
from mwo.auth import TokenService
from mwo.store.records import ApiTokenRecord, TokenScope


class TokenOut(ApiModel):
    name: str
    token_id: str
    scope: TokenScope
    state: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiTokenRecord, now: datetime) -> TokenOut:
        state = "revoked" if record.revoked_at else ("active" if record.is_active(now) else "expired")
        return cls(
            name=record.name,
            token_id=record.token_id,
            scope=record.scope,
            state=state,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            expires_at=record.expires_at,
            revoked_at=record.revoked_at,
        )


class TokenList(ApiModel):
    tokens: list[TokenOut]


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scope: TokenScope = TokenScope.READ
    expires_days: int | None = Field(default=None, ge=1, le=36_500)


class CreatedToken(ApiModel):
    """`token` is shown this once; store it now."""

    token: str
    api_token: TokenOut


class RevokedToken(ApiModel):
    api_token: TokenOut


def tokens_router(ctx: ApiContext) -> APIRouter:
    clock = ctx.services.clock
    tokens = TokenService(ctx.services.store, clock)
    admin = [ctx.scope(TokenScope.ADMIN)]
    router = APIRouter(tags=["tokens"])

    @router.get("/tokens", dependencies=admin, summary="Every API token (never the token text)")
    def list_tokens() -> TokenList:
        now = clock()
        return TokenList(tokens=[TokenOut.of(r, now) for r in tokens.list_tokens()])

    @router.post("/tokens", dependencies=admin, status_code=201, summary="Create a token (shown once)")
    def create(request: NewToken) -> CreatedToken:
        expires_in = timedelta(days=request.expires_days) if request.expires_days else None
        issued = tokens.issue(request.name, request.scope, expires_in)
        return CreatedToken(token=issued.token, api_token=TokenOut.of(issued.record, clock()))

    @router.post("/tokens/{name}/revoke", dependencies=admin, summary="Revoke a token at once")
    def revoke(name: str) -> RevokedToken:
        return RevokedToken(api_token=TokenOut.of(tokens.revoke(name), clock()))

    return router
