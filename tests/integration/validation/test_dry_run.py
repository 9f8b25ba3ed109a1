"""Dry runs in the real sandbox: each failure becomes its finding; a whole workflow's scripts in order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mwo.sandbox import Sandbox, SandboxConfig
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.validation import CodeValidator, dry_run_script
from tests.clocks import ManualClock

SHORT_S = 3.0
"""Generous for a real script on a busy machine, short for the one that loops forever."""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    opened = Sandbox(SandboxConfig(pool_size=1))
    yield opened
    opened.close()


def run(sandbox: Sandbox, code: str, inputs: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return dry_run_script(sandbox, code, inputs or {}, timeout_s=kwargs.pop("timeout_s", SHORT_S), **kwargs)


def test_a_good_script_returns_its_output(sandbox: Sandbox) -> None:
    result = run(
        sandbox, "def main(inputs):\n    print('hi')\n    return {'n': inputs['n'] * 2}\n", {"n": 21}
    )
    assert result.ok and result.output == {"n": 42} and result.findings == []
    assert "hi" in result.log and result.error is None


def test_an_exception_names_its_line_and_keeps_the_traceback(sandbox: Sandbox) -> None:
    result = run(sandbox, "def main(inputs):\n    return {'x': inputs['missing']}\n", step="calc")
    (found,) = result.findings
    assert (found.code, found.step, found.line) == ("dryrun.exception", "calc", 2)
    assert "KeyError" in found.message and "Traceback" in found.got
    assert result.output is None and result.error is not None


def test_a_script_that_loops_forever_times_out(sandbox: Sandbox) -> None:
    result = run(sandbox, "def main(inputs):\n    while True:\n        pass\n", timeout_s=1.0)
    (found,) = result.findings
    assert found.code == "dryrun.timeout" and "1 s" in found.message


def test_a_value_that_is_not_a_dict_is_bad_output(sandbox: Sandbox) -> None:
    result = run(sandbox, "def main(inputs):\n    return [1, 2]\n")
    assert [f.code for f in result.findings] == ["dryrun.bad_output"]


def test_an_output_against_its_declared_schema(sandbox: Sandbox) -> None:
    schema = {"type": "object", "required": ["total"], "properties": {"total": {"type": "number"}}}
    result = run(sandbox, "def main(inputs):\n    return {'total': 'seven'}\n", output_schema=schema)
    (found,) = result.findings
    assert found.code == "dryrun.output_schema" and found.field == "output['total']"
    assert found.got == "seven" and found.expected == {"type": "number"}
    assert run(sandbox, "def main(inputs):\n    return {'total': 7}\n", output_schema=schema).ok


def test_memory_over_the_limit(sandbox: Sandbox) -> None:
    result = run(
        sandbox, "def main(inputs):\n    block = bytearray(200 * 1024 * 1024)\n    return {}\n", memory_mb=64
    )
    assert [f.code for f in result.findings] == ["dryrun.memory"]


def test_a_violation_in_the_sandbox(sandbox: Sandbox) -> None:
    if not sandbox.isolation.isolated:
        pytest.skip(f"no namespace isolation on this host: {sandbox.isolation.detail}")
    result = run(sandbox, "def main(inputs):\n    return {'x': open('/etc/shadow').read()}\n")
    assert [f.code for f in result.findings] == ["dryrun.violation"]


def test_korean_words(sandbox: Sandbox) -> None:
    result = run(sandbox, "def main(inputs):\n    return {'x': 1 / 0}\n", language="ko")
    assert "예외" in result.findings[0].message and "ZeroDivisionError" in result.findings[0].message


WORKFLOW: dict[str, Any] = {
    "name": "dry",
    "inputs": {"rate": {"type": "number", "default": 2}},
    "steps": [
        {
            "id": "fetch",
            "type": "API_CALL",
            "request": {"url": "https://api.example.com/items"},
            "output": {
                "type": "object",
                "properties": {
                    "json": {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"properties": {"price": {"type": "number"}}}}
                        },
                    }
                },
            },
        },
        {
            "id": "total",
            "type": "PYTHON_SCRIPT",
            "inputs": {"items": "{{ steps.fetch.output.json.items }}", "rate": "{{ inputs.rate }}"},
            "code": (
                "def main(inputs):\n"
                "    return {'total': sum(i['price'] for i in inputs['items']) * inputs['rate']}\n"
            ),
            "output": {"type": "object", "required": ["total"]},
        },
        {
            "id": "split",
            "type": "PYTHON_SCRIPT",
            "inputs": {"total": "{{ steps.total.output.total }}"},
            "code": "def main(inputs):\n    return {'each': inputs['total'] / 0}\n",
        },
        {
            "id": "blind",
            "type": "PYTHON_SCRIPT",
            "inputs": {"v": "{{ steps.fetch.output.json.nothing.here }}"},
            "code": "def main(inputs):\n    return {'v': inputs['v']}\n",
        },
        {
            "id": "online",
            "type": "PYTHON_SCRIPT",
            "allow_net": True,
            "code": "def main(inputs):\n    return {}\n",
        },
        {"id": "broken", "type": "PYTHON_SCRIPT", "code": "def main(inputs):\n    return {\n"},
    ],
}


def test_a_workflow_dry_run_feeds_real_outputs_downstream_and_says_why_it_skips(
    sandbox: Sandbox, settings: Settings, clock: ManualClock
) -> None:
    tight = settings.model_copy(update={"dry_run_timeout_s": SHORT_S})
    validator = CodeValidator(tight, sandbox=sandbox, clock=clock)
    report = validator.validate(workflow_from_data(WORKFLOW), dry_run=True)
    found = [(f.code, f.step) for f in report.findings]
    assert found == [
        ("script.syntax", "broken"),
        ("dryrun.exception", "split"),
        ("dryrun.skipped", "blind"),
        ("dryrun.skipped", "online"),
        ("dryrun.skipped", "broken"),
    ]
    split = report.errors[1]
    assert "ZeroDivisionError" in split.message, "total's real output (a number) reached split"
    assert "sample data" in report.warnings[0].message and "allow_net" in report.warnings[1].message
