"""`mwo schedule ...` as a user drives it: preview (the JSON shape is a contract), list, pause, resume."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli_support import invoke

SPEC = """\
name: morning
trigger: {type: cron, cron: "30 2 * * *", timezone: America/New_York, misfire: run_all, overlap: queue}
inputs: {records: {type: array, default: [{v: 1}]}}
steps:
  - {id: sort, type: DATA_TRANSFORM, source: inputs.records, ops: [{op: sort, by: v}]}
"""


def test_preview_json_is_the_contract_shape_in_utc() -> None:
    code, out, _ = invoke(
        "schedule", "preview", "--cron", "30 2 * * *", "--tz", "America/New_York",
        "--after", "2026-03-07T00:00:00Z", "--count", "3", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "fires": ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]
    }


def test_preview_of_a_bad_expression_is_one_error_with_a_fix() -> None:
    code, _, err = invoke("schedule", "preview", "--cron", "0 9 * *")
    assert code == 1 and "5 fields" in err and "fix:" in err
    code, _, err = invoke("schedule", "preview", "--cron", "0 9 * * *", "--after", "2026-01-01")
    assert code == 1 and "no time zone" in err


def test_saved_workflow_preview_list_pause_resume(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "morning.mwo.yaml"
    spec.write_text(SPEC)
    assert invoke("apply", str(spec))[0] == 0
    code, out, _ = invoke(
        "schedule", "preview", "morning", "--after", "2026-11-01T00:00:00Z", "--count", "2", "--json"
    )
    assert json.loads(out) == {"fires": ["2026-11-01T07:30:00Z", "2026-11-02T07:30:00Z"]}
    code, out, _ = invoke("schedule", "list", "--json")
    (listed,) = json.loads(out)["schedules"]
    assert (listed["workflow"], listed["misfire"], listed["overlap"], listed["paused"]) == (
        "morning",
        "run_all",
        "queue",
        False,
    )
    assert listed["next_fire_at"].endswith(":30:00Z")
    code, out, _ = invoke("schedule", "pause", "morning", "--json")
    assert json.loads(out)["schedule"]["paused"] is True
    code, out, _ = invoke("schedule", "resume", "morning")
    assert code == 0 and "morning: active" in out
    code, _, err = invoke("schedule", "preview", "nope")
    assert code == 1 and "nope" in err


def test_run_once_ticks_and_exits(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "morning.mwo.yaml"
    spec.write_text(SPEC)
    invoke("apply", str(spec))
    code, _, err = invoke("schedule", "run", "--once")
    assert code == 0, err


def test_saved_workflow_preview_stays_within_its_start_and_end_dates(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "window.mwo.yaml"
    spec.write_text(
        SPEC.replace("name: morning", "name: window").replace(
            "overlap: queue}", "overlap: queue, start: 2026-11-03, end: 2026-11-04}"
        )
    )
    assert invoke("apply", str(spec))[0] == 0
    code, out, _ = invoke(
        "schedule", "preview", "window", "--after", "2026-11-01T00:00:00Z", "--count", "5", "--json"
    )
    assert code == 0
    assert json.loads(out) == {"fires": ["2026-11-03T07:30:00Z", "2026-11-04T07:30:00Z"]}
    code, out, _ = invoke("schedule", "list", "--json")
    (listed,) = json.loads(out)["schedules"]
    assert listed["start_at"] == "2026-11-03T05:00:00Z"  # midnight in New York (EST)
    assert listed["end_at"].startswith("2026-11-05T04:59:59")


def test_run_once_starts_a_due_fire_here_and_prints_the_tick(home: Path, tmp_path: Path) -> None:
    from datetime import timedelta

    from mwo.clock import utc_now
    from mwo.services import Services
    from mwo.store.records import RunFilter, RunStatus
    from mwo.triggers.registration import sync_schedule

    spec = tmp_path / "minutely.mwo.yaml"
    spec.write_text(SPEC.replace("name: morning", "name: minutely").replace('"30 2 * * *"', '"* * * * *"'))
    assert invoke("apply", str(spec))[0] == 0
    services = Services.open()
    try:  # registered again as if applied 150 s ago: fires are due (run_all catches every one up)
        workflow = services.workflow_of(services.store.get_version("minutely"))
        services.store.delete_schedule("minutely")
        sync_schedule(services.store, workflow, utc_now() - timedelta(seconds=150))
    finally:
        services.close()
    code, out, err = invoke("schedule", "run", "--once")
    assert code == 0, err
    services = Services.open()
    try:
        runs = services.store.list_runs(RunFilter(workflow_name="minutely"))
    finally:
        services.close()
    assert runs and {run.status for run in runs} == {RunStatus.SUCCEEDED}  # executed inline, in the tick
    assert f"claimed {len(runs)}, started {len(runs)}, skipped 0, failed 0" in out
