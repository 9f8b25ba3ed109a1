"""What several pages draw: the step graph, errors as message + fix, large values collapsed, masked
secrets, run states in words, and the banner saying whether `mwo serve` is running."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import streamlit as st

from mwo.spec import StepGraph, Workflow
from mwo.spec.errors import SpecError
from mwo.text import as_text
from mwo.ui.serve_status import probe_server
from mwo.ui.state import context, tr

log = logging.getLogger(__name__)

LARGE_VALUE_CHARS = 400
_STATE_COLOURS = {
    "succeeded": "#c8e6c9",
    "failed": "#ffcdd2",
    "running": "#bbdefb",
    "waiting_approval": "#fff9c4",
    "cancelled": "#e0e0e0",
    "queued": "#f5f5f5",
    "waiting_repair": "#ffe0b2",
}
_STATE_ICONS = {
    "succeeded": "✅",
    "failed": "❌",
    "running": "⏳",
    "waiting_approval": "✋",
    "cancelled": "⛔",
    "queued": "🕓",
    "waiting_repair": "🛠️",
}


# --- errors -------------------------------------------------------------------------------------------


def error_box(exc: BaseException) -> None:
    """The error's message and its fix, never a traceback. SpecError lists every finding."""
    if isinstance(exc, SpecError):
        lines = [f"- {f.location()}: {f.message} — {tr('error.fix', fix=f.fix)}" for f in exc.findings]
        st.error("\n".join(lines) or str(exc))
        return
    message = str(getattr(exc, "message", "") or exc)
    fix = str(getattr(exc, "fix", "") or getattr(exc, "hint", "") or "")
    st.error(message + (f"\n\n{tr('error.fix', fix=fix)}" if fix else ""))


@contextmanager
def guarded() -> Iterator[None]:
    """Show what a service raised as message + fix and go on drawing the page.

    The page boundary is the one place a broad except belongs: anything unexpected is logged with
    its traceback (in the terminal running `mwo ui`) and shown as a short sentence."""
    try:
        yield
    except Exception as exc:  # the page boundary; logged below
        if _is_known(exc):
            error_box(exc)
            return
        log.exception("unexpected error on a page")
        st.error(tr("error.unexpected", kind=type(exc).__name__) + "\n\n" + tr("error.unexpected_fix"))


_TRACEBACK_HEAD = "Traceback (most recent call last):"


def without_traceback(text: str) -> str:
    """A log line or message up to a script's traceback (the run's error shows where it failed)."""
    return text.partition(_TRACEBACK_HEAD)[0].rstrip()


def recorded_error(error: dict[str, Any]) -> None:
    """A run's or step's recorded error: its message and fix; when a script failed, where in the
    script (its own frames, collapsed) instead of a raw traceback."""
    message = str(error.get("message", ""))
    summary, _, frames = message.partition(_TRACEBACK_HEAD)
    fix = error.get("fix")
    st.error(summary.strip() + (f"\n\n{tr('error.fix', fix=fix)}" if fix else ""))
    if frames.strip():
        with st.expander(tr("error.where")):
            st.code(frames.strip("\n"), language=None)


def _is_known(exc: Exception) -> bool:
    known = (SpecError, ValueError, LookupError)
    return isinstance(exc, known) or hasattr(exc, "fix") or hasattr(exc, "hint")


# --- values -------------------------------------------------------------------------------------------


def value_view(label: str, value: Any) -> None:
    """A step's input or output: short values inline, large ones collapsed in an expander."""
    if value is None:
        return
    text = as_text(value)
    if len(text) <= LARGE_VALUE_CHARS:
        st.markdown(f"**{label}**")
        _show(value)
        return
    with st.expander(tr("common.large_value", what=label, size=len(text))):
        _show(value)


def _show(value: Any) -> None:
    if isinstance(value, (dict, list)):
        st.json(value, expanded=1)
    else:
        st.code(str(value), language=None, wrap_lines=True)


def masked(secret: str) -> str:
    """What a secret looks like on screen: its last 4 characters only."""
    return "•" * 8 + secret[-4:] if len(secret) > 8 else "•" * 8


def status_text(status: str) -> str:
    return f"{_STATE_ICONS.get(status, '')} {tr('status.' + status) if status in _STATE_ICONS else status}"


# --- the step graph -----------------------------------------------------------------------------------


def step_graph_dot(workflow: Workflow, states: Mapping[str, str] | None = None) -> str:
    """Graphviz DOT of the steps (id and type), edges labelled with their condition; with `states`,
    each step is coloured by its state in a run."""
    states = states or {}
    lines = [
        "digraph workflow {",
        '  rankdir=TB; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="NanumGothic,sans-serif"];',
        '  edge [fontname="NanumGothic,sans-serif", fontsize=10];',
    ]
    for step in workflow.steps:
        fill = _STATE_COLOURS.get(states.get(step.id, ""), "#ffffff")
        label = f"{step.id}\\n{step.type.value}"
        lines.append(f'  "{_dot(step.id)}" [label="{_dot(label)}", fillcolor="{fill}"];')
    for edge in StepGraph(workflow.steps).edges:
        attrs = f' [label="{_dot(edge.when)}"]' if edge.when else ""
        lines.append(f'  "{_dot(edge.source)}" -> "{_dot(edge.target)}"{attrs};')
    lines.append("}")
    return "\n".join(lines)


def _dot(text: str) -> str:
    return text.replace('"', '\\"')


def step_graph(workflow: Workflow, states: Mapping[str, str] | None = None) -> None:
    st.graphviz_chart(step_graph_dot(workflow, states), width="content")  # natural size, at most the column


# --- the frame ----------------------------------------------------------------------------------------


@st.cache_data(ttl=10, show_spinner=False)
def _server_status(url_key: str) -> tuple[str, str | None]:
    status = probe_server(context().settings)
    return status.url, status.status


def serve_banner() -> None:
    """Say plainly when `mwo serve` is not running: schedules and webhooks do not fire then."""
    settings = context().settings
    url, status = _server_status(f"{settings.serve_host}:{settings.serve_port}")
    if status is None:
        st.warning(tr("serve.down"), icon="⚠️")
    elif status != "ok":
        st.warning(tr("serve.degraded", url=url, status=status), icon="⚠️")


def server_line() -> str:
    settings = context().settings
    url, status = _server_status(f"{settings.serve_host}:{settings.serve_port}")
    return tr("serve.down") if status is None else tr("serve.up", url=url) + f" ({status})"


def describe_cron(cron: str, timezone: str) -> str:
    """A cron expression in words in the session's language: "매일 오전 9:00 (Asia/Seoul)"."""
    from mwo.authoring.schedule_describe import describe_schedule
    from mwo.ui.state import language

    return describe_schedule(cron, timezone, language())
