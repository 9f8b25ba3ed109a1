"""The knowledge base over the API: search the shipped packs, upload a document (multipart) and find
it, a duplicate upload adds nothing, and unreadable uploads are problems. One server for the module:
the first request indexes the shipped packs, which takes a while."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mwo.settings import Settings
from mwo.store import TokenScope
from tests.integration.api.live_api import LiveApi, assert_problem, live_api

pytestmark = pytest.mark.slow

NOTE = (
    "# 사내 출장비 규정\n\n"
    "출장비 정산은 귀국 후 14일 이내에 zebracorn 양식으로 제출한다. "
    "숙박비 상한은 1박 20만원이며 영수증 원본을 첨부한다.\n"
)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    home = tmp_path_factory.mktemp("kb") / "mwo-home"
    with live_api(Settings(home=home, secret_key=None, _env_file=None)) as live:  # type: ignore[call-arg]
        yield live


def test_search_finds_pack_passages_of_the_detected_domain(api: LiveApi) -> None:
    response = api.get(
        "/knowledge/search", scope=TokenScope.READ, params={"q": "네이버 뉴스 검색 API 호출 방법", "k": 3}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "naver" in body["domains"] and "common" in body["domains"]
    assert 1 <= len(body["passages"]) <= 3
    assert body["passages"][0]["domain"] == "naver"
    assert {"text", "source", "score", "found_by"} <= set(body["passages"][0])


def test_an_uploaded_document_is_indexed_once_and_found(api: LiveApi) -> None:
    files = {"file": ("travel-policy.md", NOTE.encode(), "text/markdown")}
    added = api.post("/knowledge/documents", files=files, data={"domain": "policies"})
    assert added.status_code == 201, added.text
    document = added.json()["result"]["document"]
    assert added.json()["result"]["status"] == "added"
    assert document["domain"] == "policies" and document["chunks"] >= 1

    again = api.post("/knowledge/documents", files=files)
    assert again.status_code == 200 and again.json()["result"]["status"] == "duplicate"

    found = api.get(
        "/knowledge/search",
        params={"q": "zebracorn 출장비 정산", "domain": "policies", "k": 1, "mode": "keyword"},
    )
    assert found.status_code == 200, found.text
    assert found.json()["passages"][0]["doc_id"] == document["doc_id"]


@pytest.mark.parametrize(
    ("files", "data", "status"),
    [
        ({"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")}, {}, 422),
        ({"file": ("note.md", NOTE.encode(), "text/markdown")}, {"domain": "Not A Domain!"}, 422),
        ({}, {"domain": "x"}, 422),
    ],
    ids=["unsupported-type", "bad-domain", "no-file"],
)
def test_bad_uploads_are_problems(
    api: LiveApi, files: dict[str, object], data: dict[str, str], status: int
) -> None:
    response = api.post("/knowledge/documents", files=files or None, data=data)
    assert_problem(response, status)


def test_search_errors(api: LiveApi) -> None:
    assert_problem(api.get("/knowledge/search"), 422)
    assert_problem(api.get("/knowledge/search", params={"q": "x", "mode": "magic"}), 422)
    assert_problem(api.get("/knowledge/search", params={"q": "x", "k": 0}), 422)
    assert_problem(
        api.post("/knowledge/documents", scope=TokenScope.READ, files={"file": ("a.md", b"x")}), 403
    )
