"""`mwo validate`, `mwo apply`, `mwo script check` and the secrets a saved workflow still needs, as a
user drives them: what is caught before anything is saved, what is only a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli_support import invoke, invoke_json

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "economy-digest.mwo.yaml"

SYNTAX_ERROR = """\
name: broken-script
steps:
  - id: calc
    type: PYTHON_SCRIPT
    code: |
      def main(inputs):
          return {"n": len(inputs["items"]}
"""

TEMPLATE_ESCAPE = """\
name: escape
steps:
  - id: tell
    type: NOTIFICATION
    channel: inbox
    body: "{{ run.__class__ }}"
"""

NEEDS_KEY = """\
name: needs-key
steps:
  - id: tell
    type: NOTIFICATION
    channel: inbox
    body: "token ends with {{ secrets.SERVICE_KEY[-2:] }}"
"""

FOREVER = """\
name: forever
steps:
  - id: spin
    type: PYTHON_SCRIPT
    code: |
      def main(inputs):
          while True:
              pass
          return {}
"""


def write(tmp_path: Path, text: str, name: str = "spec.mwo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_json_keeps_its_keys_and_adds_findings(home: Path) -> None:
    code, payload = invoke_json("validate", str(EXAMPLE))
    assert code == 0 and payload["ok"] is True
    assert {"name", "steps", "content_hash", "errors", "warnings"} <= set(payload)
    assert (
        payload["name"] == "economy-digest" and payload["errors"] == [] and len(payload["content_hash"]) == 64
    )


@pytest.mark.parametrize(
    ("spec", "code_", "step"),
    [(SYNTAX_ERROR, "script.syntax", "calc"), (TEMPLATE_ESCAPE, "template.unsafe_attribute", "tell")],
)
def test_what_used_to_fail_only_at_run_time_is_caught_and_nothing_is_saved(
    home: Path, tmp_path: Path, spec: str, code_: str, step: str
) -> None:
    path = write(tmp_path, spec)
    exit_code, payload = invoke_json("validate", str(path))
    assert exit_code == 1 and payload["ok"] is False
    assert [(f["code"], f["step"]) for f in payload["errors"]] == [(code_, step)]
    assert payload["errors"][0]["hint"] and payload["error"]["code"] == "spec_invalid"
    assert payload["error"]["details"] == payload["errors"], "the failure shape apply prints too"

    exit_code, _, err = invoke("validate", str(path))
    assert exit_code == 1 and f"[{code_}]" in err and "fix:" in err and "spec.mwo.yaml: step" in err

    exit_code, payload = invoke_json("apply", str(path))
    assert exit_code == 1 and payload["ok"] is False
    assert payload["error"]["details"][0]["code"] == code_
    exit_code, _, err = invoke("apply", str(path))
    assert exit_code == 1 and "fix:" in err
    assert invoke_json("list")[1]["workflows"] == [], "nothing saved"


def test_a_secret_not_set_is_a_warning_at_apply_and_an_error_at_run(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path, NEEDS_KEY)
    code, payload = invoke_json("validate", str(path))
    assert code == 0 and payload["ok"] is True
    assert [(w["code"], w["hint"]) for w in payload["warnings"]] == [
        ("secret.not_set", "mwo secrets set SERVICE_KEY")
    ]

    code, out, _ = invoke("apply", str(path))
    assert code == 0 and "saved as version 1" in out
    assert "needs secrets: SERVICE_KEY" in out and "mwo secrets set SERVICE_KEY" in out

    code, payload = invoke_json("list")
    assert [(w["name"], w["missing_secrets"]) for w in payload["workflows"]] == [
        ("needs-key", ["SERVICE_KEY"])
    ]
    code, out, _ = invoke("list")
    assert "needs-key needs secrets: SERVICE_KEY (fix: mwo secrets set SERVICE_KEY)" in out
    code, payload = invoke_json("show", "needs-key")
    assert payload["missing_secrets"] == ["SERVICE_KEY"] and payload["version"] == 1
    code, out, _ = invoke("show", "needs-key")
    assert "needs secrets: SERVICE_KEY" in out

    code, payload = invoke_json("run", "needs-key")
    assert code == 1 and payload["error"]["code"] == "missing_secrets"
    assert "SERVICE_KEY" in payload["error"]["message"]
    assert payload["error"]["fix"] == "mwo secrets set SERVICE_KEY"
    assert invoke_json("runs")[1]["runs"] == [], "refused before the run row is written"

    assert invoke("secrets", "set", "SERVICE_KEY", input="abcdef\n")[0] == 0
    assert invoke_json("list")[1]["workflows"][0]["missing_secrets"] == []
    assert invoke_json("show", "needs-key")[1]["missing_secrets"] == []
    code, payload = invoke_json("run", "needs-key")
    assert code == 0 and payload["run"]["status"] == "succeeded"


def test_apply_json_lists_the_warnings(home: Path, tmp_path: Path) -> None:
    code, payload = invoke_json("apply", str(write(tmp_path, NEEDS_KEY)))
    assert code == 0 and payload["ok"] and payload["version"] == 1 and payload["created"] is True
    assert [w["code"] for w in payload["warnings"]] == ["secret.not_set"]
    assert payload["missing_secrets"] == ["SERVICE_KEY"]


def test_validate_dry_run_catches_a_script_that_never_ends(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_DRY_RUN_TIMEOUT_S", "1")
    path = write(tmp_path, FOREVER)
    code, payload = invoke_json("validate", str(path))
    assert code == 0 and payload["ok"], "statically fine: only running it shows the loop"
    code, payload = invoke_json("validate", str(path), "--dry-run")
    assert code == 1 and [(f["code"], f["step"]) for f in payload["errors"]] == [("dryrun.timeout", "spin")]


def test_findings_in_korean(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MWO_LANGUAGE", "ko")
    code, payload = invoke_json("validate", str(write(tmp_path, SYNTAX_ERROR)))
    assert code == 1 and "문법" in payload["errors"][0]["message"]
    code, payload = invoke_json("validate", str(write(tmp_path, NEEDS_KEY)))
    assert "설정되지" in payload["warnings"][0]["message"]


def test_script_check_json_and_exit_codes(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\n\n\ndef main(inputs):\n    return [subprocess.run(['ls'])]\n")
    code, payload = invoke_json("script", "check", str(bad))
    assert code == 1 and payload["ok"] is False and set(payload) == {"ok", "errors", "warnings"}
    found = {f["code"] for f in payload["errors"]}
    assert {"script.forbidden_module", "script.forbidden_call", "script.bad_return"} <= found
    assert all(f["field"] == "bad.py" and f["line"] for f in payload["errors"])
    code, _, err = invoke("script", "check", str(bad))
    assert code == 1 and "bad.py: line 1" in err and "fix:" in err

    good = tmp_path / "good.py"
    good.write_text("def main(inputs):\n    return {'n': len(inputs)}\n")
    code, payload = invoke_json("script", "check", str(good))
    assert code == 0 and payload == {"ok": True, "errors": [], "warnings": []}
    code, out, _ = invoke("script", "check", str(good))
    assert code == 0 and "ok:" in out

    code, payload = invoke_json("script", "check", str(tmp_path / "missing.py"))
    assert code == 1 and payload["ok"] is False and "fix" in payload["error"]
