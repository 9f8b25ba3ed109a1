"""What every store (SQL and memory) requires of repair proposals the same way: the statuses a
proposal is created and decided in, and the fix its errors point to."""

from __future__ import annotations

from mwo.store.records import RepairStatus

CREATED_AS = (RepairStatus.PENDING, RepairStatus.NOT_FIXED)
"""The statuses a proposal is created in."""
DECIDED_AS = (RepairStatus.APPROVED, RepairStatus.REJECTED, RepairStatus.AUTO_APPLIED)
"""The statuses a decision moves a pending proposal to."""
NO_PROPOSAL_FIX = "see runs waiting for a repair decision with `mwo runs --status waiting_repair`"


def check_created_as(status: RepairStatus) -> None:
    """ValueError unless a proposal may be created in `status`."""
    if status not in CREATED_AS:
        raise ValueError(f"a repair proposal is created pending or not_fixed, not {status.value}")


def check_decision(status: RepairStatus, new_version_id: int | None) -> None:
    """ValueError unless `status` is a decision, and an applied one names the version the fix was
    saved as."""
    if status not in DECIDED_AS:
        raise ValueError(f"a repair is decided approved, rejected or auto_applied, not {status.value}")
    if status.applied and new_version_id is None:
        raise ValueError(f"deciding a repair {status.value} needs the version the fix was saved as")
