"""One SQLite install under the web app, the scheduler and a worker at once (issue #17, item 4): no
"database is locked" anywhere.

On one MWO_HOME (one SQLite file, one checkpoint file): `mwo serve` (scheduler, API, reaper) with the
Celery executor, one `mwo worker` process executing the scheduled runs, and the web app in this
process: its own context (`mwo.ui.state.open_context`, whose pool executes the runs the app starts)
starting runs and rendering the runs, inbox, statistics and workflows pages over and over while the
others write. The scheduled runs are catch-up fires of schedules applied as of minutes ago, so they
all arrive at once. Every run must succeed, and neither the processes' logs, the runs' and steps'
errors nor the pages may mention a locked database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunStatus
from mwo.ui.state import CONTEXT_KEY, LANGUAGE_KEY, open_context
from tests.clocks import ManualClock
from tests.e2e.test_serve import TUNING, Home
from tests.scale_support import BROKER, all_runs, eventually, forget_queue, redis_reachable
from tests.ui.conftest import APP

pytestmark = pytest.mark.slow

SCHEDULES = 6
MINUTES = 15
UI_RUNS = 30
PAGES = ("runs.py", "inbox.py", "statistics.py", "workflows.py")
LOCKED = "database is locked"


def steps(tag: str) -> list[dict[str, object]]:
    return [
        {"id": "first", "type": "NOTIFICATION", "channel": "inbox", "subject": tag, "body": "1"},
        {
            "id": "pick",
            "type": "DATA_TRANSFORM",
            "source": "inputs",
            "ops": [{"op": "select", "fields": ["n"]}],
        },
        {"id": "last", "type": "NOTIFICATION", "channel": "inbox", "subject": tag, "body": "2"},
    ]


def scheduled(name: str, first: object, last: object) -> dict[str, object]:
    trigger = {"type": "cron", "cron": "* * * * *", "misfire": "run_all", "overlap": "allow"}
    return {
        "name": name,
        "inputs": {"n": {"type": "integer", "default": 0}},
        "trigger": {**trigger, "start": str(first), "end": str(last)},
        "steps": steps(name),
    }


def render_pages(ui: object) -> list[str]:
    """Render each page once with the app's context; what they showed as an exception or error."""
    problems = []
    for page in PAGES:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.session_state[CONTEXT_KEY] = ui
        at.session_state[LANGUAGE_KEY] = "en"
        at.run()
        at.switch_page(f"views/{page}").run()
        problems += [f"{page}: {e.value}" for e in at.exception]
        problems += [f"{page}: {e.value}" for e in at.error if LOCKED in str(e.value)]
    return problems


def test_the_app_the_scheduler_and_a_worker_share_one_sqlite_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    redis_reachable()
    began = time.monotonic()
    home = tmp_path / "home"
    queue = f"mwo-sqlite-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        home=home,
        executor="celery",
        celery_broker_url=BROKER,
        celery_queue=queue,
        sandbox_pool_size=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWO_")} | TUNING
    env |= {
        "MWO_HOME": str(home),
        "MWO_EXECUTOR": "celery",
        "MWO_CELERY_BROKER_URL": BROKER,
        "MWO_CELERY_QUEUE": queue,
        "MWO_SANDBOX_POOL_SIZE": "0",
    }
    first = utc_now().replace(second=0, microsecond=0) - timedelta(minutes=MINUTES + 1)
    last = first + timedelta(minutes=MINUTES - 1)
    opened = Services.open(settings, ManualClock(first - timedelta(seconds=30)))
    for i in range(SCHEDULES):
        opened.applier.apply_workflow(
            workflow_from_data(scheduled(f"tick-{i}", first.isoformat(), last.isoformat()))
        )
    opened.applier.apply_workflow(
        workflow_from_data({"name": "by-hand", "inputs": {"n": {"type": "integer"}}, "steps": steps("ui")})
    )
    opened.close()

    ui = open_context(settings, workers=2)
    worker_err = tmp_path / "worker.err"
    worker = subprocess.Popen(
        [sys.executable, "-m", "mwo", "worker", "--concurrency", "2", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=worker_err.open("w"),
    )
    served = None
    try:
        served = Home(settings, env, tmp_path).serve()
        problems: list[str] = []
        started = [ui.start_run("by-hand", {"n": n}) for n in range(UI_RUNS)]
        expected = SCHEDULES * MINUTES + UI_RUNS

        def all_done() -> bool:
            problems.extend(render_pages(ui))  # the app reads while the others write
            runs = all_runs(ui.services)
            return len(runs) == expected and all(r.status.is_final for r in runs)

        eventually(all_done, "every run to finish", timeout_s=240, every_s=0.1)
        problems.extend(render_pages(ui))

        runs = all_runs(ui.services)
        assert set(started) <= {r.id for r in runs}
        assert {r.status for r in runs} == {RunStatus.SUCCEEDED}, [
            (r.id, r.status, r.error) for r in runs if r.status is not RunStatus.SUCCEEDED
        ]
        step_errors = [s.error for r in runs for s in ui.services.store.list_step_runs(r.id) if s.error]
        assert [e for e in step_errors if LOCKED in str(e)] == []
        assert problems == []
        code, out = served.terminate()
        served = None
        assert code == 0, out
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
        logs = {
            "serve": "".join(p.read_text() for p in tmp_path.glob("serve-*.err")),
            "worker": worker_err.read_text(),
        }
        assert {name: LOCKED in text for name, text in logs.items()} == {"serve": False, "worker": False}, (
            logs
        )
        print(f"\n{len(runs)} runs on one SQLite file, {time.monotonic() - began:.0f}s")
    finally:
        if served is not None:
            served.process.kill()
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
        ui.close()
        forget_queue(queue)
    assert LOCKED not in caplog.text  # the app's own pool and pages, in this process
