"""API tokens: `mwo_<token id>_<secret>`, shown once when issued, stored only as a hash.

Why SHA-256 and not a password hash (bcrypt, scrypt, argon2): those are slow on purpose so that a
stolen table of *low-entropy* passwords cannot be brute-forced. Our secrets are 256 random bits from
`secrets.token_urlsafe(32)`; nobody can enumerate that space however fast the hash is, so a slow
hash would only make every API request slower. SHA-256 of the secret keeps a stolen database
useless and checking a request cheap.

The public token id in front of the secret finds the row with an indexed look-up, and the hash
comparison is `hmac.compare_digest` (constant time), so response timing tells an attacker nothing
about how much of a guessed secret was right.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mwo.clock import utc_now
from mwo.errors import FixableError
from mwo.store.abc import TokenStore
from mwo.store.errors import NotFound
from mwo.store.records import ApiTokenRecord, TokenScope

TOKEN_PREFIX = "mwo"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
_TOKEN_PATTERN = re.compile(rf"^{TOKEN_PREFIX}_(?P<id>[0-9a-f]{{12}})_(?P<secret>[A-Za-z0-9_-]{{20,100}})$")
_DUMMY_HASH = "0" * 64
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""`last_used_at` is refreshed at most this often per token: a write per request would serialise
every API call on SQLite's single writer for a figure people read in minutes."""


class TokenError(FixableError):
    """Base of token errors: `code` is stable, `fix` says what to do."""

    code = "token_error"


class TokenRejected(TokenError):
    """No token, a malformed or unknown one, a revoked or expired one (the API answers 401)."""

    code = "unauthorized"


class ScopeDenied(TokenError):
    """A valid token whose scope does not allow the request (the API answers 403)."""

    code = "forbidden"


class InvalidTokenRequest(TokenError, ValueError):
    """A token name or lifetime that cannot be issued."""

    code = "invalid_token_request"


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `token` is the only time the secret exists outside the caller's hands."""

    record: ApiTokenRecord
    token: str


def hash_secret(secret: str) -> str:
    """The hex SHA-256 stored for a secret (see the module docstring for why this hash)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_token(token: str) -> tuple[str, str]:
    """(token id, secret) of a well-formed token; TokenRejected otherwise."""
    match = _TOKEN_PATTERN.match(token.strip())
    if match is None:
        raise TokenRejected(
            "the API token is malformed", "send `Authorization: Bearer mwo_<id>_<secret>` as created"
        )
    return match["id"], match["secret"]


class TokenService:
    """Issues, lists, revokes and checks API tokens over a TokenStore; the clock is a parameter."""

    def __init__(self, store: TokenStore, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    def issue(self, name: str, scope: TokenScope, expires_in: timedelta | None = None) -> IssuedToken:
        """A new token called `name`; its text is in the result and nowhere else."""
        if not NAME_PATTERN.match(name):
            raise InvalidTokenRequest(
                f"token name {name!r} is not allowed",
                "use letters, digits, '.', '_', '-' or '@' (up to 100), e.g. ci-deploy",
            )
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidTokenRequest("a token must expire in the future", "give a positive number of days")
        now = self._clock()
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        record = self._store.create_api_token(
            name,
            token_id,
            hash_secret(secret),
            scope,
            now,
            expires_at=now + expires_in if expires_in is not None else None,
        )
        return IssuedToken(record, f"{TOKEN_PREFIX}_{token_id}_{secret}")

    def list_tokens(self) -> list[ApiTokenRecord]:
        return self._store.list_api_tokens()

    def revoke(self, name: str) -> ApiTokenRecord:
        """Revoke at once; requests with the token are refused from now on. NotFound."""
        return self._store.revoke_api_token(name, self._clock())

    def authenticate(self, token: str | None) -> ApiTokenRecord:
        """The active token `token` is; TokenRejected (with the reason) otherwise."""
        if not token:
            raise TokenRejected(
                "this endpoint needs an API token",
                "send `Authorization: Bearer <token>`; create one with `mwo tokens create NAME`",
            )
        token_id, secret = parse_token(token)
        try:
            record, stored_hash = self._store.find_api_token(token_id)
        except NotFound:
            record, stored_hash = None, _DUMMY_HASH
        matches = hmac.compare_digest(hash_secret(secret), stored_hash)
        if record is None or not matches:
            raise TokenRejected(
                "the API token is not valid", "create a new one with `mwo tokens create NAME`"
            )
        now = self._clock()
        if record.revoked_at is not None:
            raise TokenRejected(
                f"API token {record.name!r} was revoked", "create a new one with `mwo tokens create NAME`"
            )
        if record.expires_at is not None and record.expires_at <= now:
            raise TokenRejected(
                f"API token {record.name!r} expired at {record.expires_at.isoformat()}",
                "create a new one with `mwo tokens create NAME --expires-days N`",
            )
        if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
            self._store.mark_api_token_used(token_id, now)
        return record

    @staticmethod
    def authorize(record: ApiTokenRecord, needed: TokenScope) -> None:
        """ScopeDenied unless the token's scope includes `needed`."""
        if not record.scope.allows(needed):
            raise ScopeDenied(
                f"API token {record.name!r} has scope {record.scope.value}; this needs {needed.value}",
                f"use a token created with `mwo tokens create NAME --scope {needed.value}`",
            )
