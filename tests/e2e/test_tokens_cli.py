"""`mwo tokens create|list|revoke` as a user drives them: the token is printed once, listings never
show it, revocation shows up in the state, and mistakes are one line with the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mwo.auth import TokenRejected, TokenService
from mwo.services import Services
from mwo.settings import Settings
from tests.e2e.cli_support import invoke, invoke_json


def authenticate(home: Path, token: str) -> str:
    services = Services.open(Settings(home=home, _env_file=None))  # type: ignore[call-arg]
    try:
        return TokenService(services.store).authenticate(token).name
    finally:
        services.close()


def test_create_prints_the_token_once_and_it_authenticates(home: Path) -> None:
    code, out, err = invoke("tokens", "create", "ci", "--scope", "write", "--expires-days", "30")

    assert code == 0 and "only time" in err
    token = out.strip()
    assert token.startswith("mwo_") and authenticate(home, token) == "ci"
    code, listed = invoke_json("tokens", "list")
    assert code == 0 and token not in json.dumps(listed)
    [row] = listed["tokens"]
    assert (row["name"], row["scope"], row["state"]) == ("ci", "write", "active")
    assert row["expires_at"] is not None and "secret_hash" not in row


def test_revoke_makes_the_token_useless(home: Path) -> None:
    code, created = invoke_json("tokens", "create", "bot")
    assert code == 0 and created["api_token"]["scope"] == "read"  # least privilege by default

    code, revoked = invoke_json("tokens", "revoke", "bot")

    assert code == 0 and revoked["api_token"]["state"] == "revoked"
    with pytest.raises(TokenRejected, match="revoked"):
        authenticate(home, created["token"])
    assert invoke_json("tokens", "list")[1]["tokens"][0]["state"] == "revoked"


def test_mistakes_are_one_line_with_the_fix(home: Path) -> None:
    invoke("tokens", "create", "ci")
    code, _, err = invoke("tokens", "create", "ci")
    assert code == 1 and "already exists" in err and "fix:" in err
    code, payload = invoke_json("tokens", "create", "bad name")
    assert code == 1 and payload["error"]["code"] == "invalid_token_request"
    code, payload = invoke_json("tokens", "revoke", "nobody")
    assert code == 1 and payload["error"]["code"] == "not_found"
    code, _, _ = invoke("tokens", "create", "x", "--scope", "root")
    assert code == 2
