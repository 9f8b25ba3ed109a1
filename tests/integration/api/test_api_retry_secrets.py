"""The REST retries (`/runs/{id}/retry`, `/runs/{id}/retry-from-failed`) refuse, as `mwo retry`
does, a run whose workflow needs a secret that is not set: 409 `missing_secrets` with the fix, and
no run is queued or reopened."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from mwo.store.records import RunFilter, RunStatus
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

FAILS_AFTER_KEY = {
    "name": "uses-key",
    "steps": [
        {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "{{ secrets.API_KEY }}"},
        {"id": "fail", "type": "DATA_TRANSFORM", "source": "steps.tell.output.nothing.here"},
    ],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        yield live


@pytest.mark.parametrize("path", ["retry", "retry-from-failed"])
def test_a_retry_without_the_secret_is_409_and_nothing_is_queued(api: LiveApi, path: str) -> None:
    api.apply({**FAILS_AFTER_KEY, "settings": {"repair": "off"}})
    api.request("PUT", "/secrets/API_KEY", scope=TokenScope.ADMIN, json={"value": "k-123456"})
    failed = api.services.runs.start("uses-key")
    assert failed.status is RunStatus.FAILED
    assert api.request("DELETE", "/secrets/API_KEY", scope=TokenScope.ADMIN).status_code == 204

    refused = assert_problem(api.post(f"/runs/{failed.id}/{path}"), 409)

    assert refused["code"] == "missing_secrets" and refused["fix"] == "mwo secrets set API_KEY"
    assert [r.id for r in api.services.store.list_runs(RunFilter())] == [failed.id]
    assert api.services.store.get_run(failed.id).status is RunStatus.FAILED
