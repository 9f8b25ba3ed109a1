"""Commands about runs: run, runs, logs, approve, reject, cancel, retry, recover, inbox."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from mwo.cli.context import services
from mwo.cli.option_values import RunStatusChoice
from mwo.cli.output import console, err_console, fail, print_json, status_style
from mwo.clock import utc_now
from mwo.text import as_text

if TYPE_CHECKING:
    from mwo.services import Services
    from mwo.store.records import RunRecord, StepRunRecord
    from mwo.views import StepRunOut

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
RunArg = Annotated[str, typer.Argument(help="Run id (a unique prefix of 6+ characters is enough).")]


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(runs)
    app.command()(logs)
    app.command()(approve)
    app.command()(reject)
    app.command()(cancel)
    app.command()(retry)
    app.command()(recover)
    app.command()(inbox)


def run(
    name: str,
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="name=value (repeatable).")] = None,
    version: Annotated[int | None, typer.Option(help="Run this version (default: latest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a workflow now: each step as it starts and ends (state, time, output), then the whole run."""
    from mwo.engine.inputs import coerce_cli_value

    with services(as_json) as s:
        workflow = s.workflow_of(s.store.get_version(name, version))
        inputs = _parse_inputs(input or [], lambda k, v: coerce_cli_value(workflow, k, v), as_json)
        queued = s.runs.create_run(name, inputs, version=version)
        if as_json:
            record = s.runs.execute(queued.id)
        else:
            from mwo.cli.follow import printing_steps

            err_console.print(f"run {queued.id[:8]} of {name} started", soft_wrap=True)
            with printing_steps(s.store, queued.id):
                record = s.runs.execute(queued.id)
        show_run(s, record, as_json)
    _exit_for(record)


