"""Runs over the API: start (202, executed on the worker pool), detail with step runs and logs, list
filters, approve/reject of a waiting run (who may decide holds), cancel, retry, retry-from-failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mwo.settings import Settings
from mwo.store import RunFilter, RunStatus, TokenScope
from tests.integration.api.live_api import FAILING, LiveApi, assert_problem, live_api

NOTIFY = {
    "name": "notify",
    "inputs": {"x": {"required": True}},
    "steps": [
        {
            "id": "tell",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "s",
            "body": "got {{ inputs.x }}",
        }
    ],
}
GATED = {
    "name": "gated",
    "steps": [
        {"id": "ask", "type": "APPROVAL", "message": "pay?", "approvers": ["kim", "approver-bot"]},
        {"id": "pay", "type": "NOTIFICATION", "channel": "inbox", "body": "paid ({{ steps.ask.output.by }})"},
    ],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        for spec in (NOTIFY, GATED, FAILING):
            live.apply(spec)
        yield live


def start(api: LiveApi, name: str, inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post(f"/workflows/{name}/runs", json={"inputs": inputs or {}})
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()["run"]
    return run


def detail(api: LiveApi, run_id: str) -> dict[str, Any]:
    response = api.get(f"/runs/{run_id}", scope=TokenScope.READ)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_started_run_answers_at_once_then_succeeds_and_shows_its_steps(api: LiveApi) -> None:
    queued = start(api, "notify", {"x": "hello"})
    assert queued["status"] == "queued" and queued["trigger"] == "api" and queued["inputs"] == {"x": "hello"}

    api.drain()
    shown = detail(api, queued["id"])

    assert shown["run"]["status"] == "succeeded"
    assert [(s["step_id"], s["type"], s["attempt"], s["status"]) for s in shown["steps"]] == [
        ("tell", "NOTIFICATION", 1, "succeeded")
    ]
    assert shown["steps"][0]["duration_ms"] is not None
    assert isinstance(shown["logs"], list)
    assert [m.body for m in api.services.store.list_messages()] == ["got hello"]


def test_a_run_detail_accepts_an_id_prefix(api: LiveApi) -> None:
    run = start(api, "notify", {"x": "1"})
    api.drain()
    assert detail(api, run["id"][:8])["run"]["id"] == run["id"]


def test_inputs_are_checked_before_anything_runs(api: LiveApi) -> None:
    problem = assert_problem(api.post("/workflows/notify/runs", json={"inputs": {}}), 422)
    assert problem["code"] == "bad_input" and "'x'" in problem["detail"]
    assert_problem(api.post("/workflows/notify/runs", json={"inputs": {"x": "1", "y": 2}}), 422)
    assert_problem(api.post("/workflows/notify/runs", json={"inputs": "x=1"}), 422)
    assert_problem(api.post("/workflows/nope/runs", json={}), 404)
    assert_problem(api.post("/workflows/notify/runs", json={"inputs": {"x": "1"}, "version": 7}), 404)
    assert api.services.store.list_runs(RunFilter()) == []


def test_list_filters_by_workflow_status_and_limit(api: LiveApi) -> None:
    for value in ("a", "b"):
        start(api, "notify", {"x": value})
    start(api, "gated")
    api.drain()

    def listed(**params: Any) -> list[tuple[str, str]]:
        response = api.get("/runs", scope=TokenScope.READ, params=params)
        assert response.status_code == 200, response.text
        return [(r["workflow_name"], r["status"]) for r in response.json()["runs"]]

    assert len(listed()) == 3
    assert listed(workflow="notify") == [("notify", "succeeded")] * 2
    assert listed(status="waiting_approval") == [("gated", "waiting_approval")]
    assert len(listed(status=["waiting_approval", "succeeded"])) == 3
    assert len(listed(limit=1)) == 1
    assert_problem(api.get("/runs", params={"status": "sleeping"}), 422)
    assert_problem(api.get("/runs", params={"limit": 0}), 422)


def test_approve_over_the_api_resumes_the_waiting_run(api: LiveApi) -> None:
    run = start(api, "gated")
    api.drain()
    assert detail(api, run["id"])["run"]["status"] == "waiting_approval"
    inbox = api.get("/approvals", scope=TokenScope.READ).json()["approvals"]
    assert [(a["run_id"], a["step_id"], a["status"], a["message"]) for a in inbox] == [
        (run["id"], "ask", "pending", "pay?")
    ]

    decided = api.post(f"/runs/{run['id']}/approve", json={"by": "kim", "comment": "ok"})
    assert decided.status_code == 202, decided.text
    api.drain()

    shown = detail(api, run["id"])
    assert shown["run"]["status"] == "succeeded"
    assert [(s["step_id"], s["status"]) for s in shown["steps"]] == [
        ("ask", "succeeded"),
        ("pay", "succeeded"),
    ]
    assert [m.body for m in api.services.store.list_messages()] == ["paid (kim)"]
    approval = api.services.store.get_approval(run["id"], "ask")
    assert (approval.decided_by, approval.comment) == ("kim", "ok")
    assert api.get("/approvals").json()["approvals"] == []


def test_without_by_the_token_name_decides_and_approver_rules_hold(api: LiveApi) -> None:
    run = start(api, "gated")
    api.drain()

    problem = assert_problem(api.post(f"/runs/{run['id']}/approve", json={"by": "stranger"}), 409)
    assert "stranger" in problem["detail"] and "kim" in problem["fix"]
    refused = assert_problem(api.post(f"/runs/{run['id']}/approve"), 409)  # decided by "write-token"
    assert "write-token" in refused["detail"]
    assert detail(api, run["id"])["run"]["status"] == "waiting_approval"  # nothing was decided


def test_reject_stops_the_run(api: LiveApi) -> None:
    run = start(api, "gated")
    api.drain()

    assert api.post(f"/runs/{run['id']}/reject", json={"by": "kim", "comment": "no"}).status_code == 202
    api.drain()

    shown = detail(api, run["id"])["run"]
    assert shown["status"] == "cancelled" and shown["error"]["type"] == "rejected"
    assert api.services.store.list_messages() == []


def test_deciding_a_run_that_is_not_waiting_is_409(api: LiveApi) -> None:
    run = start(api, "notify", {"x": "1"})
    api.drain()
    problem = assert_problem(api.post(f"/runs/{run['id']}/approve", json={"by": "kim"}), 409)
    assert problem["code"] == "run_state" and problem["fix"]
    assert_problem(api.post("/runs/nope/reject", json={}), 404)
    assert_problem(api.post(f"/runs/{run['id']}/approve", json={"by": "x" * 201}), 422)


def test_cancel_a_waiting_run_at_once_and_a_finished_one_is_409(api: LiveApi) -> None:
    run = start(api, "gated")
    api.drain()

    cancelled = api.post(f"/runs/{run['id']}/cancel")

    assert cancelled.status_code == 200 and cancelled.json()["run"]["status"] == "cancelled"
    assert api.services.store.get_run(run["id"]).status is RunStatus.CANCELLED
    assert_problem(api.post(f"/runs/{run['id']}/cancel"), 409)


def test_retry_is_a_new_run_of_the_same_version_and_inputs(api: LiveApi) -> None:
    first = start(api, "notify", {"x": "again"})
    api.drain()

    retried = api.post(f"/runs/{first['id']}/retry")
    assert retried.status_code == 202, retried.text
    second = retried.json()["run"]
    api.drain()

    assert second["id"] != first["id"] and second["retry_of"] == first["id"]
    assert second["inputs"] == first["inputs"]
    assert detail(api, second["id"])["run"]["status"] == "succeeded"


def test_retry_from_failed_reruns_the_failed_step_on_the_same_run(api: LiveApi) -> None:
    run = start(api, "failing")
    api.drain()
    failed = detail(api, run["id"])
    assert failed["run"]["status"] == "failed" and failed["run"]["error"]["type"] == "refused_address"

    again = api.post(f"/runs/{run['id']}/retry-from-failed")
    assert again.status_code == 202, again.text
    assert again.json()["run"]["id"] == run["id"] and again.json()["run"]["status"] == "queued"
    api.drain()

    shown = detail(api, run["id"])
    assert shown["run"]["status"] == "failed"  # the address is still refused
    assert [(s["step_id"], s["attempt"]) for s in shown["steps"]] == [("fetch", 1), ("fetch", 2)]


def test_retry_from_failed_of_a_run_that_did_not_fail_is_409(api: LiveApi) -> None:
    run = start(api, "notify", {"x": "1"})
    api.drain()
    problem = assert_problem(api.post(f"/runs/{run['id']}/retry-from-failed"), 409)
    assert "not failed" in problem["detail"] and problem["fix"]


@pytest.mark.parametrize(
    "path", ["/workflows/notify/runs", "/events/invoice.received"], ids=["start", "event"]
)
def test_text_that_is_not_unicode_is_422_and_starts_nothing(api: LiveApi, path: str) -> None:
    body = b'{"inputs": {"x": "\\ud800"}}' if path.endswith("/runs") else b'{"x": "\\ud800"}'
    response = api.post(path, content=body, headers={"Content-Type": "application/json"})
    assert assert_problem(response, 422)["code"] == "invalid_text"
    assert api.services.store.list_runs(RunFilter()) == []
