"""`/workflows`, `/folders`: saved workflows, their versions, folders and tags.

A spec is sent as YAML text (`Content-Type: application/yaml`, `text/yaml` or `text/plain`) or as a
JSON object (`application/json`), the same document either way; it is checked exactly as `mwo apply`
checks a file, and an invalid one answers 422 with every finding (nothing is saved).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from mwo.api.bodies import json_object, read_limited, utf8_text
from mwo.api.context import READ, WRITE, AppServices, Context
from mwo.api.models import MAX_VERSION, ApiModel, WorkflowOut
from mwo.api.problems import Problem
from mwo.management import VersionDiff, diff_versions, rollback
from mwo.services import Services
from mwo.spec import Workflow, parse_workflow, workflow_from_data
from mwo.store.records import VersionRecord

VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION, description="A version number.")]
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_SPEC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A workflow spec (see `mwo schema` for its JSON Schema).",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class WorkflowList(ApiModel):
    workflows: list[WorkflowOut]


class WorkflowDetail(ApiModel):
    """The workflow, its latest version's number and spec (canonical form and YAML text)."""

    workflow: WorkflowOut
    version: int
    content_hash: str
    spec: dict[str, Any]
    spec_yaml: str


class Applied(ApiModel):
    """What saving a spec did; `created` is False when the content equals the latest version."""

    name: str
    version: int
    created: bool
    content_hash: str
    workflow: WorkflowOut


class VersionOut(ApiModel):
    number: int
    content_hash: str
    message: str
    created_at: datetime


class VersionList(ApiModel):
    name: str
    versions: list[VersionOut]


class VersionDetail(VersionOut):
    name: str
    spec: dict[str, Any]
    spec_yaml: str


class FolderOut(ApiModel):
    id: int
    path: str


class FolderList(ApiModel):
    folders: list[FolderOut]


class FolderChange(BaseModel):
    folder: str | None = Field(description="A '/'-separated folder path (created as needed); null for none.")


class TagChange(BaseModel):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class RollbackRequest(BaseModel):
    version: int = Field(
        ge=1, le=MAX_VERSION, description="The version whose spec becomes the newest version."
    )
    message: str = ""


router = APIRouter(tags=["workflows"])


@router.get("/workflows", dependencies=[READ], summary="List workflows")
def list_workflows(
    services: AppServices, folder: str | None = None, tag: str | None = None, search: str | None = None
) -> WorkflowList:
    rows = services.store.list_workflows(folder=folder, tag=tag, search=search)
    return WorkflowList(workflows=[WorkflowOut.model_validate(w) for w in rows])


@router.post(
    "/workflows",
    dependencies=[WRITE],
    status_code=201,
    openapi_extra=_SPEC_BODY,
    summary="Save a spec as a workflow's next version (201 new version, 200 unchanged)",
    responses={200: {"description": "The content equals the latest version; nothing new saved."}},
)
async def apply(ctx: Context, request: Request, response: Response, message: str = "") -> Applied:
    body = await read_limited(request, ctx.max_body_bytes)
    content_type = request.headers.get("content-type", "")
    # Parsing a spec of up to the body limit and checking it is CPU and database work: off the loop.
    applied = await run_in_threadpool(_apply, ctx.services, content_type, body, message)
    if not applied.created:
        response.status_code = 200
    return applied


@router.get("/workflows/{name}", dependencies=[READ], summary="A workflow with its latest spec")
def get_workflow(name: str, services: AppServices) -> WorkflowDetail:
    version = services.store.get_version(name)
    return WorkflowDetail(
        workflow=WorkflowOut.model_validate(services.store.get_workflow(name)),
        version=version.number,
        content_hash=version.content_hash,
        spec=services.workflow_of(version).canonical_dict(),
        spec_yaml=version.spec_yaml,
    )


@router.delete(
    "/workflows/{name}", dependencies=[WRITE], status_code=204, summary="Delete a workflow and its runs"
)
def delete_workflow(name: str, services: AppServices) -> Response:
    services.store.delete_workflow(name)
    return Response(status_code=204)


