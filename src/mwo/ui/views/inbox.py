"""Inbox: approvals waiting for a decision (with the run's context), run-time repair proposals, and
the messages NOTIFICATION steps delivered to the in-app channel."""

from __future__ import annotations

import streamlit as st

from mwo.clock import utc_now
from mwo.store.records import ApprovalRecord, ApprovalStatus
from mwo.ui.components import guarded, value_view
from mwo.ui.repairs import pending_repairs, repairs_available
from mwo.ui.state import USER_KEY, UiContext, context, current_user, local_time, tr


def render() -> None:
    st.title(tr("inbox.title"))
    ctx = context()
    with guarded():
        _approvals(ctx)
    with guarded():
        _repairs(ctx)
    with guarded():
        _messages(ctx)


def _approvals(ctx: UiContext) -> None:
    pending = ctx.services.store.list_pending_approvals()
    st.subheader(f"{tr('inbox.approvals')} ({len(pending)})")
    flash = st.session_state.pop("inbox.flash", None)
    if flash:
        st.success(flash)
    if not pending:
        st.caption(tr("inbox.no_approvals"))
        return
    for approval in pending:
        with st.container(border=True), guarded():
            _approval(ctx, approval)


def _approval(ctx: UiContext, approval: ApprovalRecord) -> None:
    store = ctx.services.store
    run = store.get_run(approval.run_id)
    st.markdown(
        "**"
        + tr("inbox.approval_of", workflow=run.workflow_name, step=approval.step_id, run=run.id[:8])
        + "**"
    )
    if approval.message:
        st.markdown(approval.message)
    when = tr("inbox.requested", when=local_time(approval.requested_at))
    if approval.expires_at:
        when += " · " + tr("inbox.expires", when=local_time(approval.expires_at))
    st.caption(when)
    with st.expander(tr("inbox.context")):
        value_view(tr("detail.inputs"), run.inputs or None)
        for step in store.list_step_runs(run.id):
            if step.output is not None:
                value_view(f"{step.step_id} · {tr('runs.output')}", step.output)
    with st.form(f"inbox.decide.{approval.id}"):
        comment = st.text_input(tr("inbox.comment"), key=f"inbox.comment.{approval.id}")
        by = st.text_input(tr("inbox.by"), value=current_user(), key=f"inbox.by.{approval.id}")
        left, right = st.columns(2)
        approve = left.form_submit_button(tr("inbox.approve"), type="primary", icon=":material/check:")
        reject = right.form_submit_button(tr("inbox.reject"), icon=":material/close:")
    if approve or reject:
        status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        who = by.strip() or current_user()
        st.session_state[USER_KEY] = who
        decided = ctx.services.runs.decide(run.id, status, who, comment.strip() or None)
        ctx.dispatcher.execute(decided.id, {"decision": status.value, "by": who})
        st.session_state["inbox.flash"] = tr(
            "inbox.approved" if approve else "inbox.rejected", run=run.id[:8]
        )
        st.rerun()


def _repairs(ctx: UiContext) -> None:
    if not repairs_available(ctx):
        st.subheader(tr("inbox.repairs"))
        st.info(tr("inbox.repairs_unavailable"))
        return
    pending_repairs(ctx)


def _messages(ctx: UiContext) -> None:
    store = ctx.services.store
    st.subheader(tr("inbox.messages"))
    unread_only = st.toggle(tr("inbox.unread_only"), key="inbox.unread")
    messages = store.list_messages(unread_only=unread_only, limit=50)
    if not messages:
        st.caption(tr("inbox.no_messages"))
        return
    for message in messages:
        with st.container(border=True):
            flag = "" if message.read_at else f":blue-badge[{tr('inbox.new')}] "
            st.markdown(f"{flag}**{message.title}**")
            run = f" · run {message.run_id[:8]}" if message.run_id else ""
            st.caption(local_time(message.created_at) + run)
            st.text(message.body)
            if message.read_at is None and st.button(tr("inbox.mark_read"), key=f"inbox.read.{message.id}"):
                store.mark_read(message.id, utc_now())
                st.rerun()


render()
