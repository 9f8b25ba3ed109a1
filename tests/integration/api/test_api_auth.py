"""Authentication and scopes through a real server: every endpoint but the webhook intake and the
health check needs a bearer token; a missing, wrong, revoked or expired one is 401 problem+json
with `WWW-Authenticate: Bearer`, a token with too small a scope is 403."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from mwo.auth import TokenService, hash_secret
from mwo.clock import utc_now
from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

# (method, path, the scope it needs): one per resource and kind of verb.
ENDPOINTS = [
    ("GET", "/workflows", TokenScope.READ),
    ("GET", "/runs", TokenScope.READ),
    ("GET", "/approvals", TokenScope.READ),
    ("GET", "/schedules", TokenScope.READ),
    ("GET", "/stats", TokenScope.READ),
    ("GET", "/folders", TokenScope.READ),
    ("POST", "/workflows/nope/runs", TokenScope.WRITE),
    ("POST", "/workflows/nope/enable", TokenScope.WRITE),
    ("DELETE", "/workflows/nope", TokenScope.WRITE),
    ("POST", "/runs/nope/approve", TokenScope.WRITE),
    ("POST", "/events/anything", TokenScope.WRITE),
    ("GET", "/tokens", TokenScope.ADMIN),
    ("POST", "/tokens/nobody/revoke", TokenScope.ADMIN),
]
BELOW = {TokenScope.WRITE: TokenScope.READ, TokenScope.ADMIN: TokenScope.WRITE}


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings) as live:
        yield live


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """One server for the many read-only checks below (none of them changes anything)."""
    home = tmp_path_factory.mktemp("auth") / "mwo-home"
    with live_api(Settings(home=home, secret_key=None, _env_file=None)) as live:  # type: ignore[call-arg]
        yield live


def assert_unauthorized(response: object) -> dict[str, object]:
    problem = assert_problem(response, 401)  # type: ignore[arg-type]
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]
    assert problem["code"] == "unauthorized" and problem["fix"]
    return problem


@pytest.mark.parametrize(("method", "path", "needed"), ENDPOINTS)
def test_without_a_token_every_endpoint_is_401(
    api: LiveApi, method: str, path: str, needed: TokenScope
) -> None:
    assert_unauthorized(api.request(method, path, scope=None))


@pytest.mark.parametrize(("method", "path", "needed"), ENDPOINTS)
def test_the_needed_scope_passes_and_the_one_below_is_403(
    shared_api: LiveApi, method: str, path: str, needed: TokenScope
) -> None:
    allowed = shared_api.request(method, path, scope=needed)
    assert allowed.status_code not in (401, 403), allowed.text  # 200, or 404 for the made-up names
    if needed in BELOW:
        problem = assert_problem(shared_api.request(method, path, scope=BELOW[needed]), 403)
        assert problem["code"] == "forbidden" and needed.value in problem["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mwo_ffffffffffff_" + "x" * 43,  # well-formed, unknown
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",  # another scheme
        "Bearer",
    ],
)
def test_a_bad_token_is_401(shared_api: LiveApi, header: str) -> None:
    response = shared_api.get("/workflows", scope=None, headers={"Authorization": header})
    assert_unauthorized(response)


def test_a_token_with_a_wrong_secret_is_401(api: LiveApi) -> None:
    real = api.tokens[TokenScope.ADMIN]
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    assert_unauthorized(api.get("/workflows", scope=None, headers={"Authorization": f"Bearer {forged}"}))


def test_a_revoked_token_is_401_at_once(api: LiveApi) -> None:
    issued = TokenService(api.services.store).issue("short-lived", TokenScope.READ)
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert api.get("/workflows", scope=None, headers=headers).status_code == 200

    revoked = api.post("/tokens/short-lived/revoke", scope=TokenScope.ADMIN)

    assert revoked.status_code == 200 and revoked.json()["api_token"]["state"] == "revoked"
    problem = assert_unauthorized(api.get("/workflows", scope=None, headers=headers))
    assert "revoked" in str(problem["detail"])


def test_an_expired_token_is_401(api: LiveApi) -> None:
    created = utc_now() - timedelta(days=2)
    secret = "s" * 43
    api.services.store.create_api_token(
        "old",
        "0000000000aa",
        hash_secret(secret),
        TokenScope.ADMIN,
        created,
        expires_at=created + timedelta(days=1),
    )
    response = api.get(
        "/workflows", scope=None, headers={"Authorization": f"Bearer mwo_0000000000aa_{secret}"}
    )
    problem = assert_unauthorized(response)
    assert "expired" in str(problem["detail"])


def test_health_and_the_webhook_intake_need_no_token(api: LiveApi) -> None:
    assert api.get("/health", scope=None).status_code == 200
    hook = api.post("/hooks/nope", scope=None, content=b"{}")
    assert hook.status_code == 404  # the webhook's own answer, not 401


def test_tokens_over_the_api_are_shown_once_and_work(api: LiveApi) -> None:
    created = api.post(
        "/tokens", scope=TokenScope.ADMIN, json={"name": "ci", "scope": "write", "expires_days": 7}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("mwo_") and created.json()["api_token"]["scope"] == "write"

    listed = api.get("/tokens", scope=TokenScope.ADMIN)
    assert token not in listed.text and "secret_hash" not in listed.text
    assert {t["name"] for t in listed.json()["tokens"]} == {"read-token", "write-token", "admin-token", "ci"}
    used = api.get("/workflows", scope=None, headers={"Authorization": f"Bearer {token}"})
    assert used.status_code == 200
    ci = next(t for t in api.get("/tokens", scope=TokenScope.ADMIN).json()["tokens"] if t["name"] == "ci")
    assert ci["last_used_at"] is not None and ci["state"] == "active"


def test_creating_a_token_with_a_taken_or_bad_name_is_a_problem(api: LiveApi) -> None:
    assert_problem(api.post("/tokens", scope=TokenScope.ADMIN, json={"name": "read-token"}), 409)
    assert_problem(api.post("/tokens", scope=TokenScope.ADMIN, json={"name": "has space"}), 422)
    assert_problem(api.post("/tokens", scope=TokenScope.ADMIN, json={"name": "x", "scope": "root"}), 422)
    assert_problem(api.post("/tokens/nobody/revoke", scope=TokenScope.ADMIN), 404)


def test_openapi_documents_the_resources_and_the_bearer_scheme(shared_api: LiveApi) -> None:
    schema = shared_api.get("/openapi.json", scope=None).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    tags = {tag for ops in schema["paths"].values() for op in ops.values() for tag in op.get("tags", [])}
    assert {"workflows", "runs", "schedules", "events", "knowledge", "statistics", "tokens"} <= tags
    assert schema["paths"]["/runs"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/hooks/{workflow}"]["post"]
    assert shared_api.get("/docs", scope=None).status_code == 200


def test_unknown_routes_and_methods_are_problems_too(shared_api: LiveApi) -> None:
    assert_problem(shared_api.get("/no/such/thing", scope=None), 404)
    assert_problem(shared_api.request("PATCH", "/runs", scope=TokenScope.ADMIN), 405)
