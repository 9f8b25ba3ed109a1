"""Schedules and schedule fires in SQL: the compare-and-set on the stored next fire plus
UNIQUE(schedule_id, fire_time) make each fire happen once however many schedulers share the database.

Row locks: FOR UPDATE on PostgreSQL (SKIP LOCKED when reaping, so schedulers never wait on each
other's fires); on SQLite every write transaction holds the database write lock from BEGIN.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mwo.store.abc import ScheduleStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import (
    FireClaim,
    FireOutcome,
    RunRecord,
    ScheduleFireRecord,
    ScheduleRecord,
    ScheduleSpec,
)
from mwo.store.rules_schedules import LIST_SCHEDULES_FIX, fire_trigger, timing
from mwo.store.sql_common import SqlBase, workflow_row
from mwo.store.sql_run_rows import insert_run
from mwo.store.tables import ScheduleFireRow, ScheduleRow, WorkflowRow


class SqlScheduleStore(SqlBase, ScheduleStore):
    """Schedules (one per workflow) and their fires."""

    def save_schedule(
        self,
        workflow_name: str,
        spec: ScheduleSpec,
        next_fire_at: datetime | None,
        next_due_at: datetime | None,
        now: datetime,
    ) -> ScheduleRecord:
        with self._db.session_scope() as session:
            workflow = workflow_row(session, workflow_name, for_update=True)
            row = session.scalars(
                select(ScheduleRow).where(ScheduleRow.workflow_id == workflow.id)
            ).one_or_none()
            if row is None:
                row = ScheduleRow(workflow_id=workflow.id, paused=False, created_at=now)
                session.add(row)
                timing_changed = True
            else:
                timing_changed = timing(_spec(row)) != timing(spec)
            _write_spec(row, spec)
            if timing_changed:
                row.next_fire_at, row.next_due_at = next_fire_at, next_due_at
            row.updated_at = now
            session.flush()
            return _record(row)

    def delete_schedule(self, workflow_name: str) -> bool:
        with self._db.session_scope() as session:
            workflow = workflow_row(session, workflow_name)
            row = session.scalars(
                select(ScheduleRow).where(ScheduleRow.workflow_id == workflow.id)
            ).one_or_none()
            if row is None:
                return False
            session.delete(row)
            return True

    def get_schedule(self, workflow_name: str) -> ScheduleRecord:
        with self._db.session_scope(read_only=True) as session:
            return _record(_schedule_row(session, workflow_name))

    def list_schedules(self) -> list[ScheduleRecord]:
        statement = select(ScheduleRow).join(ScheduleRow.workflow).order_by(WorkflowRow.name)
        with self._db.session_scope(read_only=True) as session:
            return [_record(row) for row in session.scalars(statement)]

    def set_schedule_paused(
        self,
        workflow_name: str,
        paused: bool,
        now: datetime,
        next_fire_at: datetime | None = None,
        next_due_at: datetime | None = None,
    ) -> ScheduleRecord:
        with self._db.session_scope() as session:
            row = _schedule_row(session, workflow_name, for_update=True)
            if row.paused and not paused:
                row.next_fire_at, row.next_due_at = next_fire_at, next_due_at
            row.paused = paused
            row.updated_at = now
            session.flush()
            return _record(row)

    def due_schedules(self, now: datetime, limit: int = 500) -> list[ScheduleRecord]:
        statement = (
            select(ScheduleRow)
            .join(ScheduleRow.workflow)
            .where(
                ScheduleRow.next_due_at <= now,
                ScheduleRow.paused.is_(False),
                WorkflowRow.enabled.is_(True),
            )
            .order_by(ScheduleRow.next_due_at, ScheduleRow.id)
            .limit(limit)
        )
        with self._db.session_scope(read_only=True) as session:
            return [_record(row) for row in session.scalars(statement)]

    def claim_fires(
        self,
        schedule_id: int,
        expected_next_fire_at: datetime,
        fires: Sequence[FireClaim],
        next_fire_at: datetime | None,
        next_due_at: datetime | None,
        owner: str,
        lease_until: datetime,
        now: datetime,
    ) -> list[ScheduleFireRecord]:
        with self._db.session_scope(read_only=True) as session:  # a loser learns it without the write lock
            current = session.execute(
                select(ScheduleRow.next_fire_at).where(ScheduleRow.id == schedule_id)
            ).first()
            if current is not None and current[0] != expected_next_fire_at:
                return []
        with self._db.session_scope() as session:
            row = session.scalars(
                select(ScheduleRow).where(ScheduleRow.id == schedule_id).with_for_update(of=ScheduleRow)
            ).one_or_none()
            if row is None:
                raise NotFound(f"no schedule with id {schedule_id}", fix=LIST_SCHEDULES_FIX)
            if row.next_fire_at != expected_next_fire_at:
                return []  # another scheduler claimed this fire first
            inserted = [_insert_fire(session, row, claim, owner, lease_until, now) for claim in fires]
            row.next_fire_at, row.next_due_at = next_fire_at, next_due_at  # updated_at: definition only
            session.flush()
            name = row.workflow.name
            return [_fire(fire, name) for fire in inserted if fire is not None]

    def finish_fire(
        self,
        fire_id: int,
        owner: str,
        outcome: FireOutcome,
        now: datetime,
        run_id: str | None = None,
        note: str = "",
    ) -> ScheduleFireRecord:
        if not outcome.is_final:
            raise ValueError(f"finish_fire needs a final outcome, not {outcome.value}")
        with self._db.session_scope() as session:
            fire = _held_fire(session, fire_id, owner)
            fire.outcome, fire.run_id, fire.note, fire.finished_at = outcome, run_id, note, now
            fire.acquired_by = fire.acquired_until = None
            session.flush()
            return _fire(fire, _workflow_name(session, fire.schedule_id))

    def release_fire(self, fire_id: int, owner: str, until: datetime | None = None) -> None:
        with self._db.session_scope() as session:
            fire = _fire_row(session, fire_id)
            if fire.acquired_by == owner and not fire.outcome.is_final:
                fire.acquired_by, fire.acquired_until = None, until

    def start_fire_run(
        self, fire_id: int, owner: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> RunRecord:
        with self._db.session_scope() as session:
            fire = _held_fire(session, fire_id, owner)
            run = insert_run(session.connection(), version_id, inputs, fire_trigger(fire_id), now)
            fire.outcome, fire.run_id, fire.finished_at = FireOutcome.STARTED, run.id, now
            fire.acquired_by = fire.acquired_until = None
            return run

    def reap_abandoned_fires(
        self, owner: str, lease_until: datetime, now: datetime
    ) -> list[ScheduleFireRecord]:
        reapable = (
            ScheduleFireRow.outcome == FireOutcome.PENDING,
            ScheduleFireRow.acquired_until.is_(None) | (ScheduleFireRow.acquired_until <= now),
        )
        with self._db.session_scope(read_only=True) as session:  # the usual answer, without the write lock
            if session.scalar(select(ScheduleFireRow.id).where(*reapable).limit(1)) is None:
                return []
        statement = (
            _fire_query()
            .where(*reapable)
            .order_by(ScheduleFireRow.fire_time, ScheduleFireRow.id)
            .with_for_update(of=ScheduleFireRow, skip_locked=True)
        )
        with self._db.session_scope() as session:
            found = session.execute(statement).all()
            for fire, _ in found:
                fire.acquired_by, fire.acquired_until = owner, lease_until
            session.flush()
            return [_fire(fire, name) for fire, name in found]

    def list_fires(self, workflow_name: str | None = None, limit: int = 100) -> list[ScheduleFireRecord]:
        statement = (
            _fire_query().order_by(ScheduleFireRow.fire_time.desc(), ScheduleFireRow.id.desc()).limit(limit)
        )
        if workflow_name is not None:
            statement = statement.where(WorkflowRow.name == workflow_name)
        with self._db.session_scope(read_only=True) as session:
            return [_fire(fire, name) for fire, name in session.execute(statement)]


def _spec(row: ScheduleRow) -> ScheduleSpec:
    return ScheduleSpec(
        cron=row.cron,
        timezone=row.timezone,
        misfire=row.misfire,
        overlap=row.overlap,
        catch_up_window_s=row.catch_up_window_s,
        jitter_s=row.jitter_s,
        start_at=row.start_at,
        end_at=row.end_at,
    )


def _write_spec(row: ScheduleRow, spec: ScheduleSpec) -> None:
    row.cron, row.timezone, row.misfire, row.overlap = spec.cron, spec.timezone, spec.misfire, spec.overlap
    row.catch_up_window_s, row.jitter_s = spec.catch_up_window_s, spec.jitter_s
    row.start_at, row.end_at = spec.start_at, spec.end_at


def _record(row: ScheduleRow) -> ScheduleRecord:
    return ScheduleRecord(
        id=row.id,
        workflow_id=row.workflow_id,
        workflow_name=row.workflow.name,
        spec=_spec(row),
        paused=row.paused,
        enabled=row.workflow.enabled,
        next_fire_at=row.next_fire_at,
        next_due_at=row.next_due_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _schedule_row(session: Session, workflow_name: str, *, for_update: bool = False) -> ScheduleRow:
    statement = select(ScheduleRow).join(ScheduleRow.workflow).where(WorkflowRow.name == workflow_name)
    if for_update:
        statement = statement.with_for_update(of=ScheduleRow)
    row = session.scalars(statement).one_or_none()
    if row is None:
        raise NotFound(
            f"workflow {workflow_name!r} has no schedule",
            fix="give it a cron trigger and `mwo apply` it; " + LIST_SCHEDULES_FIX,
        )
    return row


def _insert_fire(
    session: Session,
    schedule: ScheduleRow,
    claim: FireClaim,
    owner: str,
    lease_until: datetime,
    now: datetime,
) -> ScheduleFireRow | None:
    """Insert one fire inside a savepoint; None when that fire time is already stored."""
    fire = ScheduleFireRow(
        schedule_id=schedule.id,
        fire_time=claim.fire_time,
        due_at=claim.due_at,
        outcome=FireOutcome.PENDING,
        claimed_by=owner,
        claimed_at=now,
        acquired_by=owner,
        acquired_until=lease_until,
        note="",
    )
    try:
        with session.begin_nested():
            session.add(fire)
    except IntegrityError:
        return None
    return fire


def _fire_query() -> Select[ScheduleFireRow, str]:
    return (
        select(ScheduleFireRow, WorkflowRow.name)
        .join(ScheduleRow, ScheduleFireRow.schedule_id == ScheduleRow.id)
        .join(WorkflowRow, ScheduleRow.workflow_id == WorkflowRow.id)
    )


def _fire_row(session: Session, fire_id: int) -> ScheduleFireRow:
    fire = session.get(ScheduleFireRow, fire_id, with_for_update=True)
    if fire is None:
        raise NotFound(f"no schedule fire with id {fire_id}", fix=LIST_SCHEDULES_FIX)
    return fire


def _held_fire(session: Session, fire_id: int, owner: str) -> ScheduleFireRow:
    """The fire, locked, if it is PENDING and leased to `owner`; Conflict otherwise."""
    fire = _fire_row(session, fire_id)
    if fire.outcome.is_final or fire.acquired_by != owner:
        raise Conflict(
            f"fire {fire_id} is {fire.outcome.value} and held by {fire.acquired_by}, not {owner}",
            fix="another scheduler took it over after this one's lease ran out; nothing to do",
        )
    return fire


def _workflow_name(session: Session, schedule_id: int) -> str:
    name = session.scalar(
        select(WorkflowRow.name)
        .join(ScheduleRow, ScheduleRow.workflow_id == WorkflowRow.id)
        .where(ScheduleRow.id == schedule_id)
    )
    return name or ""


def _fire(row: ScheduleFireRow, workflow_name: str) -> ScheduleFireRecord:
    return ScheduleFireRecord(
        id=row.id,
        schedule_id=row.schedule_id,
        workflow_name=workflow_name,
        fire_time=row.fire_time,
        due_at=row.due_at,
        outcome=row.outcome,
        run_id=row.run_id,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        acquired_by=row.acquired_by,
        acquired_until=row.acquired_until,
        finished_at=row.finished_at,
        note=row.note,
    )
