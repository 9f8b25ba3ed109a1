"""LLM_CALL on the scripted fake: rendered prompts, output shapes, LLM errors as step failures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from mwo.engine.executor import StepContext
from mwo.engine.executors.llm_call import LlmCallExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.llm.errors import EndpointRejected, EndpointTimeout, ModelFileCorrupt
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmService
from mwo.settings import Settings
from mwo.spec import LlmCallStep, RetryOn

Build = Callable[..., StepContext]


def _step(**fields: Any) -> LlmCallStep:
    return LlmCallStep.model_validate({"id": "ask", "type": "LLM_CALL", "prompt": "hi", **fields})


def _run(settings: Settings, make_ctx: Build, step: LlmCallStep, *script: FakeReply | str) -> Any:
    fake = FakeChatModel(script=list(script))
    ctx = make_ctx(
        scope={"inputs": {"topic": "금리"}, "steps": {"fetch": {"output": {"n": 3}}}, "secrets": {}}
    )
    return LlmCallExecutor(LlmService(settings.llm, None, chat_model=fake)).execute(step, ctx), fake, ctx


def test_prompt_and_system_are_rendered_and_the_output_is_text(settings: Settings, make_ctx: Build) -> None:
    step = _step(
        prompt="{{ inputs.topic }} 기사 {{ steps.fetch.output.n }}개", system="한 문장으로", max_tokens=40
    )
    output, fake, ctx = _run(settings, make_ctx, step, "요약입니다")
    assert output == {"text": "요약입니다"}
    assert fake.calls[0]["messages"] == [
        {"role": "system", "content": "한 문장으로"},
        {"role": "user", "content": "금리 기사 3개"},
    ]
    assert (fake.calls[0]["max_tokens"], fake.calls[0]["temperature"]) == (40, 0.2)
    assert ctx.rendered_input["prompt"] == "금리 기사 3개"


def test_with_a_schema_the_output_has_data_and_text(settings: Settings, make_ctx: Build) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    output, _, _ = _run(settings, make_ctx, _step(output_schema=schema), '{"n": 2}')
    assert output == {"data": {"n": 2}, "text": '{"n": 2}'}


@pytest.mark.parametrize(
    ("reply", "kind", "retried"),
    [
        (FakeReply('{"n": "two"}'), FailureKind.OUTPUT_SHAPE, False),
        (FakeReply('{"n": 2', finish_reason="length"), FailureKind.OUTPUT_SHAPE, False),
        (FakeReply(error=EndpointTimeout("slow", "raise MWO_LLM_TIMEOUT_S")), FailureKind.TIMEOUT, True),
        (FakeReply(error=ModelFileCorrupt("bad file", "run `mwo llm pull`")), FailureKind.CONFIG, False),
        (FakeReply(error=EndpointRejected("503", "busy", status=503)), FailureKind.HTTP_STATUS, True),
    ],
)
def test_llm_errors_become_step_failures_with_the_fix(
    settings: Settings, make_ctx: Build, reply: FakeReply, kind: FailureKind, retried: bool
) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    with pytest.raises(StepFailed) as caught:
        _run(settings, make_ctx, _step(output_schema=schema), reply)
    assert caught.value.kind is kind
    assert caught.value.fix
    policy = [RetryOn.TIMEOUT, RetryOn.CONNECTION, RetryOn.HTTP_5XX]
    assert caught.value.retryable_under(policy) is retried


def test_an_empty_prompt_after_rendering_is_a_config_failure(settings: Settings, make_ctx: Build) -> None:
    with pytest.raises(StepFailed) as caught:
        _run(settings, make_ctx, _step(prompt="{{ inputs.missing | default('') }}"))
    assert caught.value.kind is FailureKind.CONFIG


def _slow_answer() -> FakeReply:
    return FakeReply(" ".join(f"w{i}" for i in range(1000)), pause_s=0.001)


def test_a_cancel_during_the_call_stops_it_as_cancelled(settings: Settings, make_ctx: Build) -> None:
    fake = FakeChatModel(script=[_slow_answer()])
    ctx = make_ctx()
    asked: list[bool] = []

    def cancelled_after_a_few_asks() -> bool:
        asked.append(True)
        return len(asked) >= 3

    ctx.is_cancelled = cancelled_after_a_few_asks
    ctx.settings = settings.model_copy(update={"cancel_poll_s": 0.0})  # ask as often as allowed
    with pytest.raises(StepFailed) as caught:
        LlmCallExecutor(LlmService(settings.llm, None, chat_model=fake)).execute(_step(), ctx)
    assert caught.value.kind is FailureKind.CANCELLED
    assert not caught.value.retryable_under([RetryOn.ANY_ERROR])
    assert len(asked) == 3 and fake.words_produced < 1000  # stopped at the third ask


def test_the_runs_deadline_stops_the_call_as_a_timeout(settings: Settings, make_ctx: Build) -> None:
    fake = FakeChatModel(script=[_slow_answer()])
    ctx = make_ctx()
    ctx.deadline = ctx.now() - timedelta(seconds=1)
    with pytest.raises(StepFailed) as caught:
        LlmCallExecutor(LlmService(settings.llm, None, chat_model=fake)).execute(_step(), ctx)
    assert caught.value.kind is FailureKind.TIMEOUT
    assert "timeout_s" in caught.value.fix
    assert fake.words_produced == 0
