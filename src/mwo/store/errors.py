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


class StoreUnavailable(StoreError):
    """The database connection broke in the middle of a unit of work (the server restarted, or
    terminated the connection): nothing of that unit was written. Not the caller's fault, and not a
    step's: a run that meets it is left to be continued from its last checkpoint."""

    code = "store_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"lost the connection to the database ({reason}); nothing of this change was saved",
            "check that the database is running and reachable (MWO_DATABASE_URL), then try again; runs "
            "that were going on continue from their last checkpoint once it is back",
        )


class InvalidInput(StoreError, ValueError):
    """A value the store refuses to keep (a malformed secret name, folder path or tag); a ValueError."""

    code = "invalid_input"


class LeaseLost(Conflict):
    """A write for a run by a process that no longer holds the run's lease (another process took the
    run over after this one's lease ran out): refused, so only the new holder's results count. A
    Conflict, so a caller that lets it through treats it as one (409, "not executed here")."""

    code = "lease_lost"

    def __init__(self, run_id: str, owner: str, token: int) -> None:
        super().__init__(
            f"run {run_id} is no longer held by {owner} (lease token {token}): another process took it "
            "over after this one's lease ran out, so this write was refused",
            "nothing to do: the process holding the run now finishes it (`mwo runs` shows it); if this "
            "happens often, raise MWO_RUN_LEASE_S above the longest pause of the executing processes",
        )
        self.run_id = run_id
        self.owner = owner
        self.token = token
