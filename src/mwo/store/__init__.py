"""Persistence for MWO: workflows and versions, runs and step runs, approvals, secrets, the inbox and
LLM traces, behind the `Store` interface (`mwo.store.abc`) and its SQL implementation.

    store = open_store(Settings())
    version, created = store.save_version(workflow, spec_yaml)
"""

from __future__ import annotations

from contextlib import ExitStack

from mwo.settings import Settings
from mwo.store.abc import (
    ApprovalStore,
    HealingStore,
    InboxStore,
    OutboxStore,
    RepairStore,
    RunStore,
    ScheduleStore,
    SecretStore,
    Store,
    TokenStore,
    TraceStore,
    WorkflowStore,
)
from mwo.store.database import Database, create_store_engine
from mwo.store.errors import Conflict, InvalidInput, NotFound, SecretKeyError, StoreError
from mwo.store.records import (
    ApiTokenRecord,
    ApprovalRecord,
    ApprovalStatus,
    DeliveryIntent,
    DeliveryRecord,
    DeliveryState,
    FireClaim,
    FireOutcome,
    FolderRecord,
    HealingAttemptRecord,
    HealingSource,
    InboxMessage,
    LlmCallRecord,
    LogLevel,
    RepairProposalRecord,
    RepairStatus,
    RunFilter,
    RunRecord,
    RunStatus,
    ScheduleFireRecord,
    ScheduleRecord,
    ScheduleSpec,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
    TokenScope,
    VersionRecord,
    WorkflowRecord,
)
from mwo.store.secret_key import SecretKeySource
from mwo.store.sql_store import SqlStore


def open_store(settings: Settings) -> Store:
    """Connect to `settings.resolved_database_url()`, migrate the schema to the newest version, and
    return the store. The secrets key is loaded only when a secret is first stored or read."""
    database = Database(create_store_engine(settings))
    with ExitStack() as on_failure:
        on_failure.callback(database.dispose)  # no pooled connection outlives a failed migration
        database.upgrade_schema()
        on_failure.pop_all()
    return SqlStore(database, SecretKeySource(settings), run_lease_s=settings.run_lease_s)


__all__ = [
    "ApiTokenRecord",
    "ApprovalRecord",
    "ApprovalStatus",
    "ApprovalStore",
    "Conflict",
    "DeliveryIntent",
    "DeliveryRecord",
    "DeliveryState",
    "FireClaim",
    "FireOutcome",
    "FolderRecord",
    "HealingAttemptRecord",
    "HealingSource",
    "HealingStore",
    "InboxMessage",
    "InboxStore",
    "InvalidInput",
    "LlmCallRecord",
    "LogLevel",
    "NotFound",
    "OutboxStore",
    "RepairProposalRecord",
    "RepairStatus",
    "RepairStore",
    "RunFilter",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "ScheduleFireRecord",
    "ScheduleRecord",
    "ScheduleSpec",
    "ScheduleStore",
    "SecretKeyError",
    "SecretStore",
    "SqlStore",
    "StepLogRecord",
    "StepRunRecord",
    "StepStatus",
    "Store",
    "StoreError",
    "TokenScope",
    "TokenStore",
    "TraceStore",
    "VersionRecord",
    "WorkflowRecord",
    "WorkflowStore",
    "open_store",
]
