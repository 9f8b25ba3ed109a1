"""The Settings page's saved parts: language and time zone (this session at once; Save as default keeps
them for every session), and which language model answers (the endpoint tested before saving).

Pages only render: the checks, the file and the key's secret are mwo.management.preferences, the
same service as `mwo config`. After a save the page reruns, and `state.context()` opens services on
the new settings (its cache key holds a digest of them), so this app uses them at once; `mwo serve`
and `mwo worker` read settings when they start, hence the note to restart them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from zoneinfo import available_timezones

import streamlit as st

from mwo.clock import utc_now
from mwo.management.preferences import LLM_PROVIDERS, Preference, Preferences
from mwo.settings import Settings
from mwo.store.abc import Store
from mwo.ui.i18n import LANGUAGE_NAMES
from mwo.ui.state import LANGUAGE_KEY, TIMEZONE_KEY, UiContext, language, timezone_name, tr

PREFS_FLASH_KEY = "settings.prefs_flash"
LLM_FLASH_KEY = "settings.llm_flash"


def language_and_zone(ctx: UiContext) -> None:
    """Drawn first, so the rest of the page is already in the chosen language."""
    prefs = Preferences(ctx.settings)
    codes = list(LANGUAGE_NAMES)
    current = language()
    chosen = st.radio(
        tr("settings.language"),
        codes,
        index=codes.index(current),
        format_func=LANGUAGE_NAMES.__getitem__,
        horizontal=True,
        key="settings.language",
    )
    if chosen and chosen != current:
        st.session_state[LANGUAGE_KEY] = chosen
        st.rerun()
    zones = sorted(available_timezones())
    now_zone = timezone_name()
    zone = st.selectbox(
        tr("settings.timezone"),
        zones,
        index=zones.index(now_zone) if now_zone in zones else 0,
        key="settings.tz",
    )
    if zone and zone != now_zone:
        st.session_state[TIMEZONE_KEY] = zone
        st.rerun()
    st.caption(tr("settings.session_note"))
    _flash(PREFS_FLASH_KEY)
    if st.button(tr("settings.prefs_save"), key="settings.prefs_save"):
        prefs.save({"language": current, "timezone": now_zone})
        _saved(PREFS_FLASH_KEY, prefs)
    _overrides(prefs.show(), ("language", "timezone"))


def llm_settings(ctx: UiContext) -> None:
    """What answers now (status), the provider, endpoint and model to change it, test and save."""
    from mwo.llm.status import llm_status

    prefs = Preferences(ctx.settings)
    rows = {row.key: row for row in prefs.show()}
    st.subheader(tr("settings.llm"))
    st.caption(tr("settings.llm_in_use"))
    status = llm_status(ctx.settings.llm)
    st.dataframe(
        [{"": key, " ": str(value)} for key, value in status.items()], hide_index=True, width="stretch"
    )
    _flash(LLM_FLASH_KEY)
    providers = list(LLM_PROVIDERS)
    saved = rows["llm_provider"].value
    provider = st.radio(
        tr("settings.llm_provider"),
        providers,
        index=providers.index(saved) if saved in providers else 0,
        # labels are the codes (the same in both languages, so switching keeps the choice); captions
        # say what each is
        captions=[tr(f"settings.llm_provider.{code}") for code in providers],
        horizontal=True,
        key="settings.llm_provider",
    )
    changes: dict[str, str | None] = {"llm_provider": provider}
    api_key = ""
    if provider == "openai":
        changes["llm_base_url"] = st.text_input(
            tr("settings.llm_base_url"),
            value=rows["llm_base_url"].value or "",
            placeholder="https://api.openai.com/v1",
            key="settings.llm_base_url",
        )
        changes["llm_model"] = st.text_input(
            tr("settings.llm_model"),
            value=rows["llm_model"].value or "",
            placeholder="gpt-4o-mini",
            key="settings.llm_model",
        )
        api_key = st.text_input(tr("settings.llm_api_key"), type="password", key="settings.llm_api_key")
        _key_state(ctx, prefs)
    _overrides(rows.values(), ("llm_provider", "llm_base_url", "llm_model"))
    st.caption(tr("settings.llm_how"))
    left, right, _ = st.columns([1, 1, 2])
    if left.button(tr("settings.llm_test"), key="settings.llm_test"):
        _test_connection(prefs.candidate(changes, api_key or None), ctx.services.store)
    if right.button(tr("settings.llm_save"), key="settings.llm_save", type="primary"):
        prefs.save(changes)
        if api_key.strip():
            prefs.save_api_key(ctx.services.store, api_key, utc_now())
        _saved(LLM_FLASH_KEY, prefs)


def _key_state(ctx: UiContext, prefs: Preferences) -> None:
    secret = ctx.settings.llm_api_key_secret
    if prefs.api_key_overridden():
        st.caption("⚠️ " + tr("settings.llm_key_env"))
    elif secret in ctx.services.store.list_secret_names():
        st.caption("✅ " + tr("settings.llm_key_set", secret=f"`{secret}`"))
    else:
        st.caption(tr("settings.llm_key_missing", secret=f"`{secret}`"))


def _test_connection(settings: Settings, store: Store) -> None:
    """One short question to the model as entered (not saved yet); LlmError shows with its fix."""
    from mwo.llm.service import LlmRequest, LlmService

    llm = LlmService(settings.llm, store)
    started = time.perf_counter()
    try:
        with st.spinner(tr("create.thinking")):
            answer = llm.ask(
                LlmRequest(prompt="Reply with the single word OK.", max_tokens=8), caller="ui:test"
            )
    finally:
        llm.close()
    st.success(tr("settings.llm_ok", seconds=time.perf_counter() - started, answer=answer.text.strip()[:80]))


def _overrides(rows: Iterable[Preference], keys: tuple[str, ...]) -> None:
    """Say which settings an environment variable decides: a warning when it outvotes a saved value
    (which would otherwise seem ignored), a note when nothing different is saved."""
    for row in rows:
        if row.key not in keys or not row.overridden_by:
            continue
        env, value = f"`{row.overridden_by}`", f"`{row.value}`"
        if row.saved is not None and row.saved != row.value:
            st.warning(tr("settings.overridden", env=env, value=value))
        else:
            st.caption("ℹ️ " + tr("settings.env_set", env=env, value=value))


def _saved(flash_key: str, prefs: Preferences) -> None:
    st.session_state[flash_key] = tr("settings.saved", path=f"`{prefs.path}`")
    st.rerun()


def _flash(flash_key: str) -> None:
    message = st.session_state.pop(flash_key, None)
    if message:
        st.success(message)
        st.info(tr("settings.restart_servers"))
