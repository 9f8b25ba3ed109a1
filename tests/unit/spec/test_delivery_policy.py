"""Each step's delivery policy: its own `delivery`, else the receiver's default; the inbox refuses one."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.spec import DeliveryPolicy, SpecError, delivery_policy, workflow_from_data

LEAST, MOST = DeliveryPolicy.AT_LEAST_ONCE, DeliveryPolicy.AT_MOST_ONCE


def step(**config: Any) -> Any:
    return workflow_from_data({"name": "w", "steps": [{"id": "s", **config}]}).steps[0]


def api(method: str, **extra: Any) -> Any:
    return step(type="API_CALL", request={"method": method, "url": "https://api.example.com/x"}, **extra)


def notify(channel: str, **extra: Any) -> Any:
    fields = {"email": {"to": ["me@example.com"]}, "kakao": {"access_token": "{{ secrets.K }}"}}
    needs = fields.get(channel, {} if channel == "inbox" else {"webhook_url": "{{ secrets.HOOK }}"})
    return step(type="NOTIFICATION", channel=channel, body="hi", **needs, **extra)


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (lambda: api("POST"), LEAST),
        (lambda: api("PUT"), LEAST),
        (lambda: api("PATCH"), LEAST),
        (lambda: api("DELETE"), LEAST),
        (lambda: api("GET"), None),
        (lambda: api("HEAD"), None),
        (lambda: api("GET", delivery="at_most_once"), MOST),
        (lambda: api("POST", delivery="at_most_once"), MOST),
        (lambda: notify("webhook"), LEAST),
        (lambda: notify("email"), MOST),
        (lambda: notify("slack"), MOST),
        (lambda: notify("discord"), MOST),
        (lambda: notify("kakao"), MOST),
        (lambda: notify("email", delivery="at_least_once"), LEAST),
        (lambda: notify("inbox"), LEAST),
        (lambda: step(type="APPROVAL"), None),
    ],
)
def test_the_policy_is_the_steps_own_else_the_receivers_default(built: Any, expected: Any) -> None:
    assert delivery_policy(built()) is expected


def test_the_inbox_takes_no_delivery_policy() -> None:
    with pytest.raises(SpecError, match="exactly once"):
        notify("inbox", delivery="at_most_once")


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(SpecError, match="at_most_once' or 'at_least_once"):
        notify("email", delivery="exactly_once")
