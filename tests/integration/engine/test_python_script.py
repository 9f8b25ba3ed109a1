"""PYTHON_SCRIPT through the whole engine: RunService, rows, logs, secrets, typed failures."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.sandbox import Sandbox, SandboxConfig
from mwo.store.records import RunStatus, StepStatus

from .conftest import Env, Recorder, loopback_settings

CLEAN = """
import html, re

def main(inputs):
    strip = lambda s: html.unescape(re.sub(r"<[^>]+>", "", s))
    print(f"cleaning {len(inputs['items'])} items")
    return {"articles": [{"title": strip(i["title"])} for i in inputs["items"]]}
"""


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    probe = Sandbox(SandboxConfig(pool_size=0))
    if not probe.isolation.isolated:
        pytest.skip(f"no namespace isolation here: {probe.isolation.detail}")


def _workflow(code: str, **step: Any) -> dict[str, Any]:
    script = {"id": "clean", "type": "PYTHON_SCRIPT", "code": code, "inputs": {"items": "{{ inputs.items }}"}}
    return {
        "name": "scripted",
        "inputs": {"items": {"type": "array", "default": [{"title": "<b>Rates</b> &amp; stocks"}]}},
        "steps": [{**script, **step}],
    }


def _joined() -> dict[str, Any]:
    data = _workflow(CLEAN)
    data["steps"].append(
        {
            "id": "count",
            "type": "DATA_TRANSFORM",
            "source": "steps.clean.output.articles",
            "ops": [{"op": "format", "template": "{{ item.title }}", "join": "|"}],
        }
    )
    return data


def test_a_workflow_with_a_python_script_step_runs(env: Env) -> None:
    env.apply(_joined())
    run = env.runs.start("scripted")
    assert run.status is RunStatus.SUCCEEDED, run.error
    rows = env.services.store.list_step_runs(run.id)
    assert [(r.step_id, r.status) for r in rows] == [
        ("clean", StepStatus.SUCCEEDED),
        ("count", StepStatus.SUCCEEDED),
    ]
    assert rows[0].output == {"articles": [{"title": "Rates & stocks"}]}
    assert rows[1].output["result"] == "Rates & stocks"
    logs = [log.message for log in env.services.store.list_logs(run.id)]
    assert any("cleaning 1 items" in message for message in logs)


def test_secrets_reach_the_script_and_are_masked_in_its_log(env: Env) -> None:
    env.services.store.set_secret("API_TOKEN", "tok-5ecret-value", env.clock())
    code = (
        "def main(inputs, secrets):\n"
        "    print('token is', secrets['API_TOKEN'])\n"
        "    return {'n': len(secrets['API_TOKEN'])}\n"
    )
    env.apply(_workflow(code, secrets=["API_TOKEN"]))
    run = env.runs.start("scripted")
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert env.services.store.list_step_runs(run.id)[0].output == {"n": 16}
    logs = " ".join(log.message for log in env.services.store.list_logs(run.id))
    assert "token is" in logs and "tok-5ecret-value" not in logs


def test_a_failing_script_fails_the_step_with_its_type_and_traceback(env: Env) -> None:
    env.apply(_workflow("def main(inputs):\n    return inputs['missing']\n"))
    run = env.runs.start("scripted")
    assert run.status is RunStatus.FAILED
    row = env.services.store.list_step_runs(run.id)[0]
    assert row.status is StepStatus.FAILED and row.error is not None
    assert row.error["type"] == "exception"
    assert (
        "KeyError: 'missing'" in row.error["message"] and 'File "script.py", line 2' in row.error["message"]
    )


def test_a_hostile_script_is_a_violation_and_not_retried(env: Env) -> None:
    retry = {"max_attempts": 3, "backoff": "fixed", "initial_delay_s": 0.01, "retry_on": ["any_error"]}
    env.apply(_workflow("def main(inputs):\n    return {'x': open('/etc/shadow').read()}\n", retry=retry))
    run = env.runs.start("scripted")
    assert run.status is RunStatus.FAILED
    rows = env.services.store.list_step_runs(run.id)
    assert len(rows) == 1 and rows[0].error is not None and rows[0].error["type"] == "violation"


def test_a_script_over_its_time_limit_times_out(env: Env) -> None:
    env.apply(_workflow("def main(inputs):\n    while True:\n        pass\n    return {}\n", timeout_s=0.3))
    run = env.runs.start("scripted")
    row = env.services.store.list_step_runs(run.id)[0]
    assert row.error is not None and row.error["type"] == "timeout"


FETCH = """
import urllib.request

def main(inputs):
    with urllib.request.urlopen(inputs["url"], timeout=5) as answer:
        return {"body": answer.read().decode()}
"""


def _fetching(url: str, network: dict[str, Any] | None) -> dict[str, Any]:
    retry = {"max_attempts": 3, "backoff": "fixed", "initial_delay_s": 0.01, "retry_on": ["any_error"]}
    data = _workflow(FETCH, allow_net=True, retry=retry)
    data["steps"][0]["inputs"] = {"url": url}
    if network is not None:
        data["settings"] = network
    return data


def test_a_step_with_the_network_reaches_what_the_workflow_allows(env: Env, http_server: Recorder) -> None:
    env.apply(_fetching(f"{http_server.base}/internal", loopback_settings()))
    run = env.runs.start("scripted")
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert env.services.store.list_step_runs(run.id)[0].output == {"body": '{"ok": true}'}
    assert [request["path"] for request in http_server.requests] == ["/internal"]


def test_the_proxy_refusing_an_address_fails_the_step_as_a_violation(env: Env, http_server: Recorder) -> None:
    env.apply(_fetching(f"{http_server.base}/internal", None))
    run = env.runs.start("scripted")
    assert run.status is RunStatus.FAILED
    rows = env.services.store.list_step_runs(run.id)
    assert len(rows) == 1 and rows[0].error is not None  # a violation is never retried
    assert rows[0].error["type"] == "violation" and "127.0.0.1 is loopback" in rows[0].error["message"]
    logs = " ".join(log.message for log in env.services.store.list_logs(run.id))
    assert "egress proxy refused 127.0.0.1" in logs
    assert http_server.requests == []
