"""The database connection breaking under a step's write is not the step's failure: the run is not
failed, the process stops driving it, and another process continues it from its last checkpoint,
the step's message sent once. (Seen under `pg_terminate_backend`: an inbox post whose connection was
terminated had failed the run as an internal error.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mwo.store.errors import StoreUnavailable
from mwo.store.records import RunFilter, RunStatus, StepStatus

from .conftest import Env

WORKFLOW = {
    "name": "notify",
    "steps": [
        {"id": "first", "type": "NOTIFICATION", "channel": "inbox", "body": "first"},
        {"id": "second", "type": "NOTIFICATION", "channel": "inbox", "body": "second"},
    ],
}


def test_a_broken_connection_in_a_step_leaves_the_run_to_be_continued(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.apply(WORKFLOW)
    store = env.services.store
    post = store.post_delivered_message
    broken: list[str] = []

    def post_once_broken(delivery_id: int, title: str, body: str, *args: Any, **kwargs: Any) -> Any:
        if body == "second" and not broken:  # the connection is terminated under this write
            broken.append(body)
            raise StoreUnavailable("terminating connection due to administrator command")
        return post(delivery_id, title, body, *args, **kwargs)

    monkeypatch.setattr(store, "post_delivered_message", post_once_broken)

    with pytest.raises(StoreUnavailable):
        env.runs.start("notify")

    [run] = store.list_runs(RunFilter())
    assert run.status is RunStatus.RUNNING, "not failed: the step did not fail, the database did"
    assert broken == ["second"]

    env.clock.advance(timedelta(seconds=env.services.settings.run_lease_s + 1))
    [recovered] = env.new_process().recover()

    assert recovered.status is RunStatus.SUCCEEDED, recovered.error
    assert sorted(m.body for m in store.list_messages()) == ["first", "second"], "each sent once"
    steps = [(s.step_id, s.status) for s in store.list_step_runs(run.id) if s.status is StepStatus.SUCCEEDED]
    assert steps == [("first", StepStatus.SUCCEEDED), ("second", StepStatus.SUCCEEDED)]
