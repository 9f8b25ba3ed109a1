"""`/secrets` (admin scope): the names of stored secrets, set and delete, as `mwo secrets` does.
Values go in (encrypted at rest) and never come out: specs use them as `{{ secrets.NAME }}`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from mwo.api.context import ApiContext
from mwo.api.models import ApiModel
from mwo.store.records import TokenScope


class SecretNames(ApiModel):
    secrets: list[str]


class SecretValue(BaseModel):
    value: str = Field(min_length=1, max_length=65_536, description="Stored encrypted; never shown again.")


class SecretSaved(ApiModel):
    name: str


def secrets_router(ctx: ApiContext) -> APIRouter:
    store = ctx.services.store
    admin = [ctx.scope(TokenScope.ADMIN)]
    router = APIRouter(tags=["secrets"])

    @router.get("/secrets", dependencies=admin, summary="Names of the stored secrets (never values)")
    def list_secrets() -> SecretNames:
        return SecretNames(secrets=store.list_secret_names())

    @router.put("/secrets/{name}", dependencies=admin, summary="Create or replace a secret")
    def set_secret(name: str, secret: SecretValue) -> SecretSaved:
        store.set_secret(name, secret.value, ctx.services.clock())
        return SecretSaved(name=name)

    @router.delete("/secrets/{name}", dependencies=admin, status_code=204, summary="Delete a secret")
    def delete_secret(name: str) -> Response:
        store.delete_secret(name)
        return Response(status_code=204)

    return router
