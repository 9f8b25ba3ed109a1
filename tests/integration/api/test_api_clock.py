"""The API reads the time from the container's clock (one clock passed in), never the wall clock: a
token's dates, a token's state, a schedule preview's start and a secret's stamp follow the test's
hand-moved clock."""

from __future__ import annotations

from datetime import timedelta

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.clocks import START, ManualClock
from tests.integration.api.live_api import live_api


def test_tokens_and_previews_follow_the_clock_passed_in(settings: Settings) -> None:
    clock = ManualClock()
    with live_api(settings, clock=clock) as api:
        created = api.request(
            "POST", "/tokens", scope=TokenScope.ADMIN, json={"name": "ci", "scope": "read", "expires_days": 1}
        )
        assert created.status_code == 201, created.text
        token = created.json()["api_token"]
        assert (token["created_at"], token["state"]) == ("2026-11-25T00:00:00Z", "active")

        clock.advance(timedelta(days=2))  # past its one day: expired by the clock, not the wall
        listed = {t["name"]: t for t in api.get("/tokens", scope=TokenScope.ADMIN).json()["tokens"]}
        assert listed["ci"]["state"] == "expired"

        preview = api.get("/schedules/preview", params={"cron": "0 9 * * *", "tz": "UTC", "count": 2})
        assert preview.json()["fires"] == ["2026-11-27T09:00:00Z", "2026-11-28T09:00:00Z"]
        assert clock.now == START + timedelta(days=2)
