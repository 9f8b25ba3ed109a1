"""`mwo repair RUN [--approve | --reject] [--json]` as a user drives it: a script fails on real input,
the run waits with a proposed fix, the user looks at it and decides.

Most tests script the repairer (the CLI and engine are what is tested); the last one runs the real
repair loop as `mwo` wires it (its deterministic key fixer; the model is not asked).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mwo.engine.repair import RepairOutcome, RepairRequest, RepairWiring
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.services import Services
from mwo.spec import PythonScriptStep
from tests.e2e.cli_support import invoke, invoke_json
from tests.e2e.test_cli_run_json import assert_cli_run

SPEC = """\
name: headlines
inputs:
  items: {{type: array, default: [{{title: rates}}, {{title: stocks}}]}}
settings: {{repair: {mode}}}
steps:
- id: pick
  type: DATA_TRANSFORM
  source: inputs.items
- id: clean
  type: PYTHON_SCRIPT
  description: the titles of the items
  inputs: {{items: "{{{{ steps.pick.output.result }}}}"}}
  code: |
    def main(inputs):
        return {{"titles": [i["titel"] for i in inputs["items"]]}}
"""


class KeyRenamer:
    """A repairer that renames the key the script misspelt."""

    def repair(self, request: RepairRequest, keep_going: Callable[[], None]) -> RepairOutcome:
        keep_going()
        assert isinstance(request.step, PythonScriptStep)
        fixed = request.step.model_copy(update={"code": request.step.code.replace('"titel"', '"title"')})
        finding = {
            "code": "script.key_error",
            "severity": "error",
            "path": "clean.code",
            "message": "no key 'titel'",
        }
        return RepairOutcome(fixed, note="the input has 'title'", findings=[finding], attempts=1, seconds=0.2)


@pytest.fixture(autouse=True)
def _needs_isolation() -> None:
    probe = Sandbox(SandboxConfig(pool_size=0))
    if not probe.isolation.isolated:
        pytest.skip(f"no namespace isolation here: {probe.isolation.detail}")


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripted repairer instead of the repair loop, in every Services the CLI opens."""

    def wiring(self: Services) -> RepairWiring:
        return RepairWiring(KeyRenamer(), self.applier.save_fix)

    monkeypatch.setattr(Services, "_repair_wiring", wiring)


def _failed_run(tmp_path: Path, mode: str = "propose") -> str:
    spec = tmp_path / "headlines.mwo.yaml"
    spec.write_text(SPEC.format(mode=mode), encoding="utf-8")
    code, _, err = invoke("apply", str(spec))
    assert code == 0, err
    code, payload = invoke_json("run", "headlines")
    return str(payload["run"]["id"])


def test_the_run_waits_and_repair_shows_error_input_diff_and_findings(
    home: Path, tmp_path: Path, scripted: None
) -> None:
    run_id = _failed_run(tmp_path)

    code, out, _ = invoke("logs", run_id[:8])
    assert code == 0 and "waiting_repair" in out and f"mwo repair {run_id[:8]}" in out

    code, out, err = invoke("repair", run_id[:8])

    assert code == 0, err
    assert "KeyError" in out and "'titel'" in out  # the error
    assert '"title": "rates"' in out  # the failing input
    assert '-    return {"titles": [i["titel"]' in out and '+    return {"titles": [i["title"]' in out
    assert "script.key_error" in out and "no key 'titel'" in out  # the findings
    assert f"mwo repair {run_id[:8]} --approve" in out


def test_repair_json_shows_the_proposal(home: Path, tmp_path: Path, scripted: None) -> None:
    run_id = _failed_run(tmp_path)

    code, payload = invoke_json("repair", run_id)

    assert code == 0 and payload["ok"] is True
    assert payload["run"]["status"] == "waiting_repair"
    assert_cli_run(payload["run"])
    repair = payload["repair"]
    assert (repair["status"], repair["step_id"], repair["step_type"]) == ("pending", "clean", "PYTHON_SCRIPT")
    assert repair["input"] == {"items": [{"title": "rates"}, {"title": "stocks"}]}
    assert repair["error"]["type"] == "exception" and "titel" in repair["diff"]
    assert repair["new_version_id"] is None


