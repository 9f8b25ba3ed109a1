"""Healing attempts in SQL: one append-only row per candidate the repair loop tried."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mwo.store.abc import HealingStore
from mwo.store.records import HealingAttemptRecord
from mwo.store.sql_common import SqlBase
from mwo.store.tables import HealingAttemptRow


class SqlHealingStore(SqlBase, HealingStore):
    def record_healing_attempt(self, attempt: HealingAttemptRecord, now: datetime) -> HealingAttemptRecord:
        row = HealingAttemptRow(
            subject=attempt.subject,
            repair_id=attempt.repair_id,
            round=attempt.round,
            candidate=attempt.candidate,
            source=attempt.source,
            findings=list(attempt.findings),
            diff=attempt.diff,
            model=attempt.model,
            tokens=attempt.tokens,
            seconds=attempt.seconds,
            accepted=attempt.accepted,
            note=attempt.note,
            created_at=now,
        )
        with self._db.session_scope() as session:
            session.add(row)
            session.flush()
            return _to_attempt(row)

    def list_healing_attempts(
        self, subject: str, repair_id: str | None = None, limit: int = 200
    ) -> list[HealingAttemptRecord]:
        newest = (
            select(HealingAttemptRow)
            .where(HealingAttemptRow.subject == subject)
            .order_by(HealingAttemptRow.id.desc())
            .limit(limit)
        )
        if repair_id is not None:
            newest = newest.where(HealingAttemptRow.repair_id == repair_id)
        with self._db.session_scope(read_only=True) as session:
            rows = list(session.scalars(newest))
            return [_to_attempt(row) for row in reversed(rows)]


def _to_attempt(row: HealingAttemptRow) -> HealingAttemptRecord:
    return HealingAttemptRecord(
        id=row.id,
        subject=row.subject,
        repair_id=row.repair_id,
        round=row.round,
        candidate=row.candidate,
        source=row.source,
        findings=list(row.findings),
        diff=row.diff,
        accepted=row.accepted,
        model=row.model,
        tokens=row.tokens,
        seconds=row.seconds,
        note=row.note,
        created_at=row.created_at,
    )
