"""The CLI as people use it day to day: --version, delete with a confirmation, show piped whole,
errors with their fix once, honest empty lists, cancel by id prefix, recover naming runs that wait
for their lease."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import yaml

from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.store.records import RunStatus
from tests.e2e.cli_support import invoke, invoke_json

LONG_LINE = "a description long enough that an 80-column console would cut it " * 3
SPEC = f"""\
name: everyday
description: "{LONG_LINE.strip()}"
steps:
  - id: ask
    type: APPROVAL
    message: "{LONG_LINE.strip()} and then some more words to be sure"
"""


def applied(tmp_path: Path) -> None:
    spec = tmp_path / "everyday.mwo.yaml"
    spec.write_text(SPEC)
    assert invoke("apply", str(spec))[0] == 0


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("mwo ") and out.split()[1][0].isdigit()


def test_delete_asks_first_and_yes_skips_the_question(home: Path, tmp_path: Path) -> None:
    applied(tmp_path)
    code, out, _ = invoke("delete", "everyday", input="n\n")
    assert code == 1 and "nothing deleted" in out
    assert invoke_json("list")[1]["workflows"] != []
    code, payload = invoke_json("delete", "everyday")
    assert code == 1 and payload["error"]["code"] == "confirmation_needed"
    assert "--yes" in payload["error"]["fix"]
    code, out, _ = invoke("delete", "everyday", input="y\n")
    assert code == 0 and "deleted" in out
    assert invoke_json("list")[1]["workflows"] == []
    applied(tmp_path)
    assert invoke_json("delete", "everyday", "--yes") == (0, {"ok": True, "deleted": "everyday"})
    code, _, err = invoke("delete", "nope", "--yes")
    assert code == 1 and "fix:" in err


def test_show_piped_prints_the_spec_whole(home: Path, tmp_path: Path) -> None:
    applied(tmp_path)
    code, out, _ = invoke("show", "everyday")
    saved = invoke("show", "everyday", "--yaml")[1]
    assert code == 0 and max(len(line) for line in saved.splitlines()) > 80
    assert out.endswith(saved)  # exactly as saved: copying it gives the same, valid YAML
    assert yaml.safe_load(out[out.index("name: everyday") :])["steps"][0]["id"] == "ask"


def test_an_error_says_its_fix_once(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mwo.yaml"
    bad.write_text("name: bad\nsteps:\n- {id: a, type: NOTIFICATION, channel: inbox}\n")
    code, _, err = invoke("apply", str(bad))
    assert code == 1 and err.count("add this field") == 1, err
    bad.write_text("name: bad\ntrigger: {type: cron, cron: '61 * * * *'}\nsteps: [{id: a, type: APPROVAL}]\n")
    code, _, err = invoke("validate", str(bad))
    assert code == 1 and "trigger.cron:" in err and "trigger.cron.cron" not in err
    assert "Value error" not in err and "Input should" not in err


def test_runs_with_a_filter_and_no_match_say_so(home: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("runs")
    assert code == 0 and "no runs yet" in out
    applied(tmp_path)
    assert invoke("run", "everyday")[0] == 0  # waits for approval
    code, out, _ = invoke("runs", "--status", "running")
    assert code == 0 and "no runs running" in out and "no runs yet" not in out
    code, out, _ = invoke("runs", "--workflow", "other")
    assert "no runs of other" in out


def test_cancel_takes_a_run_id_prefix(home: Path, tmp_path: Path) -> None:
    applied(tmp_path)
    code, payload = invoke_json("run", "everyday")
    run_id = payload["run"]["id"]
    code, payload = invoke_json("cancel", run_id[:8])
    assert code == 0 and payload["run"]["id"] == run_id and payload["run"]["status"] == "cancelled"


def test_recover_names_runs_waiting_for_their_lease(home: Path, tmp_path: Path) -> None:
    applied(tmp_path)
    services = Services.open(Settings())
    try:
        store = services.store
        now = utc_now()
        run = store.create_run(store.get_version("everyday").id, {}, "manual", now)
        assert store.acquire_run(run.id, "host-1:4242", now + timedelta(seconds=300), now)
        store.set_run_status(run.id, RunStatus.RUNNING, now)
    finally:
        services.close()
    code, payload = invoke_json("recover")
    assert code == 0 and payload["runs"] == []
    [waiting] = payload["waiting_for_lease"]
    assert waiting["run_id"] == run.id and waiting["held_by"] == "host-1:4242" and waiting["until"]
    code, out, _ = invoke("recover")
    assert code == 0 and "nothing to recover" not in out
    assert run.id[:8] in out and "held by host-1:4242 until" in out
    json.dumps(payload)


TWO_STEPS = """\
name: two-steps
inputs: {x: {type: string, default: hello}}
steps:
  - {id: first, type: DATA_TRANSFORM, source: inputs.x}
  - {id: ask, type: APPROVAL, message: "go on"}
"""


def test_run_shows_each_step_and_logs_follow_waits_for_the_run(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "two.mwo.yaml"
    spec.write_text(TWO_STEPS)
    assert invoke("apply", str(spec))[0] == 0
    code, out, err = invoke("run", "two-steps")
    assert code == 0 and "two-steps started" in err
    assert "first DATA_TRANSFORM: succeeded" in err and "hello" in err
    run_id = invoke_json("runs")[1]["runs"][0]["id"]
    code, out, err = invoke("logs", run_id[:8], "--follow")
    assert code == 0 and "first DATA_TRANSFORM: succeeded" in err and "waiting for approval" in out
    code, payload = invoke_json("logs", run_id[:8], "--follow")
    assert code == 0 and payload["run"]["status"] == "waiting_approval"
