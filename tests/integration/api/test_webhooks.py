"""The webhook intake through a real uvicorn on loopback: Standard Webhooks signatures, the attack
cases (each answers 4xx and starts nothing), dedupe by webhook-id, rotation, and a run that succeeds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from mwo.api import create_app
from mwo.clock import utc_now
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunRecord, RunStatus
from mwo.triggers.webhooks import rotate_webhook_secret
from tests.integration.api.live_api import assert_problem, serving

OTHER_SECRET = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
HOOKED = {
    "name": "hooked",
    "trigger": {"type": "webhook"},
    "inputs": {"x": {"required": True}},
    "steps": [
        {
            "id": "tell",
            "type": "NOTIFICATION",
            "channel": "inbox",
            "subject": "hook",
            "body": "got {{ inputs.x }}",
        }
    ],
}


@dataclass
class Api:
    services: Services
    client: httpx.Client

    def secret(self, name: str = "hooked") -> str:
        return self.services.store.list_webhook_secrets(name, utc_now())[0]

    def post(
        self,
        body: bytes | dict[str, Any],
        *,
        secret: str | None = None,
        msg_id: str = "msg_1",
        at: datetime | None = None,
        name: str = "hooked",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        if headers is None:
            headers = signed_headers(secret or self.secret(name), msg_id, data, at or utc_now())
        return self.client.post(f"/hooks/{name}", content=data, headers=headers)

    def runs(self) -> list[RunRecord]:
        return self.services.store.list_runs(RunFilter())

    def wait_final(self, run_id: str, timeout: float = 15.0) -> RunRecord:
        deadline = time.monotonic() + timeout
        while True:
            run = self.services.store.get_run(run_id)
            if run.status.is_final or time.monotonic() > deadline:
                return run
            time.sleep(0.05)


def signed_headers(secret: str, msg_id: str, data: bytes, at: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id, at, data.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    services = Services.open(settings)
    services.applier.apply_workflow(workflow_from_data(HOOKED))
    services.applier.apply_workflow(
        workflow_from_data({**HOOKED, "name": "manual-only", "trigger": {"type": "manual"}})
    )
    try:
        with serving(create_app(services)) as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
            yield Api(services, client)
    finally:
        services.close()


def test_health(api: Api) -> None:
    response = api.client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_signed_delivery_starts_a_run_that_succeeds_with_the_body_as_inputs(api: Api) -> None:
    response = api.post({"x": "hello"})

    assert response.status_code == 202, response.text
    run = api.wait_final(response.json()["run_id"])
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert run.trigger == "webhook:msg_1" and run.inputs == {"x": "hello"}
    assert [m.body for m in api.services.store.list_messages()] == ["got hello"]


def test_a_bad_signature_is_401(api: Api) -> None:
    assert_problem(api.post({"x": "1"}, secret=OTHER_SECRET), 401)  # well-formed, not this workflow's
    data = b'{"x": "1"}'
    tampered = signed_headers(api.secret(), "msg_1", data, utc_now())
    assert_problem(api.post(b'{"x": "2"}', headers=tampered), 401)  # signed body changed on the way
    assert api.runs() == []


def test_a_stale_or_future_timestamp_is_401(api: Api) -> None:
    assert_problem(api.post({"x": "1"}, at=utc_now() - timedelta(minutes=6)), 401)
    assert_problem(api.post({"x": "1"}, at=utc_now() + timedelta(minutes=6)), 401)
    assert api.runs() == []


def test_a_delivery_without_its_signing_headers_is_401(api: Api) -> None:
    """Authentication missing, as the Standard Webhooks reference library treats it (not malformed)."""
    data = b'{"x": "1"}'
    full = signed_headers(api.secret(), "msg_1", data, utc_now())
    for left_out in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        headers = {k: v for k, v in full.items() if k != left_out}
        assert left_out in assert_problem(api.post(data, headers=headers), 401)["detail"]
    unsigned = {"content-type": "application/json"}
    assert_problem(api.post(data, headers=unsigned), 401)
    assert api.runs() == []


def test_a_malformed_signature_header_or_timestamp_is_400_not_500(api: Api) -> None:
    data = b'{"x": "1"}'
    good = signed_headers(api.secret(), "msg_1", data, utc_now())
    for bad in ("v1-no-comma", "v1,not base64!", "v1,a,b"):
        assert_problem(api.post(data, headers={**good, "webhook-signature": bad}), 400)
    assert_problem(api.post(data, headers={**good, "webhook-timestamp": "yesterday"}), 400)
    assert_problem(api.post(data, headers={**good, "webhook-timestamp": "nan"}), 400)
    assert_problem(api.post(data, msg_id="m" * 201), 400)
    assert api.runs() == []


def test_a_signed_body_that_is_not_a_json_object_is_400(api: Api) -> None:
    assert_problem(api.post(b"not json {"), 400)
    assert_problem(api.post(b"[1, 2]", msg_id="m2"), 400)
    not_utf8 = signed_headers(api.secret(), "m3", b"x", utc_now())
    assert_problem(api.post(b"\xff\xfe", headers=not_utf8), 400)
    assert_problem(api.post(b"[" * 200_000 + b"]" * 200_000, msg_id="m4"), 400)  # too deep to parse
    assert api.runs() == []


def test_a_body_over_one_mebibyte_is_413(api: Api) -> None:
    data = b" " * (1024 * 1024 + 1)
    assert_problem(api.post(data), 413)
    assert api.runs() == []


def test_a_repeated_webhook_id_is_409_and_starts_exactly_one_run(api: Api) -> None:
    first = api.post({"x": "1"})
    again = api.post({"x": "1"})

    assert first.status_code == 202
    problem = assert_problem(again, 409)
    assert problem["run_id"] == first.json()["run_id"]
    assert len(api.runs()) == 1
    api.wait_final(first.json()["run_id"])


def test_concurrent_copies_of_one_delivery_start_exactly_one_run(api: Api) -> None:
    data = b'{"x": "1"}'
    headers = signed_headers(api.secret(), "msg_same", data, utc_now())
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: api.post(data, headers=headers).status_code, range(6)))

    assert sorted(answers) == [202] + [409] * 5
    [run] = api.runs()
    api.wait_final(run.id)


def test_unknown_and_non_webhook_workflows_are_404(api: Api) -> None:
    assert_problem(api.post({"x": "1"}, name="nope", secret=api.secret()), 404)
    assert_problem(api.post({"x": "1"}, name="manual-only", secret=api.secret()), 404)
    assert api.runs() == []


def test_inputs_that_do_not_fit_the_workflow_are_422(api: Api) -> None:
    assert_problem(api.post({"y": 1}), 422)
    assert api.runs() == []


def test_after_rotation_both_the_old_and_the_new_secret_are_accepted(api: Api) -> None:
    old = api.secret()
    new = rotate_webhook_secret(api.services.store, "hooked", utc_now())

    assert api.post({"x": "old"}, secret=old, msg_id="a").status_code == 202
    assert api.post({"x": "new"}, secret=new, msg_id="b").status_code == 202
    assert len(api.runs()) == 2
    for run in api.runs():
        api.wait_final(run.id)


def test_a_rotated_secret_expires_after_the_grace_period(api: Api) -> None:
    old = api.secret()
    store = api.services.store
    store.add_webhook_secret("hooked", OTHER_SECRET, utc_now(), utc_now())
    assert store.list_webhook_secrets("hooked", utc_now() + timedelta(seconds=1)) == [OTHER_SECRET]
    assert_problem(api.post({"x": "1"}, secret=old), 401)


def test_a_rotation_with_no_grace_revokes_every_previous_secret_at_once(api: Api) -> None:
    store = api.services.store
    first = api.secret()
    second = rotate_webhook_secret(store, "hooked", utc_now())  # first: valid for 24 h
    third = rotate_webhook_secret(store, "hooked", utc_now(), grace=timedelta(0))  # after a leak

    assert store.list_webhook_secrets("hooked", utc_now()) == [third]
    assert_problem(api.post({"x": "1"}, secret=first, msg_id="a"), 401)
    assert_problem(api.post({"x": "1"}, secret=second, msg_id="b"), 401)
    assert api.post({"x": "1"}, secret=third, msg_id="c").status_code == 202
    for run in api.runs():
        api.wait_final(run.id)


def test_a_delivery_is_answered_before_its_run_finishes(api: Api) -> None:
    started = time.monotonic()
    response = api.post({"x": "fast"})
    assert response.status_code == 202 and time.monotonic() - started < 2.0
    api.wait_final(response.json()["run_id"])
