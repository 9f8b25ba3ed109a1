"""Statistics: success rate over time, duration distribution and failure causes (by step and error
type), overall or for one workflow, over a time range; charts in Altair (Streamlit ships it).

The figures are `mwo.management.run_statistics` (what `mwo stats` prints); the charts group the
same run outcomes by day in the session's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

import altair as alt
import streamlit as st

from mwo.clock import utc_now
from mwo.management import RunStatistics, run_statistics
from mwo.store.records import RunOutcome, RunStatus
from mwo.ui.components import guarded
from mwo.ui.state import context, timezone_name, tr

RANGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30), "all": None}
_FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


def render() -> None:
    st.title(tr("stats.title"))
    ctx = context()
    with guarded():
        store = ctx.services.store
        left, right = st.columns(2)
        # the labels are the options (a format_func would run outside the session in tests)
        labels = {tr(f"stats.range.{key}"): key for key in RANGES}
        span_label = left.selectbox(tr("stats.range"), list(labels), index=1, key="stats.range")
        span = labels.get(span_label or "", "7d")
        all_label = tr("common.all")
        names = [all_label, *(w.name for w in store.list_workflows())]
        chosen = right.selectbox(tr("stats.workflow"), names, key="stats.workflow")
        name = None if chosen == all_label else chosen
        delta = RANGES[span]
        since = utc_now() - delta if delta else None
        result = run_statistics(store, name, since)
        if not result.overall.total:
            st.info(tr("stats.empty"))
            return
        _figures(result)
        outcomes = store.list_run_outcomes(name, since)
        _over_time(outcomes)
        _durations(outcomes)
        _causes(result)
        _per_workflow(result)


def _figures(result: RunStatistics) -> None:
    overall = result.overall
    columns = st.columns(4)
    columns[0].metric(tr("stats.runs"), overall.total)
    rate = f"{overall.success_rate:.0%}" if overall.success_rate is not None else "—"
    columns[1].metric(tr("stats.success"), rate)
    columns[2].metric(tr("stats.mean"), _seconds(overall.duration.mean_s))
    columns[3].metric(tr("stats.p95"), _seconds(overall.duration.p95_s))


def _data(rows: list[dict[str, object]]) -> alt.Data:
    """Rows as inline chart data (Altair infers nothing: every encoding names its type)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _rows(outcomes: list[RunOutcome]) -> list[dict[str, object]]:
    """One row per finished run: its day in the session's zone, state and seconds."""
    return [
        {
            "day": _day(o.created_at),
            "status": o.status.value,
            "succeeded": 1.0 if o.status is RunStatus.SUCCEEDED else 0.0,
            "seconds": (o.finished_at - o.started_at).total_seconds()
            if o.started_at and o.finished_at
            else None,
            "workflow": o.workflow_name,
        }
        for o in outcomes
        if o.status in _FINISHED
    ]


def _day(instant: datetime) -> str:
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(timezone_name())).strftime("%Y-%m-%d")


def _over_time(outcomes: list[RunOutcome]) -> None:
    st.subheader(tr("stats.over_time"))
    rows = _rows(outcomes)
    if not rows:
        st.caption(tr("stats.empty"))
        return
    chart = (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("day:O", title=tr("stats.day")),
            y=alt.Y(
                "mean(succeeded):Q",
                title=tr("stats.rate"),
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("day:O"),
                alt.Tooltip("mean(succeeded):Q", format=".0%"),
                alt.Tooltip("count():Q"),
            ],
        )
    )
    st.altair_chart(chart, width="stretch")


def _durations(outcomes: list[RunOutcome]) -> None:
    st.subheader(tr("stats.durations"))
    rows = [row for row in _rows(outcomes) if row["seconds"] is not None]
    if not rows:
        st.caption(tr("stats.empty"))
        return
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X("seconds:Q", bin=alt.Bin(maxbins=20), title=tr("stats.seconds")),
            y=alt.Y("count():Q", title=tr("stats.count")),
            color=alt.Color("status:N", title=tr("runs.col.status")),
        )
    )
    st.altair_chart(chart, width="stretch")


def _causes(result: RunStatistics) -> None:
    st.subheader(tr("stats.causes"))
    if not result.failure_causes and not result.failed_attempts:
        st.caption(tr("stats.no_failures"))
        return
    rows = [
        {"cause": f"{c.workflow} · {c.step or '-'} · {c.error_type}", "runs": c.runs, "kind": "runs"}
        for c in result.failure_causes
    ] + [
        {"cause": f"{a.workflow} · {a.step} · {a.error_type}", "runs": a.attempts, "kind": "attempts"}
        for a in result.failed_attempts
    ]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("cause:N", title=tr("stats.cause"), sort="-x"),
            x=alt.X("runs:Q", title=tr("stats.count")),
            color=alt.Color("kind:N", title=""),
            yOffset="kind:N",
        )
    )
    st.altair_chart(chart, width="stretch")


def _per_workflow(result: RunStatistics) -> None:
    st.subheader(tr("stats.per_workflow"))
    st.dataframe(
        [
            {
                tr("runs.col.workflow"): w.workflow,
                tr("stats.runs"): w.total,
                tr("status.succeeded"): w.by_status.get("succeeded", 0),
                tr("status.failed"): w.by_status.get("failed", 0),
                tr("stats.success"): f"{w.success_rate:.0%}" if w.success_rate is not None else "—",
                tr("stats.mean"): _seconds(w.duration.mean_s),
                tr("stats.p95"): _seconds(w.duration.p95_s),
            }
            for w in result.workflows
        ],
        hide_index=True,
        width="stretch",
    )


render()
