"""`/secrets` (admin scope): the names of stored secrets, set and delete, as `mwo secrets` does.
Values go in (encrypted at rest) and never come out: specs use them as `{{ secrets.NAME }}`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from mwo.api.context import ADMIN, AppServices
from mwo.api.models import ApiModel


class SecretNames(ApiModel):
    secrets: list[str]


class SecretValue(BaseModel):
    value: str = Field(min_length=1, max_length=65_536, description="Stored encrypted; never shown again.")


class SecretSaved(ApiModel):
    name: str


router = APIRouter(tags=["secrets"])


@router.get("/secrets", dependencies=[ADMIN], summary="Names of the stored secrets (never values)")
def list_secrets(services: AppServices) -> SecretNames:
    return SecretNames(secrets=services.store.list_secret_names())


@router.put("/secrets/{name}", dependencies=[ADMIN], summary="Create or replace a secret")
def set_secret(name: str, secret: SecretValue, services: AppServices) -> SecretSaved:
    services.store.set_secret(name, secret.value, services.clock())
    return SecretSaved(name=name)


@router.delete("/secrets/{name}", dependencies=[ADMIN], status_code=204, summary="Delete a secret")
def delete_secret(name: str, services: AppServices) -> Response:
    services.store.delete_secret(name)
    return Response(status_code=204)
