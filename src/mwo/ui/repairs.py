"""Run-time repair proposals (the self-healing service): shown on a failed run and in the Inbox once
the store can list them; until then the Inbox says plainly that they are not available."""

from __future__ import annotations

import streamlit as st

from mwo.store.records import RunRecord
from mwo.ui.state import UiContext


def repairs_available(ctx: UiContext) -> bool:
    """Whether this build's store keeps repair proposals (`list_pending_repairs`)."""
    return callable(getattr(ctx.services.store, "list_pending_repairs", None))


def repair_panel(ctx: UiContext, run: RunRecord) -> None:
    """The repair proposal of a failed run, if the self-healing service made one."""
    if not repairs_available(ctx):
        return
    st.empty()
