"""What the CLI tells people about a cancel in progress and about the sandbox's packages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mwo.cli.doctor import _packages_note
from mwo.cli.runs import _what_stops
from mwo.store.records import StepRunRecord, StepStatus


def running(step_type: str) -> StepRunRecord:
    return StepRunRecord(
        id=1,
        run_id="r",
        step_id="work",
        step_type=step_type,
        attempt=1,
        status=StepStatus.RUNNING,
        input=None,
        output=None,
        error=None,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        finished_at=None,
    )


@pytest.mark.parametrize(
    ("step_type", "said"),
    [
        ("PYTHON_SCRIPT", "script of step 'work' is killed at once"),
        ("LLM_CALL", "model call of step 'work' stops within moments"),
        ("API_CALL", "step 'work' finishes first, then the run stops before its next step"),
    ],
)
def test_cancel_says_what_happens_to_the_running_step(step_type: str, said: str) -> None:
    assert said in _what_stops(running(step_type))


def test_cancel_between_steps() -> None:
    assert _what_stops(None) == "the run stops before its next step"


def test_doctor_says_how_to_use_packages_built_here(tmp_path: Path) -> None:
    built = tmp_path / ".sandbox-packages"
    assert "make sandbox-packages" in _packages_note(None, built)
    built.mkdir()
    note = _packages_note(None, built)
    assert f"MWO_SANDBOX_PACKAGES_DIR={built.resolve()}" in note and "not used" in note
    assert _packages_note(built, built) == f"; packages from {built}"
