"""What the faces show of the store's records: Pydantic view models that the API answers with and
the CLI prints with `--json`, so a shape is declared once (`runs`: a run, its step attempts and its
log lines). Built from frozen records by attribute; imports nothing of MWO but `store.records`."""

from mwo.views.runs import (
    LogOut,
    LogRecordView,
    RunOut,
    RunRecordView,
    StepRunOut,
    Timestamp,
    TimestampForm,
    step_views,
)

__all__ = [
    "LogOut",
    "LogRecordView",
    "RunOut",
    "RunRecordView",
    "StepRunOut",
    "Timestamp",
    "TimestampForm",
    "step_views",
]
