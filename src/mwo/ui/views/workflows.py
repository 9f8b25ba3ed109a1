"""Workflows: the library (folders, tags, search) with each workflow's status, and managing one:
enable or disable, move, tag, delete."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import streamlit as st

from mwo.management.overview import WorkflowStatus, workflow_statuses
from mwo.store.records import WorkflowRecord
from mwo.ui.components import guarded, status_text
from mwo.ui.state import UiContext, context, local_time, tr

DETAIL_PAGE = Path(__file__).parent / "workflow.py"


def render() -> None:
    st.title(tr("workflows.title"))
    ctx = context()
    with guarded():
        folder, tag, search = _filters(ctx)
        rows = workflow_statuses(ctx.services, folder=folder, tag=tag, search=search or None)
        if not rows:
            st.info(tr("workflows.empty"))
            return
        _table(rows)
        _manage(ctx, [r.workflow.name for r in rows])


def _filters(ctx: UiContext) -> tuple[str | None, str | None, str]:
    store = ctx.services.store
    folders = [f.path for f in store.list_folders()]
    tags = sorted({tag for w in store.list_workflows() for tag in w.tags})
    search = st.text_input(tr("workflows.search"), key="wf.search")
    left, right = st.columns(2)
    all_label = tr("common.all")
    folder = left.selectbox(tr("workflows.folder"), [all_label, *folders], key="wf.folder")
    tag = right.selectbox(tr("workflows.tag"), [all_label, *tags], key="wf.tag")
    if folders:
        with st.expander(tr("workflows.folders")):
            st.markdown(_tree(folders, store.list_workflows()))
    return (None if folder == all_label else folder), (None if tag == all_label else tag), search


def _tree(folders: list[str], workflows: list[WorkflowRecord]) -> str:
    """The folders as an indented tree (a/b under a), each with how many workflows it holds."""
    counts = Counter(w.folder for w in workflows)
    lines = [
        "  " * path.count("/") + f"- 📁 {path.rsplit('/', 1)[-1]} ({counts.get(path, 0)})" for path in folders
    ]
    return "\n".join(lines)


def _table(rows: list[WorkflowStatus]) -> None:
    never = tr("common.never")
    table = [
        {
            tr("workflows.col.name"): r.workflow.name,
            tr("workflows.col.enabled"): "✅" if r.workflow.enabled else "⏸️",
            tr("workflows.col.trigger"): r.trigger,
            tr("workflows.col.secrets"): ", ".join(r.missing_secrets) or "—",
            tr("workflows.col.next"): local_time(r.next_fire_at) or "—",
            tr("workflows.col.last"): status_text(r.last_run.status.value) if r.last_run else never,
            tr("workflows.col.version"): r.workflow.latest_version,
            tr("workflows.col.folder"): r.workflow.folder or "",
            tr("workflows.col.tags"): ", ".join(r.workflow.tags),
        }
        for r in rows
    ]
    st.dataframe(table, hide_index=True, width="stretch")


def _manage(ctx: UiContext, names: list[str]) -> None:
    st.subheader(tr("workflows.manage"))
    name = st.selectbox(tr("workflows.pick"), names, key="wf.pick")
    if name is None:
        return
    store = ctx.services.store
    record = store.get_workflow(name)
    if st.button(tr("workflows.details"), key="wf.open", icon=":material/open_in_new:"):
        st.switch_page(DETAIL_PAGE, query_params={"name": name})
    toggle_key = "workflows.disable" if record.enabled else "workflows.enable"
    if st.button(tr(toggle_key), key="wf.toggle"):
        updated = store.set_enabled(name, not record.enabled)
        st.session_state["wf.flash"] = tr(
            "workflows.enabled_now" if updated.enabled else "workflows.disabled_now", name=name
        )
        st.rerun()
    with st.form("wf.move_form"):
        folder = st.text_input(tr("workflows.move_to"), value=record.folder or "")
        if st.form_submit_button(tr("workflows.move")):
            store.move_to_folder(name, folder.strip() or None)
            st.session_state["wf.flash"] = tr("workflows.moved", name=name)
            st.rerun()
    with st.form("wf.tag_form"):
        text = st.text_input(tr("workflows.tags_edit"), value=", ".join(record.tags))
        if st.form_submit_button(tr("workflows.tag_save")):
            wanted = {tag.strip() for tag in text.split(",") if tag.strip()}
            store.tag_workflow(
                name, add=sorted(wanted - set(record.tags)), remove=sorted(set(record.tags) - wanted)
            )
            st.session_state["wf.flash"] = tr("workflows.tagged", name=name)
            st.rerun()
    _delete(ctx, name)
    flash = st.session_state.pop("wf.flash", None)
    if flash:
        st.success(flash)


def _delete(ctx: UiContext, name: str) -> None:
    with st.expander(tr("common.delete") + f": {name}"):
        st.warning(tr("workflows.delete_warn"))
        if st.button(tr("common.confirm_delete", name=name), key="wf.delete", type="primary"):
            ctx.services.store.delete_workflow(name)
            st.session_state["wf.flash"] = tr("workflows.deleted", name=name)
            st.rerun()


render()
