"""LLM_CALL: asks the configured language model; output `{"text"}`, or `{"data", "text"}` with a schema.

The prompt and system prompt are templates (sandboxed Jinja2 over inputs, earlier outputs and
secrets). The call goes through the process's LlmService, which writes the trace row (secrets
masked with the run's redactor). Side effects: yes, a call costs time or money and is traced, so its
step-run row is written before it starts.

A cancel of the run, or the run's deadline, stops the call in flight (the LLM layer polls them every
settings.cancel_poll_s): the step fails as `cancelled` (the run ends cancelled) or `timeout`, and the
local model is free for the next call at once.

Failures keep their LLM type's fix and map onto the engine's kinds: an unreachable endpoint or a
time-out may be retried by the step's policy; a wrong key, a missing model, a truncated or
malformed answer may not (the same call would fail the same way).
"""

from __future__ import annotations

from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.llm.errors import LlmError, LlmInterrupted
from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.spec import LlmCallStep, StepType
from mwo.store.records import LogLevel
from mwo.text import as_text

CALLER = "step:LLM_CALL"
TIMEOUT = "timeout"
CANCELLED = "cancelled"
MIN_POLL_S = 0.01
"""MWO_CANCEL_POLL_S=0 means "before every step"; inside a call that would be a database read after
every compute-graph node, so the call reads the flag at most this often."""


class LlmCallExecutor:
    """Runs LLM_CALL steps through one LlmService (which owns the loaded local model)."""

    step_type = StepType.LLM_CALL
    step_class = LlmCallStep
    side_effects = True

    def __init__(self, llm: LlmService) -> None:
        self._llm = llm

    def execute(self, step: LlmCallStep, ctx: StepContext) -> dict[str, Any]:
        request = LlmRequest(
            prompt=_text(ctx, step.prompt, "prompt"),
            system=_text(ctx, step.system, "system") if step.system else None,
            schema=step.output_schema,
            temperature=step.temperature,
            max_tokens=step.max_tokens,
            model=step.model,
        )
        ctx.rendered_input = {
            "model": self._llm.model_name(step.model),
            "prompt": request.prompt,
            "system": request.system,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "structured": request.schema is not None,
        }
        try:
            answer = self._llm.ask(
                request,
                caller=CALLER,
                run_id=ctx.run_id,
                step_id=ctx.current_step_id,
                redact=ctx.redact,
                interrupt=Interrupt(
                    lambda: _why_stop(ctx), every_s=max(ctx.settings.cancel_poll_s, MIN_POLL_S)
                ),
            )
        except LlmInterrupted as exc:
            raise _stopped(ctx, exc.reason) from exc
        except LlmError as exc:
            raise StepFailed(exc.kind, exc.message, exc.fix, status=exc.status) from exc
        ctx.log(
            LogLevel.INFO,
            f"{answer.model}: {answer.prompt_tokens} prompt + {answer.completion_tokens} completion "
            f"tokens in {answer.latency_ms / 1000:.1f} s",
        )
        if answer.truncated:
            ctx.log(
                LogLevel.WARNING,
                f"the answer was cut off at max_tokens={step.max_tokens}; raise max_tokens for all of it",
            )
        if request.schema is not None:
            return {"data": answer.data, "text": answer.text}
        return {"text": answer.text}


def _text(ctx: StepContext, template: str, what: str) -> str:
    value = ctx.render(template)
    text = as_text(value)
    if not text.strip():
        raise StepFailed(
            FailureKind.CONFIG,
            f"the {what} is empty after rendering",
            f"check the step's {what} and the values it refers to",
        )
    return text


def _why_stop(ctx: StepContext) -> str | None:
    """Whether the run still wants the answer: "timeout" past its deadline, "cancelled" on request."""
    if ctx.deadline is not None and ctx.now() > ctx.deadline:
        return TIMEOUT
    if ctx.is_cancelled():
        return CANCELLED
    return None


def _stopped(ctx: StepContext, reason: str) -> StepFailed:
    step = ctx.current_step_id
    if reason == TIMEOUT:
        limit = ctx.workflow.settings.timeout_s
        return StepFailed(
            FailureKind.TIMEOUT,
            f"the run went past its time limit of {limit:g} s while step '{step}' waited for the model",
            "raise `settings.timeout_s` in the workflow, lower the step's max_tokens, or shorten the prompt",
        )
    return StepFailed(
        FailureKind.CANCELLED,
        f"the run was cancelled while step '{step}' waited for the model; the call was stopped",
        "none needed; start the workflow again to get an answer",
    )


__all__ = ["LlmCallExecutor"]
