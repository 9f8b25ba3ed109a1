"""Every way a person starts a run refuses it, before any run row is written, when a secret the
workflow needs is not set: `mwo run` (the RunService), `mwo retry RUN` and `--from-failed`; a run
queued earlier whose secret was deleted meanwhile fails when it would start, without a step."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from mwo.cli import app
from mwo.engine.errors import MissingSecrets
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunFilter, RunStatus

from .conftest import Env

T0 = datetime(2026, 6, 1, tzinfo=UTC)
USES_KEY = {
    "name": "uses-key",
    "steps": [
        {"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "body": "{{ secrets.API_KEY }}"},
        {"id": "fail", "type": "DATA_TRANSFORM", "source": "inputs.nothing"},
    ],
}
WORKS = {**USES_KEY, "steps": USES_KEY["steps"][:1]}


def test_a_run_by_hand_is_refused_without_a_run_row(env: Env) -> None:
    env.apply(WORKS)

    with pytest.raises(MissingSecrets) as refused:
        env.runs.start("uses-key")

    assert refused.value.fix == "mwo secrets set API_KEY" and refused.value.code == "missing_secrets"
    assert env.services.store.list_runs(RunFilter()) == []


def test_a_retry_is_refused_when_the_secret_was_deleted_since(env: Env) -> None:
    env.apply(WORKS)
    env.services.store.set_secret("API_KEY", "k-123456", T0)
    first = env.runs.start("uses-key")
    assert first.status is RunStatus.SUCCEEDED, first.error
    env.services.store.delete_secret("API_KEY")

    with pytest.raises(MissingSecrets, match="API_KEY"):
        env.runs.retry(first.id)
    with pytest.raises(MissingSecrets, match="API_KEY"):
        env.runs.prepare_retry(first.id)  # what the REST retry calls

    assert [r.id for r in env.services.store.list_runs(RunFilter())] == [first.id]


def test_a_retry_from_the_failed_step_is_refused_and_the_run_stays_failed(env: Env) -> None:
    env.apply({**USES_KEY, "inputs": {"nothing": {"type": "string", "required": False}}})
    env.services.store.set_secret("API_KEY", "k-123456", T0)
    failed = env.runs.start("uses-key")
    assert failed.status is RunStatus.FAILED
    env.services.store.delete_secret("API_KEY")

    with pytest.raises(MissingSecrets):
        env.runs.retry(failed.id, from_failed=True)

    assert env.services.store.get_run(failed.id).status is RunStatus.FAILED


def test_a_queued_run_whose_secret_was_deleted_fails_when_it_would_start(env: Env) -> None:
    env.apply(WORKS)
    env.services.store.set_secret("API_KEY", "k-123456", T0)
    queued = env.runs.create_run("uses-key", trigger="api")
    env.services.store.delete_secret("API_KEY")

    run = env.runs.execute(queued.id)

    assert run.status is RunStatus.FAILED and run.error is not None
    assert run.error["type"] == "missing_secrets" and run.error["fix"] == "mwo secrets set API_KEY"
    assert env.services.store.list_step_runs(run.id) == []


def test_cli_retry_says_which_secret_and_the_fix_without_a_traceback(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_HOME", str(settings.resolved_home()))
    s = Services.open(Settings(home=settings.resolved_home(), _env_file=None))
    try:
        s.applier.apply_workflow(workflow_from_data(WORKS))
        s.store.set_secret("API_KEY", "k-123456", T0)
        first = s.runs.start("uses-key")
        s.store.delete_secret("API_KEY")
    finally:
        s.close()

    result = CliRunner().invoke(app, ["retry", first.id[:8]])

    assert result.exit_code != 0
    assert "needs secrets that are not set: API_KEY" in result.output + result.stderr
    assert "mwo secrets set API_KEY" in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
