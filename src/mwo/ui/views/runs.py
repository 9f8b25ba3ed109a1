"""Runs: a live monitor of running and recent runs, and one run in full: each step's state, timing,
input and output, the logs, the error with its fix, the repair proposal if any; retry, retry from
the failed step, cancel."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from mwo.store.records import RunFilter, RunRecord, RunStatus, StepRunRecord
from mwo.ui.components import (
    guarded,
    recorded_error,
    status_text,
    step_graph,
    value_view,
    without_traceback,
)
from mwo.ui.repairs import repair_panel
from mwo.ui.state import UiContext, context, local_time, tr, zone

REFRESH = timedelta(seconds=2)
NEXT_KEY = "runs.next"
_LIVE = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WAITING_APPROVAL, RunStatus.WAITING_REPAIR)


def render() -> None:
    st.title(tr("runs.title"))
    ctx = context()
    with guarded():
        _monitor()
        runs = ctx.services.store.list_runs(RunFilter(limit=50))
        if not runs:
            return
        run_id = _pick(runs)
        if run_id:
            _run_view(run_id)


@st.fragment(run_every=REFRESH)
def _monitor() -> None:
    """Re-drawn every few seconds on its own: running and waiting runs, then the recent ones."""
    with guarded():
        store = context().services.store
        live = store.list_runs(RunFilter(statuses=_LIVE, limit=50))
        st.subheader(tr("runs.live"))
        st.caption(tr("runs.auto_refresh"))
        if live:
            st.dataframe(_rows(live), hide_index=True, width="stretch")
        else:
            st.caption(tr("runs.nothing_live"))
        recent = store.list_runs(RunFilter(limit=20))
        st.subheader(tr("runs.recent"))
        if recent:
            st.dataframe(_rows(recent), hide_index=True, width="stretch")
        else:
            st.info(tr("runs.empty"))


def _rows(runs: list[RunRecord]) -> list[dict[str, object]]:
    return [
        {
            tr("runs.col.run"): r.id[:8],
            tr("runs.col.workflow"): f"{r.workflow_name} v{r.version_number}",
            tr("runs.col.status"): status_text(r.status.value),
            tr("runs.col.trigger"): r.trigger,
            tr("runs.col.created"): local_time(r.created_at),
            tr("runs.col.duration"): _duration(r),
        }
        for r in runs
    ]


def _duration(r: RunRecord) -> str:
    if r.started_at and r.finished_at:
        return f"{(r.finished_at - r.started_at).total_seconds():.2f} s"
    return ""


def _pick(runs: list[RunRecord]) -> str | None:
    labels = {r.id: f"{r.id[:8]} · {r.workflow_name} · {status_text(r.status.value)}" for r in runs}
    if NEXT_KEY in st.session_state:
        st.session_state["runs.pick"] = st.session_state.pop(NEXT_KEY)
    wanted = st.query_params.get("run")
    ids = list(labels)
    if wanted and wanted not in labels:
        ids.insert(0, wanted)  # a run older than the list (a link from elsewhere)
        labels[wanted] = wanted[:8]
    index = ids.index(wanted) if wanted in ids else 0
    run_id = st.selectbox(tr("runs.pick"), ids, index=index, format_func=labels.__getitem__, key="runs.pick")
    if run_id and run_id != wanted:
        st.query_params["run"] = run_id
    return run_id


def _run_view(run_id: str) -> None:
    """The run in full; while it is not final, it refreshes itself."""
    run = context().services.store.get_run(run_id)
    every = None if run.status.is_final else REFRESH
    st.fragment(run_every=every)(_run_detail)(run_id)


def _run_detail(run_id: str) -> None:
    with guarded():
        ctx = context()
        store = ctx.services.store
        run = store.get_run(run_id)
        steps = store.list_step_runs(run.id)
        st.subheader(f"{status_text(run.status.value)} · {run.id[:8]}")
        st.caption(
            tr(
                "runs.summary",
                workflow=run.workflow_name,
                version=run.version_number,
                status=tr("status." + run.status.value),
                trigger=run.trigger,
            )
            + f" · {local_time(run.created_at)} · {_duration(run)}"
        )
        _error(run)
        if run.status is RunStatus.WAITING_APPROVAL:
            st.info(tr("runs.waiting"))
        _actions(ctx, run)
        repair_panel(ctx, run)
        workflow = ctx.services.workflow_of(store.get_version_by_id(run.version_id))
        step_graph(workflow, {s.step_id: s.status.value for s in steps})
        st.markdown(f"**{tr('runs.steps')}**")
        for step in steps:
            _step(step)
        _logs(ctx, run)


def _error(run: RunRecord) -> None:
    if run.error:
        recorded_error(run.error)


def _actions(ctx: UiContext, run: RunRecord) -> None:
    runs = ctx.services.runs
    columns = st.columns(3)
    if columns[0].button(tr("runs.retry"), key=f"runs.retry.{run.id}", icon=":material/replay:"):
        new = runs.prepare_retry(run.id)
        ctx.dispatcher.execute(new.id)
        _show_next(new.id)
    if run.status is RunStatus.FAILED and columns[1].button(
        tr("runs.retry_failed"), key=f"runs.retry_failed.{run.id}", icon=":material/redo:"
    ):
        reopened = runs.prepare_retry(run.id, from_failed=True)
        ctx.dispatcher.execute(reopened.id)
        st.rerun()
    if not run.status.is_final and columns[2].button(
        tr("runs.cancel"), key=f"runs.cancel.{run.id}", icon=":material/cancel:"
    ):
        runs.cancel(run.id)
        st.toast(tr("runs.cancelled", run=run.id[:8]))
        st.rerun()


def _show_next(run_id: str) -> None:
    """Rerun the page showing `run_id` (the picker and the address both follow)."""
    st.query_params["run"] = run_id
    st.session_state[NEXT_KEY] = run_id  # the picker takes it before it is drawn again
    st.rerun()


def _step(step: StepRunRecord) -> None:
    ms = f"{step.duration_ms:.0f} ms" if step.duration_ms is not None else "…"
    title = tr(
        "runs.attempt", step=step.step_id, attempt=step.attempt, status=status_text(step.status.value), ms=ms
    )
    with st.expander(f"{title} · {step.step_type}", expanded=step.status.value == "failed"):
        st.caption(local_time(step.started_at))
        value_view(tr("runs.input"), step.input)
        value_view(tr("runs.output"), step.output)
        if step.error:
            recorded_error(step.error)


def _logs(ctx: UiContext, run: RunRecord) -> None:
    lines = ctx.services.store.list_logs(run.id)
    with st.expander(f"{tr('runs.logs')} ({len(lines)})"):
        if not lines:
            st.caption(tr("runs.no_logs"))
            return
        text = "\n".join(
            f"{line.created_at.astimezone(zone()).strftime('%H:%M:%S')} {line.level.value:7} "
            f"{line.step_id or '-':12} {without_traceback(line.message)}"
            for line in lines
        )
        st.code(text, language=None, wrap_lines=True)


render()
