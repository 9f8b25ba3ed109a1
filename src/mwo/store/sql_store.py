"""SqlStore: the Store over SQLAlchemy, one schema for SQLite and PostgreSQL.

Each concept lives in its own part (`sql_workflows`, `sql_runs`, ...); this class only joins them
and owns the connection pool they share.
"""

from __future__ import annotations

from mwo.store.abc import Store
from mwo.store.sql_approvals import SqlApprovalStore
from mwo.store.sql_authoring import SqlAuthoringStore
from mwo.store.sql_healing import SqlHealingStore
from mwo.store.sql_inbox import SqlInboxStore
from mwo.store.sql_outbox import SqlOutboxStore
from mwo.store.sql_repairs import SqlRepairStore
from mwo.store.sql_runs import SqlRunStore
from mwo.store.sql_schedules import SqlScheduleStore
from mwo.store.sql_secrets import SqlSecretStore
from mwo.store.sql_stats import SqlStatsStore
from mwo.store.sql_tokens import SqlTokenStore
from mwo.store.sql_traces import SqlTraceStore
from mwo.store.sql_webhooks import SqlWebhookStore
from mwo.store.sql_workflows import SqlWorkflowStore


class SqlStore(
    SqlWorkflowStore,
    SqlRunStore,
    SqlApprovalStore,
    SqlSecretStore,
    SqlInboxStore,
    SqlTraceStore,
    SqlScheduleStore,
    SqlWebhookStore,
    SqlStatsStore,
    SqlTokenStore,
    SqlAuthoringStore,
    SqlHealingStore,
    SqlRepairStore,
    SqlOutboxStore,
    Store,
):
    """Everything MWO persists, in one SQL database (see `mwo.store.open_store`)."""

    def close(self) -> None:
        self._db.dispose()
