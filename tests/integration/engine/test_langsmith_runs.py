"""With LangSmith wired, a workflow run and its steps are traced, secrets masked; no network involved."""

from __future__ import annotations

import json

from mwo.engine.runs import RunService
from mwo.llm.tracing import LangSmithWiring
from mwo.store.records import RunStatus

from ...unit.llm.test_tracing import RecordingSession
from .conftest import Env

SECRET = "ls-planted-secret-4242"


def test_a_run_is_traced_to_langsmith_with_secrets_masked(env: Env) -> None:
    session = RecordingSession()
    wiring = LangSmithWiring(
        api_key="ls-test", endpoint="http://langsmith.test", project="mwo", session=session
    )
    services = env.services
    runs = RunService(
        services.store,
        services.registry,
        services.checkpointer,
        services.settings,
        clock=env.clock,
        sleep=env.clock.sleep,
        langsmith=wiring,
    )
    services.store.set_secret("TOKEN", SECRET, env.clock())
    env.apply(
        {
            "name": "traced",
            "steps": [
                {"id": "shape", "type": "DATA_TRANSFORM", "source": "secrets.TOKEN"},
                {
                    "id": "tell",
                    "type": "NOTIFICATION",
                    "channel": "inbox",
                    "body": "token {{ steps.shape.output.result }}",
                },
            ],
        }
    )
    run = runs.start("traced")
    assert run.status is RunStatus.SUCCEEDED
    bodies = [json.loads(body) for _, _, body in session.sent]
    names = {b.get("name") for b in bodies}
    assert "workflow:traced" in names and {"shape", "tell"} <= names
    assert all(SECRET not in body for _, _, body in session.sent)
    assert any("***" in body for _, _, body in session.sent)
