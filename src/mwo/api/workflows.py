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
from mwo.api.context import ApiContext
from mwo.api.models import MAX_VERSION, ApiModel, WorkflowOut
from mwo.api.problems import Problem
from mwo.management import VersionDiff, diff_versions, rollback
from mwo.spec import Workflow, parse_workflow, workflow_from_data
from mwo.store.records import TokenScope, VersionRecord

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


def workflows_router(ctx: ApiContext) -> APIRouter:
    services = ctx.services
    store = services.store
    read = [ctx.scope(TokenScope.READ)]
    write = [ctx.scope(TokenScope.WRITE)]
    router = APIRouter(tags=["workflows"])

    @router.get("/workflows", dependencies=read, summary="List workflows")
    def list_workflows(
        folder: str | None = None, tag: str | None = None, search: str | None = None
    ) -> WorkflowList:
        rows = store.list_workflows(folder=folder, tag=tag, search=search)
        return WorkflowList(workflows=[WorkflowOut.model_validate(w) for w in rows])

    @router.post(
        "/workflows",
        dependencies=write,
        status_code=201,
        openapi_extra=_SPEC_BODY,
        summary="Save a spec as a workflow's next version (201 new version, 200 unchanged)",
        responses={200: {"description": "The content equals the latest version; nothing new saved."}},
    )
    async def apply(request: Request, response: Response, message: str = "") -> Applied:
        body = await read_limited(request, ctx.max_body_bytes)
        content_type = request.headers.get("content-type", "")
        # Parsing a spec of up to the body limit and checking it is CPU and database work: off the loop.
        applied = await run_in_threadpool(_apply, ctx, content_type, body, message)
        if not applied.created:
            response.status_code = 200
        return applied

    @router.get("/workflows/{name}", dependencies=read, summary="A workflow with its latest spec")
    def get_workflow(name: str) -> WorkflowDetail:
        version = store.get_version(name)
        return WorkflowDetail(
            workflow=WorkflowOut.model_validate(store.get_workflow(name)),
            version=version.number,
            content_hash=version.content_hash,
            spec=services.workflow_of(version).canonical_dict(),
            spec_yaml=version.spec_yaml,
        )

    @router.delete(
        "/workflows/{name}", dependencies=write, status_code=204, summary="Delete a workflow and its runs"
    )
    def delete_workflow(name: str) -> Response:
        store.delete_workflow(name)
        return Response(status_code=204)

    @router.post("/workflows/{name}/enable", dependencies=write, summary="Let its trigger start runs")
    def enable(name: str) -> WorkflowOut:
        return WorkflowOut.model_validate(store.set_enabled(name, True))

    @router.post("/workflows/{name}/disable", dependencies=write, summary="Stop its trigger starting runs")
    def disable(name: str) -> WorkflowOut:
        return WorkflowOut.model_validate(store.set_enabled(name, False))

    @router.put("/workflows/{name}/folder", dependencies=write, summary="Move to a folder (or none)")
    def move(name: str, change: FolderChange) -> WorkflowOut:
        return WorkflowOut.model_validate(store.move_to_folder(name, change.folder))

    @router.post("/workflows/{name}/tags", dependencies=write, summary="Add and remove tags")
    def tag(name: str, change: TagChange) -> WorkflowOut:
        return WorkflowOut.model_validate(store.tag_workflow(name, add=change.add, remove=change.remove))

    @router.get("/folders", dependencies=read, summary="List folders")
    def folders() -> FolderList:
        return FolderList(folders=[FolderOut.model_validate(f) for f in store.list_folders()])

    @router.get(
        "/workflows/{name}/versions", dependencies=read, summary="A workflow's versions, oldest first"
    )
    def versions(name: str) -> VersionList:
        rows = store.list_versions(name)
        return VersionList(name=name, versions=[VersionOut.model_validate(v) for v in rows])

    @router.get("/workflows/{name}/versions/{number}", dependencies=read, summary="One version's spec")
    def version(name: str, number: VersionNumber) -> VersionDetail:
        record = store.get_version(name, number)
        return _version_detail(ctx, record)

    @router.get("/workflows/{name}/diff", dependencies=read, summary="What changed between two versions")
    def diff(
        name: str,
        from_version: Annotated[
            int, Query(alias="from", ge=1, le=MAX_VERSION, description="The older version.")
        ],
        to_version: Annotated[
            int | None,
            Query(alias="to", ge=1, le=MAX_VERSION, description="The newer version (default: latest)."),
        ] = None,
    ) -> VersionDiff:
        return diff_versions(store, name, from_version, to_version)

    @router.post(
        "/workflows/{name}/rollback",
        dependencies=write,
        status_code=201,
        responses={200: {"model": Applied, "description": "The latest version already has that content."}},
        summary="Save an earlier version's spec as the newest version (201; 200 if it already is)",
    )
    def roll_back(name: str, change: RollbackRequest, response: Response) -> Applied:
        saved, created = rollback(services.applier, name, change.version, change.message)
        if not created:
            response.status_code = 200
        return _applied(ctx, saved, created)

    return router


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


def _apply(ctx: ApiContext, content_type: str, body: bytes, message: str) -> Applied:
    version, created = ctx.services.applier.apply_workflow(_parse_spec(content_type, body), message)
    return _applied(ctx, version, created)


def _applied(ctx: ApiContext, version: VersionRecord, created: bool) -> Applied:
    return Applied(
        name=version.workflow_name,
        version=version.number,
        created=created,
        content_hash=version.content_hash,
        workflow=WorkflowOut.model_validate(ctx.services.store.get_workflow(version.workflow_name)),
    )


def _version_detail(ctx: ApiContext, record: VersionRecord) -> VersionDetail:
    return VersionDetail(
        name=record.workflow_name,
        number=record.number,
        content_hash=record.content_hash,
        message=record.message,
        created_at=record.created_at,
        spec=ctx.services.workflow_of(record).canonical_dict(),
        spec_yaml=record.spec_yaml,
    )
