"""Which isolation this host gives: tried for real (a sandbox started and answering), not guessed.

A host may have the bwrap binary and still refuse namespaces (a container without user namespaces,
a kernel setting, AppArmor); the only truthful check is to start one, as `mwo doctor` reports.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

from mwo.sandbox.policy import IsolationMode

PROBE_SCRIPT = "def main(inputs):\n    return {'ok': True}\n"


@dataclass(frozen=True)
class Isolation:
    """The mode runs will use here, what was found, and how to get full isolation when it is missing."""

    mode: IsolationMode
    detail: str
    fix: str = ""

    @property
    def isolated(self) -> bool:
        return self.mode is IsolationMode.NAMESPACES


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def probe_namespaces(bwrap: str | None, attempt: Callable[[], str | None]) -> Isolation:
    """Judge the host: `attempt` runs PROBE_SCRIPT in a namespaced sandbox; None, or why it failed."""
    if bwrap is None:
        return Isolation(
            IsolationMode.RLIMITS_ONLY,
            "bubblewrap is not installed: scripts run with rlimits, a clean environment and a private "
            "work dir, but see the host's files and network",
            "install bubblewrap (`make setup` or `apt-get install bubblewrap`)",
        )
    reason = attempt()
    if reason is None:
        return Isolation(
            IsolationMode.NAMESPACES,
            f"bubblewrap at {bwrap}: user, pid, net, ipc, uts and mount namespaces, uid 65534, rlimits; "
            "allow_net steps reach HTTP(S) only through MWO's egress proxy",
        )
    return Isolation(
        IsolationMode.RLIMITS_ONLY,
        f"bubblewrap at {bwrap} cannot isolate here ({reason}): scripts run with rlimits, "
        "a clean environment and a private work dir only",
        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
        "user.max_user_namespaces > 0) or run MWO outside a restricted container",
    )
