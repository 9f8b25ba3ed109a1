"""Webhook secrets and deliveries in SQL: secrets as Fernet tokens (the secrets' key), deliveries
deduplicated by UNIQUE(workflow_id, webhook_id) in the transaction that creates the run."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select

from mwo.store.abc import WebhookStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import RunRecord
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX
from mwo.store.sql_common import SqlBase, workflow_row
from mwo.store.sql_run_rows import insert_run, read_run
from mwo.store.tables import WebhookDeliveryRow, WebhookSecretRow, WorkflowRow

# The intake's statements, built once (a delivery passes here twice).
_WORKFLOW = select(WorkflowRow.id, WorkflowRow.enabled).where(WorkflowRow.name == bindparam("name"))
_WORKFLOW_LOCKED = _WORKFLOW.with_for_update(of=WorkflowRow)
_ACTIVE_SECRETS = (
    select(WebhookSecretRow.ciphertext)
    .join(WorkflowRow, WebhookSecretRow.workflow_id == WorkflowRow.id)
    .where(
        WorkflowRow.name == bindparam("name"),
        WebhookSecretRow.expires_at.is_(None) | (WebhookSecretRow.expires_at > bindparam("now")),
    )
    .order_by(WebhookSecretRow.id.desc())
)
_DELIVERED = select(WebhookDeliveryRow.run_id).where(
    WebhookDeliveryRow.workflow_id == bindparam("workflow_id"),
    WebhookDeliveryRow.webhook_id == bindparam("webhook_id"),
)
_RECORD_DELIVERY = insert(cast(Table, WebhookDeliveryRow.__table__))


def webhook_trigger(webhook_id: str) -> str:
    """The `trigger` of a run started by a webhook delivery."""
    return f"webhook:{webhook_id}"


class SqlWebhookStore(SqlBase, WebhookStore):
    def add_webhook_secret(
        self, workflow_name: str, secret: str, now: datetime, retire_others_at: datetime | None = None
    ) -> None:
        ciphertext = self._secret_key.encrypt(secret)
        with self._db.session_scope() as session:
            workflow = workflow_row(session, workflow_name, for_update=True)
            if retire_others_at is not None:
                ending_later = session.scalars(
                    select(WebhookSecretRow).where(
                        WebhookSecretRow.workflow_id == workflow.id,
                        WebhookSecretRow.expires_at.is_(None)
                        | (WebhookSecretRow.expires_at > retire_others_at),
                    )
                )
                for row in ending_later:
                    row.expires_at = retire_others_at
            session.add(
                WebhookSecretRow(
                    workflow_id=workflow.id, ciphertext=ciphertext, created_at=now, expires_at=None
                )
            )

    def list_webhook_secrets(self, workflow_name: str, now: datetime) -> list[str]:
        """One query on the intake's hot path; an empty answer looks closer (NotFound or none)."""
        with self._db.connection_scope(read_only=True) as connection:
            ciphertexts = list(
                connection.execute(_ACTIVE_SECRETS, {"name": workflow_name, "now": now}).scalars()
            )
            if not ciphertexts and connection.execute(_WORKFLOW, {"name": workflow_name}).first() is None:
                raise NotFound(f"no workflow named {workflow_name!r}", fix=LIST_WORKFLOWS_FIX)
        label = f"webhook secret of {workflow_name}"
        return [self._secret_key.decrypt(label, ciphertext) for ciphertext in ciphertexts]

    def list_webhook_secret_ends(
        self, workflow_name: str, now: datetime
    ) -> list[tuple[str, datetime | None]]:
        query = _ACTIVE_SECRETS.with_only_columns(WebhookSecretRow.ciphertext, WebhookSecretRow.expires_at)
        with self._db.connection_scope(read_only=True) as connection:
            rows = list(connection.execute(query, {"name": workflow_name, "now": now}))
            if not rows and connection.execute(_WORKFLOW, {"name": workflow_name}).first() is None:
                raise NotFound(f"no workflow named {workflow_name!r}", fix=LIST_WORKFLOWS_FIX)
        label = f"webhook secret of {workflow_name}"
        return [(self._secret_key.decrypt(label, row.ciphertext), row.expires_at) for row in rows]

    def start_webhook_run(
        self, workflow_name: str, webhook_id: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> tuple[RunRecord, bool]:
        with self._db.connection_scope() as connection:
            # Locking the workflow row serialises deliveries of one workflow (PostgreSQL), so the
            # look-up below sees any delivery committed before us; SQLite writers are serial anyway.
            workflow = connection.execute(_WORKFLOW_LOCKED, {"name": workflow_name}).one_or_none()
            if workflow is None:
                raise NotFound(f"no workflow named {workflow_name!r}", fix=LIST_WORKFLOWS_FIX)
            if not workflow.enabled:
                raise Conflict(
                    f"workflow {workflow_name!r} is disabled",
                    fix=f"enable it to take deliveries: `mwo enable {workflow_name}`",
                )
            existing = connection.execute(
                _DELIVERED, {"workflow_id": workflow.id, "webhook_id": webhook_id}
            ).scalar()
            if existing is not None:
                return read_run(connection, existing), False
            run = insert_run(
                connection, version_id, inputs, webhook_trigger(webhook_id), now, workflow_id=workflow.id
            )
            connection.execute(
                _RECORD_DELIVERY,
                {"workflow_id": workflow.id, "webhook_id": webhook_id, "run_id": run.id, "received_at": now},
            )
            return run, True
