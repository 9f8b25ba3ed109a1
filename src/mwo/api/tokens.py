"""`/tokens` (admin scope): create, list and revoke API tokens, as `mwo tokens` does. A created
token's text is in the creation answer only; listings never show it."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mwo.api.context import ADMIN, AppServices
from mwo.api.models import ApiModel
from mwo.auth import TokenService
from mwo.services import Services
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


router = APIRouter(tags=["tokens"])


@router.get("/tokens", dependencies=[ADMIN], summary="Every API token (never the token text)")
def list_tokens(services: AppServices) -> TokenList:
    now = services.clock()
    return TokenList(tokens=[TokenOut.of(r, now) for r in _tokens(services).list_tokens()])


@router.post("/tokens", dependencies=[ADMIN], status_code=201, summary="Create a token (shown once)")
def create(request: NewToken, services: AppServices) -> CreatedToken:
    expires_in = timedelta(days=request.expires_days) if request.expires_days else None
    issued = _tokens(services).issue(request.name, request.scope, expires_in)
    return CreatedToken(token=issued.token, api_token=TokenOut.of(issued.record, services.clock()))


@router.post("/tokens/{name}/revoke", dependencies=[ADMIN], summary="Revoke a token at once")
def revoke(name: str, services: AppServices) -> RevokedToken:
    return RevokedToken(api_token=TokenOut.of(_tokens(services).revoke(name), services.clock()))


def _tokens(services: Services) -> TokenService:
    return TokenService(services.store, services.clock)
