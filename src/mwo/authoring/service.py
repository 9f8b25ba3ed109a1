"""AuthoringService: a request in, a valid, explained (and on confirmation saved) workflow out.

The stages, each an event on the session: safety screen (rules) -> understanding (schedule grammar,
lexicon, slots, domains) -> questions when the *what* is missing -> retrieving (worked examples) ->
planning (rules; the model only for what they leave open) -> building each step (providers'
facts, from the nearest worked example with the same step as skeleton; the model for an
instruction's wording or a script) -> validating and repairing only the failing slot ->
explain-back -> saved on confirmation. A session stores its request, answers,
status and last result, so the CLI, the API and the UI all resume it the same way.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from mwo.authoring.checking import DraftChecker
from mwo.authoring.events import EventLog, OnEvent, ProgressEvent
from mwo.authoring.explain import explain
from mwo.authoring.model_slots import ModelSlots
from mwo.authoring.naming import base_name, unique_name
from mwo.authoring.planner import plan_steps
from mwo.authoring.requirements import Requirements, understand
from mwo.authoring.result import AskedQuestion, AuthoringResult, TriggerSummary
from mwo.authoring.safety import screen
from mwo.authoring.saving import referenced_secrets, save_workflow
from mwo.authoring.step_builders import StepBuilder
from mwo.clock import utc_now
from mwo.knowledge.errors import KnowledgeError
from mwo.settings import Settings
from mwo.spec import SpecError, Workflow, dump_workflow, parse_workflow
from mwo.store.abc import AuthoringStore, ScheduleStore, SecretStore, WebhookStore, WorkflowStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import AuthoringSessionRecord, AuthoringStatus

if TYPE_CHECKING:
    from mwo.authoring.examples import ExampleBank, WorkedExample
    from mwo.knowledge.service import KnowledgeService
    from mwo.llm import LlmService
    from mwo.sandbox import Sandbox

MAX_REQUEST = 4000


class AuthoringError(Conflict):
    """A session that cannot do what was asked (confirming one that is not ready)."""

    code = "authoring_state"


class AuthoringServiceStore(
    WorkflowStore, SecretStore, ScheduleStore, WebhookStore, AuthoringStore, Protocol
):
    """What authoring reads and writes: workflows (names taken, the one edited, the one saved with its
    schedule or webhook secret), the secret names set, and its sessions and their events."""


class AuthoringService:
    """Create, answer, confirm and edit workflows from natural language (see the module doc)."""

    def __init__(
        self,
        settings: Settings,
        store: AuthoringServiceStore,
        llm: LlmService,
        *,
        knowledge: KnowledgeService | None = None,
        bank: ExampleBank | None = None,
        sandbox: Sandbox | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.store = store
        self.llm = llm
        self.knowledge = knowledge
        self.bank = bank
        self.sandbox = sandbox
        self._clock = clock

    # --- the public face ---------------------------------------------------------------------------

    def create(
        self,
        request: str,
        *,
        answers: Mapping[str, str] | None = None,
        session_id: str | None = None,
        save: bool = False,
        on_event: OnEvent | None = None,
    ) -> AuthoringResult:
        """Author `request` (or resume session `session_id` with more `answers`); save when `save`
        and the workflow is valid. NotFound for an unknown session."""
        started = time.perf_counter()
        if session_id is not None and save and not answers and not request.strip():
            stored = self.store.get_authoring_session(session_id)
            if stored.status is AuthoringStatus.READY:
                return self.confirm(session_id, on_event)
        session = self._open(request, dict(answers or {}), session_id)
        events = EventLog(self.store, session.id, self._clock, on_event)
        result = self._author(session, events)
        if save and result.status == "ready":
            result = self._save(session, result, events)
        return self._finish(session, result, started)

    def confirm(self, session_id: str, on_event: OnEvent | None = None) -> AuthoringResult:
        """Save the workflow a `ready` session holds (a `saved` one is returned as it is)."""
        started = time.perf_counter()
        session = self.store.get_authoring_session(session_id)
        if session.result is None or session.status not in (AuthoringStatus.READY, AuthoringStatus.SAVED):
            raise AuthoringError(
                f"authoring session {session_id} is {session.status.value}, not ready to save",
                "answer its questions first (mwo create --session ID --answer SLOT=VALUE)",
            )
        result = AuthoringResult.from_dict(session.result)
        if session.status is AuthoringStatus.SAVED:
            return result
        events = EventLog(self.store, session.id, self._clock, on_event)
        return self._finish(session, self._save(session, result, events), started)

    def edit(
        self, name: str, instruction: str, *, save: bool = False, on_event: OnEvent | None = None
    ) -> AuthoringResult:
        """A new version of workflow `name` changed as `instruction` asks (and only that)."""
        from mwo.authoring.edit import WorkflowEditor

        started = time.perf_counter()
        current = self.store.get_version(name)
        session = self.store.create_authoring_session(
            str(uuid.uuid4()), "edit", instruction[:MAX_REQUEST], self._clock(), workflow_name=name
        )
        events = EventLog(self.store, session.id, self._clock, on_event)
        editor = WorkflowEditor(self, session.id, events)
        result = editor.edit(parse_workflow(current.spec_yaml), instruction)
        if save and result.status == "ready":
            result = self._save(session, result, events)
        return self._finish(session, result, started)

    def events(self, session_id: str, after: int = 0) -> list[ProgressEvent]:
        return [ProgressEvent.of(r) for r in self.store.list_authoring_events(session_id, after)]

    def session(self, session_id: str) -> AuthoringSessionRecord:
        return self.store.get_authoring_session(session_id)

    def result_of(self, session_id: str) -> AuthoringResult | None:
        """The session's last result (None while it is still working)."""
        stored = self.store.get_authoring_session(session_id).result
        return AuthoringResult.from_dict(stored) if stored else None

    # --- stages ------------------------------------------------------------------------------------

    def _open(self, request: str, answers: dict[str, str], session_id: str | None) -> AuthoringSessionRecord:
        now = self._clock()
        if session_id is None:
            return self.store.create_authoring_session(
                str(uuid.uuid4()), "create", request[:MAX_REQUEST], now
            )
        session = self.store.get_authoring_session(session_id)
        if session.kind != "create":
            raise AuthoringError(f"session {session_id} is an edit", "start `mwo create` without --session")
        merged = {**session.answers, **{k.strip(): v for k, v in answers.items() if k.strip()}}
        return self.store.update_authoring_session(
            session.id, now, status=AuthoringStatus.WORKING, answers=merged
        )

    def _author(self, session: AuthoringSessionRecord, events: EventLog) -> AuthoringResult:
        request, answers = session.request, session.answers
        refusal = screen("\n".join([request, *answers.values()]))
        base = AuthoringResult(status="failed", session=session.id)
        events.emit(
            "understanding", "요청을 이해하는 중" if _korean(request) else "understanding the request"
        )
        if refusal is not None:
            language = "ko" if _korean(request) else "en"
            events.emit("refused", refusal.reason(language), rule=refusal.rule)
            return replace(base, explanation=refusal.reason(language), language=language)
        req = understand(
            request,
            answers,
            default_timezone=self.settings.timezone,
            knowledge=self.knowledge,
            detect_threshold=self.settings.kb_detect_threshold,
        )
        base = replace(base, language=req.language, domains=list(req.domains))
        events.emit(
            "understood",
            _understood(req),
            trigger=req.trigger.kind,
            steps=[i.type.value for i in req.intents],
        )
        if req.domains:
            events.emit(
                "domains",
                req.say("도메인: ", "domains found: ") + ", ".join(req.domains),
                domains=list(req.domains),
            )
        model = ModelSlots(self.llm, request, session.id)
        events.emit("planning", req.say("단계를 계획하는 중", "planning the steps"))
        retrieved: list[WorkedExample] | None = None

        def nearest() -> list[WorkedExample]:
            nonlocal retrieved
            if retrieved is None:
                retrieved = self._retrieve(req, events)
            return retrieved

        def few_shot() -> list[tuple[str, str]]:
            return [(e.request(req.language), _content_kind(e.workflow)) for e in nearest()[:3]]

        plan = plan_steps(req, model, few_shot)
        if req.questions or plan.questions:  # every question at once, not one round each
            return self._questions(base, req, [*req.questions, *plan.questions], events)
        builder = StepBuilder(req, plan, model, self.settings.default_email, nearest)
        for n, step in enumerate(plan.steps, 1):
            events.emit(
                "building",
                req.say(
                    f"{n}단계 {step.id} ({step.type.value}) 만드는 중",
                    f"planning step {n}: {step.id} ({step.type.value})",
                ),
                step=step.id,
            )
        draft = builder.build()
        for step_id, example in draft.skeletons.items():
            events.emit(
                "skeleton",
                req.say(f"{step_id}: 예제 {example}의 단계에서 시작", f"{step_id}: from example {example}"),
                step=step_id,
                example=example,
            )
        assumptions = [*req.assumptions, *plan.assumptions, *draft.assumptions]
        name = unique_name(base_name(plan, req.topic, req.trigger.kind), self._name_taken)
        spec: dict[str, Any] = {
            "name": name,
            "description": " ".join(request.split())[:200],
            "trigger": _trigger_data(req),
            "steps": draft.steps,
        }
        if draft.inputs:
            spec["inputs"] = draft.inputs
        checker = DraftChecker(
            self.settings,
            self.llm,
            self.store.list_secret_names(),
            sandbox=self.sandbox,
            subject=f"authoring:{session.id}",
        )
        checked = checker.check(
            spec, draft, lambda stage, message, **data: events.emit(stage, message, **data)
        )
        base = replace(base, attempts=checked.attempts, assumptions=assumptions)
        if checked.workflow is None:
            first = checked.report.errors[0].render() if checked.report.errors else "invalid"
            text = req.say(
                f"검증을 통과하는 워크플로를 만들지 못했습니다: {first}",
                f"no workflow passed validation: {first}",
            )
            events.emit("failed", text)
            return replace(base, explanation=text, spec=None)
        return self._ready(base, checked.workflow, req.language, assumptions, events)

    def _questions(
        self, base: AuthoringResult, req: Requirements, questions: list[Any], events: EventLog
    ) -> AuthoringResult:
        first: dict[str, Any] = {}
        for question in questions:  # one question per slot: the first one asked
            first.setdefault(question.slot, question)
        asked = [AskedQuestion(slot, q.text(req.language)) for slot, q in first.items()]
        text = "\n".join(f"- {q.slot}: {q.question}" for q in asked)
        events.emit(
            "needs_clarification",
            req.say("질문이 있습니다:\n", "questions:\n") + text,
            slots=[q.slot for q in asked],
        )
        return replace(
            base,
            status="needs_clarification",
            questions=asked,
            assumptions=list(req.assumptions),
            explanation=text,
        )

    def _retrieve(self, req: Requirements, events: EventLog) -> list[WorkedExample]:
        """Every worked example, nearest to the request first: the top 3 are the model's few-shot
        when it must decide what makes the content, and each planned provider or channel step
        starts from the nearest example with the same structure (its skeleton). Retrieved at most
        once a request, and only when asked for (the bank costs seconds when no model is loaded)."""
        if self.bank is None:
            return []
        from mwo.authoring.examples import ExampleBankError

        events.emit("retrieving", req.say("비슷한 예제를 찾는 중", "retrieving worked examples"))
        try:
            found = self.bank.nearest(req.request, len(self.bank.all()))
        except (KnowledgeError, ExampleBankError, OSError):  # advice only: authoring goes on without it
            return []
        names = [e.name for e in found[:3]]
        events.emit("retrieved", ", ".join(names), examples=names)
        return found

    def _ready(
        self,
        base: AuthoringResult,
        workflow: Workflow,
        language: str,
        assumptions: list[str],
        events: EventLog,
    ) -> AuthoringResult:
        known = set(self.store.list_secret_names())
        missing = [s for s in referenced_secrets(workflow) if s not in known]
        text = explain(workflow, language, self._clock(), assumptions, missing)
        events.emit("explaining", text)
        return replace(
            base,
            status="ready",
            workflow=workflow.name,
            spec=dump_workflow(workflow),
            trigger=_trigger_summary(workflow),
            step_types=[s.type.value for s in workflow.steps],
            missing_secrets=missing,
            explanation=text,
        )

    def _save(
        self, session: AuthoringSessionRecord, result: AuthoringResult, events: EventLog
    ) -> AuthoringResult:
        assert result.spec is not None
        workflow = parse_workflow(result.spec)
        if session.kind == "create" and self._name_taken(workflow.name):
            workflow = workflow.model_copy(update={"name": unique_name(workflow.name, self._name_taken)})
        try:
            version = save_workflow(
                self.store, workflow, f"authoring: {session.request[:200]}", self._clock()
            )
        except SpecError as exc:
            text = str(exc)
            events.emit("failed", text)
            return replace(result, status="failed", explanation=f"{result.explanation}\n{text}")
        events.emit(
            "saved",
            f"{version.workflow_name} v{version.number}",
            workflow=version.workflow_name,
            version=version.number,
        )
        if self.bank is not None and session.kind == "create":
            self.bank.add(session.request, workflow)
        return replace(
            result,
            status="saved",
            workflow=version.workflow_name,
            version=version.number,
            spec=dump_workflow(workflow),
        )

    def _finish(
        self, session: AuthoringSessionRecord, result: AuthoringResult, started: float
    ) -> AuthoringResult:
        result = replace(result, seconds=time.perf_counter() - started)
        status = {
            "saved": AuthoringStatus.SAVED,
            "ready": AuthoringStatus.READY,
            "needs_clarification": AuthoringStatus.NEEDS_CLARIFICATION,
            "failed": AuthoringStatus.FAILED,
        }[result.status]
        self.store.update_authoring_session(session.id, self._clock(), status=status, result=result.as_dict())
        return result

    def _name_taken(self, name: str) -> bool:
        try:
            self.store.get_workflow(name)
        except NotFound:
            return False
        return True