@router.post("/workflows/{name}/enable", dependencies=[WRITE], summary="Let its trigger start runs")
def enable(name: str, services: AppServices) -> WorkflowOut:
    return WorkflowOut.model_validate(services.store.set_enabled(name, True))


@router.post("/workflows/{name}/disable", dependencies=[WRITE], summary="Stop its trigger starting runs")
def disable(name: str, services: AppServices) -> WorkflowOut:
    return WorkflowOut.model_validate(services.store.set_enabled(name, False))


@router.put("/workflows/{name}/folder", dependencies=[WRITE], summary="Move to a folder (or none)")
def move(name: str, change: FolderChange, services: AppServices) -> WorkflowOut:
    return WorkflowOut.model_validate(services.store.move_to_folder(name, change.folder))


@router.post("/workflows/{name}/tags", dependencies=[WRITE], summary="Add and remove tags")
def tag(name: str, change: TagChange, services: AppServices) -> WorkflowOut:
    return WorkflowOut.model_validate(services.store.tag_workflow(name, add=change.add, remove=change.remove))


@router.get("/folders", dependencies=[READ], summary="List folders")
def folders(services: AppServices) -> FolderList:
    return FolderList(folders=[FolderOut.model_validate(f) for f in services.store.list_folders()])


@router.get("/workflows/{name}/versions", dependencies=[READ], summary="A workflow's versions, oldest first")
def versions(name: str, services: AppServices) -> VersionList:
    rows = services.store.list_versions(name)
    return VersionList(name=name, versions=[VersionOut.model_validate(v) for v in rows])


@router.get("/workflows/{name}/versions/{number}", dependencies=[READ], summary="One version's spec")
def version(name: str, number: VersionNumber, services: AppServices) -> VersionDetail:
    return _version_detail(services, services.store.get_version(name, number))


@router.get("/workflows/{name}/diff", dependencies=[READ], summary="What changed between two versions")
def diff(
    name: str,
    services: AppServices,
    from_version: Annotated[int, Query(alias="from", ge=1, le=MAX_VERSION, description="The older version.")],
    to_version: Annotated[
        int | None,
        Query(alias="to", ge=1, le=MAX_VERSION, description="The newer version (default: latest)."),
    ] = None,
) -> VersionDiff:
    return diff_versions(services.store, name, from_version, to_version)


@router.post(
    "/workflows/{name}/rollback",
    dependencies=[WRITE],
    status_code=201,
    responses={200: {"model": Applied, "description": "The latest version already has that content."}},
    summary="Save an earlier version's spec as the newest version (201; 200 if it already is)",
)
def roll_back(name: str, change: RollbackRequest, response: Response, services: AppServices) -> Applied:
    saved, created = rollback(services, name, change.version, change.message)
    if not created:
        response.status_code = 200
    return _applied(services, saved, created)


def _parse_spec(content_type: str, body: bytes) -> Workflow:
    """The Workflow in the body; SpecError (422 with findings) when it is not a valid one."""
    media = content_type.split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return workflow_from_data(json_object(body, "the spec"))
    if media in _YAML_TYPES or not media:
        return parse_workflow(utf8_text(body))
    raise Problem(
        415,
        "Unsupported media type",
        f"a spec is sent as YAML or JSON, not {media}",
        code="unsupported_media_type",
        fix="send `Content-Type: application/yaml` or `application/json`",
    )


def _apply(services: Services, content_type: str, body: bytes, message: str) -> Applied:
    version, created = services.apply_workflow(_parse_spec(content_type, body), message)
    return _applied(services, version, created)


def _applied(services: Services, version: VersionRecord, created: bool) -> Applied:
    return Applied(
        name=version.workflow_name,
        version=version.number,
        created=created,
        content_hash=version.content_hash,
        workflow=WorkflowOut.model_validate(services.store.get_workflow(version.workflow_name)),
    )


def _version_detail(services: Services, record: VersionRecord) -> VersionDetail:
    return VersionDetail(
        name=record.workflow_name,
        number=record.number,
        content_hash=record.content_hash,
        message=record.message,
        created_at=record.created_at,
        spec=services.workflow_of(record).canonical_dict(),
        spec_yaml=record.spec_yaml,
    )
