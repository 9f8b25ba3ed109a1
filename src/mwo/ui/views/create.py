"""Create: a chat. The person describes a job; clarifying questions come back as chat turns; each
stage of authoring shows live; the result is a graph, the trigger in words with its next fire
times, what each step does, assumptions and secrets still to set; then save, test-run, or change it
in words (with the diff, then confirm). Without the authoring service the page says so and offers
pasting a spec instead (never a fake result)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from mwo.clock import utc_now
from mwo.spec import CronTrigger, parse_workflow
from mwo.ui.components import describe_cron, guarded, step_graph
from mwo.ui.state import UiContext, context, tr, zone

if TYPE_CHECKING:
    from mwo.authoring.events import ProgressEvent
    from mwo.authoring.result import AuthoringResult

RUNS_PAGE = Path(__file__).parent / "runs.py"
CHAT_KEY = "create.chat"
RESULT_KEY = "create.result"
REQUEST_KEY = "create.request"
EDIT_KEY = "create.edit_result"


def render() -> None:
    st.title(tr("create.title"))
    ctx = context()
    authoring = getattr(ctx.services, "authoring", None)
    if authoring is None:
        st.info(tr("create.unavailable"))
        with guarded():
            _paste_spec(ctx)
        return
    chat_tab, yaml_tab = st.tabs([tr("create.chat_tab"), tr("create.yaml_tab")])
    with chat_tab, guarded():
        _chat(ctx, authoring)
    with yaml_tab, guarded():
        _paste_spec(ctx)


# --- the chat -----------------------------------------------------------------------------------------


def _chat(ctx: UiContext, authoring: Any) -> None:
    history: list[dict[str, str]] = st.session_state.setdefault(CHAT_KEY, [])
    for turn in history:
        with st.chat_message(turn["role"]):
            st.markdown(turn["text"])
    result: AuthoringResult | None = st.session_state.get(RESULT_KEY)
    asking = result is not None and result.status == "needs_clarification"
    prompt = st.chat_input(tr("create.answer_prompt") if asking else tr("create.prompt"))
    if prompt:
        history.append({"role": "user", "text": prompt})
        with st.chat_message("user"):
            st.markdown(prompt)
        result = _author(authoring, prompt, result if asking else None)
        st.session_state[RESULT_KEY] = result
        history.append({"role": "assistant", "text": _reply(result)})
        st.session_state.pop(EDIT_KEY, None)
        st.rerun()
    if result is not None and result.status in ("ready", "saved"):
        _result(ctx, authoring, result)
    if history and st.button(tr("create.new"), key="create.new"):
        for key in (CHAT_KEY, RESULT_KEY, REQUEST_KEY, EDIT_KEY):
            st.session_state.pop(key, None)
        st.rerun()


def _author(authoring: Any, text: str, asking: AuthoringResult | None) -> AuthoringResult:
    """A new request, or the answer to the first open question of the session in progress."""
    with st.status(tr("create.thinking"), expanded=True) as status:

        def show(event: ProgressEvent) -> None:
            status.write(f"**{event.stage}** · {event.message}")

        if asking is None:
            st.session_state[REQUEST_KEY] = text
            result = authoring.create(text, save=False, on_event=show)
        else:
            slot = asking.questions[0].slot
            result = authoring.create(
                st.session_state.get(REQUEST_KEY, ""),
                answers={slot: text},
                session_id=asking.session,
                on_event=show,
            )
        status.update(state="complete" if result.status != "failed" else "error", expanded=False)
    return result  # type: ignore[no-any-return]


def _reply(result: AuthoringResult) -> str:
    if result.status == "needs_clarification" and result.questions:
        # one question a turn, as in a conversation; the next chat message answers it
        left = len(result.questions)
        return result.questions[0].question + (f"  ({left})" if left > 1 else "")
    if result.status == "failed":
        return tr("create.failed", why=result.explanation)
    return result.explanation or tr("create.result", name=result.workflow or "")


def _result(ctx: UiContext, authoring: Any, result: AuthoringResult) -> None:
    if not result.spec:
        return
    workflow = parse_workflow(result.spec)
    with st.container(border=True):
        st.subheader(tr("create.result", name=workflow.name))
        step_graph(workflow)
        _trigger(workflow)
        if result.explanation:
            st.markdown(f"**{tr('create.explanation')}**\n\n{result.explanation}")
        if result.assumptions:
            st.markdown(f"**{tr('create.assumptions')}**\n" + "\n".join(f"- {a}" for a in result.assumptions))
        _missing_secrets(ctx, result.missing_secrets)
        _buttons(ctx, authoring, result)
    if result.status == "saved" and result.workflow:
        _edit(authoring, result.workflow)


def _trigger(workflow: Any) -> None:
    trigger = workflow.trigger
    if not isinstance(trigger, CronTrigger):
        st.markdown(f"**{tr('create.trigger')}**: {trigger.type}")
        return
    from mwo.triggers.registration import upcoming_fires

    st.markdown(f"**{tr('create.trigger')}**: {describe_cron(trigger.cron, trigger.timezone)}")
    fires = upcoming_fires(trigger, utc_now(), 5)
    st.markdown(
        f"**{tr('create.next_fires')}**\n"
        + "\n".join(f"- {f.astimezone(zone()).strftime('%Y-%m-%d (%a) %H:%M %Z')}" for f in fires)
    )


def _missing_secrets(ctx: UiContext, names: list[str]) -> None:
    known = set(ctx.services.store.list_secret_names())
    missing = [n for n in names if n not in known]
    if not missing:
        return
    st.markdown(f"**{tr('create.missing_secrets')}**")
    for name in missing:
        with st.form(f"create.secret.{name}", clear_on_submit=True):
            value = st.text_input(name, type="password")
            if st.form_submit_button(tr("settings.secret_set")) and value:
                ctx.services.store.set_secret(name, value, utc_now())
                st.rerun()


def _buttons(ctx: UiContext, authoring: Any, result: AuthoringResult) -> None:
    left, right = st.columns(2)
    if result.status == "ready" and left.button(tr("create.save"), type="primary", key="create.save"):
        saved = authoring.confirm(result.session)
        st.session_state[RESULT_KEY] = saved
        st.session_state[CHAT_KEY].append(
            {"role": "assistant", "text": tr("create.saved", name=saved.workflow, version=saved.version)}
        )
        st.rerun()
    if result.status == "saved" and result.workflow:
        st.success(tr("create.saved", name=result.workflow, version=result.version))
        if right.button(tr("create.test_run"), key="create.test_run", icon=":material/play_arrow:"):
            run_id = ctx.start_run(result.workflow, {}, trigger="ui:test")
            st.success(tr("create.run_started", run=run_id[:8]))
            st.page_link(RUNS_PAGE, label=tr("nav.runs"), query_params={"run": run_id})


def _edit(authoring: Any, name: str) -> None:
    with st.expander(tr("create.edit"), icon=":material/edit:"):
        with st.form("create.edit_form"):
            instruction = st.text_input(tr("create.edit_prompt"))
            asked = st.form_submit_button(tr("create.edit_apply"))
        if asked and instruction.strip():
            with st.spinner(tr("create.thinking")):
                st.session_state[EDIT_KEY] = authoring.edit(name, instruction.strip(), save=False)
        proposal: AuthoringResult | None = st.session_state.get(EDIT_KEY)
        if proposal is None:
            return
        if proposal.status == "failed":
            st.error(tr("create.failed", why=proposal.explanation))
            return
        if proposal.summary:
            st.markdown(proposal.summary)
        st.markdown(f"**{tr('create.diff')}**")
        st.code(proposal.diff or "", language="diff")
        if proposal.status == "ready" and st.button(tr("create.edit_confirm"), key="create.edit_confirm"):
            saved = authoring.confirm(proposal.session)
            st.session_state[RESULT_KEY] = saved
            st.session_state.pop(EDIT_KEY, None)
            st.rerun()


# --- pasting a spec -----------------------------------------------------------------------------------


def _paste_spec(ctx: UiContext) -> None:
    with st.form("create.yaml_form"):
        text = st.text_area(tr("create.yaml_label"), height=300, key="create.yaml")
        submitted = st.form_submit_button(tr("create.yaml_apply"), type="primary")
    if not submitted:
        return
    if not text.strip():
        st.warning(tr("create.yaml_empty"))
        return
    workflow = parse_workflow(text)
    version, _created = ctx.services.applier.apply_workflow(workflow, "from the UI")
    st.success(tr("create.saved", name=version.workflow_name, version=version.number))
    step_graph(workflow)


render()
