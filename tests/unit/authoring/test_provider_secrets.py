"""One name per secret everywhere: what authoring writes, what the bank's examples use and what the
knowledge packs teach (Kakao Local: KAKAO_REST_API_KEY, the key alone behind `KakaoAK `; Papago:
NCP_CLIENT_ID / NCP_CLIENT_SECRET of the NAVER Cloud Platform application)."""

from __future__ import annotations

import re

from mwo.authoring import providers
from mwo.authoring.examples import load_shipped_examples
from mwo.knowledge.packs import PACKS_DIR
from mwo.settings import Settings
from mwo.spec import parse_workflow
from mwo.store.abc import Store
from tests.unit.authoring.support import service

_SECRET = re.compile(r"secrets\.([A-Z][A-Z0-9_]*)")
PROVIDER_SECRETS = {
    *providers.NAVER_SECRETS,
    providers.KMA_SECRET,
    providers.KAKAO_REST_SECRET,
    *providers.PAPAGO_SECRETS,
    *providers.CHANNEL_SECRETS.values(),
}
REFRESH_ONLY = {"KAKAO_REFRESH_TOKEN"}
"""Named by the kakao pack's token refresh step, which authoring does not write."""


def test_the_names_are_the_ones_the_issue_and_packs_give() -> None:
    assert providers.KAKAO_REST_SECRET == "KAKAO_REST_API_KEY"
    assert providers.PAPAGO_SECRETS == ("NCP_CLIENT_ID", "NCP_CLIENT_SECRET")


def test_every_secret_a_pack_teaches_is_one_authoring_writes() -> None:
    taught = {
        name
        for domain in ("naver", "kma", "kakao", "common")
        for doc in (PACKS_DIR / domain).glob("*.md")
        for name in _SECRET.findall(doc.read_text(encoding="utf-8"))
    }

    assert taught - REFRESH_ONLY <= PROVIDER_SECRETS
    assert {"KAKAO_REST_API_KEY", "NCP_CLIENT_ID", "NCP_CLIENT_SECRET"} <= taught
    local = (PACKS_DIR / "kakao" / "local-search.md").read_text(encoding="utf-8")
    assert 'Authorization: "KakaoAK {{ secrets.KAKAO_REST_API_KEY }}"' in local


def test_the_banks_provider_calls_use_the_same_names() -> None:
    used = set()
    for example in load_shipped_examples():
        for step in example.workflow.steps:
            if step.type.value == "API_CALL":
                used |= set(_SECRET.findall(str(step.model_dump(by_alias=True))))
    assert used <= PROVIDER_SECRETS
    assert "KAKAO_REST_API_KEY" in used


def test_a_kakao_local_request_lists_the_rest_api_key(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("매일 정오에 카카오 로컬로 홍대 카페 5곳 찾아서 카톡으로 보내줘")

    assert result.status == "ready", result.explanation
    assert set(result.missing_secrets) == {"KAKAO_REST_API_KEY", "KAKAO_ACCESS_TOKEN"}
    assert result.spec is not None
    places = parse_workflow(result.spec).steps[0].model_dump(by_alias=True)
    assert places["request"]["headers"] == {"Authorization": "KakaoAK {{ secrets.KAKAO_REST_API_KEY }}"}


def test_a_papago_request_lists_the_ncp_application_keys(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("입력한 글을 파파고로 영어로 번역해서 받은편지함에 넣어줘")

    assert result.status == "ready", result.explanation
    assert set(result.missing_secrets) == {"NCP_CLIENT_ID", "NCP_CLIENT_SECRET"}
    assert result.spec is not None
    translate = next(s for s in parse_workflow(result.spec).steps if s.type.value == "API_CALL")
    assert translate.model_dump(by_alias=True)["request"]["headers"] == {
        "X-NCP-APIGW-API-KEY-ID": "{{ secrets.NCP_CLIENT_ID }}",
        "X-NCP-APIGW-API-KEY": "{{ secrets.NCP_CLIENT_SECRET }}",
    }
