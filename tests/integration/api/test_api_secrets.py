"""Secrets over the API (admin scope): set, list names, delete; a value never comes back out, and a
spec that names a secret can be saved before the secret exists, but not run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from mwo.store.records import RunFilter
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

USES_SECRET = {
    "name": "uses-secret",
    "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "{{ secrets.API_KEY }}"}],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        yield live


def test_a_secret_is_set_listed_by_name_and_deleted(api: LiveApi) -> None:
    assert api.post("/workflows", json=USES_SECRET).status_code == 201  # saved before its key exists
    refused = assert_problem(api.post("/workflows/uses-secret/runs", json={}), 409)
    assert refused["code"] == "missing_secrets" and refused["fix"] == "mwo secrets set API_KEY"
    assert api.services.store.list_runs(RunFilter()) == [], "refused before the run row is written"

    saved = api.request("PUT", "/secrets/API_KEY", scope=TokenScope.ADMIN, json={"value": "s3cr3t-value"})

    assert saved.status_code == 200 and saved.json() == {"name": "API_KEY"}
    listed = api.get("/secrets", scope=TokenScope.ADMIN)
    assert listed.json() == {"secrets": ["API_KEY"]} and "s3cr3t-value" not in listed.text
    assert api.services.store.reveal_secret("API_KEY") == "s3cr3t-value"
    assert api.post("/workflows/uses-secret/runs", json={}).status_code == 202

    assert api.request("DELETE", "/secrets/API_KEY", scope=TokenScope.ADMIN).status_code == 204
    assert api.get("/secrets", scope=TokenScope.ADMIN).json() == {"secrets": []}


def test_secrets_need_the_admin_scope(api: LiveApi) -> None:
    assert_problem(api.get("/secrets", scope=TokenScope.WRITE), 403)
    assert_problem(api.request("PUT", "/secrets/API_KEY", scope=TokenScope.WRITE, json={"value": "x"}), 403)
    assert api.services.store.list_secret_names() == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", "/secrets/lower_case", {"value": "x"}, 422),
        ("PUT", "/secrets/API_KEY", {"value": ""}, 422),
        ("PUT", "/secrets/API_KEY", {}, 422),
        ("DELETE", "/secrets/NOPE", None, 404),
    ],
)
def test_bad_secret_requests(api: LiveApi, method: str, path: str, body: object, status: int) -> None:
    assert_problem(api.request(method, path, scope=TokenScope.ADMIN, json=body), status)
    assert api.services.store.list_secret_names() == []


def test_a_value_that_is_not_unicode_text_is_422(api: LiveApi) -> None:
    lone_surrogate = b'{"value": "\\ud800"}'  # valid JSON escapes, not encodable text
    response = api.request(
        "PUT",
        "/secrets/API_KEY",
        scope=TokenScope.ADMIN,
        content=lone_surrogate,
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 422)
    assert api.services.store.list_secret_names() == []
