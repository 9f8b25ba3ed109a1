"""Workflow detail: the graph, the spec (read-only, code of each script step), versions with a
side-by-side diff and rollback, the trigger (schedule preview, webhook URL and secret), run now."""

from __future__ import annotations

import difflib
from pathlib import Path

import streamlit as st

from mwo.clock import utc_now
from mwo.engine.inputs import coerce_cli_value
from mwo.engine.preflight import missing_secrets
from mwo.management import diff_versions, rollback
from mwo.spec import CronTrigger, PythonScriptStep, Workflow
from mwo.ui.components import describe_cron, guarded, masked, step_graph
from mwo.ui.serve_status import server_url
from mwo.ui.state import UiContext, context, local_time, tr, zone

RUNS_PAGE = Path(__file__).parent / "runs.py"


def render() -> None:
    st.title(tr("detail.title"))
    ctx = context()
    with guarded():
        names = [w.name for w in ctx.services.store.list_workflows()]
        if not names:
            st.info(tr("workflows.empty"))
            return
        wanted = st.query_params.get("name")
        index = names.index(wanted) if wanted in names else 0
        name = st.selectbox(tr("workflows.pick"), names, index=index, key="detail.name")
        if name is None:
            return
        if name != wanted:
            st.query_params["name"] = name
        _workflow(ctx, name)


def _workflow(ctx: UiContext, name: str) -> None:
    store = ctx.services.store
    record = store.get_workflow(name)
    version = store.get_version(name)
    workflow = ctx.services.workflow_of(version)
    st.caption(f"v{version.number} · {workflow.description}")
    tabs = st.tabs(
        [tr("detail.graph"), tr("detail.spec"), tr("detail.versions"), tr("detail.trigger"), tr("detail.run")]
    )
    with tabs[0], guarded():
        step_graph(workflow)
    with tabs[1], guarded():
        _spec(version.spec_yaml, workflow)
    with tabs[2], guarded():
        _versions(ctx, name, record.latest_version)
    with tabs[3], guarded():
        _trigger(ctx, name, workflow)
    with tabs[4], guarded():
        _run(ctx, name, workflow)


def _spec(spec_yaml: str, workflow: Workflow) -> None:
    for step in workflow.steps:
        if isinstance(step, PythonScriptStep):
            with st.expander(tr("detail.view_code", step=step.id), icon=":material/code:"):
                st.code(step.code, language="python", line_numbers=True)
    st.markdown(f"**{tr('detail.yaml')}**")
    st.code(spec_yaml, language="yaml", line_numbers=True)


def _versions(ctx: UiContext, name: str, latest: int) -> None:
    store = ctx.services.store
    versions = store.list_versions(name)
    st.dataframe(
        [
            {
                tr("workflows.col.version"): v.number,
                tr("detail.created"): local_time(v.created_at),
                tr("detail.version_msg"): v.message,
            }
            for v in reversed(versions)
        ],
        hide_index=True,
        width="stretch",
    )
    numbers = [v.number for v in versions]
    if len(numbers) < 2:
        return
    left, right = st.columns(2)
    old = left.selectbox(tr("detail.from"), numbers, index=len(numbers) - 2, key="detail.from")
    new = right.selectbox(tr("detail.to"), numbers, index=len(numbers) - 1, key="detail.to")
    if old is None or new is None:
        return
    result = diff_versions(store, name, old, new)
    if not result.changed:
        st.info(tr("detail.same"))
    else:
        st.markdown(
            f"**{tr('detail.changed_steps')}**: "
            + ", ".join(f"`{c.step}` ({c.change})" for c in result.steps)
        )
        _side_by_side(
            store.get_version(name, old).spec_yaml, store.get_version(name, new).spec_yaml, old, new
        )
    if old != latest and st.button(tr("detail.rollback", version=old), key="detail.rollback"):
        saved, created = rollback(ctx.services.applier, name, old)
        st.session_state["detail.flash"] = (
            tr("detail.rolled_back", old=old, new=saved.number) if created else tr("detail.rollback_same")
        )
        st.rerun()
    flash = st.session_state.pop("detail.flash", None)
    if flash:
        st.success(flash)


