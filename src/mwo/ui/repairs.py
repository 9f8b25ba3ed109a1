"""Run-time repair proposals (self-healing): the fix found for a step that failed in a run, shown with
the error, the failing input, the diff and the validator's findings, and decided by a person. The run
page shows a run's newest proposal; the Inbox lists the pending ones. Approving saves the fix as a
new version and the run continues on it (on this process's workers); rejecting fails the run as it
would have failed without repair. `mwo repair RUN` and the REST API do the same."""

from __future__ import annotations

import streamlit as st

from mwo.store.errors import NotFound
from mwo.store.records import RepairProposalRecord, RepairStatus, RunRecord, RunStatus
from mwo.ui.components import guarded, recorded_error, value_view
from mwo.ui.state import UiContext, current_user, local_time, tr


def repairs_available(ctx: UiContext) -> bool:
    """Whether this build keeps repair proposals (the store lists them, the run service decides)."""
    return callable(getattr(ctx.services.store, "list_pending_repairs", None)) and callable(
        getattr(ctx.services.runs, "decide_repair", None)
    )


def repair_panel(ctx: UiContext, run: RunRecord) -> None:
    """The run's newest repair proposal, if the self-healing service made one."""
    if not repairs_available(ctx):
        return
    try:
        proposal = ctx.services.store.get_repair_proposal(run.id)
    except NotFound:
        return
    with st.container(border=True):
        proposal_view(ctx, run, proposal)


def pending_repairs(ctx: UiContext) -> None:
    """The Inbox's list of proposals waiting for a decision."""
    pending = ctx.services.store.list_pending_repairs()
    st.subheader(f"{tr('inbox.repairs')} ({len(pending)})")
    flash = st.session_state.pop("repairs.flash", None)
    if flash:
        st.success(flash)
    if not pending:
        st.caption(tr("inbox.no_repairs"))
        return
    for proposal in pending:
        with st.container(border=True), guarded():
            proposal_view(ctx, ctx.services.store.get_run(proposal.run_id), proposal)


def proposal_view(ctx: UiContext, run: RunRecord, proposal: RepairProposalRecord) -> None:
    st.markdown(
        f"**{tr('runs.repair')}** · "
        + tr("repair.of", workflow=run.workflow_name, step=proposal.step_id, run=run.id[:8])
        + f" · {tr('repair.status.' + proposal.status.value)}"
    )
    if proposal.error:
        recorded_error(proposal.error)
    value_view(tr("repair.input"), proposal.input)
    if proposal.diff:
        st.markdown(f"**{tr('repair.diff')}**")
        st.code(proposal.diff, language="diff", wrap_lines=True)
    for finding in proposal.findings:
        st.caption(f"{finding.get('severity', '')} {finding.get('code', '')}: {finding.get('message', '')}")
    if proposal.note:
        st.caption(proposal.note)
    st.caption(tr("repair.attempts", attempts=proposal.attempts, seconds=proposal.seconds))
    if proposal.decided_by:
        st.caption(tr("repair.decided", by=proposal.decided_by, when=local_time(proposal.decided_at)))
    if proposal.status is RepairStatus.PENDING and run.status is RunStatus.WAITING_REPAIR:
        _decide(ctx, run, proposal)


def _decide(ctx: UiContext, run: RunRecord, proposal: RepairProposalRecord) -> None:
    with st.form(f"repair.decide.{run.id}.{proposal.id}"):
        comment = st.text_input(tr("inbox.comment"))
        left, right = st.columns(2)
        approve = left.form_submit_button(tr("repair.approve"), type="primary", icon=":material/check:")
        reject = right.form_submit_button(tr("repair.reject"), icon=":material/close:")
    if not (approve or reject):
        return
    by = current_user()
    status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
    decided = ctx.services.runs.decide_repair(run.id, status, by, comment.strip() or None)
    if approve:
        ctx.dispatcher.execute(decided.id)  # the run continues on the fixed version
    st.session_state["repairs.flash"] = tr(
        "repair.approved" if approve else "repair.rejected", run=run.id[:8]
    )
    st.rerun()
