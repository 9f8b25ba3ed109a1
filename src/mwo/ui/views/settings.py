"""Settings: language and time zone (this session, or saved as the default), the language model
(status; provider, endpoint and model tested and saved), secrets (names only, values masked),
notification channels (send a test), API tokens (shown once at creation, revoke), and whether the
background server runs. What is saved goes to <home>/settings.yaml (mwo.ui.preferences)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import streamlit as st

from mwo.clock import utc_now
from mwo.spec import Channel
from mwo.store.records import TokenScope
from mwo.ui.components import error_box, guarded, server_line
from mwo.ui.preferences import language_and_zone, llm_settings
from mwo.ui.state import UiContext, context, local_time, tr

if TYPE_CHECKING:
    from mwo.management.channels import ChannelTester

TOKEN_SHOWN_KEY = "settings.new_token"


def render() -> None:
    ctx = context()
    with guarded():
        language_and_zone(ctx)
    st.title(tr("settings.title"))
    with guarded():
        st.subheader(tr("settings.server"))
        st.caption(server_line())
    with guarded():
        llm_settings(ctx)
    with guarded():
        _secrets(ctx)
    with guarded():
        _notifications(ctx)
    with guarded():
        _tokens(ctx)


def _secrets(ctx: UiContext) -> None:
    store = ctx.services.store
    st.subheader(tr("settings.secrets"))
    flash = st.session_state.pop("settings.secret_flash", None)
    if flash:
        st.success(flash)
    names = store.list_secret_names()
    if not names:
        st.caption(tr("settings.no_secrets"))
    for name in names:
        left, right = st.columns([3, 1])
        left.markdown(f"`{name}` &nbsp; ••••••••")
        if right.button(tr("common.delete"), key=f"settings.secret_delete.{name}"):
            store.delete_secret(name)
            st.session_state["settings.secret_flash"] = tr("settings.secret_deleted", name=name)
            st.rerun()
    with st.form("settings.secret_form", clear_on_submit=True):
        name = st.text_input(tr("settings.secret_name"), key="settings.secret_name")
        value = st.text_input(tr("settings.secret_value"), type="password", key="settings.secret_value")
        if st.form_submit_button(tr("settings.secret_set")):
            store.set_secret(name.strip(), value, utc_now())
            st.session_state["settings.secret_flash"] = tr("settings.secret_saved", name=name.strip())
            st.rerun()


def _notifications(ctx: UiContext) -> None:
    """Each channel with what it needs, and a Send test button calling the channel-test service."""
    from mwo.management.channels import ChannelTester

    st.subheader(tr("settings.notifications"))
    st.caption(tr("settings.channels_how"))
    s = ctx.settings
    to = st.text_input(tr("settings.test_to"), value=s.smtp_from, key="settings.test_to")
    with st.expander(tr("settings.test_network")):
        allow = st.text_input(tr("settings.test_allow"), key="settings.test_allow")
    tester = ChannelTester(s, ctx.services.store)
    for setup in tester.setups():
        left, right = st.columns([3, 1])
        name = tr(f"settings.channel.{setup.channel.value}")
        left.markdown(f"**{name}** · {_channel_note(ctx, setup.channel.value, setup.secret, setup.ready)}")
        if right.button(tr("settings.send_test"), key=f"settings.send_test.{setup.channel.value}"):
            _send_test(tester, setup.channel, name, to, allow)


def _channel_note(ctx: UiContext, channel: str, secret: str | None, ready: bool) -> str:
    s = ctx.settings
    if channel == "inbox":
        return tr("settings.channel_inbox_note")
    if channel == "email":
        login = tr("settings.channel_login", user=s.smtp_username) if s.smtp_username else ""
        return tr(
            "settings.channel_email_note", host=s.smtp_host, port=s.smtp_port, sender=s.smtp_from, login=login
        )
    if ready:
        return "✅ " + tr("settings.channel_secret_set", secret=f"`{secret}`")
    return "⚠️ " + tr("settings.channel_secret_missing", secret=f"`{secret}`")


def _send_test(tester: ChannelTester, channel: Channel, name: str, to: str, allow: str) -> None:
    """One test message; the result (or the error with its fix) right under the channels."""
    from mwo.management.channels import ChannelTestFailed

    try:
        with st.spinner(tr("settings.send_test")):
            result = tester.send_test(
                channel,
                to=[a.strip() for a in to.split(",") if a.strip()],
                allow=[h.strip() for h in allow.split(",") if h.strip()],
                subject=tr("settings.test_title"),
                body=tr("settings.test_body", channel=name),
            )
    except ChannelTestFailed as failed:
        error_box(failed)
        if failed.kind == "refused_address":
            st.caption(tr("settings.test_refused_hint"))
        return
    st.success(tr("settings.test_ok", channel=name, seconds=result.seconds))
    facts = [f"{key}: {value}" for key, value in result.detail.items() if value not in (None, [], "")]
    if facts:
        st.caption(" · ".join(facts))


def _tokens(ctx: UiContext) -> None:
    from mwo.auth import TokenService

    tokens = TokenService(ctx.services.store)
    st.subheader(tr("settings.tokens"))
    shown = st.session_state.get(TOKEN_SHOWN_KEY)
    if shown:
        st.warning(tr("settings.token_once"))
        st.code(shown, language=None)
        if st.button(tr("common.done"), key="settings.token_done"):
            del st.session_state[TOKEN_SHOWN_KEY]
            st.rerun()
    rows = tokens.list_tokens()
    if not rows:
        st.caption(tr("settings.no_tokens"))
    now = utc_now()
    for record in rows:
        left, right = st.columns([3, 1])
        state = "revoked" if record.revoked_at else ("active" if record.is_active(now) else "expired")
        used = local_time(record.last_used_at) or tr("common.never")
        left.markdown(f"`{record.name}` · {record.scope.value} · {state} · {used}")
        if record.revoked_at is None and right.button(
            tr("settings.token_revoke", name=record.name), key=f"settings.revoke.{record.name}"
        ):
            tokens.revoke(record.name)
            st.toast(tr("settings.token_revoked", name=record.name))
            st.rerun()
    with st.form("settings.token_form", clear_on_submit=True):
        name = st.text_input(tr("settings.token_name"), key="settings.token_name")
        scope = st.selectbox(
            tr("settings.token_scope"), [s.value for s in TokenScope], key="settings.token_scope"
        )
        days = st.number_input(
            tr("settings.token_days"), min_value=0, max_value=3650, value=0, key="settings.token_days"
        )
        if st.form_submit_button(tr("settings.token_create")):
            expires = timedelta(days=int(days)) if days else None
            issued = tokens.issue(name.strip(), TokenScope(scope or "read"), expires)
            st.session_state[TOKEN_SHOWN_KEY] = issued.token
            st.rerun()


render()
