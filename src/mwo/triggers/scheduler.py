"""The scheduler: each `tick(now)` claims the due fires of every schedule and starts their runs.

Any number of schedulers may share one database. A fire is claimed by the store's compare-and-set on
the schedule's stored next fire plus UNIQUE(schedule_id, fire_time) (`ScheduleStore.claim_fires`),
so it happens exactly once; the claimer then starts the run under the fire's lease, and a fire whose
claimer died before its run existed is taken over by the next tick of any scheduler. Which fires run,
and what a fire does while a run is going, are the pure policies of `mwo.triggers.policies`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mwo.spec import MisfirePolicy, OverlapPolicy
from mwo.store.abc import ScheduleStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import FireClaim, FireOutcome, ScheduleFireRecord, ScheduleRecord
from mwo.triggers.cron import CronSchedule
from mwo.triggers.launcher import RunLauncher
from mwo.triggers.policies import FirePlan, OverlapAction, jitter_delay, overlap_action, plan_fires

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerConfig:
    """The scheduler's knobs."""

    misfire_grace_s: float = 60.0
    """A fire at most this late is on time; older ones are missed and follow the misfire policy."""
    lease_s: float = 60.0
    """How long a claimed fire is this scheduler's before another may take it over."""
    batch: int = 500
    """How many due schedules one tick handles at most (the rest wait for the next tick)."""


@dataclass
class TickReport:
    """What one tick did: fires claimed, runs started, fires skipped or failed, fires left waiting."""

    claimed: int = 0
    started: list[str] = field(default_factory=list)
    skipped: int = 0
    failed: int = 0
    waiting: int = 0
    dropped: int = 0


class Scheduler:
    """Claims due fires and starts runs through a RunLauncher; time is always passed in."""

    def __init__(
        self, store: ScheduleStore, launcher: RunLauncher, owner: str, config: SchedulerConfig | None = None
    ):
        self._store = store
        self._launcher = launcher
        self._owner = owner
        self._config = config or SchedulerConfig()
        # schedule id -> (its updated_at, the launcher's prepared version and inputs): applying a
        # version touches the schedule, so a changed updated_at is exactly when to prepare again.
        self._prepared: dict[int, tuple[datetime, tuple[int, dict[str, Any]]]] = {}

    def tick(self, now: datetime) -> TickReport:
        """Take over abandoned or waiting fires, then claim what is due and dispatch it."""
        report = TickReport()
        lease_until = now + timedelta(seconds=self._config.lease_s)
        for fire in self._store.reap_abandoned_fires(self._owner, lease_until, now):
            self._dispatch(self._schedule_of(fire), fire, now, report)
        for schedule in self._store.due_schedules(now, self._config.batch):
            for fire in self._claim(schedule, now, lease_until, report):
                self._dispatch(schedule, fire, now, report)
        return report

    def _claim(
        self, schedule: ScheduleRecord, now: datetime, lease_until: datetime, report: TickReport
    ) -> list[ScheduleFireRecord]:
        """Claim the schedule's due fires (all or nothing, see ScheduleStore.claim_fires)."""
        if schedule.next_fire_at is None:
            return []
        plan = plan_schedule(
            schedule, schedule.next_fire_at, now, timedelta(seconds=self._config.misfire_grace_s)
        )
        claims = [_claim_of(schedule, t) for t in plan.fires]
        next_due = None if plan.next_fire_at is None else _claim_of(schedule, plan.next_fire_at).due_at
        fires = self._store.claim_fires(
            schedule.id,
            schedule.next_fire_at,
            claims,
            plan.next_fire_at,
            next_due,
            self._owner,
            lease_until,
            now,
        )
        if fires or not claims:
            report.dropped += plan.dropped
        report.claimed += len(fires)
        return fires

    def _dispatch(
        self, schedule: ScheduleRecord | None, fire: ScheduleFireRecord, now: datetime, report: TickReport
    ) -> None:
        if schedule is None:
            return  # deleted meanwhile: its fires went with it
        if fire.due_at > now:  # waiting for its jitter
            self._store.release_fire(fire.id, self._owner, until=fire.due_at)
            report.waiting += 1
            return
        policy = OverlapPolicy(schedule.spec.overlap)
        active = [] if policy is OverlapPolicy.ALLOW else self._launcher.active_runs(schedule.workflow_name)
        action = overlap_action(policy, len(active))
        if action is OverlapAction.WAIT:
            self._store.release_fire(fire.id, self._owner)
            report.waiting += 1
            return
        if action is OverlapAction.SKIP:
            self._finish(fire, FireOutcome.SKIPPED, now, note=f"previous run {active[0]} still going")
            report.skipped += 1
            return
        if action is OverlapAction.CANCEL_THEN_START:
            for run_id in active:
                self._launcher.cancel(run_id)
        self._start(schedule, fire, now, report)

    def _start(
        self, schedule: ScheduleRecord, fire: ScheduleFireRecord, now: datetime, report: TickReport
    ) -> None:
        try:
            version_id, inputs = self._prepare(schedule)
            run = self._store.start_fire_run(fire.id, self._owner, version_id, inputs, now)
        except Conflict:
            log.warning("fire %s was taken over by another scheduler (lease ran out)", fire.id)
            return
        except Exception as exc:  # one broken workflow must not stop every other schedule
            log.exception(
                "schedule of %s: could not start the run of fire %s", schedule.workflow_name, fire.id
            )
            self._finish(fire, FireOutcome.FAILED, now, note=f"{type(exc).__name__}: {exc}")
            report.failed += 1
            return
        report.started.append(run.id)
        self._launcher.submit(run.id)

    def _prepare(self, schedule: ScheduleRecord) -> tuple[int, dict[str, Any]]:
        cached = self._prepared.get(schedule.id)
        if cached is None or cached[0] != schedule.updated_at:
            cached = (schedule.updated_at, self._launcher.prepare(schedule.workflow_name))
            self._prepared[schedule.id] = cached
        return cached[1]

    def _finish(
        self,
        fire: ScheduleFireRecord,
        outcome: FireOutcome,
        now: datetime,
        run_id: str | None = None,
        note: str = "",
    ) -> None:
        try:
            self._store.finish_fire(fire.id, self._owner, outcome, now, run_id=run_id, note=note)
        except Conflict:
            log.warning("fire %s was taken over by another scheduler (lease ran out)", fire.id)

    def _schedule_of(self, fire: ScheduleFireRecord) -> ScheduleRecord | None:
        try:
            return self._store.get_schedule(fire.workflow_name)
        except NotFound:
            return None


def plan_schedule(
    schedule: ScheduleRecord, stored_next: datetime, now: datetime, grace: timedelta
) -> FirePlan:
    """`plan_fires` with the schedule's stored cron, zone and policies."""
    spec = schedule.spec
    return plan_fires(
        CronSchedule.parse(spec.cron, spec.timezone),
        MisfirePolicy(spec.misfire),
        timedelta(seconds=spec.catch_up_window_s),
        stored_next,
        now,
        grace,
        spec.end_at,
    )


def _claim_of(schedule: ScheduleRecord, fire_time: datetime) -> FireClaim:
    """A fire and the instant its run may start (the fire plus its jitter)."""
    return FireClaim(
        fire_time, fire_time + jitter_delay(schedule.workflow_name, fire_time, schedule.spec.jitter_s)
    )
