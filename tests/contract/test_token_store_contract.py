"""The TokenStore contract on every backend: tokens found by public id with their hash, names unique
(revoked ones included), revocation keeps its first time, and the secret never reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mwo.store import Conflict, NotFound, Store, TokenScope
from mwo.store.abc import TokenStore
from tests.contract.support import Backend, at

CONTRACT = TokenStore

HASH_A = "a" * 64
HASH_B = "b" * 64


def test_a_created_token_is_found_by_its_id_with_its_hash(store: Store) -> None:
    created = store.create_api_token(
        "ci", "0123456789ab", HASH_A, TokenScope.WRITE, at(0), expires_at=at(100)
    )

    found, stored_hash = store.find_api_token("0123456789ab")

    assert found == created
    assert stored_hash == HASH_A
    assert (found.name, found.scope, found.created_at, found.expires_at) == (
        "ci",
        TokenScope.WRITE,
        at(0),
        at(100),
    )
    assert (found.last_used_at, found.revoked_at) == (None, None)
    assert found.is_active(at(99)) and not found.is_active(at(100))


def test_an_unknown_id_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.find_api_token("ffffffffffff")


def test_names_and_ids_are_unique_even_after_revocation(store: Store) -> None:
    store.create_api_token("ci", "0123456789ab", HASH_A, TokenScope.READ, at(0))
    store.revoke_api_token("ci", at(1))

    with pytest.raises(Conflict, match="'ci' already exists"):
        store.create_api_token("ci", "ba9876543210", HASH_B, TokenScope.READ, at(2))
    with pytest.raises(Conflict):
        store.create_api_token("other", "0123456789ab", HASH_B, TokenScope.READ, at(2))
    assert [t.name for t in store.list_api_tokens()] == ["ci"]


def test_list_is_by_name_and_includes_revoked_tokens(store: Store) -> None:
    store.create_api_token("zeta", "000000000001", HASH_A, TokenScope.READ, at(0))
    store.create_api_token("alpha", "000000000002", HASH_B, TokenScope.ADMIN, at(1))
    store.revoke_api_token("zeta", at(2))

    listed = store.list_api_tokens()

    assert [(t.name, t.scope, t.revoked_at) for t in listed] == [
        ("alpha", TokenScope.ADMIN, None),
        ("zeta", TokenScope.READ, at(2)),
    ]


def test_revoking_again_keeps_the_first_time_and_unknown_names_are_not_found(store: Store) -> None:
    store.create_api_token("ci", "0123456789ab", HASH_A, TokenScope.READ, at(0))

    first = store.revoke_api_token("ci", at(5))
    again = store.revoke_api_token("ci", at(9))

    assert first.revoked_at == again.revoked_at == at(5)
    assert not again.is_active(at(6))
    with pytest.raises(NotFound):
        store.revoke_api_token("nobody", at(5))


def test_marking_a_token_used_records_the_time(store: Store) -> None:
    store.create_api_token("ci", "0123456789ab", HASH_A, TokenScope.READ, at(0))

    store.mark_api_token_used("0123456789ab", at(30))
    store.mark_api_token_used("ffffffffffff", at(31))  # unknown: nothing happens

    assert store.find_api_token("0123456789ab")[0].last_used_at == at(30)


def test_only_the_hash_is_stored(backend: Backend) -> None:
    backend.store.create_api_token("ci", "0123456789ab", HASH_A, TokenScope.READ, at(0))
    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            columns = connection.execute(text("SELECT * FROM api_tokens")).mappings().one()
    finally:
        engine.dispose()
    assert set(columns) == {
        "id",
        "token_id",
        "name",
        "secret_hash",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    }
    assert columns["secret_hash"] == HASH_A and columns["scope"] == "read"
