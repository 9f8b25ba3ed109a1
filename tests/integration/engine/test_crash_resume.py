"""Kill the process mid-run; a new process continues the run from its last completed step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from mwo.engine.runs import RunService
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RunFilter, RunRecord, RunStatus, StepStatus
from tests.clocks import ManualClock

from .conftest import Recorder

SPEC = """
name: crashy
settings:
  on_abandoned: {policy}
  network:
    allow: [127.0.0.1]
steps:
- id: prepare
  type: NOTIFICATION
  channel: inbox
  body: prepared
- id: fetch
  type: API_CALL
  request:
    url: {base}/block
    timeout_s: 60
- id: finish
  type: NOTIFICATION
  channel: inbox
  body: 'finished with {{{{ steps.fetch.output.json.n }}}}'
"""


def kill_mid_fetch(settings: Settings, http_server: Recorder, tmp_path: Path, policy: str) -> None:
    """`mwo run crashy` in a child process, SIGKILLed while its `fetch` step waits for the server."""
    http_server.script["/block"] = [(200, {"n": 42})]
    spec = tmp_path / "crashy.mwo.yaml"
    spec.write_text(SPEC.format(base=http_server.base, policy=policy))
    env = {**os.environ, "MWO_HOME": str(settings.resolved_home()), "MWO_RUN_LEASE_S": "30"}
    mwo = [sys.executable, "-m", "mwo"]
    subprocess.run([*mwo, "apply", str(spec)], env=env, check=True, capture_output=True)

    child = subprocess.Popen(
        [*mwo, "run", "crashy"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert http_server.arrived.wait(60), "the run never reached the blocking step"
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    http_server.gate.set()  # from now on the server answers at once


def recovery_after_the_lease(services: Services, settings: Settings) -> tuple[RunService, RunRecord]:
    [run] = services.store.list_runs(RunFilter(workflow_name="crashy"))
    assert run.status is RunStatus.RUNNING, "a killed owner leaves the run running"
    clock = ManualClock.ticking()
    clock.now = run.acquired_until + timedelta(seconds=1) if run.acquired_until else clock.now
    return RunService(services.store, services.registry, services.checkpointer, settings, clock=clock), run


@pytest.mark.slow
def test_run_resumes_after_the_process_is_killed(
    settings: Settings, http_server: Recorder, tmp_path: Path
) -> None:
    kill_mid_fetch(settings, http_server, tmp_path, "resume")
    services = Services.open(settings)
    try:
        runs, run = recovery_after_the_lease(services, settings)
        [recovered] = runs.recover()
        assert recovered.id == run.id and recovered.status is RunStatus.SUCCEEDED
        rows = [(r.step_id, r.attempt, r.status) for r in services.store.list_step_runs(run.id)]
        assert rows == [
            ("prepare", 1, StepStatus.SUCCEEDED),
            ("fetch", 1, StepStatus.FAILED),
            ("fetch", 2, StepStatus.SUCCEEDED),
            ("finish", 1, StepStatus.SUCCEEDED),
        ], "the completed step is not run again; the interrupted one is"
        interrupted = services.store.list_step_runs(run.id)[1]
        assert interrupted.error is not None and interrupted.error["type"] == "interrupted"
        assert sorted(m.body for m in services.store.list_messages()) == ["finished with 42", "prepared"]
    finally:
        services.close()


@pytest.mark.slow
def test_on_abandoned_fail_ends_the_run_for_a_person_to_decide(
    settings: Settings, http_server: Recorder, tmp_path: Path
) -> None:
    kill_mid_fetch(settings, http_server, tmp_path, "fail")

    services = Services.open(settings)
    try:
        runs, run = recovery_after_the_lease(services, settings)
        [failed] = runs.recover()
        assert failed.id == run.id and failed.status is RunStatus.FAILED
        assert failed.error is not None
        assert (failed.error["type"], failed.error["step"]) == ("abandoned", "fetch")
        assert "--from-failed" in failed.error["fix"]
        rows = [(r.step_id, r.status) for r in services.store.list_step_runs(run.id)]
        assert rows == [("prepare", StepStatus.SUCCEEDED), ("fetch", StepStatus.FAILED)], "nothing re-run"
        assert runs.recover() == [], "a failed run is not recovered again"

        resumed = runs.retry(run.id, from_failed=True)  # a person decided: go on

        assert resumed.status is RunStatus.SUCCEEDED
        assert sorted(m.body for m in services.store.list_messages()) == ["finished with 42", "prepared"]
    finally:
        services.close()
