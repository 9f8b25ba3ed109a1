"""Store errors: each names the missing or conflicting thing and what to do."""

from __future__ import annotations

from mwo.errors import FixableError


class StoreError(FixableError):
    """Base of store errors; `code` is stable, `fix` tells the user what to do."""

    code = "store_error"


class NotFound(StoreError, LookupError):
    code = "not_found"


class Conflict(StoreError):
    """The change contradicts what is stored (e.g. deciding an approval that is already decided)."""

    code = "conflict"


class SecretKeyError(StoreError):
    """The secrets key is missing, unreadable or does not decrypt the stored secrets."""

    code = "secret_key"


class InvalidInput(StoreError, ValueError):
    """A value the store refuses to keep (a malformed secret name, folder path or tag); a ValueError."""

    code = "invalid_input"
