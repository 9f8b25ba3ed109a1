"""Run-time repair over the API: a run whose script fails waits with a proposed fix; GET shows it,
`/repairs` lists it, approve (202) continues the run on the workers on a new version, reject fails it
as before; read tokens may look, not decide. The repairer is scripted (the engine and the API are
what is tested here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mwo.engine.repair import RepairOutcome, RepairRequest, RepairWiring
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import PythonScriptStep
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

HEADLINES = {
    "name": "headlines",
    "inputs": {"items": {"type": "array", "default": [{"title": "rates"}]}},
    "steps": [
        {
            "id": "clean",
            "type": "PYTHON_SCRIPT",
            "inputs": {"items": "{{ inputs.items }}"},
            "code": "def main(inputs):\n    return {'titles': [i['titel'] for i in inputs['items']]}\n",
        }
    ],
}


class KeyRenamer:
    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        keep_going()
        assert isinstance(request.step, PythonScriptStep)
        fixed = request.step.model_copy(update={"code": request.step.code.replace("'titel'", "'title'")})
        return RepairOutcome(fixed, note="the input has 'title'", attempts=1, seconds=0.1)


@pytest.fixture
def api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveApi]:
    if not Sandbox(SandboxConfig(pool_size=0)).isolation.isolated:
        pytest.skip("no namespace isolation here")

    def wiring(self: Services) -> RepairWiring:
        return RepairWiring(KeyRenamer(), self.applier.save_fix)

    monkeypatch.setattr(Services, "_repair_wiring", wiring)
    with live_api(settings) as live:
        live.apply(HEADLINES)
        yield live


def waiting_run(api: LiveApi) -> str:
    response = api.post("/workflows/headlines/runs", json={})
    assert response.status_code == 202, response.text
    api.drain()
    run_id: str = response.json()["run"]["id"]
    return run_id


def test_a_waiting_run_shows_its_proposed_fix_and_is_listed(api: LiveApi) -> None:
    run_id = waiting_run(api)

    shown = api.get(f"/runs/{run_id}/repair", scope=TokenScope.READ)
    listed = api.get("/repairs", scope=TokenScope.READ)

    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["run"]["status"] == "waiting_repair"
    repair = body["repair"]
    assert (repair["status"], repair["step_id"], repair["input"]) == (
        "pending",
        "clean",
        {"items": [{"title": "rates"}]},
    )
    assert "KeyError" in repair["error"]["message"] and "+    return {'titles': [i['title']" in repair["diff"]
    assert [r["run_id"] for r in listed.json()["repairs"]] == [run_id]


def test_approve_continues_the_run_on_a_new_version(api: LiveApi) -> None:
    run_id = waiting_run(api)

    response = api.post(f"/runs/{run_id[:8]}/repair/approve", json={"comment": "yes"})
    assert response.status_code == 202, response.text
    assert response.json()["repair"]["status"] == "approved"
    api.drain()

    shown = api.get(f"/runs/{run_id}", scope=TokenScope.READ).json()
    run = shown["run"]
    assert (run["status"], run["version_number"]) == ("succeeded", 2)
    assert [(s["attempt"], s["status"], s["version"]) for s in shown["steps"]] == [
        (1, "failed", 1),
        (2, "succeeded", 2),
    ]
    assert run["output"] == {"clean": {"titles": ["rates"]}}
    assert api.get("/repairs", scope=TokenScope.READ).json()["repairs"] == []
    by = api.get(f"/runs/{run_id}/repair", scope=TokenScope.READ).json()["repair"]["decided_by"]
    assert by == "write-token"


def test_reject_fails_the_run_as_before(api: LiveApi) -> None:
    run_id = waiting_run(api)

    response = api.post(f"/runs/{run_id}/repair/reject", json={"by": "kim"})

    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["run"]["status"] == "failed" and body["run"]["error"]["type"] == "exception"
    assert (body["repair"]["status"], body["repair"]["decided_by"]) == ("rejected", "kim")
    again = api.post(f"/runs/{run_id}/repair/approve")
    assert assert_problem(again, 409)["code"] == "run_state"


def test_reading_needs_read_deciding_needs_write_and_unknown_runs_are_404(api: LiveApi) -> None:
    run_id = waiting_run(api)

    assert api.post(f"/runs/{run_id}/repair/approve", scope=TokenScope.READ).status_code == 403
    assert api.get(f"/runs/{run_id}/repair", scope=None).status_code == 401
    assert_problem(api.get("/runs/no-such-run/repair", scope=TokenScope.READ), 404)
