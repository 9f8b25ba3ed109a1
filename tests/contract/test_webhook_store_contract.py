"""The WebhookStore contract on every backend: encrypted secrets with rotation windows, and
deliveries deduplicated by UNIQUE(workflow, webhook_id) in the transaction that creates the run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from mwo.store import Conflict, NotFound, RunFilter, RunStatus, Store
from mwo.store.abc import WebhookStore
from tests.contract.support import Backend, at, make_workflow

CONTRACT = WebhookStore


def saved(store: Store, name: str = "hooked") -> int:
    version, _ = store.save_version(make_workflow(name), f"name: {name}\n")
    return version.id


def test_secrets_are_encrypted_at_rest_and_listed_newest_first(backend: Backend) -> None:
    store = backend.store
    saved(store)
    assert store.list_webhook_secrets("hooked", at(0)) == []
    store.add_webhook_secret("hooked", "whsec_one", at(0))
    store.add_webhook_secret("hooked", "whsec_two", at(1))

    assert store.list_webhook_secrets("hooked", at(2)) == ["whsec_two", "whsec_one"]
    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            stored = list(connection.execute(text("SELECT ciphertext FROM webhook_secrets")).scalars())
    finally:
        engine.dispose()
    assert len(stored) == 2 and not any("whsec_" in value for value in stored)


def test_rotation_keeps_the_previous_secret_until_its_grace_period_ends(store: Store) -> None:
    saved(store)
    store.add_webhook_secret("hooked", "whsec_old", at(0))
    store.add_webhook_secret("hooked", "whsec_new", at(10), retire_others_at=at(100))

    assert store.list_webhook_secrets("hooked", at(99)) == ["whsec_new", "whsec_old"]
    assert store.list_webhook_secrets("hooked", at(100)) == ["whsec_new"]
    # a second rotation does not extend an already retiring secret
    store.add_webhook_secret("hooked", "whsec_newer", at(20), retire_others_at=at(500))
    assert store.list_webhook_secrets("hooked", at(200)) == ["whsec_newer", "whsec_new"]


def test_a_shorter_grace_shortens_every_earlier_secret_and_ends_are_listed(store: Store) -> None:
    saved(store)
    store.add_webhook_secret("hooked", "whsec_old", at(0))
    assert store.list_webhook_secret_ends("hooked", at(1)) == [("whsec_old", None)]
    store.add_webhook_secret("hooked", "whsec_new", at(10), retire_others_at=at(100))
    assert store.list_webhook_secret_ends("hooked", at(11)) == [("whsec_new", None), ("whsec_old", at(100))]
    # revoking now (a zero grace) ends the retiring secret too, not only the open one
    store.add_webhook_secret("hooked", "whsec_newest", at(20), retire_others_at=at(20))
    assert store.list_webhook_secrets("hooked", at(20)) == ["whsec_newest"]
    assert store.list_webhook_secret_ends("hooked", at(20)) == [("whsec_newest", None)]
    with pytest.raises(NotFound):
        store.list_webhook_secret_ends("nope", at(0))


def test_secrets_of_unknown_workflows_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.add_webhook_secret("nope", "whsec_x", at(0))
    with pytest.raises(NotFound):
        store.list_webhook_secrets("nope", at(0))


def test_a_delivery_starts_one_queued_run_and_a_repeat_returns_it(store: Store) -> None:
    version_id = saved(store)
    run, created = store.start_webhook_run("hooked", "msg_1", version_id, {"x": 1}, at(0))
    again, created_again = store.start_webhook_run("hooked", "msg_1", version_id, {"x": 2}, at(1))

    assert created and not created_again
    assert again.id == run.id and again.inputs == {"x": 1}
    assert run.status is RunStatus.QUEUED and run.trigger == "webhook:msg_1"
    assert len(store.list_runs(RunFilter())) == 1
    other, created_other = store.start_webhook_run("hooked", "msg_2", version_id, {}, at(2))
    assert created_other and other.id != run.id


def test_the_same_webhook_id_for_another_workflow_is_another_delivery(store: Store) -> None:
    first = saved(store, "one")
    second = saved(store, "two")
    a, _ = store.start_webhook_run("one", "msg", first, {}, at(0))
    b, created = store.start_webhook_run("two", "msg", second, {}, at(0))
    assert created and a.id != b.id


def test_unknown_workflow_or_foreign_version_raise_not_found(store: Store) -> None:
    version_id = saved(store, "one")
    saved(store, "two")
    with pytest.raises(NotFound):
        store.start_webhook_run("nope", "msg", version_id, {}, at(0))
    with pytest.raises(NotFound):
        store.start_webhook_run("two", "msg", version_id, {}, at(0))
    assert store.list_runs(RunFilter()) == []


def test_a_disabled_workflow_takes_no_delivery(store: Store) -> None:
    version_id = saved(store)
    store.set_enabled("hooked", False)
    with pytest.raises(Conflict, match="disabled") as refused:
        store.start_webhook_run("hooked", "msg", version_id, {}, at(0))
    assert "mwo enable hooked" in refused.value.fix
    assert store.list_runs(RunFilter()) == []
    store.set_enabled("hooked", True)
    assert store.start_webhook_run("hooked", "msg", version_id, {}, at(1))[1], "the id was not used up"


def test_concurrent_repeats_of_one_delivery_start_exactly_one_run(store: Store) -> None:
    version_id = saved(store)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: store.start_webhook_run("hooked", "msg", version_id, {}, at(0)), range(8))
        )
    assert sum(created for _, created in results) == 1
    assert len({run.id for run, _ in results}) == 1
    assert len(store.list_runs(RunFilter())) == 1
