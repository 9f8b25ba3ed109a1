"""Event triggers: named events and run-finished events start the workflows listening to them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from mwo.cli import app
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunStatus


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings)
    yield opened
    opened.close()


def _apply(s: Services, data: dict[str, Any]) -> None:
    s.applier.apply_workflow(workflow_from_data(data))


def _listener(name: str, event_name: str, filter: str | None = None, **inputs: Any) -> dict[str, Any]:
    trigger: dict[str, Any] = {"type": "event", "event": event_name}
    if filter:
        trigger["filter"] = filter
    return {
        "name": name,
        "trigger": trigger,
        "inputs": inputs,
        "steps": [
            {"id": "note", "type": "NOTIFICATION", "channel": "inbox", "body": f"{name} {{{{ inputs }}}}"}
        ],
    }


def test_a_named_event_starts_matching_listeners_with_its_data(services: Services) -> None:
    _apply(
        services,
        _listener("big-invoice", "invoice.received", "event.data.amount >= 100", amount={"type": "integer"}),
    )
    _apply(services, _listener("any-invoice", "invoice.received", event={"type": "object"}))
    _apply(services, _listener("other", "something.else"))
    outcome = services.events.emit("invoice.received", {"amount": 50, "vendor": "kim"})
    assert sorted(r.workflow_name for r in outcome.runs) == ["any-invoice"]
    outcome = services.events.emit("invoice.received", {"amount": 500})
    assert sorted(r.workflow_name for r in outcome.runs) == ["any-invoice", "big-invoice"]
    big = next(r for r in outcome.runs if r.workflow_name == "big-invoice")
    assert (
        big.status is RunStatus.SUCCEEDED
        and big.inputs == {"amount": 500}
        and big.trigger == "event:invoice.received"
    )
    anyone = next(r for r in outcome.runs if r.workflow_name == "any-invoice")
    assert anyone.inputs == {"event": {"name": "invoice.received", "data": {"amount": 500}}}


def test_a_finished_run_starts_the_workflow_waiting_for_it_and_never_itself(services: Services) -> None:
    _apply(services, {"name": "first", "steps": [{"id": "a", "type": "DATA_TRANSFORM", "source": "[1, 2]"}]})
    _apply(
        services,
        _listener("then", "run.succeeded", "event.data.workflow == 'first'", event={"type": "object"}),
    )
    _apply(services, _listener("echo", "run.succeeded"))  # listens to every success, its own included
    services.runs.start("first")
    started = {r.workflow_name: r for r in services.store.list_runs(RunFilter(limit=20))}
    assert set(started) == {"first", "then", "echo"}
    assert started["then"].inputs["event"]["data"]["output"]["a"]["result"] == [1, 2]
    echoes = services.store.list_runs(RunFilter(workflow_name="echo", limit=20))
    assert len(echoes) == 2, "echo ran for first and for then, but not for its own run"


def test_a_disabled_listener_is_skipped_and_a_bad_filter_is_reported(services: Services) -> None:
    _apply(services, _listener("off", "ping"))
    services.store.set_enabled("off", False)
    _apply(services, _listener("broken", "ping", "event.data.missing.deeper > 1"))
    outcome = services.events.emit("ping", {})
    assert outcome.runs == [] and "broken" in outcome.filter_errors


def test_cli_emit_json(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_HOME", str(settings.resolved_home()))
    s = Services.open(Settings(home=settings.resolved_home(), _env_file=None))
    try:
        _apply(s, _listener("hello", "greet", who={"default": "x"}))
    finally:
        s.close()
    result = CliRunner().invoke(app, ["event", "emit", "greet", "--data", '{"who": "세계"}', "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [r["workflow_name"] for r in payload["runs"]] == ["hello"] and payload["runs"][0]["inputs"] == {
        "who": "세계"
    }
    bad = CliRunner().invoke(app, ["event", "emit", "greet", "--data", "[1]"])
    assert bad.exit_code == 1 and "JSON object" in bad.stderr


class Recorder:
    """A RunDispatcher that only writes down what it was handed."""

    def __init__(self) -> None:
        self.handed: list[tuple[str, Any]] = []

    def execute(self, run_id: str, resume: Any = None) -> bool:
        self.handed.append((run_id, resume))
        return True


def test_in_a_server_a_finished_runs_listeners_are_queued_for_the_workers(services: Services) -> None:
    _apply(
        services,
        {"name": "a", "steps": [{"id": "n", "type": "NOTIFICATION", "channel": "inbox", "body": "a"}]},
    )
    _apply(services, _listener("after-a", "run.succeeded", "event.data.workflow == 'a'"))
    recorder = Recorder()
    services.dispatcher = recorder  # what `mwo serve` sets

    finished = services.runs.start("a")

    assert finished.status is RunStatus.SUCCEEDED
    [queued] = services.store.list_runs(RunFilter(workflow_name="after-a"))
    assert queued.status is RunStatus.QUEUED and queued.trigger == "event:run.succeeded"
    assert recorder.handed == [(queued.id, None)], "handed to the workers, not run on this thread"
