"""Hostile requests through a real server: every body kind has its own limit (413 from
`Content-Length` and from a chunked stream alike), the token is checked before the body (401),
other content types are 415, invalid UTF-8 is a documented 400, JSON nested past the limit is 422,
alias bombs and deep specs are 422, and 405 keeps `Allow`. Nothing of a refused body is stored and
the server answers everyone normally afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

LIMIT = 4096
DEPTH = 8
INPUTS_WORKFLOW = {
    "name": "takes-data",
    "inputs": {"data": {"type": "object", "default": {}}},
    "steps": [{"id": "echo", "type": "DATA_TRANSFORM", "source": "inputs.data"}],
}

OTHER_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
# (path, a valid-looking JSON body) for each kind of JSON body the guard bounds.
JSON_BODIES = [
    ("/workflows/takes-data/runs", {"inputs": {}}),
    ("/events/anything", {"k": "v"}),
    ("/runs/nope/approve", {"comment": "ok"}),
    ("/runs/nope/repair/reject", {"comment": "no"}),
    ("/authoring/sessions", {"request": "mail me the weather"}),
    ("/tokens", {"name": "t", "scope": "read"}),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    home = tmp_path_factory.mktemp("hostile") / "mwo-home"
    limits = {
        f"api_max_{kind}_bytes": LIMIT
        for kind in ("spec", "inputs", "event", "decision", "authoring", "document", "body")
    }
    settings = Settings(  # type: ignore[call-arg]
        home=home, secret_key=None, _env_file=None, api_max_json_depth=DEPTH, **limits
    )
    with live_api(settings) as live:
        live.apply(INPUTS_WORKFLOW)
        yield live


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize(("path", "_body"), [*JSON_BODIES, ("/workflows", {})])
def test_a_body_over_its_limit_is_413_declared_or_streamed(api: LiveApi, path: str, _body: object) -> None:
    too_big = json.dumps({"padding": "x" * (LIMIT + 10)}).encode()
    headers = {"Content-Type": "application/json"}
    problem = assert_problem(api.post(path, content=too_big, headers=headers, scope=TokenScope.ADMIN), 413)
    assert problem["code"] == "too_large" and str(LIMIT) in problem["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for start in range(0, len(too_big), 1000):
            yield too_big[start : start + 1000]

    assert_problem(api.post(path, content=chunks(), headers=headers, scope=TokenScope.ADMIN), 413)


def test_a_document_upload_over_its_limit_is_413(api: LiveApi) -> None:
    files = {"file": ("big.txt", b"x" * (LIMIT * 2), "text/plain")}
    assert_problem(api.post("/knowledge/documents", files=files, scope=TokenScope.ADMIN), 413)


@pytest.mark.parametrize(("path", "_body"), [*JSON_BODIES, ("/workflows", {})])
def test_without_a_token_a_bad_body_is_401_not_422(api: LiveApi, path: str, _body: object) -> None:
    for content in (b'{"broken', b"\xff\xfe", json.dumps(nested(100)).encode()):
        response = api.post(path, content=content, headers={"Content-Type": "application/json"}, scope=None)
        problem = assert_problem(response, 401)
        assert problem["code"] == "unauthorized" and response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("path", "body"), JSON_BODIES)
@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_a_json_endpoint_refuses_other_content_types_with_415(
    api: LiveApi, path: str, body: object, content_type: str
) -> None:
    headers = {"Content-Type": content_type}
    response = api.post(path, content=json.dumps(body), headers=headers, scope=TokenScope.ADMIN)
    assert assert_problem(response, 415)["code"] == "unsupported_media_type"


@pytest.mark.parametrize(("path", "_body"), [*JSON_BODIES, ("/workflows", {})])
def test_invalid_utf8_is_a_documented_400(api: LiveApi, path: str, _body: object) -> None:
    headers = {"Content-Type": "application/json"}
    response = api.post(path, content=b'{"k": "\xff\xfe"}', headers=headers, scope=TokenScope.ADMIN)
    assert assert_problem(response, 400)["code"] == "invalid_utf8"


def test_a_yaml_spec_in_invalid_utf8_is_400(api: LiveApi) -> None:
    response = api.post("/workflows", content=b"name: \xff", headers={"Content-Type": "application/yaml"})
    assert assert_problem(response, 400)["code"] == "invalid_utf8"


@pytest.mark.parametrize(("path", "body"), JSON_BODIES)
def test_json_nested_past_the_limit_is_422(api: LiveApi, path: str, body: dict[str, Any]) -> None:
    deep = {**body, "extra": nested(DEPTH + 1)}
    response = api.post(path, json=deep, scope=TokenScope.ADMIN)
    assert assert_problem(response, 422)["code"] == "too_deep"


def test_deep_run_inputs_are_refused_and_runs_stay_readable(api: LiveApi) -> None:
    before = api.get("/runs").json()["runs"]
    response = api.post("/workflows/takes-data/runs", json={"inputs": {"data": nested(300)}})
    assert_problem(response, 422)
    assert api.get("/runs").json()["runs"] == before  # nothing stored; every later read answers
    assert api.get("/runs").status_code == 200
    assert api.get("/approvals").status_code == 200


def test_an_alias_bomb_spec_is_422_at_once(api: LiveApi) -> None:
    lines = ["name: bomb", "steps: []", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    body = "\n".join(lines) + "\n"
    assert len(body) < 600
    response = api.post("/workflows", content=body, headers={"Content-Type": "application/yaml"})
    problem = assert_problem(response, 422)
    assert [f["code"] for f in problem["findings"]] == ["too_large"]
    assert len(response.content) < 2000


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("name: deep\nsteps: []\nx: " + "[" * 500 + "]" * 500, "application/yaml"),
        (json.dumps({"name": "deep", "steps": [], "x": nested(200)}), "application/json"),
    ],
)
def test_a_deep_spec_is_422_not_500(api: LiveApi, content: str, content_type: str) -> None:
    response = api.post("/workflows", content=content, headers={"Content-Type": content_type})
    assert_problem(response, 422)


def test_405_keeps_its_allow_header(api: LiveApi) -> None:
    response = api.request("PATCH", "/runs", scope=TokenScope.ADMIN)
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


def test_within_the_limits_everything_still_works(api: LiveApi) -> None:
    response = api.post("/workflows/takes-data/runs", json={"inputs": {"data": nested(DEPTH - 3)}})
    assert response.status_code == 202, response.text
