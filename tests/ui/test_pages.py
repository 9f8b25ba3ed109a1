"""Every page through Streamlit's AppTest on real services: it renders in both languages, its main
action works, and errors show a message with its fix, never an exception box."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunStatus
from mwo.ui.i18n import keys, t
from mwo.ui.state import UiContext
from tests.ui.conftest import GATED, assert_clean, click, texts

App = Callable[..., AppTest]
PAGES = {
    "workflows.py": "workflows.title",
    "create.py": "create.title",
    "workflow.py": "detail.title",
    "runs.py": "runs.title",
    "inbox.py": "inbox.title",
    "statistics.py": "stats.title",
    "settings.py": "settings.title",
}


def test_every_key_has_both_languages() -> None:
    for key in keys():
        assert t(key, "en").strip() and t(key, "ko").strip(), key


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_page_renders_in_the_language(app: App, language: str) -> None:
    at = app(language=language)
    for page, title in PAGES.items():
        at.switch_page(f"views/{page}").run()
        assert_clean(at)
        assert at.title[0].value == t(title, language)


def test_the_app_says_when_the_server_does_not_run(app: App) -> None:
    at = app()
    assert t("serve.down", "en") in [w.value for w in at.warning]
    assert t("serve.down", "ko") in [w.value for w in app(language="ko").warning]


# --- workflows ----------------------------------------------------------------------------------------


def test_workflows_lists_status_and_filters(app: App) -> None:
    at = app()
    table = at.dataframe[0].value
    assert set(table["name"]) == {"morning-news", "gated", "failing", "hooked", "scripted", "keyed"}
    row = table[table["name"] == "keyed"].iloc[0]
    assert row["needs secrets"] == "API_KEY"
    morning = table[table["name"] == "morning-news"].iloc[0]
    assert morning["next run"].endswith("KST") and "succeeded" in morning["last result"]
    assert "failed" in table[table["name"] == "failing"].iloc[0]["last result"]
    at.selectbox(key="wf.folder").select("team/reports").run()
    assert list(at.dataframe[0].value["name"]) == ["morning-news"]
    at.selectbox(key="wf.folder").select("(all)").run()
    at.text_input(key="wf.search").input("승인").run()
    assert list(at.dataframe[0].value["name"]) == ["gated"]


def test_workflows_enable_move_tag_delete(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    at = app()
    at.selectbox(key="wf.pick").select("gated").run()
    at.button(key="wf.toggle").click().run()
    assert not store.get_workflow("gated").enabled
    assert "gated is disabled." in texts(at)
    form_inputs = [w for w in at.text_input if w.label == t("workflows.move_to")]
    form_inputs[0].input("ops/alerts")
    at = click(at, t("workflows.move"))
    assert store.get_workflow("gated").folder == "ops/alerts"
    next(w for w in at.text_input if w.label == t("workflows.tags_edit")).input("urgent, team")
    at = click(at, t("workflows.tag_save"))
    assert set(store.get_workflow("gated").tags) == {"urgent", "team"}
    at = click(at, t("common.confirm_delete", name="gated"))
    assert "gated" not in [w.name for w in store.list_workflows()]
    assert_clean(at)


# --- workflow detail ----------------------------------------------------------------------------------


def test_detail_shows_graph_spec_code_and_schedule(app: App) -> None:
    at = app("workflow.py", name="scripted")
    assert_clean(at)
    assert "return {'text': 'HELLO'}" in next(c.value for c in at.code)
    at.selectbox(key="detail.name").select("morning-news").run()
    shown = texts(at)
    assert "Every day at 09:00 (Asia/Seoul)" in shown or "09:00" in shown
    assert shown.count("KST") >= 5  # the next five fire times, in the session's zone


def test_detail_diff_and_rollback(app: App, ui_context: UiContext) -> None:
    changed = {**GATED, "description": "바뀐 설명"}
    ui_context.services.applier.apply_workflow(workflow_from_data(changed), "second")
    at = app("workflow.py", name="gated")
    assert_clean(at)
    html = "".join(h.value for h in at.get("html"))
    assert "바뀐" in html and "diff_chg" in html  # the side-by-side diff marks the changed line
    at = click(at, t("detail.rollback", version=1))
    assert ui_context.services.store.get_workflow("gated").latest_version == 3
    assert "Version 1 restored as version 3." in texts(at)


def test_detail_webhook_secret_is_masked_and_rotates(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    from mwo.clock import utc_now

    before = store.list_webhook_secrets("hooked", utc_now())
    at = app("workflow.py", name="hooked")
    shown = texts(at)
    assert "/hooks/hooked" in shown or "hooked" in next(c.value for c in at.code)
    assert before[0] not in shown  # masked until revealed
    at.toggle(key="detail.reveal").set_value(True).run()
    assert before[0] in texts(at)
    at = click(at, t("detail.rotate"))
    assert len(store.list_webhook_secrets("hooked", utc_now())) == 2


def test_detail_run_now_starts_a_run(app: App, ui_context: UiContext) -> None:
    at = app("workflow.py", name="morning-news")
    at = click(at, t("detail.run_now"))
    assert_clean(at)
    runs = ui_context.services.store.list_runs(RunFilter(workflow_name="morning-news"))
    assert len(runs) == 2 and runs[0].status is RunStatus.SUCCEEDED and runs[0].trigger == "ui"


def test_detail_run_with_a_bad_input_shows_the_fix(app: App, ui_context: UiContext) -> None:
    typed = {
        "name": "typed",
        "inputs": {"count": {"type": "integer"}},
        "steps": [{"id": "ok", "type": "APPROVAL"}],
    }
    ui_context.services.applier.apply_workflow(workflow_from_data(typed))
    at = app("workflow.py", name="typed")
    next(w for w in at.text_input if w.label.startswith("count")).input("many")
    at = click(at, t("detail.run_now"))
    assert_clean(at)
    assert "integer" in at.error[0].value and t("error.fix", "en", fix="")[:10] in at.error[0].value


# --- runs ---------------------------------------------------------------------------------------------


def _run_of(ui_context: UiContext, name: str) -> str:
    return ui_context.services.store.list_runs(RunFilter(workflow_name=name))[0].id


def test_runs_page_shows_a_failed_run_with_error_and_fix(app: App, ui_context: UiContext) -> None:
    run_id = _run_of(ui_context, "failing")
    at = app("runs.py", run=run_id)
    assert_clean(at)
    assert at.error, "the run's error is shown"
    assert "How to fix" in at.error[0].value
    assert {"Live: running and waiting", "Recent runs"} <= {s.value for s in at.subheader}


def test_runs_retry_and_retry_from_failed(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    run_id = _run_of(ui_context, "failing")
    at = app("runs.py", run=run_id)
    at = click(at, t("runs.retry"))
    assert_clean(at)
    runs = store.list_runs(RunFilter(workflow_name="failing"))
    assert len(runs) == 2 and runs[0].retry_of == run_id and runs[0].status is RunStatus.FAILED
    at = click(at, t("runs.retry_failed"))
    assert_clean(at)
    assert len([s for s in store.list_step_runs(runs[0].id) if s.step_id == "fetch"]) >= 2


def test_runs_cancel_a_waiting_run(app: App, ui_context: UiContext) -> None:
    run_id = _run_of(ui_context, "gated")
    at = app("runs.py", run=run_id)
    assert t("runs.waiting") in texts(at)
    at = click(at, t("runs.cancel"))
    assert ui_context.services.store.get_run(run_id).status is RunStatus.CANCELLED


# --- inbox --------------------------------------------------------------------------------------------


def test_inbox_approve_continues_the_run(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    run_id = _run_of(ui_context, "gated")
    at = app("inbox.py")
    assert "민지님의 요청을 승인할까요?" in texts(at)
    next(w for w in at.text_input if w.label == t("inbox.comment")).input("좋아요")
    at = click(at, t("inbox.approve"))
    assert_clean(at)
    assert store.get_run(run_id).status is RunStatus.SUCCEEDED
    assert store.get_approval(run_id, "ask").comment == "좋아요"
    assert "승인됨" in [m.title for m in store.list_messages()]
    assert t("inbox.no_approvals") in texts(at)


def test_inbox_reject_stops_the_run(app: App, ui_context: UiContext) -> None:
    run_id = _run_of(ui_context, "gated")
    at = click(app("inbox.py", language="ko"), t("inbox.reject", "ko"))
    assert_clean(at)
    assert ui_context.services.store.get_run(run_id).status in (RunStatus.CANCELLED, RunStatus.FAILED)


def test_inbox_messages_mark_read(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    at = app("inbox.py")
    assert "좋은 아침" in texts(at)
    at = click(at, t("inbox.mark_read"))
    assert all(m.read_at is not None for m in store.list_messages())


def test_inbox_approver_rule_is_shown_as_an_error(app: App, ui_context: UiContext) -> None:
    strict = {
        "name": "strict",
        "steps": [{"id": "boss", "type": "APPROVAL", "approvers": ["boss"]}],
    }
    ui_context.services.applier.apply_workflow(workflow_from_data(strict))
    ui_context.services.runs.start("strict")
    at = app("inbox.py")
    forms = [b for b in at.button if b.label == t("inbox.approve")]
    forms[-1].click().run()
    assert_clean(at)
    assert any("boss" in e.value for e in at.error)


def test_inbox_repair_proposal_approved_continues_the_run(
    app: App, ui_context: UiContext, repair_run: str
) -> None:
    store = ui_context.services.store
    at = app("inbox.py")
    shown = texts(at)
    assert "titel" in shown and "title" in shown  # the error and the diff of the fix
    at = click(at, t("repair.approve"))
    assert_clean(at)
    run = store.get_run(repair_run)
    assert run.status is RunStatus.SUCCEEDED and run.version_number == 2
    assert t("repair.approved", run=repair_run[:8]) in texts(at)


def test_runs_page_shows_the_repair_proposal_and_reject_fails_the_run(
    app: App, ui_context: UiContext, repair_run: str
) -> None:
    at = app("runs.py", run=repair_run)
    assert t("repair.status.pending") in texts(at)
    at = click(at, t("repair.reject"))
    assert_clean(at)
    assert ui_context.services.store.get_run(repair_run).status is RunStatus.FAILED


# --- statistics ---------------------------------------------------------------------------------------


def test_statistics_figures_charts_and_ranges(app: App) -> None:
    at = app("statistics.py")
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Runs"] == "3"  # succeeded, failed, waiting
    assert metrics["Success rate"] == "50%"
    assert len(at.get("vega_lite_chart")) == 3
    at.selectbox(key="stats.workflow").select("hooked").run()
    assert t("stats.empty") in texts(at)
    at.selectbox(key="stats.workflow").select("failing").run()
    assert {m.label: m.value for m in at.metric}["Success rate"] == "0%"


# --- settings -----------------------------------------------------------------------------------------


def test_settings_language_switch(app: App) -> None:
    at = app("settings.py")
    at.radio(key="settings.language").set_value("ko").run()
    assert at.title[0].value == "설정"
    at.switch_page("views/workflows.py").run()
    assert at.title[0].value == "워크플로"


def test_settings_secrets_set_and_delete(app: App, ui_context: UiContext) -> None:
    store = ui_context.services.store
    at = app("settings.py")
    at.text_input(key="settings.secret_name").input("API_KEY")
    at.text_input(key="settings.secret_value").input("s3cret-value")
    at = click(at, t("settings.secret_set"))
    assert store.reveal_secret("API_KEY") == "s3cret-value"
    assert "s3cret-value" not in texts(at)
    at = click(at, t("common.delete"))
    assert store.list_secret_names() == []


def test_settings_bad_secret_name_shows_the_fix(app: App) -> None:
    at = app("settings.py")
    at.text_input(key="settings.secret_name").input("bad name")
    at.text_input(key="settings.secret_value").input("x")
    at = click(at, t("settings.secret_set"))
    assert_clean(at)
    assert at.error


def test_settings_token_shown_once_then_revoked(app: App, ui_context: UiContext) -> None:
    at = app("settings.py")
    at.text_input(key="settings.token_name").input("ci")
    at = click(at, t("settings.token_create"))
    token = [c.value for c in at.code if c.value.startswith("mwo_")]
    assert len(token) == 1
    at = click(at, t("common.done"))
    assert not [c.value for c in at.code if c.value.startswith("mwo_")]
    at = click(at, t("settings.token_revoke", name="ci"))
    assert ui_context.services.store.list_api_tokens()[0].revoked_at is not None


# --- create (until authoring lands: pasting a spec) ---------------------------------------------------


def test_create_pastes_a_spec(app: App, ui_context: UiContext) -> None:
    at = app("create.py")
    spec = "name: pasted\nsteps:\n  - id: hi\n    type: NOTIFICATION\n    channel: inbox\n    body: hi\n"
    at.text_area(key="create.yaml").input(spec)
    at = click(at, t("create.yaml_apply"))
    assert_clean(at)
    assert ui_context.services.store.get_workflow("pasted").latest_version == 1


def test_create_bad_spec_lists_the_findings(app: App) -> None:
    at = app("create.py")
    at.text_area(key="create.yaml").input(
        "name: broken\nsteps:\n  - id: a\n    type: APPROVAL\n    next: nowhere\n"
    )
    at = click(at, t("create.yaml_apply"))
    assert_clean(at)
    assert "nowhere" in at.error[0].value
