"""Schedules and their fires in memory: the compare-and-set on the stored next fire and one fire per
(schedule, fire time), under the state's lock, as the SQL store has them under row locks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from mwo.store.abc import ScheduleStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.memory.runs import insert_run
from mwo.store.memory.state import MemoryBase, ScheduleEntry, utc, utc_or_none
from mwo.store.records import (
    FireClaim,
    FireOutcome,
    RunRecord,
    ScheduleFireRecord,
    ScheduleRecord,
    ScheduleSpec,
)
from mwo.store.rules_schedules import LIST_SCHEDULES_FIX, fire_trigger, timing
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX


class MemoryScheduleStore(MemoryBase, ScheduleStore):
    """Schedules (one per workflow) and their fires; a fire's run is made as every run is
    (`insert_run`), under the same lock as the fire's change."""

    def save_schedule(
        self,
        workflow_name: str,
        spec: ScheduleSpec,
        next_fire_at: datetime | None,
        next_due_at: datetime | None,
        now: datetime,
    ) -> ScheduleRecord:
        now = utc(now)
        spec = replace(spec, start_at=utc_or_none(spec.start_at), end_at=utc_or_none(spec.end_at))
        with self._state.lock:
            self._workflow(workflow_name)
            entry = self._state.schedules.get(workflow_name)
            if entry is None:
                entry = ScheduleEntry(
                    self._state.next_id("schedule"), workflow_name, spec, False, None, None, now, now
                )
                self._state.schedules[workflow_name] = entry
                timing_changed = True
            else:
                timing_changed = timing(entry.spec) != timing(spec)
            entry.spec = spec
            if timing_changed:
                entry.next_fire_at, entry.next_due_at = utc_or_none(next_fire_at), utc_or_none(next_due_at)
            entry.updated_at = now
            return self._schedule_record(entry)

    def delete_schedule(self, workflow_name: str) -> bool:
        with self._state.lock:
            self._workflow(workflow_name)
            entry = self._state.schedules.pop(workflow_name, None)
            if entry is None:
                return False
            self._state.fires = {i: f for i, f in self._state.fires.items() if f.schedule_id != entry.id}
            return True

    def get_schedule(self, workflow_name: str) -> ScheduleRecord:
        with self._state.lock:
            return self._schedule_record(self._schedule(workflow_name))

    def list_schedules(self) -> list[ScheduleRecord]:
        with self._state.lock:
            return [self._schedule_record(e) for _, e in sorted(self._state.schedules.items())]

    def set_schedule_paused(
        self,
        workflow_name: str,
        paused: bool,
        now: datetime,
        next_fire_at: datetime | None = None,
        next_due_at: datetime | None = None,
    ) -> ScheduleRecord:
        with self._state.lock:
            entry = self._schedule(workflow_name)
            if entry.paused and not paused:
                entry.next_fire_at, entry.next_due_at = utc_or_none(next_fire_at), utc_or_none(next_due_at)
            entry.paused = paused
            entry.updated_at = utc(now)
            return self._schedule_record(entry)

    def due_schedules(self, now: datetime, limit: int = 500) -> list[ScheduleRecord]:
        now = utc(now)
        with self._state.lock:
            due = [
                self._schedule_record(entry)
                for entry in self._state.schedules.values()
                if entry.next_due_at is not None
                and entry.next_due_at <= now
                and not entry.paused
                and self._state.workflows[entry.workflow_name].enabled
            ]
        return sorted(due, key=lambda s: (s.next_due_at, s.id))[:limit]

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
        with self._state.lock:
            entry = next((e for e in self._state.schedules.values() if e.id == schedule_id), None)
            if entry is None:
                raise NotFound(f"no schedule with id {schedule_id}", fix=LIST_SCHEDULES_FIX)
            if entry.next_fire_at != utc(expected_next_fire_at):
                return []  # another scheduler claimed this fire first
            stored = {f.fire_time for f in self._state.fires.values() if f.schedule_id == schedule_id}
            inserted = []
            for claim in fires:
                if utc(claim.fire_time) in stored:
                    continue  # a fire time is stored once, whoever claimed it
                fire = ScheduleFireRecord(
                    id=self._state.next_id("fire"),
                    schedule_id=schedule_id,
                    workflow_name=entry.workflow_name,
                    fire_time=utc(claim.fire_time),
                    due_at=utc(claim.due_at),
                    outcome=FireOutcome.PENDING,
                    run_id=None,
                    claimed_by=owner,
                    claimed_at=utc(now),
                    acquired_by=owner,
                    acquired_until=utc(lease_until),
                    finished_at=None,
                    note="",
                )
                self._state.fires[fire.id] = fire
                stored.add(fire.fire_time)
                inserted.append(fire)
            entry.next_fire_at, entry.next_due_at = utc_or_none(next_fire_at), utc_or_none(next_due_at)
            return inserted

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
        with self._state.lock:
            fire = self._held_fire(fire_id, owner)
            done = replace(
                fire,
                outcome=outcome,
                run_id=run_id,
                note=note,
                finished_at=utc(now),
                acquired_by=None,
                acquired_until=None,
            )
            self._state.fires[fire_id] = done
            return done

    def release_fire(self, fire_id: int, owner: str, until: datetime | None = None) -> None:
        with self._state.lock:
            fire = self._fire(fire_id)
            if fire.acquired_by == owner and not fire.outcome.is_final:
                self._state.fires[fire_id] = replace(
                    fire, acquired_by=None, acquired_until=utc_or_none(until)
                )

    def start_fire_run(
        self, fire_id: int, owner: str, version_id: int, inputs: dict[str, Any], now: datetime
    ) -> RunRecord:
        with self._state.lock:
            fire = self._held_fire(fire_id, owner)
            run = insert_run(self._state, version_id, inputs, fire_trigger(fire_id), now)
            self._state.fires[fire_id] = replace(
                fire,
                outcome=FireOutcome.STARTED,
                run_id=run.id,
                finished_at=utc(now),
                acquired_by=None,
                acquired_until=None,
            )
            return run

    def reap_abandoned_fires(
        self, owner: str, lease_until: datetime, now: datetime
    ) -> list[ScheduleFireRecord]:
        now, lease_until = utc(now), utc(lease_until)
        with self._state.lock:
            reapable = sorted(
                (
                    f
                    for f in self._state.fires.values()
                    if f.outcome is FireOutcome.PENDING
                    and (f.acquired_until is None or f.acquired_until <= now)
                ),
                key=lambda f: (f.fire_time, f.id),
            )
            taken = [replace(f, acquired_by=owner, acquired_until=lease_until) for f in reapable]
            self._state.fires.update((f.id, f) for f in taken)
            return taken

    def list_fires(self, workflow_name: str | None = None, limit: int = 100) -> list[ScheduleFireRecord]:
        with self._state.lock:
            fires = [
                f
                for f in self._state.fires.values()
                if workflow_name is None or f.workflow_name == workflow_name
            ]
        return sorted(fires, key=lambda f: (f.fire_time, f.id), reverse=True)[:limit]

    def _workflow(self, name: str) -> None:
        if name not in self._state.workflows:
            raise NotFound(f"no workflow named {name!r}", fix=LIST_WORKFLOWS_FIX)

    def _schedule(self, workflow_name: str) -> ScheduleEntry:
        entry = self._state.schedules.get(workflow_name)
        if entry is None:
            raise NotFound(
                f"workflow {workflow_name!r} has no schedule",
                fix="give it a cron trigger and `mwo apply` it; " + LIST_SCHEDULES_FIX,
            )
        return entry

    def _schedule_record(self, entry: ScheduleEntry) -> ScheduleRecord:
        workflow = self._state.workflows[entry.workflow_name]
        return ScheduleRecord(
            id=entry.id,
            workflow_id=workflow.id,
            workflow_name=entry.workflow_name,
            spec=entry.spec,
            paused=entry.paused,
            enabled=workflow.enabled,
            next_fire_at=entry.next_fire_at,
            next_due_at=entry.next_due_at,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )

    def _fire(self, fire_id: int) -> ScheduleFireRecord:
        fire = self._state.fires.get(fire_id)
        if fire is None:
            raise NotFound(f"no schedule fire with id {fire_id}", fix=LIST_SCHEDULES_FIX)
        return fire

    def _held_fire(self, fire_id: int, owner: str) -> ScheduleFireRecord:
        """The fire if it is PENDING and leased to `owner`; Conflict otherwise."""
        fire = self._fire(fire_id)
        if fire.outcome.is_final or fire.acquired_by != owner:
            raise Conflict(
                f"fire {fire_id} is {fire.outcome.value} and held by {fire.acquired_by}, not {owner}",
                fix="another scheduler took it over after this one's lease ran out; nothing to do",
            )
        return fire
