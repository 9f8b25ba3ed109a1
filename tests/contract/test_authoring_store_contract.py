"""The AuthoringStore contract on every backend: sessions keep request, answers, status and result;
events are numbered 1, 2, ... per session and read back after a given number."""

from __future__ import annotations

import pytest

from mwo.store import Conflict, NotFound, Store
from mwo.store.abc import AuthoringStore
from mwo.store.records import AuthoringStatus
from tests.contract.support import at

CONTRACT = AuthoringStore


def test_a_new_session_is_working_with_no_answers_and_no_result(store: Store) -> None:
    created = store.create_authoring_session("s1", "create", "뉴스 요약해서 보내줘", at(0))

    found = store.get_authoring_session("s1")

    assert found == created
    assert (found.kind, found.request, found.workflow_name) == ("create", "뉴스 요약해서 보내줘", None)
    assert (found.status, found.answers, found.result) == (AuthoringStatus.WORKING, {}, None)
    assert found.created_at == found.updated_at == at(0)


def test_a_used_id_conflicts_and_an_unknown_one_is_not_found(store: Store) -> None:
    store.create_authoring_session("s1", "create", "x", at(0))

    with pytest.raises(Conflict):
        store.create_authoring_session("s1", "create", "y", at(1))
    with pytest.raises(NotFound):
        store.get_authoring_session("nope")
    with pytest.raises(NotFound):
        store.update_authoring_session("nope", at(1), status=AuthoringStatus.FAILED)


def test_update_replaces_only_the_fields_given(store: Store) -> None:
    store.create_authoring_session("s1", "edit", "월요일에는 보내지 마", at(0), workflow_name="news")

    store.update_authoring_session("s1", at(1), answers={"topic": "경제"})
    updated = store.update_authoring_session(
        "s1", at(2), status=AuthoringStatus.READY, result={"status": "ready", "step_types": ["LLM_CALL"]}
    )

    assert updated.answers == {"topic": "경제"}
    assert updated.status is AuthoringStatus.READY
    assert updated.result == {"status": "ready", "step_types": ["LLM_CALL"]}
    assert (updated.workflow_name, updated.created_at, updated.updated_at) == ("news", at(0), at(2))
    assert store.get_authoring_session("s1") == updated


def test_events_are_numbered_per_session_and_read_after_a_number(store: Store) -> None:
    store.create_authoring_session("a", "create", "x", at(0))
    store.create_authoring_session("b", "create", "y", at(0))

    first = store.add_authoring_event("a", "understanding", "이해하는 중", at(1), {"language": "ko"})
    store.add_authoring_event("b", "understanding", "other session", at(1))
    store.add_authoring_event("a", "planning", "step 1", at(2))
    store.add_authoring_event("a", "saved", "saved", at(3))

    assert (first.seq, first.stage, first.data) == (1, "understanding", {"language": "ko"})
    assert first.created_at == at(1)
    assert [e.seq for e in store.list_authoring_events("a")] == [1, 2, 3]
    after_one = store.list_authoring_events("a", after=1)
    assert [(e.seq, e.stage) for e in after_one] == [(2, "planning"), (3, "saved")]
    assert [e.seq for e in store.list_authoring_events("b")] == [1]
    assert store.list_authoring_events("a", after=3) == []
    with pytest.raises(NotFound):
        store.add_authoring_event("nope", "x", "y", at(4))
    with pytest.raises(NotFound):
        store.list_authoring_events("nope")


def test_sessions_are_listed_newest_first(store: Store) -> None:
    for i, sid in enumerate(["old", "mid", "new"]):
        store.create_authoring_session(sid, "create", sid, at(i))

    assert [s.id for s in store.list_authoring_sessions()] == ["new", "mid", "old"]
    assert [s.id for s in store.list_authoring_sessions(limit=1)] == ["new"]
