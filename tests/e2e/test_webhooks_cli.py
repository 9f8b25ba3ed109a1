"""`mwo webhooks show|rotate NAME`: a secret exists once a webhook workflow is applied; rotation adds
one and keeps the previous one valid (the JSON shape is a contract)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli_support import invoke

SPEC = """\
name: hooked
trigger: {type: webhook}
inputs: {x: {required: true}}
steps:
  - {id: tell, type: NOTIFICATION, channel: inbox, subject: hook, body: "got {{ inputs.x }}"}
"""


def test_show_and_rotate_json(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "hooked.mwo.yaml"
    spec.write_text(SPEC)
    assert invoke("apply", str(spec))[0] == 0

    code, out, _ = invoke("webhooks", "show", "hooked", "--json")
    shown = json.loads(out)
    assert code == 0 and set(shown) == {"ok", "workflow", "url", "secrets", "valid_until"}
    assert shown["valid_until"] == [None]
    assert shown["ok"] is True and shown["workflow"] == "hooked"
    assert shown["url"] == "http://127.0.0.1:8000/hooks/hooked"
    [first] = shown["secrets"]
    assert first.startswith("whsec_")

    assert invoke("apply", str(spec))[0] == 0  # applying again keeps the secret
    assert json.loads(invoke("webhooks", "show", "hooked", "--json")[1])["secrets"] == [first]

    code, out, _ = invoke("webhooks", "rotate", "hooked", "--json")
    rotated = json.loads(out)
    assert code == 0 and rotated["secrets"][1] == first and rotated["secrets"][0] != first
    assert rotated["previous_valid_until"]
    code, out, _ = invoke("webhooks", "show", "hooked")
    assert code == 0 and rotated["secrets"][0] in out and first in out
    assert rotated["valid_until"] == [None, rotated["previous_valid_until"]]
    assert rotated["grace_s"] == 24 * 3600
    assert f"valid until {rotated['previous_valid_until']}" in out


def test_rotate_with_no_grace_revokes_the_previous_secrets_now(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "hooked.mwo.yaml"
    spec.write_text(SPEC)
    assert invoke("apply", str(spec))[0] == 0
    assert invoke("webhooks", "rotate", "hooked", "--grace", "600")[0] == 0
    code, out, _ = invoke("webhooks", "rotate", "hooked", "--grace", "0", "--json")
    rotated = json.loads(out)
    assert code == 0 and len(rotated["secrets"]) == 1 and rotated["grace_s"] == 0
    shown = json.loads(invoke("webhooks", "show", "hooked", "--json")[1])
    assert shown["secrets"] == rotated["secrets"] and shown["valid_until"] == [None]
    code, out, _ = invoke("webhooks", "rotate", "hooked", "--grace", "0")
    assert code == 0 and "revoked now" in out
    code, _, _ = invoke("webhooks", "rotate", "hooked", "--grace", "-5")
    assert code != 0


def test_show_of_a_workflow_without_webhook_is_an_error_with_a_fix(home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "manual.mwo.yaml"
    spec.write_text(SPEC.replace("name: hooked", "name: manual").replace("{type: webhook}", "{type: manual}"))
    assert invoke("apply", str(spec))[0] == 0
    code, out, _ = invoke("webhooks", "show", "manual", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "not_webhook"
    code, out, _ = invoke("webhooks", "show", "nope", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
