"""The in-memory store: the reference every backend is held to, and a fast store for unit tests.

It implements the interfaces whose whole contract file it passes (`tests/contract/`, parametrised
over it next to SQLite and PostgreSQL): workflows, runs, approvals, secrets, the inbox, traces,
schedules, repair proposals and the outbox, which is what the run service and the scheduler need. It is not a
`Store` (webhooks, tokens, statistics, authoring and healing are not here yet), so it is handed to
consumers typed against the interfaces it has, e.g. `RunService(MemoryStore(), ...)`. One lock
guards the state, so a lease is taken atomically as the SQL store's conditional UPDATE takes it;
nothing survives the process.
"""

from __future__ import annotations

from mwo.store.memory.approvals import MemoryApprovalStore
from mwo.store.memory.inbox import MemoryInboxStore
from mwo.store.memory.outbox import MemoryOutboxStore
from mwo.store.memory.repairs import MemoryRepairStore
from mwo.store.memory.runs import MemoryRunStore
from mwo.store.memory.schedules import MemoryScheduleStore
from mwo.store.memory.secrets import MemorySecretStore
from mwo.store.memory.state import MemoryState
from mwo.store.memory.traces import MemoryTraceStore
from mwo.store.memory.workflows import MemoryWorkflowStore

__all__ = ["MemoryState", "MemoryStore"]


class MemoryStore(
    MemoryWorkflowStore,
    MemoryRunStore,
    MemoryApprovalStore,
    MemorySecretStore,
    MemoryInboxStore,
    MemoryTraceStore,
    MemoryScheduleStore,
    MemoryRepairStore,
    MemoryOutboxStore,
):
    """Workflows, runs, approvals, secrets, the inbox, traces, schedules, repair proposals and the outbox over
    one `MemoryState` (two MemoryStores given the same state see each other's writes, as two SqlStores
    on one database do)."""

    def close(self) -> None:
        """Nothing to release; kept so a test can close it like any store."""
