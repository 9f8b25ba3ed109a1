"""`/authoring/sessions`: describe a job, answer its questions, follow its progress, confirm it;
`/workflows/{name}/edits`: change a saved workflow in words.

Authoring takes seconds to a minute on the local model, so POSTs that author run in the thread
pool and answer when it is done; meanwhile another client (the UI) follows the same session's
progress with `GET .../events?after=N`, each event numbered within its session.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from mwo.api.context import READ, WRITE, AppServices
from mwo.services import Services
from mwo.store.records import AuthoringStatus

MAX_TEXT = 4000


class SessionCreate(BaseModel):
    request: str = Field(min_length=1, max_length=MAX_TEXT, description="The job, in Korean or English.")
    answers: dict[str, str] = Field(default_factory=dict, description="Answers by slot, if known already.")
    save: bool = Field(default=False, description="Save at once when the workflow is valid (like --yes).")


class Answers(BaseModel):
    answers: dict[str, str] = Field(description="Answers to the session's questions, by slot.")
    save: bool = False


class EditRequest(BaseModel):
    instruction: str = Field(min_length=1, max_length=MAX_TEXT, description="What to change.")
    save: bool = False


class SessionOut(BaseModel):
    """A session: its request, answers, status and last result (the `mwo create --json` object)."""

    id: str
    kind: str
    request: str
    workflow_name: str | None
    answers: dict[str, str]
    status: AuthoringStatus
    result: dict[str, Any] | None


class EventOut(BaseModel):
    seq: int
    stage: str
    message: str
    at: str
    data: dict[str, Any]


class EventList(BaseModel):
    session: str
    status: AuthoringStatus
    events: list[EventOut]


router = APIRouter(tags=["authoring"])


@router.post(
    "/authoring/sessions",
    dependencies=[WRITE],
    status_code=201,
    summary="Author a workflow from a request (answer: the session with its result)",
)
async def create(body: SessionCreate, services: AppServices) -> SessionOut:
    result = await run_in_threadpool(
        services.authoring.create, body.request, answers=body.answers, save=body.save
    )
    return _session_out(services, result.session)


@router.get("/authoring/sessions/{session_id}", dependencies=[READ], summary="A session and its result")
def get(session_id: str, services: AppServices) -> SessionOut:
    return _session_out(services, session_id)


@router.post(
    "/authoring/sessions/{session_id}/answers",
    dependencies=[WRITE],
    summary="Answer the session's questions; authoring resumes with them",
)
async def answer(session_id: str, body: Answers, services: AppServices) -> SessionOut:
    services.authoring.session(session_id)  # 404 before any work
    result = await run_in_threadpool(
        services.authoring.create, "", answers=body.answers, session_id=session_id, save=body.save
    )
    return _session_out(services, result.session)


@router.get(
    "/authoring/sessions/{session_id}/events",
    dependencies=[READ],
    summary="Progress events after `after` (poll with the last seq seen)",
)
def events(session_id: str, services: AppServices, after: int = 0) -> EventList:
    status = services.authoring.session(session_id).status
    found = services.authoring.events(session_id, after)
    return EventList(
        session=session_id,
        status=status,
        events=[
            EventOut(seq=e.seq, stage=e.stage, message=e.message, at=e.at.isoformat(), data=e.data)
            for e in found
        ],
    )


@router.post(
    "/authoring/sessions/{session_id}/confirm",
    dependencies=[WRITE],
    summary="Save the workflow of a ready session (409 when it is not ready)",
)
async def confirm(session_id: str, services: AppServices) -> SessionOut:
    await run_in_threadpool(services.authoring.confirm, session_id)
    return _session_out(services, session_id)


@router.post(
    "/workflows/{name}/edits",
    dependencies=[WRITE],
    status_code=201,
    summary="Change a workflow in words: the new spec, its diff and summary (saved with save=true)",
)
async def edit(name: str, body: EditRequest, response: Response, services: AppServices) -> SessionOut:
    result = await run_in_threadpool(services.authoring.edit, name, body.instruction, save=body.save)
    if result.status == "failed":
        response.status_code = 200
    return _session_out(services, result.session)


def _session_out(services: Services, session_id: str) -> SessionOut:
    s = services.authoring.session(session_id)
    return SessionOut(
        id=s.id,
        kind=s.kind,
        request=s.request,
        workflow_name=s.workflow_name,
        answers=s.answers,
        status=s.status,
        result=s.result,
    )