def runs(
    workflow: Annotated[str | None, typer.Option(help="Only runs of this workflow.")] = None,
    status: Annotated[
        list[RunStatusChoice] | None, typer.Option(help="Only runs in this state (repeatable).")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List recent runs."""
    from mwo.store.records import RunFilter, RunStatus

    statuses = tuple(RunStatus(choice.value) for choice in status or ())
    with services(as_json) as s:
        rows = s.store.list_runs(RunFilter(workflow_name=workflow, statuses=statuses, limit=limit))
    if as_json:
        from mwo.views import RunRecordView

        print_json({"ok": True, "runs": [RunRecordView.of(r) for r in rows]})
        return
    table = Table("run", "workflow", "v", "status", "trigger", "created", "duration")
    for r in rows:
        table.add_row(
            r.id[:8],
            r.workflow_name,
            str(r.version_number),
            _status(r.status.value),
            r.trigger,
            r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            _duration(r),
        )
    if rows:
        console.print(table)
    elif workflow or status:
        wanted = [f"of {workflow}"] if workflow else []
        wanted += [" or ".join(choice.value for choice in status)] if status else []
        console.print(f"no runs {' '.join(wanted)} (without the filters: `mwo runs`)")
    else:
        console.print("no runs yet")


def logs(
    run_id: RunArg,
    step: Annotated[
        str | None, typer.Option(help="Print this step's attempts in full (input, output, error).")
    ] = None,
    follow: Annotated[
        bool,
        typer.Option("--follow", "-f", help="Print steps and log lines as they happen until the run ends."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show a run: every step attempt with its state, input, output, error and log lines."""
    with services(as_json) as s:
        record = s.store.get_run(run_id)
        if follow:  # with --json: wait quietly, then print the run as without --follow
            from mwo.cli.follow import follow as follow_run

            record = follow_run(s.store, record.id, quiet=as_json)
        show_run(s, record, as_json, with_logs=True)
        if step is not None and not as_json:
            _show_step_in_full(s, record, step)


def _show_step_in_full(s: Services, record: RunRecord, step_id: str) -> None:
    attempts = [r for r in s.store.list_step_runs(record.id) if r.step_id == step_id]
    if not attempts:
        fail(f"run {record.id[:8]} has no attempt of step '{step_id}'", "see the step ids in the table above")
    for r in attempts:
        console.rule(f"{r.step_id} attempt {r.attempt}: {r.status.value}")
        for label, value in (("input", r.input), ("output", r.output), ("error", r.error)):
            if value is not None:
                console.print(f"[bold]{label}[/]")
                console.print_json(json.dumps(value, ensure_ascii=False, default=str))


def approve(
    run_id: RunArg,
    comment: Annotated[str | None, typer.Option(help="Why.")] = None,
    by: Annotated[str | None, typer.Option(help="Who approves (default: your user name).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve the run's waiting approval step; the run continues here."""
    with services(as_json) as s:
        record = s.runs.approve(run_id, by or getpass.getuser(), comment)
        show_run(s, record, as_json)


def reject(
    run_id: RunArg,
    comment: Annotated[str | None, typer.Option(help="Why.")] = None,
    by: Annotated[str | None, typer.Option(help="Who rejects (default: your user name).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject the run's waiting approval step; the run stops."""
    with services(as_json) as s:
        record = s.runs.reject(run_id, by or getpass.getuser(), comment)
        show_run(s, record, as_json)


def cancel(run_id: RunArg, as_json: JsonOpt = False) -> None:
    """Cancel a run: at once if nothing executes it; a running script is killed at once, a model
    call stops within moments, any other step finishes and the run stops before the next one."""
    with services(as_json) as s:
        record = s.runs.cancel(run_id)
        current = _running_step(s, record)
    if as_json:
        from mwo.views import RunRecordView

        print_json({"ok": True, "run": RunRecordView.of(record)})
        return
    console.print(f"run {record.id[:8]}: {_status(record.status.value)}", end="")
    console.print("" if record.status.is_final else f" (cancel requested: {_what_stops(current)})")


def _running_step(s: Services, record: RunRecord) -> StepRunRecord | None:
    from mwo.store.records import StepStatus

    if record.status.is_final:
        return None
    running = [r for r in s.store.list_step_runs(record.id) if r.status is StepStatus.RUNNING]
    return running[-1] if running else None


def _what_stops(step: StepRunRecord | None) -> str:
    """What a cancel does to the step executing now, as the engine does it."""
    if step is None:
        return "the run stops before its next step"
    if step.step_type == "PYTHON_SCRIPT":
        return f"the script of step '{step.step_id}' is killed at once and the run ends cancelled"
    if step.step_type == "LLM_CALL":
        return f"the model call of step '{step.step_id}' stops within moments and the run ends cancelled"
    return f"step '{step.step_id}' finishes first, then the run stops before its next step"


def retry(
    run_id: RunArg,
    from_failed: Annotated[
        bool, typer.Option("--from-failed", help="Re-run the failed step and what follows.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run again: the same version and inputs as a new run, or from the failed step on the same run."""
    with services(as_json) as s:
        record = s.runs.retry(run_id, from_failed=from_failed)
        show_run(s, record, as_json)
    _exit_for(record)


def recover(as_json: JsonOpt = False) -> None:
    """Resume runs left behind by a crashed process and apply expired approvals' time-out policies."""
    from mwo.store.records import RunFilter, RunStatus

    with services(as_json) as s:
        records = s.runs.recover()
        now = utc_now()
        recovered = {r.id for r in records}
        running = s.store.list_runs(RunFilter(statuses=(RunStatus.RUNNING,), limit=1000))
        leased = [r for r in running if r.id not in recovered and r.acquired_until and r.acquired_until > now]
    if as_json:
        from mwo.views import RunRecordView

        waiting = [
            {"run_id": r.id, "workflow": r.workflow_name, "held_by": r.acquired_by, "until": r.acquired_until}
            for r in leased
        ]
        runs = [RunRecordView.of(r) for r in records]
        print_json({"ok": True, "runs": runs, "waiting_for_lease": waiting})
        return
    for r in records:
        console.print(f"run {r.id[:8]} ({r.workflow_name}): {_status(r.status.value)}")
    for r in leased:
        until = r.acquired_until.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if r.acquired_until else ""
        console.print(
            f"run {r.id[:8]} ({r.workflow_name}): running, held by {r.acquired_by or 'another process'} "
            f"until {until}; if that process is gone, `mwo recover` resumes it after then",
            soft_wrap=True,
        )
    if not records and not leased:
        console.print("nothing to recover")


def inbox(
    unread: Annotated[bool, typer.Option("--unread", help="Only unread messages.")] = False,
    mark_read: Annotated[bool, typer.Option("--mark-read", help="Mark the listed messages read.")] = False,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Messages sent to the in-app inbox by NOTIFICATION steps (works offline)."""
    with services(as_json) as s:
        messages = s.store.list_messages(unread_only=unread, limit=limit)
        if mark_read:
            for m in messages:
                if m.read_at is None:
                    s.store.mark_read(m.id, utc_now())
    if as_json:
        print_json({"ok": True, "messages": messages})
        return
    for m in messages:
        flag = "" if m.read_at else "[bold cyan]new[/] "
        console.print(
            f"{flag}[bold]{m.title}[/]  [dim]{m.created_at:%Y-%m-%d %H:%M} run {(m.run_id or '')[:8]}[/]"
        )
        console.print(m.body, markup=False)
        console.print()
    if not messages:
        console.print("inbox is empty")


# --- showing a run ----------------------------------------------------------------------------------


def show_run(s: Services, record: RunRecord, as_json: bool, *, with_logs: bool = False) -> None:
    """The run with every step attempt (and its log lines): one JSON object, or a table."""
    from mwo.store.records import RunStatus
    from mwo.views import LogRecordView, RunRecordView, step_views

    steps = step_views(record, s.store.list_step_runs(record.id), s.store.list_versions)
    log_rows = s.store.list_logs(record.id) if with_logs else []
    if as_json:
        payload: dict[str, Any] = {
            "ok": record.status is not RunStatus.FAILED,
            "run": RunRecordView.of(record),
            "steps": steps,
        }
        if with_logs:
            payload["logs"] = [LogRecordView.of(line) for line in log_rows]
        print_json(payload)
        return
    console.print(
        f"run [bold]{record.id}[/]  {record.workflow_name} v{record.version_number}  "
        f"{_status(record.status.value)}  {_duration(record)}"
    )
    _print_steps(steps)
    for line in log_rows:
        stamp = Text(f"{line.created_at:%H:%M:%S} ", style="dim")
        console.print(stamp + Text(f"{line.level.value:7} {line.step_id or '-':12} {line.message}"))
    _print_what_next(record)


def _print_steps(steps: list[StepRunOut]) -> None:
    table = Table("step", "type", "v", "try", "status", "ms", "output / error", show_lines=False)
    for r in steps:
        table.add_row(
            r.step_id,
            r.type,
            "" if r.version is None else str(r.version),
            str(r.attempt),
            _status(r.status.value),
            f"{r.duration_ms:.1f}" if r.duration_ms is not None else "",
            _summary(r),
        )
    console.print(table)


def _print_what_next(record: RunRecord) -> None:
    """Why the run failed, or what it waits for and the command that decides."""
    from mwo.store.records import RunStatus

    if record.error:
        console.print(f"[red]error:[/] {record.error.get('message')}", markup=True)
        if record.error.get("fix"):
            console.print(f"[yellow]fix:[/] {record.error['fix']}")
    if record.status is RunStatus.WAITING_APPROVAL:
        console.print(
            f"waiting for approval: [bold]mwo approve {record.id[:8]}[/] or "
            f"[bold]mwo reject {record.id[:8]}[/]"
        )
    if record.status is RunStatus.WAITING_REPAIR:
        console.print(
            f"a fix is proposed for the failed step: review it with [bold]mwo repair {record.id[:8]}[/], "
            "then --approve or --reject"
        )


def _summary(r: StepRunOut) -> str:
    value = r.error.get("message") if r.error else r.output
    text = as_text(value)
    return text if len(text) <= 90 else text[:87] + "..."


def _status(status: str) -> str:
    return f"[{status_style(status)}]{status}[/]"


def _duration(r: RunRecord) -> str:
    if r.started_at and r.finished_at:
        return f"{(r.finished_at - r.started_at).total_seconds() * 1000:.0f} ms"
    return ""


def _parse_inputs(pairs: list[str], coerce: Any, as_json: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            fail(f"--input {pair!r} is not name=value", "write it as --input city=Seoul", as_json=as_json)
        key, raw = pair.split("=", 1)
        result[key.strip()] = coerce(key.strip(), raw)
    return result


def _exit_for(record: RunRecord) -> None:
    from mwo.store.records import RunStatus

    if record.status is RunStatus.FAILED:
        raise typer.Exit(1)
