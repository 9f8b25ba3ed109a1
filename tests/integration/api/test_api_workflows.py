"""Workflows over the API: save specs as YAML or JSON (invalid ones answer 422 with every finding and
save nothing), read, list with filters, enable/disable, folders, tags, versions, diff, rollback, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

BODY_LIMIT = 4096


def spec(name: str = "digest", body: str = "hello", description: str = "daily digest") -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "steps": [{"id": "tell", "type": "NOTIFICATION", "channel": "inbox", "subject": "s", "body": body}],
    }


@pytest.fixture
def api(settings: Settings) -> Iterator[LiveApi]:
    with live_api(settings, max_body_bytes=BODY_LIMIT) as live:
        yield live


def put_yaml(api: LiveApi, data: dict[str, Any], **params: str) -> Any:
    return api.post(
        "/workflows",
        content=yaml.safe_dump(data, allow_unicode=True),
        headers={"Content-Type": "application/yaml"},
        params=params,
    )


def test_a_yaml_spec_is_saved_as_version_one_and_again_unchanged(api: LiveApi) -> None:
    first = put_yaml(api, spec(), message="first")
    assert first.status_code == 201, first.text
    assert (first.json()["name"], first.json()["version"], first.json()["created"]) == ("digest", 1, True)
    assert first.json()["workflow"]["latest_version"] == 1

    same = put_yaml(api, spec())
    assert same.status_code == 200 and same.json()["created"] is False and same.json()["version"] == 1

    changed = api.post("/workflows", json=spec(body="bye"))  # JSON is the same document
    assert changed.status_code == 201 and changed.json()["version"] == 2
    assert [v.message for v in api.services.store.list_versions("digest")] == ["first", ""]


def test_get_shows_the_latest_spec_and_metadata(api: LiveApi) -> None:
    put_yaml(api, spec())
    api.post("/workflows", json=spec(body="v2"))

    detail = api.get("/workflows/digest", scope=TokenScope.READ)

    assert detail.status_code == 200
    body = detail.json()
    assert body["version"] == 2 and body["workflow"]["name"] == "digest"
    assert body["spec"]["steps"][0]["body"] == "v2"
    assert yaml.safe_load(body["spec_yaml"])["steps"][0]["body"] == "v2"


def test_an_invalid_spec_lists_every_finding_and_saves_nothing(api: LiveApi) -> None:
    broken = {
        "name": "broken",
        "steps": [
            {"id": "a", "type": "NOTIFICATION", "channel": "inbox", "body": "{{ steps.nowhere.output }}"},
            {"id": "b", "type": "NOPE"},
        ],
    }
    problem = assert_problem(api.post("/workflows", json=broken), 422)

    assert problem["code"] == "spec_invalid"
    assert problem["findings"] and all(
        {"step", "field", "fix", "message"} <= set(f) for f in problem["findings"]
    )
    assert any(f["step"] == "b" for f in problem["findings"])
    assert api.services.store.list_workflows() == []


def test_a_spec_with_two_problems_reports_both(api: LiveApi) -> None:
    data = spec(body="{{ inputs.nope }}")
    data["steps"].append({**data["steps"][0], "id": "again", "body": "{{ steps.nowhere.output }}"})
    problem = assert_problem(put_yaml(api, data), 422)
    found = {(f["code"], f["step"]) for f in problem["findings"]}
    assert {("spec.unknown_input", "tell"), ("spec.bad_reference", "again")} <= found, problem
    assert all(f["fix"] for f in problem["findings"])
    assert "2 problems" in problem["detail"]
    assert api.services.store.list_workflows() == []


def test_a_secret_not_set_yet_does_not_stop_a_save(api: LiveApi) -> None:
    response = put_yaml(api, spec(body="{{ secrets.NOT_SET }}"))
    assert response.status_code in (200, 201), response.text
    assert [w.name for w in api.services.store.list_workflows()] == ["digest"]


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"name: [unclosed", "application/yaml", 422),
        (b"- just\n- a list\n", "text/yaml", 422),
        (b'{"name": ', "application/json", 422),
        (b"[1, 2]", "application/json", 422),
        (b"\xff\xfe", "application/yaml", 400),
        (b"<xml/>", "application/xml", 415),
    ],
)
def test_unreadable_bodies_are_problems(api: LiveApi, content: bytes, content_type: str, status: int) -> None:
    assert_problem(api.post("/workflows", content=content, headers={"Content-Type": content_type}), status)
    assert api.services.store.list_workflows() == []


def test_a_body_over_the_limit_is_413(api: LiveApi) -> None:
    too_big = spec(description="x" * BODY_LIMIT)
    assert_problem(api.post("/workflows", json=too_big), 413)


def test_list_filters_by_folder_tag_and_search(api: LiveApi) -> None:
    for name, description in [("news", "economy news"), ("weather", "rain alert"), ("report", "weekly")]:
        api.post("/workflows", json=spec(name, description=description))
    moved = api.request("PUT", "/workflows/news/folder", json={"folder": "team/daily"})
    assert moved.status_code == 200 and moved.json()["folder"] == "team/daily"
    tagged = api.post("/workflows/weather/tags", json={"add": ["alerts", "kma"]})
    assert sorted(tagged.json()["tags"]) == ["alerts", "kma"]

    def names(**params: str) -> list[str]:
        response = api.get("/workflows", scope=TokenScope.READ, params=params)
        assert response.status_code == 200
        return [w["name"] for w in response.json()["workflows"]]

    assert names() == ["news", "report", "weather"]
    assert names(folder="team/daily") == ["news"]
    assert names(tag="kma") == ["weather"]
    assert names(search="RAIN") == ["weather"]
    assert [f["path"] for f in api.get("/folders").json()["folders"]] == ["team", "team/daily"]

    untagged = api.post("/workflows/weather/tags", json={"remove": ["kma"]})
    assert untagged.json()["tags"] == ["alerts"]
    out = api.request("PUT", "/workflows/news/folder", json={"folder": None})
    assert out.json()["folder"] is None


def test_enable_and_disable(api: LiveApi) -> None:
    api.post("/workflows", json=spec())
    assert api.post("/workflows/digest/disable").json()["enabled"] is False
    assert api.services.store.get_workflow("digest").enabled is False
    assert api.post("/workflows/digest/enable").json()["enabled"] is True


def test_versions_diff_and_rollback(api: LiveApi) -> None:
    api.post("/workflows", json=spec(body="one"))
    api.post("/workflows", json=spec(body="two"))

    versions = api.get("/workflows/digest/versions", scope=TokenScope.READ).json()
    assert [v["number"] for v in versions["versions"]] == [1, 2]
    first = api.get("/workflows/digest/versions/1").json()
    assert first["spec"]["steps"][0]["body"] == "one" and first["number"] == 1

    diff = api.get("/workflows/digest/diff", params={"from": 1}).json()
    assert diff["changed"] is True and (diff["from_version"], diff["to_version"]) == (1, 2)
    lines = diff["diff"].splitlines()
    assert any(line.startswith("-") and "body: one" in line for line in lines)
    assert any(line.startswith("+") and "body: two" in line for line in lines)
    assert [c["step"] for c in diff["steps"]] == ["tell"]

    rolled = api.post("/workflows/digest/rollback", json={"version": 1, "message": "back"})
    assert rolled.status_code == 201 and rolled.json()["version"] == 3
    assert api.get("/workflows/digest").json()["spec"]["steps"][0]["body"] == "one"
    again = api.post("/workflows/digest/rollback", json={"version": 1})
    assert again.status_code == 200 and again.json()["created"] is False


def test_delete_removes_the_workflow(api: LiveApi) -> None:
    api.post("/workflows", json=spec())
    deleted = api.request("DELETE", "/workflows/digest")
    assert deleted.status_code == 204
    assert_problem(api.get("/workflows/digest"), 404)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/workflows/nope", None),
        ("DELETE", "/workflows/nope", None),
        ("POST", "/workflows/nope/enable", None),
        ("PUT", "/workflows/nope/folder", {"folder": "x"}),
        ("POST", "/workflows/nope/tags", {"add": ["x"]}),
        ("GET", "/workflows/nope/versions", None),
        ("GET", "/workflows/digest/versions/9", None),
        ("GET", "/workflows/digest/diff?from=9", None),
        ("POST", "/workflows/digest/rollback", {"version": 9}),
    ],
)
def test_unknown_workflows_and_versions_are_404(
    api: LiveApi, method: str, path: str, body: dict[str, Any] | None
) -> None:
    api.post("/workflows", json=spec())
    problem = assert_problem(api.request(method, path, json=body), 404)
    assert problem["code"] == "not_found" and problem["fix"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/workflows/digest/folder", {"folder": "a//b"}),
        ("POST", "/workflows/digest/tags", {"add": ["  "]}),
        ("POST", "/workflows/digest/tags", {"add": ["x"], "remove": ["x"]}),
        ("POST", "/workflows/digest/tags", {"add": "not-a-list"}),
        ("GET", "/workflows/digest/diff", None),
        ("POST", "/workflows/digest/rollback", {"version": 0}),
        ("GET", "/workflows/digest/versions/first", None),
        ("GET", "/workflows/digest/versions/99999999999999999999", None),  # no database overflow
        ("GET", "/workflows/digest/diff?from=1&to=99999999999999999999", None),
        ("POST", "/workflows/digest/rollback", {"version": 99999999999999999999}),
    ],
)
def test_bad_values_are_422(api: LiveApi, method: str, path: str, body: dict[str, Any] | None) -> None:
    api.post("/workflows", json=spec())
    response = api.request(method, path, json=body)
    assert_problem(response, 422)
