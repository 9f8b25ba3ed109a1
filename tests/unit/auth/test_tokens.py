"""API tokens: the format, the hash at rest, scopes, and what makes `authenticate` refuse a token.
A real SQLite store; the clock is a parameter moved by the test."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from mwo.auth import (
    InvalidTokenRequest,
    ScopeDenied,
    TokenRejected,
    TokenService,
    hash_secret,
    parse_token,
)
from mwo.auth.tokens import LAST_USED_RESOLUTION
from mwo.store import NotFound, TokenScope
from tests.clocks import START, ManualClock

T0 = START  # where the `clock` fixture starts


@pytest.fixture
def tokens(store: Any, clock: ManualClock) -> TokenService:
    return TokenService(store, clock)


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        (TokenScope.READ, {TokenScope.READ}),
        (TokenScope.WRITE, {TokenScope.READ, TokenScope.WRITE}),
        (TokenScope.ADMIN, {TokenScope.READ, TokenScope.WRITE, TokenScope.ADMIN}),
    ],
)
def test_each_scope_includes_the_ones_below_it(scope: TokenScope, allowed: set[TokenScope]) -> None:
    assert {needed for needed in TokenScope if scope.allows(needed)} == allowed


def test_the_hash_is_the_sha256_of_the_secret() -> None:
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()
    assert hash_secret("abc") != hash_secret("abd")


def test_an_issued_token_has_the_mwo_format_and_only_its_hash_is_stored(
    tokens: TokenService, store: Any
) -> None:
    issued = tokens.issue("ci", TokenScope.WRITE)

    token_id, secret = parse_token(issued.token)
    assert issued.token == f"mwo_{token_id}_{secret}" and token_id == issued.record.token_id
    assert len(secret) >= 40  # 32 random bytes
    record, stored_hash = store.find_api_token(token_id)
    assert stored_hash == hash_secret(secret) and secret not in stored_hash
    assert record.scope is TokenScope.WRITE and record.created_at == T0


def test_two_tokens_never_share_an_id_or_a_secret(tokens: TokenService) -> None:
    first, second = tokens.issue("a", TokenScope.READ), tokens.issue("b", TokenScope.READ)
    assert parse_token(first.token)[0] != parse_token(second.token)[0]
    assert parse_token(first.token)[1] != parse_token(second.token)[1]


def test_a_valid_token_authenticates_to_its_record(tokens: TokenService) -> None:
    issued = tokens.issue("ci", TokenScope.READ)
    assert tokens.authenticate(issued.token).name == "ci"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: "mwo_ffffffffffff_" + t.split("_", 2)[2],  # unknown id
        lambda t: t.replace("mwo_", "xyz_", 1),  # not our format
        lambda t: "",  # nothing
        lambda t: "Bearer " + t,  # the scheme sent twice
    ],
    ids=["wrong-secret", "unknown-id", "foreign-format", "empty", "double-scheme"],
)
def test_anything_but_the_exact_token_is_rejected(tokens: TokenService, mangle: Callable[[str], str]) -> None:
    issued = tokens.issue("ci", TokenScope.READ)
    with pytest.raises(TokenRejected) as caught:
        tokens.authenticate(mangle(issued.token))
    assert caught.value.fix


def test_a_revoked_token_is_rejected_from_then_on(tokens: TokenService) -> None:
    issued = tokens.issue("ci", TokenScope.ADMIN)
    tokens.revoke("ci")
    with pytest.raises(TokenRejected, match="revoked"):
        tokens.authenticate(issued.token)


def test_a_token_expires_at_its_expiry_instant(tokens: TokenService, clock: ManualClock) -> None:
    issued = tokens.issue("ci", TokenScope.READ, expires_in=timedelta(days=1))
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    assert tokens.authenticate(issued.token).name == "ci"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(TokenRejected, match="expired"):
        tokens.authenticate(issued.token)


def test_authorize_refuses_a_scope_that_is_too_small(tokens: TokenService) -> None:
    reader = tokens.authenticate(tokens.issue("r", TokenScope.READ).token)
    TokenService.authorize(reader, TokenScope.READ)
    with pytest.raises(ScopeDenied, match="needs write") as caught:
        TokenService.authorize(reader, TokenScope.WRITE)
    assert "--scope write" in caught.value.fix


def test_last_use_is_recorded_at_most_once_per_resolution(
    tokens: TokenService, store: Any, clock: ManualClock
) -> None:
    issued = tokens.issue("ci", TokenScope.READ)
    tokens.authenticate(issued.token)
    first_use = T0
    clock.advance(LAST_USED_RESOLUTION / 2)
    tokens.authenticate(issued.token)
    assert store.find_api_token(issued.record.token_id)[0].last_used_at == first_use

    clock.advance(LAST_USED_RESOLUTION)
    tokens.authenticate(issued.token)
    assert store.find_api_token(issued.record.token_id)[0].last_used_at == clock.now


@pytest.mark.parametrize("name", ["", "has space", "a/b", "x" * 101])
def test_bad_names_are_refused_before_anything_is_stored(tokens: TokenService, name: str) -> None:
    with pytest.raises(InvalidTokenRequest):
        tokens.issue(name, TokenScope.READ)
    assert tokens.list_tokens() == []


def test_a_lifetime_must_be_positive(tokens: TokenService) -> None:
    with pytest.raises(InvalidTokenRequest):
        tokens.issue("ci", TokenScope.READ, expires_in=timedelta(0))


def test_revoking_an_unknown_token_is_not_found(tokens: TokenService) -> None:
    with pytest.raises(NotFound):
        tokens.revoke("nobody")
