"""What a sandboxed run may use: the limits of one step and the isolation modes a host can offer.

Limits are plain data so the same object can be built from a step spec, from the CLI flags, or by a
test; the harness inside the sandbox receives them as JSON and applies them to itself before the
script's code is imported (see harness.py for why the harness, not the parent, sets rlimits).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

NOBODY = 65534
"""The unprivileged uid and gid scripts run as (on the host when MWO runs as root, and inside the
user namespace in every case)."""


class IsolationMode(str, Enum):
    """How strongly this host can isolate a script, best first."""

    NAMESPACES = "namespaces"
    """bubblewrap: user, pid, net, ipc, uts and mount namespaces; a minimal read-only file system."""
    RLIMITS_ONLY = "rlimits-only"
    """No namespaces: rlimits, a clean environment and a private work dir only (a warning on every run)."""


@dataclass(frozen=True)
class Limits:
    """The resource limits of one sandboxed run."""

    timeout_s: float = 30.0
    """Wall-clock time from the request being sent to the result; CPU time is capped at the same value."""
    memory_mb: int = 256
    """Address space of the script's interpreter (RLIMIT_AS)."""
    max_output_bytes: int = 16 * 1024 * 1024
    """The result JSON plus everything printed; the run is killed when it is exceeded."""
    max_processes: int | None = 64
    """RLIMIT_NPROC: processes and threads of uid 65534 (shared by concurrent sandboxes). The kernel
    counts every process of the real uid, so it is applied only when MWO runs as root (and scripts
    as 65534); otherwise the user's own processes would count, and None leaves it unset."""
    max_open_files: int = 256
    max_file_bytes: int = 64 * 1024 * 1024
    """RLIMIT_FSIZE: the largest file the script may write in its work dir."""
    work_dir_mb: int = 64
    """Size of the private tmpfs work dir (namespaces mode)."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NetAccess:
    """Whether a script may open network connections, and which private networks it may still reach.

    `allowed_networks` are the CIDR entries of the workflow's network policy (settings.network.allow):
    public addresses are always allowed when `enabled`; private, loopback and metadata addresses only
    when listed, the same rule as API_CALL's SSRF guard.
    """

    enabled: bool = False
    allowed_networks: tuple[str, ...] = field(default_factory=tuple)
