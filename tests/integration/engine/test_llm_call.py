"""LLM_CALL through RunService on the scripted fake: outputs, traces without secrets, clean failures."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest

from mwo.engine.executors.llm_call import LlmCallExecutor
from mwo.llm.errors import EndpointAuthFailed
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmService
from mwo.store.records import RunStatus, StepStatus

from ...conftest import FIXED_NOW
from .conftest import Env

SECRET = "tok-planted-51b7e2"


def _use_fake(env: Env, *script: FakeReply | str) -> FakeChatModel:
    fake = FakeChatModel(script=list(script))
    service = LlmService(env.services.settings, env.services.store, chat_model=fake, clock=env.clock)
    env.services.registry.register(LlmCallExecutor(service))
    return fake


def _workflow(**llm: Any) -> dict[str, Any]:
    return {
        "name": "summary",
        "inputs": {"text": {"type": "string", "default": "한국은행이 기준금리를 동결했다."}},
        "steps": [
            {
                "id": "summarize",
                "type": "LLM_CALL",
                "system": "Reply in one sentence. Internal token: {{ secrets.API_TOKEN }}",
                "prompt": "요약: {{ inputs.text }}",
                "max_tokens": 60,
                **llm,
            },
            {
                "id": "notify",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "body": "{{ steps.summarize.output.text }}",
            },
        ],
    }


def test_an_llm_step_runs_its_output_feeds_the_next_step_and_the_trace_is_masked(env: Env) -> None:
    env.services.store.set_secret("API_TOKEN", SECRET, FIXED_NOW)
    fake = _use_fake(env, FakeReply(f"Rates held (token {SECRET}).", prompt_tokens=30, completion_tokens=9))
    env.apply(_workflow())
    run = env.runs.start("summary")
    assert run.status is RunStatus.SUCCEEDED
    assert SECRET in fake.calls[0]["messages"][0]["content"]  # the model did get the real value
    [llm_row, _notify_row] = env.services.store.list_step_runs(run.id)
    assert llm_row.status is StepStatus.SUCCEEDED
    assert llm_row.output == {"text": "Rates held (token ***)."}
    [trace] = env.services.store.list_llm_calls(run.id)
    assert (trace.step_id, trace.caller, trace.prompt_tokens, trace.completion_tokens) == (
        "summarize",
        "step:LLM_CALL",
        30,
        9,
    )
    assert "요약: 한국은행이 기준금리를 동결했다." in trace.prompt
    everything = json.dumps(
        [asdict(r) for r in env.services.store.list_llm_calls()]
        + [asdict(r) for r in env.services.store.list_step_runs(run.id)]
        + [asdict(r) for r in env.services.store.list_logs(run.id)],
        default=str,
    )
    assert SECRET not in everything


def test_structured_output_lands_in_data(env: Env) -> None:
    env.services.store.set_secret("API_TOKEN", "unused-value", FIXED_NOW)
    schema = {"type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]}
    _use_fake(env, '{"topic": "금리"}')
    env.apply(_workflow(output_schema=schema))
    run = env.runs.start("summary")
    assert run.status is RunStatus.SUCCEEDED
    assert env.services.store.list_step_runs(run.id)[0].output == {
        "data": {"topic": "금리"},
        "text": '{"topic": "금리"}',
    }


def test_a_refused_key_fails_the_step_cleanly_with_the_fix(env: Env) -> None:
    env.services.store.set_secret("API_TOKEN", "unused-value", FIXED_NOW)
    refused = EndpointAuthFailed("the model endpoint answered 401", "set the right key", status=401)
    _use_fake(env, FakeReply(error=refused))
    env.apply(_workflow(retry={"max_attempts": 3, "retry_on": ["http_5xx", "connection"]}))
    run = env.runs.start("summary")
    assert run.status is RunStatus.FAILED
    [row] = env.services.store.list_step_runs(run.id)  # not retried: the same key fails the same way
    assert row.status is StepStatus.FAILED
    assert row.error is not None
    assert (row.error["type"], row.error["status"], row.error["fix"]) == ("config", 401, "set the right key")
    [trace] = env.services.store.list_llm_calls(run.id)
    assert trace.error is not None and "401" in trace.error


@pytest.mark.slow
def test_a_workflow_asks_the_real_local_model(env: Env) -> None:
    """The default registry's LLM_CALL on the embedded model, end to end through RunService."""
    schema = {
        "type": "object",
        "properties": {"topic": {"enum": ["economy", "sports"]}},
        "required": ["topic"],
    }
    env.apply(
        {
            "name": "classify",
            "steps": [
                {
                    "id": "classify",
                    "type": "LLM_CALL",
                    "prompt": "Topic of this headline: 한국은행, 기준금리 3.25% 동결",
                    "output_schema": schema,
                    "temperature": 0,
                    "max_tokens": 20,
                }
            ],
        }
    )
    run = env.runs.start("classify")
    assert run.status is RunStatus.SUCCEEDED, env.services.store.list_step_runs(run.id)
    [row] = env.services.store.list_step_runs(run.id)
    assert row.output is not None and row.output["data"] == {"topic": "economy"}
    [trace] = env.services.store.list_llm_calls(run.id)
    assert trace.model == "qwen2.5-coder-1.5b-instruct-q4_k_m" and trace.completion_tokens > 0
