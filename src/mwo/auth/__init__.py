"""Who may call the REST API: API tokens (issued, listed, revoked, checked) and their scopes."""

from mwo.auth.tokens import (
    InvalidTokenRequest,
    IssuedToken,
    ScopeDenied,
    TokenError,
    TokenRejected,
    TokenService,
    hash_secret,
    parse_token,
)

__all__ = [
    "InvalidTokenRequest",
    "IssuedToken",
    "ScopeDenied",
    "TokenError",
    "TokenRejected",
    "TokenService",
    "hash_secret",
    "parse_token",
]
