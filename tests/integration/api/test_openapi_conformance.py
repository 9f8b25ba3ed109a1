"""The OpenAPI document tells the truth: schemathesis generates requests for every operation from
the document and checks each answer against it: no server error, a declared status, the declared
content type (problem+json for errors) and a body matching the declared schema. Few examples per
operation keep it short; the point is that every operation's answers are declared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from mwo.api import create_app
from mwo.auth import TokenService
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store import TokenScope

EXAMPLES = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SAMPLE = {
    "name": "sample",
    "inputs": {"x": {"type": "string", "default": "a"}},
    "steps": [{"id": "ask", "type": "APPROVAL", "message": "go on"}],
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    home: Path = tmp_path_factory.mktemp("openapi") / "mwo-home"
    services = Services.open(Settings(home=home, secret_key=None, _env_file=None))  # type: ignore[call-arg]
    try:
        services.applier.apply_workflow(workflow_from_data(SAMPLE))
        token = TokenService(services.store).issue("fuzzer", TokenScope.ADMIN).token
        app = create_app(services, submit=lambda work: None)
        with TestClient(app) as client:  # the first search loads the embedding model: not fuzzed
            bearer = {"Authorization": f"Bearer {token}"}
            client.get("/knowledge/search", params={"q": "warm"}, headers=bearer)
        yield app, token
    finally:
        services.close()


@pytest.mark.timeout(600)  # ~1 minute alone; the shared test machine can be several times slower
def test_every_answer_of_every_operation_is_declared(served: tuple[Any, str]) -> None:
    """Each operation on its own hypothesis run (schemathesis's pytest plugin does not load on this
    pytest), every failure collected, so one run names all undeclared answers."""
    app, token = served
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 40

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def conforms(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            conforms()
        except Exception as exc:  # collected: the assertion below names every failing operation
            inner = getattr(exc, "exceptions", None) or [exc]
            failures[operation.label] = "; ".join(f"{type(e).__name__}: {e}"[:400] for e in inner)
    assert failures == {}, "\n".join(f"{label}: {why}" for label, why in failures.items())
