"""LLM_CALL through RunService on the scripted fake: outputs, traces without secrets, clean failures."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict
from typing import Any

import pytest

from mwo.engine.executors.llm_call import LlmCallExecutor
from mwo.llm.errors import EndpointAuthFailed
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.service import LlmService
from mwo.services import Services
from mwo.store.records import RunStatus, StepStatus

from ...conftest import FIXED_NOW
from .conftest import Env

SECRET = "tok-planted-51b7e2"


def _use_fake(env: Env, *script: FakeReply | str) -> FakeChatModel:
    fake = FakeChatModel(script=list(script))
    service = LlmService(env.services.settings.llm, env.services.store, chat_model=fake, clock=env.clock)
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


def test_a_cancel_while_the_model_generates_stops_the_call_and_the_run(env: Env) -> None:
    env.services.store.set_secret("API_TOKEN", "unused-value", FIXED_NOW)
    long_answer = " ".join(f"w{i}" for i in range(2000))
    fake = _use_fake(env, FakeReply(long_answer, pause_s=0.005), "the next answer")
    env.apply(_workflow())
    run = env.runs.create_run("summary")
    other = Services.open(env.services.settings)  # what `mwo cancel RUN` does from another process

    def cancel_once_generating() -> None:
        for _ in range(2000):
            if fake.words_produced >= 3:
                break
            time.sleep(0.005)
        other.store.request_cancel(run.id)

    helper = threading.Thread(target=cancel_once_generating, daemon=True)
    helper.start()
    result = env.runs.execute(run.id)
    helper.join(10)
    other.close()
    assert result.status is RunStatus.CANCELLED
    assert result.error is not None and result.error["type"] == "cancelled"
    [row] = env.services.store.list_step_runs(run.id)  # the notify step never ran
    assert row.status is StepStatus.FAILED
    assert row.error is not None and row.error["type"] == "cancelled"
    assert 3 <= fake.words_produced < 2000
    [trace] = env.services.store.list_llm_calls(run.id)
    assert trace.extra["error_code"] == "llm_interrupted"
    again = env.runs.start("summary")
    assert again.status is RunStatus.SUCCEEDED
    assert env.services.store.list_step_runs(again.id)[0].output == {"text": "the next answer"}


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


@pytest.mark.slow
def test_a_cancel_stops_the_real_local_model_mid_generation(env: Env) -> None:
    """A long answer (minutes on 2 cores) is stopped within a poll once the cancel arrives; the
    model's lock is released and the next run gets its answer from the same loaded model."""
    env.apply(
        {
            "name": "story",
            "steps": [
                {
                    "id": "write",
                    "type": "LLM_CALL",
                    "prompt": "Write a very long story about a cat who learns to cook.",
                    "max_tokens": 2000,
                },
                {
                    "id": "tell",
                    "type": "NOTIFICATION",
                    "channel": "inbox",
                    "body": "{{ steps.write.output.text }}",
                },
            ],
        }
    )
    run = env.runs.create_run("story")
    other = Services.open(env.services.settings)

    def cancel_once_generating() -> None:
        for _ in range(1200):  # wait (up to 2 min) for the step to start, then let it generate a while
            if any(r.status is StepStatus.RUNNING for r in other.store.list_step_runs(run.id)):
                break
            time.sleep(0.1)
        time.sleep(3)
        other.store.request_cancel(run.id)

    helper = threading.Thread(target=cancel_once_generating, daemon=True)
    helper.start()
    result = env.runs.execute(run.id)
    helper.join(30)
    other.close()
    assert result.status is RunStatus.CANCELLED
    [row] = env.services.store.list_step_runs(run.id)
    assert row.error is not None and row.error["type"] == "cancelled"
    env.apply(
        {
            "name": "capital",
            "steps": [
                {
                    "id": "ask",
                    "type": "LLM_CALL",
                    "prompt": "One word: the capital of France.",
                    "max_tokens": 6,
                }
            ],
        }
    )
    again = env.runs.start("capital")
    assert again.status is RunStatus.SUCCEEDED
    [answer] = env.services.store.list_step_runs(again.id)
    assert answer.output is not None and "paris" in answer.output["text"].lower()
