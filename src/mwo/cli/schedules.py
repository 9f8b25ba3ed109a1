"""`mwo schedule ...`: preview fire times by the scheduler's own rules, list, pause and resume
schedules, and run the scheduler in the foreground."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from mwo.cli.context import reporting_errors, services
from mwo.cli.output import console, fail, print_json
from mwo.clock import utc_now

if TYPE_CHECKING:
    from mwo.services import Services
    from mwo.spec import CronTrigger
    from mwo.store.records import ScheduleRecord
    from mwo.triggers import CronSchedule
    from mwo.triggers.scheduler import TickReport

schedule_app = typer.Typer(
    help="Cron schedules: preview fire times, list, pause, resume, run.", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def utc_text(instant: datetime) -> str:
    """An instant as the contract's UTC text, e.g. 2026-03-08T07:00:00Z."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def _trigger_errors(as_json: bool) -> Iterator[None]:
    from mwo.triggers import TriggerError

    try:
        yield
    except TriggerError as exc:
        fail(str(exc), exc.fix, code=exc.code, as_json=as_json)


@schedule_app.command()
def preview(
    name: Annotated[str | None, typer.Argument(help="A saved workflow with a cron trigger.")] = None,
    cron: Annotated[str | None, typer.Option("--cron", help='A cron expression, e.g. "0 9 * * *".')] = None,
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone of --cron.")] = "UTC",
    after: Annotated[
        str | None, typer.Option("--after", help="ISO instant to start from (default: now).")
    ] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=10_000, help="How many fires.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Print the next fire instants, by exactly the rules the scheduler uses (DST included)."""
    from mwo.triggers import next_fires

    with _trigger_errors(as_json):
        schedule, trigger = _schedule_for(name, cron, tz, as_json)
        start = _parse_instant(after, as_json) if after else utc_now()
        if trigger is None:  # --cron: the expression alone, no store or spec to load
            fires = next_fires(schedule, start, count)
        else:  # a saved workflow's start/end dates bound its fires, exactly as when it is registered
            from mwo.triggers.registration import upcoming_fires

            fires = upcoming_fires(trigger, start, count)
    if as_json:
        typer.echo(json.dumps({"fires": [utc_text(f) for f in fires]}))
        return
    table = Table("local time", "UTC", title=f"{schedule.expression} in {schedule.timezone}")
    for fire in fires:
        table.add_row(fire.astimezone(schedule.zone).strftime("%Y-%m-%d %H:%M %Z (%a)"), utc_text(fire))
    console.print(table)


def _schedule_for(
    name: str | None, cron: str | None, tz: str, as_json: bool
) -> tuple[CronSchedule, CronTrigger | None]:
    from mwo.triggers import CronSchedule

    if (name is None) == (cron is None):
        fail(
            "give either a workflow NAME or --cron",
            "e.g. `mwo schedule preview --cron '0 9 * * *' --tz Asia/Seoul`",
            code="usage",
            as_json=as_json,
        )
    if cron is not None:
        return CronSchedule.parse(cron, tz), None
    from mwo.spec import CronTrigger

    with services(as_json) as s:
        trigger = s.workflow_of(s.store.get_version(str(name))).trigger
    if not isinstance(trigger, CronTrigger):
        fail(
            f"workflow {name!r} has a {trigger.type} trigger, not a cron schedule",
            "give it `trigger: {type: cron, cron: ..., timezone: ...}` and apply it",
            code="no_schedule",
            as_json=as_json,
        )
    return CronSchedule.parse(trigger.cron, trigger.timezone), trigger


def _parse_instant(text: str, as_json: bool) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        fail(
            f"--after {text!r} is not an ISO instant",
            "e.g. --after 2026-03-08T00:00:00Z",
            code="usage",
            as_json=as_json,
        )
    if instant.tzinfo is None:
        fail(
            f"--after {text!r} has no time zone",
            "add Z or an offset, e.g. 2026-03-08T00:00:00+09:00",
            code="usage",
            as_json=as_json,
        )
    return instant


@schedule_app.command("list")
def list_schedules(as_json: JsonOpt = False) -> None:
    """Every schedule with its stored next fire, policies and state."""
    with services(as_json) as s:
        rows = s.store.list_schedules()
    if as_json:
        print_json({"ok": True, "schedules": [_schedule_json(r) for r in rows]})
        return
    table = Table("workflow", "cron", "zone", "next fire (local)", "misfire", "overlap", "state")
    for r in rows:
        table.add_row(
            r.workflow_name,
            r.spec.cron,
            r.spec.timezone,
            _local(r),
            r.spec.misfire,
            r.spec.overlap,
            _state(r),
        )
    console.print(table if rows else "no schedules: give a workflow a cron trigger and `mwo apply` it")


def _schedule_json(r: ScheduleRecord) -> dict[str, object]:
    return {
        "workflow": r.workflow_name,
        "cron": r.spec.cron,
        "timezone": r.spec.timezone,
        "misfire": r.spec.misfire,
        "overlap": r.spec.overlap,
        "catch_up_window_s": r.spec.catch_up_window_s,
        "jitter_s": r.spec.jitter_s,
        "start_at": utc_text(r.spec.start_at) if r.spec.start_at else None,
        "end_at": utc_text(r.spec.end_at) if r.spec.end_at else None,
        "paused": r.paused,
        "enabled": r.enabled,
        "next_fire_at": utc_text(r.next_fire_at) if r.next_fire_at else None,
    }


def _local(r: ScheduleRecord) -> str:
    from mwo.triggers import CronSchedule

    if r.next_fire_at is None:
        return "(ended)"
    return r.next_fire_at.astimezone(CronSchedule.parse(r.spec.cron, r.spec.timezone).zone).strftime(
        "%Y-%m-%d %H:%M %Z"
    )


def _state(r: ScheduleRecord) -> str:
    return "paused" if r.paused else ("disabled" if not r.enabled else "active")


@schedule_app.command()
def pause(name: str, as_json: JsonOpt = False) -> None:
    """Stop firing until `mwo schedule resume NAME`."""
    with services(as_json) as s:
        record = s.store.set_schedule_paused(name, True, utc_now())
    _show_state(record, as_json)


@schedule_app.command()
def resume(name: str, as_json: JsonOpt = False) -> None:
    """Fire again from now on (fires during the pause are not caught up)."""
    from mwo.triggers.registration import resume_schedule

    with services(as_json) as s, _trigger_errors(as_json):
        record = resume_schedule(s.store, name, utc_now())
    _show_state(record, as_json)


def _show_state(record: ScheduleRecord, as_json: bool) -> None:
    if as_json:
        print_json({"ok": True, "schedule": _schedule_json(record)})
        return
    console.print(f"{record.workflow_name}: {_state(record)}, next fire {_local(record)}")


@schedule_app.command()
def run(
    once: Annotated[bool, typer.Option("--once", help="One tick, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between ticks.", min=0.05)] = 1.0,
    recover_every: Annotated[float, typer.Option(help="Seconds between crash-recovery passes.")] = 60.0,
) -> None:
    """Run the scheduler here (several may run on one database; each fire happens once).
    Stops cleanly on SIGTERM or Ctrl-C after the tick in progress."""
    from mwo.workers.signals import stop_on_signals

    with reporting_errors(), services() as s, stop_on_signals() as stop:
        _loop(s, stop, once, interval, recover_every)


def _loop(s: Services, stop: threading.Event, once: bool, interval: float, recover_every: float) -> None:
    """The scheduler loop `mwo serve` runs (fires' runs execute here, inline), with a recovery pass
    (`mwo recover`) beside it, at most once a tick."""
    from mwo.workers.loops import PeriodicLoop, run_until, scheduler_loop

    def report(tick_at: datetime, report: TickReport) -> None:
        if report.claimed or report.failed:
            console.print(
                f"{utc_text(tick_at)} claimed {report.claimed}, started {len(report.started)}, "
                f"skipped {report.skipped}, failed {report.failed}"
            )

    loops = [
        PeriodicLoop("recover", max(recover_every, interval), s.runs.recover),
        scheduler_loop(s, interval, on_tick=report),
    ]
    if once:
        for loop in loops:
            loop.run_once()
        return
    run_until(stop, loops)
