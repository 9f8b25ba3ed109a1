"""What a sandboxed run may use: the limits of one step and the isolation modes a host can offer.

Limits are plain data so the same object can be built from a step spec, from the CLI flags, or by a
test; the harness inside the sandbox receives them as JSON and applies them to itself before the
script's code is imported (see harness.py for why the harness, not the parent, sets rlimits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

Gate = Callable[[str, int], Sequence[str]]
"""(host, port) -> the checked addresses to connect to. Raises EgressRefused when the policy forbids
the host, OSError when it cannot be resolved. Declared here, with the rest of what a run may use,
so the egress proxy depends on the policy and not the other way round."""

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
    """Whether a script may open network connections, and who decides where to.

    `gate` is the egress proxy's judge (see egress.py): (host, port) -> checked addresses, or
    EgressRefused. The engine builds it from the workflow's network policy with the same guard as
    API_CALL; None refuses every connection (fail closed). `allowed_networks` (the CIDR entries of
    that policy) serve only hosts without namespaces, where the harness's hook checks addresses.
    """

    enabled: bool = False
    allowed_networks: tuple[str, ...] = field(default_factory=tuple)
    gate: Gate | None = field(default=None, compare=False)
