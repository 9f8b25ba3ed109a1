"""The HealingStore contract on every backend: attempts are appended with the store's time and id,
read back by subject oldest first (one repair's alone by repair id), the newest `limit` kept."""

from __future__ import annotations

from dataclasses import replace

from mwo.store import HealingAttemptRecord, HealingSource, Store
from mwo.store.abc import HealingStore
from tests.contract.support import at

CONTRACT = HealingStore

FINDING = {"code": "script.exception", "severity": "error", "message": "KeyError: 'items'", "line": 3}


def attempt(
    repair_id: str = "r1", round_: int = 1, candidate: int = 0, **changes: object
) -> HealingAttemptRecord:
    base = HealingAttemptRecord(
        subject="script:clean.py",
        repair_id=repair_id,
        round=round_,
        candidate=candidate,
        source=HealingSource.MODEL,
        findings=[FINDING],
        diff="--- before\n+++ after\n@@ -1 +1 @@\n-a\n+b\n",
        accepted=False,
        model="qwen2.5-coder-1.5b",
        tokens=321,
        seconds=4.5,
        note="dry run still fails",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_recorded_attempt_comes_back_whole_with_the_store_time(store: Store) -> None:
    stored = store.record_healing_attempt(attempt(id=999, created_at=at(-50)), at(5))

    assert stored.id is not None and stored.id != 999
    assert stored.created_at == at(5)
    assert store.list_healing_attempts("script:clean.py") == [stored]
    assert stored == replace(attempt(), id=stored.id, created_at=at(5))
    assert stored.source is HealingSource.MODEL
    assert stored.findings == [FINDING]


def test_attempts_list_oldest_first_and_by_subject(store: Store) -> None:
    first = store.record_healing_attempt(attempt(source=HealingSource.FIXER, model=None, tokens=0), at(1))
    second = store.record_healing_attempt(attempt(round_=2, accepted=True), at(2))
    store.record_healing_attempt(attempt(subject="run:abc:fetch"), at(3))

    listed = store.list_healing_attempts("script:clean.py")

    assert [a.id for a in listed] == [first.id, second.id]
    assert (listed[0].source, listed[0].model, listed[1].accepted) == (HealingSource.FIXER, None, True)
    assert [a.subject for a in store.list_healing_attempts("run:abc:fetch")] == ["run:abc:fetch"]
    assert store.list_healing_attempts("script:unknown.py") == []


def test_one_repair_is_read_alone_by_its_id(store: Store) -> None:
    store.record_healing_attempt(attempt("r1"), at(1))
    mine = store.record_healing_attempt(attempt("r2", candidate=1), at(2))

    assert store.list_healing_attempts("script:clean.py", repair_id="r2") == [mine]


def test_the_limit_keeps_the_newest_attempts_in_order(store: Store) -> None:
    ids = [store.record_healing_attempt(attempt(candidate=i), at(i)).id for i in range(4)]

    listed = store.list_healing_attempts("script:clean.py", limit=2)

    assert [a.id for a in listed] == ids[2:]
