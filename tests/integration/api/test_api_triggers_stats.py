"""Schedules, events and statistics over the API: next fire times by the scheduler's own rules,
pause/resume, an event that starts its listener, and run statistics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import FAILING, LiveApi, assert_problem, live_api

MORNING = {
    "name": "morning",
    "trigger": {"type": "cron", "cron": "0 9 * * *", "timezone": "Asia/Seoul"},
    "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "good morning"}],
}
ON_INVOICE = {
    "name": "on-invoice",
    "trigger": {"type": "event", "event": "invoice.received", "filter": "event.data.amount > 10"},
    "inputs": {"amount": {"type": "integer", "required": True}},
    "steps": [
        {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "invoice {{ inputs.amount }}"}
    ],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        for spec in (MORNING, ON_INVOICE, FAILING):
            live.apply(spec)
        yield live


# --- schedules ------------------------------------------------------------------------------------


def test_schedules_are_listed_with_their_next_fire(api: LiveApi) -> None:
    listed = api.get("/schedules", scope=TokenScope.READ).json()["schedules"]
    assert [(s["workflow"], s["cron"], s["timezone"], s["paused"]) for s in listed] == [
        ("morning", "0 9 * * *", "Asia/Seoul", False)
    ]
    assert listed[0]["next_fire_at"].endswith("T00:00:00Z")  # 09:00 in Seoul


def test_preview_of_a_saved_workflow(api: LiveApi) -> None:
    response = api.get(
        "/schedules/morning/preview",
        scope=TokenScope.READ,
        params={"count": 3, "after": "2026-02-28T12:00:00Z"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["fires"] == [
        "2026-03-01T00:00:00Z",
        "2026-03-02T00:00:00Z",
        "2026-03-03T00:00:00Z",
    ]


def test_preview_of_an_expression_follows_the_dst_rules(api: LiveApi) -> None:
    # 02:00 does not exist in New York on 2026-03-08 (spring forward): it fires once, at 03:00 EDT.
    response = api.get(
        "/schedules/preview",
        params={"cron": "0 2 * * *", "tz": "America/New_York", "after": "2026-03-07T12:00:00Z", "count": 2},
    )
    assert response.json()["fires"] == ["2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/schedules/on-invoice/preview", {}, 404),  # an event trigger, no schedule
        ("/schedules/nope/preview", {}, 404),
        ("/schedules/morning/preview", {"count": 0}, 422),
        ("/schedules/morning/preview", {"after": "2026-03-01T00:00:00"}, 422),  # no zone
        ("/schedules/morning/preview", {"after": "yesterday"}, 422),
        ("/schedules/morning/preview", {"after": "9999-12-31T23:59:59Z"}, 422),  # fires past year 9999
        ("/schedules/preview", {"cron": "61 * * * *"}, 422),
        ("/schedules/preview", {"cron": "0 9 * * *", "tz": "Mars/Olympus"}, 422),
        ("/schedules/preview", {}, 422),
    ],
)
def test_preview_errors(api: LiveApi, path: str, params: dict[str, Any], status: int) -> None:
    assert_problem(api.get(path, params=params), status)


def test_pause_and_resume(api: LiveApi) -> None:
    paused = api.post("/schedules/morning/pause")
    assert paused.status_code == 200 and paused.json()["schedule"]["paused"] is True
    assert api.services.store.get_schedule("morning").paused is True

    resumed = api.post("/schedules/morning/resume")
    assert resumed.json()["schedule"]["paused"] is False and resumed.json()["schedule"]["next_fire_at"]
    assert_problem(api.post("/schedules/on-invoice/pause"), 404)


# --- events ---------------------------------------------------------------------------------------


def test_an_event_starts_its_listener_when_the_filter_matches(api: LiveApi) -> None:
    response = api.post("/events/invoice.received", json={"amount": 20, "extra": "ignored"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["event"] == "invoice.received" and body["filter_errors"] == {}
    assert [(r["workflow_name"], r["trigger"], r["inputs"]) for r in body["runs"]] == [
        ("on-invoice", "event:invoice.received", {"amount": 20})
    ]
    api.drain()
    assert api.services.store.get_run(body["runs"][0]["id"]).status.value == "succeeded"
    assert [m.body for m in api.services.store.list_messages()] == ["invoice 20"]

    ignored = api.post("/events/invoice.received", json={"amount": 5})
    assert ignored.status_code == 202 and ignored.json()["runs"] == []
    assert api.post("/events/nobody.listens").json()["runs"] == []  # an empty body is {}


@pytest.mark.parametrize("content", [b"[1]", b"not json", b'"text"', b"[" * 5000 + b"]" * 5000])
def test_event_data_must_be_a_json_object(api: LiveApi, content: bytes) -> None:
    response = api.post(
        "/events/invoice.received", content=content, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422)
    assert api.services.store.list_messages() == []


# --- statistics -----------------------------------------------------------------------------------


def test_statistics_overall_and_per_workflow(api: LiveApi) -> None:
    for name in ("morning", "failing"):
        assert api.post(f"/workflows/{name}/runs", json={}).status_code == 202
    api.drain()

    overall = api.get("/stats", scope=TokenScope.READ).json()
    assert overall["overall"]["total"] == 2
    assert overall["overall"]["by_status"] == {"failed": 1, "succeeded": 1}
    assert overall["overall"]["success_rate"] == 0.5
    assert {w["workflow"] for w in overall["workflows"]} == {"morning", "failing"}
    assert [(c["workflow"], c["step"], c["error_type"]) for c in overall["failure_causes"]] == [
        ("failing", "fetch", "refused_address")
    ]

    one = api.get("/workflows/morning/stats").json()
    assert one["overall"]["total"] == 1 and one["overall"]["success_rate"] == 1.0
    assert one["overall"]["duration"]["count"] == 1
    later = api.get("/stats", params={"since": "2999-01-01T00:00:00Z"}).json()
    assert later["overall"]["total"] == 0


def test_statistics_errors(api: LiveApi) -> None:
    assert_problem(api.get("/workflows/nope/stats"), 404)
    assert_problem(api.get("/stats", params={"since": "2026-01-01T00:00:00"}), 422)
    assert_problem(api.get("/stats", params={"since": "last week"}), 422)