def _side_by_side(old_yaml: str, new_yaml: str, old: int, new: int) -> None:
    """difflib's side-by-side table, scrolled sideways on a narrow screen."""
    table = difflib.HtmlDiff(tabsize=2, wrapcolumn=48).make_table(
        old_yaml.splitlines(), new_yaml.splitlines(), f"v{old}", f"v{new}", context=True, numlines=2
    )
    st.html(
        "<style>.mwo-diff{overflow-x:auto} .mwo-diff table{font-family:monospace;font-size:12px;"
        "border-collapse:collapse} .mwo-diff td{padding:0 4px;vertical-align:top}"
        " .diff_add{background:#d4f8d4} .diff_chg{background:#fff3b0} .diff_sub{background:#ffd6d6}"
        " .diff_next{display:none}</style>"
        f'<div class="mwo-diff">{table}</div>'
    )


def _trigger(ctx: UiContext, name: str, workflow: Workflow) -> None:
    trigger = workflow.trigger
    if isinstance(trigger, CronTrigger):
        from mwo.triggers.registration import upcoming_fires

        st.markdown(f"**{tr('detail.schedule')}**: {describe_cron(trigger.cron, trigger.timezone)}")
        st.caption(f"`{trigger.cron}` ({trigger.timezone})")
        fires = upcoming_fires(trigger, utc_now(), 5)
        st.markdown(f"**{tr('detail.next_fires')}**")
        st.markdown("\n".join(f"- {f.astimezone(zone()).strftime('%Y-%m-%d (%a) %H:%M %Z')}" for f in fires))
    elif trigger.type == "webhook":
        _webhook(ctx, name)
    elif trigger.type == "event":
        st.info(tr("detail.event", event=getattr(trigger, "event", "")))
    elif trigger.type == "file":
        st.info(tr("detail.file", path=getattr(trigger, "path", "")))
    else:
        st.info(tr("detail.manual"))


def _webhook(ctx: UiContext, name: str) -> None:
    from mwo.triggers.webhooks import rotate_webhook_secret, webhook_url

    store = ctx.services.store
    st.markdown(f"**{tr('detail.webhook_url')}**")
    st.code(webhook_url(server_url(ctx.settings), name), language=None)
    secrets = store.list_webhook_secrets(name, utc_now())
    st.markdown(f"**{tr('detail.webhook_secret')}**")
    if secrets:
        st.text(masked(secrets[0]))
        if st.toggle(tr("common.masked_show"), key="detail.reveal"):
            st.code(secrets[0], language=None)  # the code block's copy button copies it
    if st.button(tr("detail.rotate"), key="detail.rotate"):
        rotate_webhook_secret(store, name, utc_now())
        st.success(tr("detail.rotated"))


def _run(ctx: UiContext, name: str, workflow: Workflow) -> None:
    missing = missing_secrets(workflow, set(ctx.services.store.list_secret_names()))
    if missing:
        st.warning(tr("detail.missing_secrets", names=", ".join(missing)))
    with st.form("detail.run_form"):
        raw: dict[str, str] = {}
        if workflow.inputs:
            st.markdown(f"**{tr('detail.inputs')}**")
        for key, field in workflow.inputs.items():
            default = "" if field.default is None else str(field.default)
            raw[key] = st.text_input(f"{key} ({field.type.value})", value=default, help=field.description)
        submitted = st.form_submit_button(tr("detail.run_now"), type="primary")
    if submitted:
        inputs = {k: coerce_cli_value(workflow, k, v) for k, v in raw.items() if v != ""}
        run_id = ctx.start_run(name, inputs)
        st.success(tr("runs.started", run=run_id[:8]))
        st.page_link(
            RUNS_PAGE, label=tr("nav.runs"), query_params={"run": run_id}, icon=":material/play_circle:"
        )


render()
