"""The CLI as a user drives it: real processes for the flows that cross processes, CliRunner for the rest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.cli_support import invoke, invoke_json

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "economy-digest.mwo.yaml"


def test_validate_apply_list_show_json(home: Path) -> None:
    code, payload = invoke_json("validate", str(EXAMPLE))
    assert code == 0 and payload["ok"] and payload["name"] == "economy-digest"
    code, payload = invoke_json("apply", str(EXAMPLE))
    assert (code, payload["version"], payload["created"]) == (0, 1, True)
    code, payload = invoke_json("apply", str(EXAMPLE))
    assert (payload["version"], payload["created"]) == (1, False), "same content is not a new version"
    code, payload = invoke_json("list")
    assert [w["name"] for w in payload["workflows"]] == ["economy-digest"]
    code, payload = invoke_json("show", "economy-digest")
    assert payload["spec"]["steps"][0]["id"] == "pick"


def test_a_bad_file_is_one_clear_error_with_the_fix(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mwo.yaml"
    bad.write_text(
        "name: bad\nsteps:\n- {id: a, type: NOTIFICATION, channel: inbox, body: '{{ steps.b.output }}'}\n"
    )
    code, _, err = invoke("apply", str(bad))
    assert code == 1
    assert "error:" in err and "bad.mwo.yaml: step 'a': body: refers to unknown step 'b'" in err
    assert "fix:" in err
    code, payload = invoke_json("apply", str(bad))
    assert code == 1 and payload["ok"] is False
    assert payload["error"]["code"] == "spec_invalid" and payload["error"]["details"][0]["step"] == "a"
    assert invoke_json("list")[1]["workflows"] == [], "nothing is half-saved"


def test_a_refused_address_is_an_error_before_any_run(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "meta.mwo.yaml"
    spec.write_text(
        "name: meta\nsteps:\n- {id: steal, type: API_CALL, request: {url: 'http://169.254.169.254/latest'}}\n"
    )
    code, _, err = invoke("validate", str(spec))
    assert code == 1 and "meta.mwo.yaml: step 'steal': request.url: refused" in err
    assert "settings.network.allow" in err


def test_unknown_workflow_and_run_say_how_to_find_them(home: Path) -> None:
    code, _, err = invoke("run", "nope")
    assert code == 1 and "nope" in err and "fix:" in err
    code, _, err = invoke("logs", "123456789")
    assert code == 1 and "fix:" in err


def test_secrets_are_stored_encrypted_and_never_printed(home: Path) -> None:
    code, out, _ = invoke("secrets", "set", "NAVER_CLIENT_ID", input="very-secret-id\n")
    assert code == 0 and "very-secret-id" not in out
    code, payload = invoke_json("secrets", "list")
    assert payload["secrets"] == ["NAVER_CLIENT_ID"]
    database = (home / "mwo.db").read_bytes() + b"".join(p.read_bytes() for p in home.glob("mwo.db-*"))
    assert b"very-secret-id" not in database
    key = home / "secret.key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    code, _, err = invoke("secrets", "set", "lower-case", input="x\n")
    assert code == 1 and "fix:" in err
    assert invoke_json("secrets", "delete", "NAVER_CLIENT_ID")[0] == 0
    assert invoke_json("secrets", "list")[1]["secrets"] == []


def test_run_json_shape_and_bad_input(home: Path) -> None:
    invoke("apply", str(EXAMPLE))
    code, payload = invoke_json("run", "economy-digest", "--input", "min_views=100000")
    assert code == 0 and payload["ok"] is True
    assert payload["run"]["status"] == "succeeded"
    assert [s["step_id"] for s in payload["steps"]] == ["pick", "any_news", "nothing_today"]
    assert all(s["duration_ms"] is not None for s in payload["steps"])
    code, payload = invoke_json("run", "economy-digest", "--input", "min_views=lots")
    assert (
        code == 1 and payload["error"]["code"] == "bad_input" and "min_views" in payload["error"]["message"]
    )


def test_logs_prints_one_step_in_full(home: Path) -> None:
    invoke("apply", str(EXAMPLE))
    _, payload = invoke_json("run", "economy-digest", "--input", "min_views=100000")
    run_id = payload["run"]["id"]
    code, out, _ = invoke("logs", run_id[:8], "--step", "pick")
    assert code == 0 and "pick attempt 1: succeeded" in out and '"count": 0' in out
    code, _, err = invoke("logs", run_id[:8], "--step", "nope")
    assert code == 1 and "no attempt of step 'nope'" in err


def test_a_bad_setting_is_named(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_RUN_LEASE_S", "soon")
    code, _, err = invoke("list")
    assert code == 1 and "MWO_RUN_LEASE_S" in err and "fix:" in err


def test_schema_and_doctor(home: Path) -> None:
    code, out, _ = invoke("schema")
    assert code == 0 and json.loads(out)["title"] == "Workflow"
    code, payload = invoke_json("doctor")
    assert code == 0 and payload["ok"] is True
    checks = {c["name"]: c for c in payload["checks"]}
    assert checks["database"]["ok"] and checks["step API_CALL"]["ok"]
    assert checks["ocr"]["ok"] is (shutil.which("tesseract") is not None), checks["ocr"]
    assert checks["step LLM_CALL"]["ok"]


def _mwo(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MWO_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "mwo", *args], env=env, capture_output=True, text=True, timeout=120
    )


GATED = """
name: gated
steps:
- {id: ask, type: APPROVAL, message: "보낼까요?"}
- {id: send, type: NOTIFICATION, channel: inbox, subject: 결과, body: "{{ steps.ask.output.comment }}"}
"""


@pytest.mark.slow
def test_approval_survives_a_restart_between_processes(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "gated.mwo.yaml"
    spec.write_text(GATED)
    assert _mwo(home, "apply", str(spec)).returncode == 0
    started = _mwo(home, "run", "gated", "--json")
    assert started.returncode == 0, started.stderr
    run = json.loads(started.stdout)["run"]
    assert run["status"] == "waiting_approval"
    approved = _mwo(home, "approve", run["id"][:8], "--by", "kim", "--comment", "좋아요", "--json")
    assert approved.returncode == 0, approved.stderr
    payload = json.loads(approved.stdout)
    assert payload["run"]["status"] == "succeeded"
    review = next(s for s in payload["steps"] if s["step_id"] == "ask")
    assert review["output"]["by"] == "kim" and review["output"]["comment"] == "좋아요"
    inbox = json.loads(_mwo(home, "inbox", "--json").stdout)
    assert inbox["messages"][0]["body"] == "좋아요"


@pytest.mark.slow
@pytest.mark.real_llm
@pytest.mark.timeout(1200)
def test_make_demo_script_runs_offline(tmp_path: Path) -> None:
    """The whole `make demo` on the real local model: the example runs, a Korean request becomes a
    saved workflow that runs offline, and an edit in words saves version 2 (minutes on two cores)."""
    env = {
        **os.environ,
        "MWO_HOME": str(tmp_path / "demo"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=1100,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "succeeded" in result.stdout and "한국은행 기준금리" in result.stdout
    assert "LLM_CALL" in result.stdout and "PYTHON_SCRIPT" in result.stdout
    assert "status: saved" in result.stderr  # the Korean request became a saved workflow
    assert result.stdout.count("succeeded") >= 2  # ... that ran, after the example's run
