"""The InboxStore contract on every backend: messages newest first, read marks kept from the first read."""

from __future__ import annotations

import pytest

from mwo.store import (
    NotFound,
    Store,
)
from mwo.store.abc import InboxStore
from tests.contract.support import T0, at, new_run

CONTRACT = InboxStore


# --- inbox -----------------------------------------------------------------------------------------


def test_inbox_messages_newest_first_and_read_marks(store: Store) -> None:
    run_id = new_run(store)
    first = store.post_message("Run failed", "fetch timed out", T0, run_id=run_id)
    second = store.post_message("오늘의 뉴스", "본문", at(60))
    third = store.post_message("Same time", "tie broken by id", at(60))

    assert (first.run_id, first.read_at, second.run_id) == (run_id, None, None)
    assert [m.id for m in store.list_messages()] == [third.id, second.id, first.id]
    assert [m.id for m in store.list_messages(limit=2)] == [third.id, second.id]
    store.mark_read(second.id, at(120))
    store.mark_read(second.id, at(180))  # the first read time stays
    assert [m.id for m in store.list_messages(unread_only=True)] == [third.id, first.id]
    assert store.list_messages()[1].read_at == at(120)
    with pytest.raises(NotFound):
        store.mark_read(999_999, T0)
