"""Webhook secrets and deliveries in SQL: secrets as Fernet tokens (the secrets' key), deliveries
deduplicated by UNIQUE(workflow_id, webhook_id) in the transaction that creates the run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from mwo.store.abc import WebhookStore
from mwo.store.errors import NotFound
from mwo.store.records import RunRecord, RunStatus
from mwo.store.sql_common import SqlBase, run_record, workflow_row
from mwo.store.tables import RunRow, VersionRow, WebhookDeliveryRow, WebhookSecretRow


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
                open_rows = session.scalars(
                    select(WebhookSecretRow).where(
                        WebhookSecretRow.workflow_id == workflow.id, WebhookSecretRow.expires_at.is_(None)
                    )
                )
                for row in open_rows:
                    row.expires_at = retire_others_at
            session.add(
                WebhookSecretRow(
                    workflow_id=workflow.id, ciphertext=ciphertext, created_at=now, expires_at=None
                )
            )

    def list_webhook_secrets(self, workflow_name: str, now: datetime) -> list[str]:
        with self._db.session_scope(read_only=True) as session:
            workflow = workflow_row(session, workflow_name)
            ciphertexts = list(
                session.scalars(
                    select(WebhookSecretRow.ciphertext)
                    .where(
                        WebhookSecretRow.workflow_id == workflow.id,
                        WebhookSecretRow.expires_at.is_(None) | (WebhookSecretRow.expires_at > now),
                    )
                    .order_by(WebhookSecretRow.id.desc())
                )
            )
        label = f"webhook secret of {workflow_name}"
        return [self._secret_key.decrypt(label, ciphertext) for ciphertext in ciphertexts]

    def start_webhook_run(
        self, workflow_name: str, webhook_id: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> tuple[RunRecord, bool]:
        with self._db.session_scope() as session:
            # Locking the workflow row serialises deliveries of one workflow (PostgreSQL), so the
            # look-up below sees any delivery committed before us; SQLite writers are serial anyway.
            workflow = workflow_row(session, workflow_name, for_update=True)
            existing = session.scalar(
                select(WebhookDeliveryRow.run_id).where(
                    WebhookDeliveryRow.workflow_id == workflow.id, WebhookDeliveryRow.webhook_id == webhook_id
                )
            )
            if existing is not None:
                return run_record(session, existing), False
            version = session.get(VersionRow, version_id)
            if version is None or version.workflow_id != workflow.id:
                raise NotFound(
                    f"no version with id {version_id} of workflow {workflow_name!r}",
                    fix="list workflows with `mwo list`",
                )
            run_id = str(uuid.uuid4())
            session.add(
                RunRow(
                    id=run_id,
                    workflow_id=workflow.id,
                    version_id=version.id,
                    status=RunStatus.QUEUED,
                    trigger=webhook_trigger(webhook_id),
                    inputs=inputs,
                    created_at=now,
                    cancel_requested=False,
                )
            )
            session.add(
                WebhookDeliveryRow(
                    workflow_id=workflow.id, webhook_id=webhook_id, run_id=run_id, received_at=now
                )
            )
            session.flush()
            return run_record(session, run_id), True
