"""The `--json` shapes of a run, its step attempts and its log lines are a contract scripts rely on:
exactly these keys, in this order, timestamps in Python's ISO form (UTC as `+00:00`), nulls kept.
The CLI's run is the API's run (tests/integration/api/test_api_run_shapes.py) plus the store's ids
and the lease; its log line carries the row's id and run id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.cli_support import invoke_json

CLI_RUN_KEYS = [
    "id",
    "workflow_id",
    "workflow_name",
    "version_id",
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
    "acquired_by",
    "acquired_until",
    "retry_of",
]
CLI_STEP_KEYS = [
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
CLI_LOG_KEYS = ["id", "run_id", "step_id", "level", "message", "created_at"]
INBOX_KEYS = ["id", "run_id", "title", "body", "created_at", "read_at"]
CLI_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")

GATED = """
name: gated
inputs: {x: {default: a}}
trigger: {type: event, event: shape.test}
steps:
- {id: ask, type: APPROVAL, message: "go on?"}
- {id: tell, type: NOTIFICATION, channel: inbox, subject: done, body: "ok {{ inputs.x }}"}
"""


def _stamp(value: Any, nullable: bool = True) -> bool:
    return (nullable and value is None) or bool(CLI_TIMESTAMP.match(value))


def assert_cli_run(run: dict[str, Any]) -> None:
    """`run` has the CLI's run keys, types and timestamp form."""
    assert list(run) == CLI_RUN_KEYS
    assert isinstance(run["workflow_id"], int) and isinstance(run["version_id"], int)
    assert isinstance(run["cancel_requested"], bool) and isinstance(run["inputs"], dict)
    assert _stamp(run["created_at"], nullable=False), run["created_at"]
    for key in ("started_at", "finished_at", "acquired_until"):
        assert _stamp(run[key]), run[key]


def _assert_steps(steps: list[dict[str, Any]]) -> None:
    for step in steps:
        assert list(step) == CLI_STEP_KEYS
        assert _stamp(step["started_at"], nullable=False) and _stamp(step["finished_at"])
        assert step["duration_ms"] is None or isinstance(step["duration_ms"], float)


def _apply(tmp_path: Path) -> None:
    spec = tmp_path / "gated.mwo.yaml"
    spec.write_text(GATED)
    assert invoke_json("apply", str(spec))[0] == 0


def test_run_approve_logs_and_runs_print_the_pinned_shapes(home: Path, tmp_path: Path) -> None:
    _apply(tmp_path)
    code, started = invoke_json("run", "gated", "--input", "x=b")
    assert code == 0 and list(started) == ["ok", "run", "steps"] and started["ok"] is True
    assert_cli_run(started["run"])
    assert started["run"]["status"] == "waiting_approval" and started["run"]["output"] is None
    _assert_steps(started["steps"])
    assert started["steps"][0]["finished_at"] is None and started["steps"][0]["duration_ms"] is None

    code, approved = invoke_json("approve", started["run"]["id"][:8], "--by", "kim")
    assert code == 0 and list(approved) == ["ok", "run", "steps"]
    assert_cli_run(approved["run"])
    assert approved["run"]["status"] == "succeeded" and approved["run"]["acquired_by"] is None
    _assert_steps(approved["steps"])
    assert [s["version"] for s in approved["steps"]] == [1, 1]

    code, shown = invoke_json("logs", started["run"]["id"])
    assert code == 0 and list(shown) == ["ok", "run", "steps", "logs"]
    assert_cli_run(shown["run"])
    _assert_steps(shown["steps"])
    assert shown["logs"], "a decided approval writes a log line"
    for line in shown["logs"]:
        assert list(line) == CLI_LOG_KEYS and _stamp(line["created_at"], nullable=False)
        assert isinstance(line["id"], int) and line["run_id"] == started["run"]["id"]

    code, listed = invoke_json("runs")
    assert code == 0 and list(listed) == ["ok", "runs"] and len(listed["runs"]) == 1
    assert_cli_run(listed["runs"][0])

    code, inbox = invoke_json("inbox")
    assert code == 0 and list(inbox["messages"][0]) == INBOX_KEYS
    assert _stamp(inbox["messages"][0]["created_at"], nullable=False)


def test_cancel_retry_recover_and_emit_print_the_same_run_shape(home: Path, tmp_path: Path) -> None:
    _apply(tmp_path)
    code, emitted = invoke_json("event", "emit", "shape.test")
    assert code == 0 and list(emitted) == ["ok", "event", "runs", "filter_errors"]
    assert_cli_run(emitted["runs"][0])
    run_id = emitted["runs"][0]["id"]

    code, cancelled = invoke_json("cancel", run_id)
    assert code == 0 and list(cancelled) == ["ok", "run"]
    assert_cli_run(cancelled["run"])
    assert cancelled["run"]["status"] == "cancelled" and isinstance(cancelled["run"]["error"], dict)

    code, retried = invoke_json("retry", run_id)
    assert code == 0 and list(retried) == ["ok", "run", "steps"]
    assert_cli_run(retried["run"])
    assert retried["run"]["retry_of"] == run_id
    _assert_steps(retried["steps"])

    code, recovered = invoke_json("recover")
    assert code == 0 and recovered == {"ok": True, "runs": [], "waiting_for_lease": []}
