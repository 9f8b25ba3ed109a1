"""The shared run views: what each face gets from one record, and the two timestamp forms."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from mwo.store.records import (
    LogLevel,
    RunRecord,
    RunStatus,
    StepLogRecord,
    StepRunRecord,
    StepStatus,
    VersionRecord,
)
from mwo.views import LogOut, LogRecordView, RunOut, RunRecordView, TimestampForm, step_views

AT = datetime(2026, 3, 1, 9, 30, 0, 250, tzinfo=UTC)
RUN = RunRecord(
    id="r1",
    workflow_id=7,
    workflow_name="w",
    version_id=11,
    version_number=2,
    status=RunStatus.RUNNING,
    trigger="api",
    inputs={"x": 1},
    output=None,
    error=None,
    created_at=AT,
    started_at=AT,
    finished_at=None,
    cancel_requested=False,
    acquired_by="host:1",
    acquired_until=AT + timedelta(minutes=5),
    retry_of=None,
)


def _step(step_id: str, version_id: int | None) -> StepRunRecord:
    return StepRunRecord(
        id=1,
        run_id="r1",
        step_id=step_id,
        step_type="DATA_TRANSFORM",
        attempt=1,
        status=StepStatus.SUCCEEDED,
        input={},
        output={"n": 1},
        error=None,
        started_at=AT,
        finished_at=AT + timedelta(milliseconds=1.5),
        version_id=version_id,
    )


def test_the_api_run_leaves_out_the_store_ids_and_the_lease_and_writes_utc_as_z() -> None:
    answered = json.loads(RunOut.of(RUN).model_dump_json())
    assert set(RunRecordView.model_fields) - set(answered) == {
        "workflow_id",
        "version_id",
        "acquired_by",
        "acquired_until",
    }
    assert answered["created_at"] == "2026-03-01T09:30:00.000250Z"
    assert answered["finished_at"] is None and answered["status"] == "running"


def test_the_cli_run_has_every_record_field_in_order_with_isoformat_timestamps() -> None:
    printed = RunRecordView.of(RUN).model_dump(mode="json", context=TimestampForm.ISOFORMAT)
    assert list(printed) == list(RunRecord.__dataclass_fields__)
    assert printed["created_at"] == AT.isoformat() == "2026-03-01T09:30:00.000250+00:00"
    assert printed["acquired_until"] == "2026-03-01T09:35:00.000250+00:00"


def test_the_api_schema_lists_only_what_the_api_answers() -> None:
    schema = RunOut.model_json_schema(mode="serialization")
    assert "acquired_by" not in schema["properties"] and "workflow_id" not in schema["required"]
    assert schema["properties"]["created_at"] == {
        "type": "string",
        "format": "date-time",
        "title": "Created At",
    }


def test_log_lines_differ_by_the_row_ids_only() -> None:
    line = StepLogRecord(id=3, run_id="r1", step_id=None, level=LogLevel.INFO, message="hi", created_at=AT)
    assert list(LogOut.of(line).model_dump(mode="json")) == ["step_id", "level", "message", "created_at"]
    printed = LogRecordView.of(line).model_dump(mode="json", context=TimestampForm.ISOFORMAT)
    assert printed == {
        "id": 3,
        "run_id": "r1",
        "step_id": None,
        "level": "info",
        "message": "hi",
        "created_at": "2026-03-01T09:30:00.000250+00:00",
    }


def test_step_versions_are_read_only_for_a_repaired_run() -> None:
    asked: list[str] = []

    def versions_of(name: str) -> list[VersionRecord]:
        asked.append(name)
        return [_version(11, 2), _version(12, 3)]

    plain = step_views(RUN, [_step("a", 11), _step("b", None)], versions_of)
    assert [(s.step_id, s.version) for s in plain] == [("a", 2), ("b", None)] and asked == []
    repaired = step_views(RUN, [_step("a", 11), _step("b", 12)], versions_of)
    assert [(s.step_id, s.version) for s in repaired] == [("a", 2), ("b", 3)] and asked == ["w"]
    assert repaired[0].type == "DATA_TRANSFORM" and repaired[0].duration_ms == 1.5


def _version(version_id: int, number: int) -> VersionRecord:
    return VersionRecord(
        id=version_id,
        workflow_id=7,
        workflow_name="w",
        number=number,
        content_hash="h",
        spec_yaml="",
        message="",
        created_at=AT,
    )
