"""Runs on the real engine: routing, rows per attempt, retries, failures, cancel, retry-from-failed."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.engine.errors import InputError, RunError, RunStateError
from mwo.engine.executor import ExecutorRegistry
from mwo.engine.runs import RunService
from mwo.store.records import RunStatus, StepStatus
from mwo.validation import ValidationFailed

from .conftest import Env, Recorder, loopback_settings


def _digest(min_views: int = 100) -> dict[str, Any]:
    return {
        "name": "digest",
        "inputs": {
            "min_views": {"type": "integer", "default": min_views},
            "items": {"type": "array", "default": [{"t": "a", "v": 500}, {"t": "b", "v": 50}]},
        },
        "steps": [
            {
                "id": "pick",
                "type": "DATA_TRANSFORM",
                "source": "inputs.items",
                "ops": [{"op": "filter", "where": "item.v >= inputs.min_views"}],
            },
            {
                "id": "check",
                "type": "CONDITION",
                "branches": [{"when": "steps.pick.output.count > 0", "goto": "send"}],
                "default": "none",
            },
            {
                "id": "send",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "subject": "news",
                "body": "{{ steps.pick.output.result | map(attribute='t') | join(',') }}",
                "next": "end",
            },
            {"id": "none", "type": "NOTIFICATION", "channel": "inbox", "body": "nothing today"},
        ],
    }


def _statuses(env: Env, run_id: str) -> list[tuple[str, int, StepStatus]]:
    return [(r.step_id, r.attempt, r.status) for r in env.services.store.list_step_runs(run_id)]


def test_run_follows_the_branch_and_records_every_step(env: Env) -> None:
    env.apply(_digest())
    run = env.runs.start("digest")
    assert run.status is RunStatus.SUCCEEDED
    assert _statuses(env, run.id) == [
        ("pick", 1, StepStatus.SUCCEEDED),
        ("check", 1, StepStatus.SUCCEEDED),
        ("send", 1, StepStatus.SUCCEEDED),
    ]
    assert [m.body for m in env.services.store.list_messages()] == ["a"]
    assert run.output["check"]["goto"] == "send"
    assert run.started_at is not None and run.finished_at is not None


def test_other_branch_when_condition_is_false(env: Env) -> None:
    env.apply(_digest())
    run = env.runs.start("digest", {"min_views": 10_000})
    assert [s for s, _, _ in _statuses(env, run.id)] == ["pick", "check", "none"]
    assert [m.body for m in env.services.store.list_messages()] == ["nothing today"]


def test_run_is_pinned_to_the_version_it_started_with(env: Env) -> None:
    env.apply(_digest())
    first = env.runs.create_run("digest")
    changed = _digest()
    changed["steps"][3]["body"] = "changed"
    env.apply(changed)
    run = env.runs.execute(first.id)
    assert run.version_number == 1
    latest = env.runs.start("digest", {"min_views": 10_000})
    assert latest.version_number == 2
    assert [m.body for m in env.services.store.list_messages()] == ["changed", "a"]


def test_bad_inputs_are_refused_before_a_run_exists(env: Env) -> None:
    env.apply(_digest())
    with pytest.raises(InputError, match="min_views"):
        env.runs.start("digest", {"min_views": "many"})
    with pytest.raises(InputError, match="unknown input"):
        env.runs.start("digest", {"nope": 1})
    assert env.services.store.list_runs(_filter()) == []


def _filter() -> Any:
    from mwo.store.records import RunFilter

    return RunFilter(workflow_name="digest")


def _api_flow(url: str, **step: Any) -> dict[str, Any]:
    return {
        "name": "api-flow",
        "settings": loopback_settings(),
        "steps": [
            {"id": "fetch", "type": "API_CALL", "request": {"url": url, "timeout_s": 5}, **step},
            {
                "id": "tell",
                "type": "NOTIFICATION",
                "channel": "inbox",
                "body": "got {{ steps.fetch.output.json.n }}",
            },
        ],
    }


def test_retries_follow_the_policy_with_a_row_per_attempt(env: Env, http_server: Recorder) -> None:
    http_server.script["/flaky"] = [(500, {}), (503, {}), (200, {"n": 7})]
    env.apply(
        _api_flow(
            f"{http_server.base}/flaky",
            retry={"max_attempts": 3, "backoff": "exponential", "initial_delay_s": 2},
        )
    )
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.SUCCEEDED
    assert _statuses(env, run.id)[:3] == [
        ("fetch", 1, StepStatus.FAILED),
        ("fetch", 2, StepStatus.FAILED),
        ("fetch", 3, StepStatus.SUCCEEDED),
    ]
    assert env.clock.slept == [2.0, 4.0]
    assert env.services.store.list_messages()[0].body == "got 7"


def test_a_failed_step_fails_the_run_with_what_and_how_to_fix(env: Env, http_server: Recorder) -> None:
    http_server.script["/missing"] = [(404, {"error": "nope"})]
    env.apply(_api_flow(f"{http_server.base}/missing", retry={"max_attempts": 3}))
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.FAILED
    assert run.error is not None
    assert run.error["step"] == "fetch" and run.error["type"] == "http_status" and run.error["status"] == 404
    assert run.error["fix"]
    assert _statuses(env, run.id) == [("fetch", 1, StepStatus.FAILED)], "a 404 is not retried"
    assert env.services.store.list_messages() == []


def test_on_failure_continue_goes_on_with_no_output(env: Env, http_server: Recorder) -> None:
    http_server.script["/down"] = [(500, {})]
    flow = _api_flow(f"{http_server.base}/down", on_failure="continue")
    flow["steps"][1]["body"] = "{{ 'down' if steps.fetch.output is none else 'up' }}"
    env.apply(flow)
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.SUCCEEDED
    assert env.services.store.list_messages()[0].body == "down"


def test_refused_address_fails_before_any_request(env: Env, http_server: Recorder) -> None:
    literal = _api_flow(f"{http_server.base}/flaky")
    literal["settings"] = {}
    with pytest.raises(ValidationFailed, match=r"refused to connect to '127\.0\.0\.1'"):
        env.apply(literal)
    templated = _api_flow("{{ inputs.base }}/flaky")
    templated["settings"] = {}
    templated["inputs"] = {"base": {"default": http_server.base}}
    env.apply(templated)
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.FAILED
    assert run.error is not None and run.error["type"] == "refused_address"
    assert http_server.requests == []


def test_retry_from_failed_reruns_only_the_failed_step(env: Env, http_server: Recorder) -> None:
    http_server.script["/later"] = [(404, {}), (200, {"n": 1})]
    env.apply(_api_flow(f"{http_server.base}/later"))
    failed = env.runs.start("api-flow")
    assert failed.status is RunStatus.FAILED
    again = env.runs.retry(failed.id, from_failed=True)
    assert again.id == failed.id and again.status is RunStatus.SUCCEEDED
    assert _statuses(env, failed.id) == [
        ("fetch", 1, StepStatus.FAILED),
        ("fetch", 2, StepStatus.SUCCEEDED),
        ("tell", 1, StepStatus.SUCCEEDED),
    ]


def test_retry_without_from_failed_is_a_new_run_of_the_same_version(env: Env) -> None:
    env.apply(_digest())
    first = env.runs.start("digest", {"min_views": 1})
    second = env.runs.retry(first.id)
    assert second.id != first.id and second.retry_of == first.id
    assert second.inputs == first.inputs and second.version_id == first.version_id
    with pytest.raises(RunStateError):
        env.runs.retry(first.id, from_failed=True)


def test_cancel_stops_between_steps(env: Env) -> None:
    flow = _digest()
    flow["steps"].insert(1, {"id": "gate", "type": "APPROVAL"})
    env.apply(flow)
    waiting = env.runs.start("digest")
    assert waiting.status is RunStatus.WAITING_APPROVAL
    cancelled = env.runs.cancel(waiting.id)
    assert cancelled.status is RunStatus.CANCELLED
    with pytest.raises(RunStateError):
        env.runs.approve(waiting.id, "me")


def test_cancel_requested_while_running_stops_before_the_next_step(env: Env) -> None:
    env.apply(_digest())
    run = env.runs.create_run("digest")
    env.services.store.request_cancel(run.id)
    result = env.runs.execute(run.id)
    assert result.status is RunStatus.CANCELLED
    assert env.services.store.list_step_runs(run.id) == []


def test_unsupported_step_types_are_refused_before_running(env: Env) -> None:
    env.apply({"name": "llm", "steps": [{"id": "ask", "type": "LLM_CALL", "prompt": "hi"}]})
    s = env.services
    bare = RunService(s.store, ExecutorRegistry([]), s.checkpointer, s.settings, clock=env.clock)
    with pytest.raises(RunError, match="LLM_CALL"):
        bare.start("llm")


def test_secrets_are_used_but_never_stored_in_rows_or_logs(env: Env, http_server: Recorder) -> None:
    env.services.store.set_secret("API_TOKEN", "s3cr3t-value-123", env.clock())
    flow = _api_flow(f"{http_server.base}/echo")
    flow["steps"][0]["request"]["headers"] = {"X-Token": "{{ secrets.API_TOKEN }}"}
    flow["steps"][0]["request"]["params"] = {"q": "token={{ secrets.API_TOKEN }}"}
    flow["steps"][1]["body"] = "sent {{ secrets.API_TOKEN }}"
    env.apply(flow)
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.SUCCEEDED
    assert http_server.requests[0]["headers"]["X-Token"] == "s3cr3t-value-123"
    store = env.services.store
    dumped = repr(store.list_step_runs(run.id)) + repr(store.list_logs(run.id)) + repr(store.get_run(run.id))
    assert "s3cr3t-value-123" not in dumped
    assert "***" in dumped


def test_a_run_past_its_time_limit_stops_before_the_next_step(env: Env, http_server: Recorder) -> None:
    flow = _api_flow(f"{http_server.base}/slow", retry={"max_attempts": 2, "initial_delay_s": 30})
    flow["settings"]["timeout_s"] = 10
    http_server.script["/slow"] = [(500, {}), (200, {"n": 1})]
    env.apply(flow)
    run = env.runs.start("api-flow")
    assert run.status is RunStatus.FAILED
    assert (
        run.error is not None
        and run.error["type"] == "timeout"
        and "time limit of 10 s" in run.error["message"]
    )
    assert run.error["step"] == "fetch" and "settings.timeout_s" in run.error["fix"]
    assert _statuses(env, run.id) == [("fetch", 1, StepStatus.FAILED)], "no second attempt after the deadline"


def test_branches_join_again_and_the_join_runs_once(env: Env) -> None:
    env.apply(
        {
            "name": "join",
            "inputs": {"n": {"type": "integer", "default": 5}},
            "steps": [
                {
                    "id": "check",
                    "type": "CONDITION",
                    "branches": [{"when": "inputs.n > 3", "goto": "big"}],
                    "default": "small",
                },
                {"id": "big", "type": "DATA_TRANSFORM", "source": "'big'", "next": "report"},
                {"id": "small", "type": "DATA_TRANSFORM", "source": "'small'"},
                {
                    "id": "report",
                    "type": "NOTIFICATION",
                    "channel": "inbox",
                    "body": "{{ steps.check.output.goto }}",
                },
            ],
        }
    )
    assert env.runs.start("join").status is RunStatus.SUCCEEDED
    run = env.runs.start("join", {"n": 1})
    assert [s for s, _, _ in _statuses(env, run.id)] == ["check", "small", "report"]
    assert [m.body for m in env.services.store.list_messages()] == ["small", "big"]
