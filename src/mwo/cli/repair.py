"""`mwo repair RUN [--approve | --reject] [--comment TEXT] [--by NAME] [--json]`: the fix proposed for
a run's failed step, and the decision on it.

Without a flag it shows what a person needs to decide: the error, the input the step failed on, the
diff of the fix and the validator's findings. `--approve` saves the fix as the workflow's next
version and continues the run here from the failed step; `--reject` fails the run as it would have
failed without repair.
"""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mwo.cli.context import services
from mwo.cli.output import console, fail, print_json
from mwo.cli.runs import show_run

if TYPE_CHECKING:
    from mwo.services import Services
    from mwo.store.records import RepairProposalRecord, RunRecord


def register(app: typer.Typer) -> None:
    app.command()(repair)


def repair(
    run_id: Annotated[str, typer.Argument(help="Run id (a unique prefix of 6+ characters is enough).")],
    approve: Annotated[
        bool, typer.Option("--approve", help="Save the fix as a new version and continue the run on it.")
    ] = False,
    reject: Annotated[
        bool, typer.Option("--reject", help="Refuse the fix: the run fails as before.")
    ] = False,
    comment: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides (default: your user name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show the fix proposed for a run's failed step, or approve or reject it."""
    from mwo.store.records import RunStatus

    if approve and reject:
        fail(
            "--approve and --reject exclude each other",
            "give one of them, or neither to look",
            as_json=as_json,
        )
    with services(as_json) as s:
        run = s.store.get_run(run_id)
        if not (approve or reject):
            _show(s, run, s.store.get_repair_proposal(run.id), as_json)
            return
        decider = by or getpass.getuser()
        if approve:
            record = s.runs.approve_repair(run.id, decider, comment)
        else:
            record = s.runs.reject_repair(run.id, decider, comment)
        proposal = s.store.get_repair_proposal(record.id)
        if as_json:
            from mwo.views import RunRecordView

            ok = record.status is not RunStatus.FAILED
            print_json({"ok": ok, "run": RunRecordView.of(record), "repair": proposal})
        else:
            console.print(_decision_line(record, proposal))
            show_run(s, record, as_json=False)
    if record.status is RunStatus.FAILED and approve:
        raise typer.Exit(1)


def _show(s: Services, run: RunRecord, proposal: RepairProposalRecord, as_json: bool) -> None:
    from rich.syntax import Syntax

    if as_json:
        from mwo.views import RunRecordView

        print_json({"ok": True, "run": RunRecordView.of(run), "repair": proposal})
        return
    console.print(
        f"run [bold]{run.id}[/]  {run.workflow_name} v{run.version_number}  {run.status.value}  "
        f"step [bold]{proposal.step_id}[/] ({proposal.step_type})  repair: [bold]{proposal.status.value}[/]"
    )
    console.rule("error")
    console.print(proposal.error.get("message", ""), markup=False)
    console.rule("failing input")
    console.print_json(json.dumps(proposal.input, ensure_ascii=False, default=str))
    if proposal.diff:
        console.rule("proposed change")
        console.print(Syntax(proposal.diff, "diff", theme="ansi_dark", word_wrap=True))
    console.rule(f"findings ({len(proposal.findings)})")
    for finding in proposal.findings:
        console.print(_finding_line(finding), markup=False)
    if proposal.note:
        console.print(f"note: {proposal.note}", markup=False)
    console.print(f"{proposal.attempts} attempt(s), {proposal.seconds:.1f} s")
    console.print(_next_step(run, proposal))


def _finding_line(finding: dict[str, Any]) -> str:
    where = finding.get("path") or ""
    hint = f" (hint: {finding['hint']})" if finding.get("hint") else ""
    severity, code = finding.get("severity", "error"), finding.get("code", "")
    return f"- {severity} {code} {where}: {finding.get('message', '')}{hint}"


def _next_step(run: RunRecord, proposal: RepairProposalRecord) -> str:
    from mwo.store.records import RepairStatus, RunStatus

    short = run.id[:8]
    if proposal.status is RepairStatus.PENDING and run.status is RunStatus.WAITING_REPAIR:
        return f"decide: [bold]mwo repair {short} --approve[/] or [bold]mwo repair {short} --reject[/]"
    if proposal.status is RepairStatus.NOT_FIXED:
        return f"no fix was found; change the step by hand, apply it, then `mwo retry {short}`"
    decided = f" by {proposal.decided_by}" if proposal.decided_by else ""
    return f"decided: {proposal.status.value}{decided}"


def _decision_line(run: RunRecord, proposal: RepairProposalRecord) -> str:
    step = f"the fix of step '{proposal.step_id}' was {proposal.status.value}"
    if proposal.status.applied:
        return f"{step}: saved as version {run.version_number}; the run continued on it from that step"
    return f"{step}: the run failed as it would have without repair"
