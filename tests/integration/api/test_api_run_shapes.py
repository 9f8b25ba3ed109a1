"""The REST shapes of a run, its step attempts and its log lines are a contract: exactly these keys,
in this order, with timestamps as pydantic writes them (UTC as `Z`) and nulls kept. Pinned here so
that a change of the shared view models (`mwo.views`) cannot change an answer unnoticed; the CLI's
`--json` shapes (a superset, other timestamp form) are pinned in tests/e2e/test_cli_run_json.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, live_api

RUN_KEYS = [
    "id",
    "workflow_name",
    "version_number",
    "status",
    "trigger",
    "inputs",
    "output",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "cancel_requested",
    "retry_of",
]
STEP_KEYS = [
    "step_id",
    "type",
    "version",
    "attempt",
    "status",
    "input",
    "output",
    "error",
    "started_at",
    "finished_at",
    "duration_ms",
]
LOG_KEYS = ["step_id", "level", "message", "created_at"]
APPROVAL_KEYS = [
    "run_id",
    "step_id",
    "status",
    "message",
    "requested_at",
    "expires_at",
    "decided_by",
    "decided_at",
    "comment",
]
API_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")

GATED = {
    "name": "gated",
    "inputs": {"x": {"default": "a"}},
    "steps": [
        {"id": "ask", "type": "APPROVAL", "message": "go on?"},
        {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "ok {{ inputs.x }}"},
    ],
    "trigger": {"type": "event", "event": "shape.test"},
}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        live.apply(GATED)
        yield live


def _json(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _assert_run(run: dict[str, Any]) -> None:
    assert list(run) == RUN_KEYS
    assert isinstance(run["version_number"], int) and isinstance(run["cancel_requested"], bool)
    assert isinstance(run["inputs"], dict)
    assert API_TIMESTAMP.match(run["created_at"]), run["created_at"]
    for key in ("started_at", "finished_at"):
        assert run[key] is None or API_TIMESTAMP.match(run[key]), run[key]


def test_a_run_its_steps_and_logs_have_the_pinned_keys_and_timestamps(api: LiveApi) -> None:
    started = _json(api.post("/workflows/gated/runs", json={"inputs": {"x": "b"}}), 202)
    assert list(started) == ["run"]
    _assert_run(started["run"])
    assert started["run"]["started_at"] is None and started["run"]["output"] is None
    api.drain()

    waiting = _json(api.get("/approvals", scope=TokenScope.READ))
    assert list(waiting) == ["approvals"] and list(waiting["approvals"][0]) == APPROVAL_KEYS
    assert API_TIMESTAMP.match(waiting["approvals"][0]["requested_at"])
    assert waiting["approvals"][0]["decided_at"] is None

    approved = _json(api.post(f"/runs/{started['run']['id']}/approve", json={"by": "kim"}), 202)
    assert list(approved) == ["run"]
    api.drain()

    detail = _json(api.get(f"/runs/{started['run']['id']}", scope=TokenScope.READ))
    assert list(detail) == ["run", "steps", "logs"]
    _assert_run(detail["run"])
    assert detail["run"]["status"] == "succeeded" and detail["run"]["error"] is None
    assert [s["step_id"] for s in detail["steps"]] == ["ask", "tell"]
    for step in detail["steps"]:
        assert list(step) == STEP_KEYS
        assert step["version"] == 1 and isinstance(step["duration_ms"], float)
        assert API_TIMESTAMP.match(step["started_at"]) and API_TIMESTAMP.match(step["finished_at"])
    assert detail["steps"][0]["error"] is None
    assert detail["logs"], "a decided approval writes a log line"
    for line in detail["logs"]:
        assert list(line) == LOG_KEYS and API_TIMESTAMP.match(line["created_at"])

    listed = _json(api.get("/runs", scope=TokenScope.READ))
    assert list(listed) == ["runs"]
    for run in listed["runs"]:
        _assert_run(run)


def test_cancel_retry_and_an_event_answer_the_same_run_shape(api: LiveApi) -> None:
    emitted = _json(api.post("/events/shape.test", json={}), 202)
    assert list(emitted) == ["event", "runs", "filter_errors"]
    run_id = emitted["runs"][0]["id"]
    _assert_run(emitted["runs"][0])
    api.drain()
    cancelled = _json(api.post(f"/runs/{run_id}/cancel"))
    assert list(cancelled) == ["run"] and cancelled["run"]["status"] == "cancelled"
    _assert_run(cancelled["run"])
    assert isinstance(cancelled["run"]["error"], dict)
    retried = _json(api.post(f"/runs/{run_id}/retry"), 202)
    _assert_run(retried["run"])
    assert retried["run"]["retry_of"] == run_id
