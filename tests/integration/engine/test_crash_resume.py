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
from mwo.store.records import RunFilter, RunStatus, StepStatus

from .conftest import Clock, Recorder

SPEC = """
name: crashy
settings:
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


@pytest.mark.slow
def test_run_resumes_after_the_process_is_killed(
    settings: Settings, http_server: Recorder, tmp_path: Path
) -> None:
    http_server.script["/block"] = [(200, {"n": 42})]
    spec = tmp_path / "crashy.mwo.yaml"
    spec.write_text(SPEC.format(base=http_server.base))
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

    services = Services.open(settings)
    try:
        [run] = services.store.list_runs(RunFilter(workflow_name="crashy"))
        assert run.status is RunStatus.RUNNING, "a killed owner leaves the run running"
        clock = Clock()
        clock.now = run.acquired_until + timedelta(seconds=1) if run.acquired_until else clock.now
        runs = RunService(services.store, services.registry, services.checkpointer, settings, clock=clock)
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