def test_approve_saves_a_version_and_the_run_succeeds_from_the_failed_step(
    home: Path, tmp_path: Path, scripted: None
) -> None:
    run_id = _failed_run(tmp_path)

    code, payload = invoke_json("repair", run_id, "--approve", "--comment", "right key")

    assert code == 0, payload
    assert payload["run"]["status"] == "succeeded"
    assert_cli_run(payload["run"])
    assert payload["run"]["version_number"] == 2
    assert payload["run"]["output"]["clean"] == {"titles": ["rates", "stocks"]}
    assert (payload["repair"]["status"], payload["repair"]["comment"]) == ("approved", "right key")
    code, versions = invoke_json("versions", "headlines")
    assert code == 0
    assert f"repair of step clean in run {run_id}" in str(versions)
    code, logs = invoke_json("logs", run_id)
    attempts = [(s["step_id"], s["attempt"], s["status"], s["version"]) for s in logs["steps"]]
    assert attempts == [("pick", 1, "succeeded", 1), ("clean", 1, "failed", 1), ("clean", 2, "succeeded", 2)]


def test_reject_fails_the_run_as_before(home: Path, tmp_path: Path, scripted: None) -> None:
    run_id = _failed_run(tmp_path)

    code, out, err = invoke("repair", run_id[:8], "--reject", "--by", "kim")

    assert code == 0, err
    assert "rejected" in out and "failed" in out
    code, payload = invoke_json("logs", run_id)
    assert payload["run"]["status"] == "failed" and "KeyError" in payload["run"]["error"]["message"]
    code, payload = invoke_json("repair", run_id, "--approve")
    assert code == 1 and payload["error"]["code"] == "run_state"


def test_auto_and_off(home: Path, tmp_path: Path, scripted: None) -> None:
    auto = _failed_run(tmp_path, "auto")
    code, payload = invoke_json("logs", auto)
    assert payload["run"]["status"] == "succeeded"
    assert any("applied automatically" in line["message"] for line in payload["logs"])

    off = _failed_run(tmp_path, "off")
    code, payload = invoke_json("logs", off)
    assert payload["run"]["status"] == "failed"
    code, payload = invoke_json("repair", off)
    assert code == 1 and payload["error"]["code"] == "not_found"


def test_approve_and_reject_together_are_refused(home: Path) -> None:
    code, _, err = invoke("repair", "abcdef12", "--approve", "--reject")

    assert code == 1 and "exclude each other" in err


def test_the_real_repair_loop_fixes_the_misspelt_key_end_to_end(home: Path, tmp_path: Path) -> None:
    run_id = _failed_run(tmp_path)

    code, shown = invoke_json("repair", run_id)
    assert code == 0 and shown["repair"]["status"] == "pending", shown
    assert 'i["title"]' in shown["repair"]["proposed"] and shown["repair"]["repair_id"]

    code, payload = invoke_json("repair", run_id, "--approve")

    assert code == 0, payload
    assert (payload["run"]["status"], payload["run"]["version_number"]) == ("succeeded", 2)
    assert payload["run"]["output"]["clean"] == {"titles": ["rates", "stocks"]}


@pytest.mark.slow
@pytest.mark.real_llm
def test_the_local_model_repairs_a_failed_step_and_the_run_resumes(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure with one right reading (str + int): the model's fix, not a reading of an ambiguous
    goal, is what is tested here (the healing benchmark measures the model's judgement)."""
    monkeypatch.setenv("MWO_HEALING_TIME_S", "600")  # one answer took ~180 s on 2 shared cores
    spec = tmp_path / "total.mwo.yaml"
    spec.write_text(
        "name: total\n"
        "inputs:\n  amounts: {type: array, default: [70, 80, 90]}\n"
        "steps:\n"
        "- id: total\n"
        "  type: PYTHON_SCRIPT\n"
        "  description: \"return the message 'Total: N' where N is the sum of the amounts\"\n"
        '  inputs: {amounts: "{{ inputs.amounts }}"}\n'
        "  code: |\n"
        "    def main(inputs):\n"
        '        total = sum(inputs["amounts"])\n'
        '        return {"message": "Total: " + total}\n',
        encoding="utf-8",
    )
    assert invoke("apply", str(spec))[0] == 0
    code, payload = invoke_json("run", "total")
    assert payload["run"]["status"] == "waiting_repair", payload

    code, payload = invoke_json("repair", payload["run"]["id"], "--approve")

    assert code == 0, payload
    assert payload["run"]["status"] == "succeeded" and payload["run"]["version_number"] == 2
    assert payload["run"]["output"]["total"] == {"message": "Total: 240"}