def _content_kind(workflow: Workflow) -> str:
    types = {s.type.value for s in workflow.steps}
    if "API_CALL" in types or workflow.trigger.type in ("webhook", "event", "file"):
        return "fetch"
    if "PYTHON_SCRIPT" in types:
        return "compute"
    return "generate" if "LLM_CALL" in types else "none"


def _korean(text: str) -> bool:
    from mwo.authoring.schedule import request_language

    return request_language(text) == "ko"


def _understood(req: Requirements) -> str:
    trigger = req.trigger
    when = f"{trigger.cron} {trigger.timezone}" if trigger.kind == "cron" else trigger.kind
    steps = ", ".join(i.type.value for i in req.intents) or "-"
    return req.say(f"트리거: {when}; 단계: {steps}", f"trigger: {when}; steps: {steps}")


def _trigger_data(req: Requirements) -> dict[str, Any]:
    trigger = req.trigger
    if trigger.kind == "cron":
        return {"type": "cron", "cron": trigger.cron, "timezone": trigger.timezone}
    if trigger.kind == "event":
        event = {"type": "event", "event": trigger.event_name or "custom.event"}
        return event | ({"filter": trigger.event_filter} if trigger.event_filter else {})
    if trigger.kind == "file":
        data = {"type": "file", "path": trigger.path or "~/inbox"}
        if trigger.pattern:
            data["pattern"] = trigger.pattern
        return data
    return {"type": trigger.kind if trigger.kind in ("webhook", "manual") else "manual"}


def _trigger_summary(workflow: Workflow) -> TriggerSummary:
    trigger = workflow.trigger
    cron = getattr(trigger, "cron", None)
    zone = getattr(trigger, "timezone", None)
    return TriggerSummary(trigger.type, cron, zone)
