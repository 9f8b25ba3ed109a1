"""Weather places beyond Seoul: the KMA's LCC grid conversion gives the grid points the kma pack
publishes, the place table reads Korean and romanised names, and a forecast request gets its
place's nx/ny, asks about a place the table lacks, and states Seoul when none is named."""

from __future__ import annotations

import re

import pytest
import yaml

from mwo.authoring.kma_grid import latlon_to_grid
from mwo.authoring.places import _CITIES, _DISTRICTS, find_place, unknown_place
from mwo.knowledge.packs import PACKS_DIR
from mwo.settings import Settings
from mwo.spec import parse_workflow
from mwo.store.abc import Store
from tests.unit.authoring.support import service

GRID_DOC = PACKS_DIR / "kma" / "grid.md"


def _pack_grid_table() -> list[tuple[str, int, int]]:
    """The "Common locations" table of the kma pack: (place, nx, ny)."""
    rows = re.findall(r"^\| ([^|]+?) \| (\d+) \| (\d+) \|$", GRID_DOC.read_text(encoding="utf-8"), re.M)
    return [(name, int(nx), int(ny)) for name, nx, ny in rows]


def test_the_pack_lists_the_grid_points_checked_here() -> None:
    names = {name for name, _, _ in _pack_grid_table()}
    assert {"서울 종로구", "부산", "제주시", "대전", "인천"} <= names and len(names) >= 10


def test_the_conversion_is_the_packs_formula() -> None:
    assert latlon_to_grid(37.5714, 126.9658) == (60, 127)  # the pack's own assert (서울 종로구)
    assert latlon_to_grid(38.0, 126.0) == (43, 136)  # the grid's origin


@pytest.mark.parametrize(("name", "nx", "ny"), _pack_grid_table())
def test_every_place_the_pack_lists_gets_the_packs_grid(name: str, nx: int, ny: int) -> None:
    place = find_place(f"{name} 날씨")

    assert place is not None, name
    assert place.grid == (nx, ny), name


@pytest.mark.parametrize(
    ("text", "ko", "grid"),
    [
        ("매일 아침 부산 날씨 알려줘", "부산", (98, 76)),
        ("제주 날씨를 슬랙으로", "제주시", (53, 38)),
        ("대전 유성구 날씨 예보 보내줘", "대전 유성구", (67, 101)),
        ("Send me the Incheon weather every morning", "인천", (55, 124)),
        ("weather forecast for Daejeon Yuseong-gu at 7", "대전 유성구", (67, 101)),
        ("Busan forecast on weekdays", "부산", (98, 76)),
        ("해운대 날씨", "부산 해운대구", (99, 75)),
        ("강남역 근처 날씨", "서울 강남구", (61, 126)),
        ("서울에 사는데 주말마다 부산 날씨 알려줘", "부산", (98, 76)),
        ("부산 중구 날씨", "부산 중구", (97, 74)),
        ("서울특별시의 기온", "서울", (60, 127)),
        ("유성구청 근처 날씨", "대전 유성구", (67, 101)),
        ("제주공항 날씨", "제주시", (53, 38)),
    ],
)
def test_places_are_read_in_korean_and_romanised_english(text: str, ko: str, grid: tuple[int, int]) -> None:
    place = find_place(text)

    assert place is not None and (place.ko, place.grid) == (ko, grid)


@pytest.mark.parametrize(
    "text", ["매일 아침 날씨 알려줘", "고양이 사진 보내줘", "경기 결과 알려줘", "중구 날씨"]
)
def test_no_place_is_made_up(text: str) -> None:
    assert find_place(text) is None


def test_a_place_like_name_the_table_lacks_is_reported_and_time_words_are_not() -> None:
    assert unknown_place("양평군 날씨 매일 알려줘") == "양평군"
    assert unknown_place("weather in Paris every morning") == "Paris"
    assert unknown_place("중구 날씨") == "중구"  # which city's? asked
    assert unknown_place("내일도 날씨 알려줘") is None
    assert unknown_place("weather in Tomorrow") is None


def test_the_table_covers_every_province_and_many_cities_each_inside_the_grid() -> None:
    assert len(_CITIES) + len(_DISTRICTS) >= 17 + 60
    for ko, en, lat, lon, *_ in _CITIES:
        first_ko, first_en = ko.split("|")[0], en.split("|")[0]
        assert find_place(f"{first_ko} 날씨") == find_place(f"{first_en} weather"), first_ko
        nx, ny = latlon_to_grid(lat, lon)
        assert 1 <= nx <= 149 and 1 <= ny <= 253, first_ko  # the KMA grid is 149 x 253 cells
    for city, gu, _, gu_en, *_ in _DISTRICTS:
        assert find_place(f"{city} {gu} 날씨") is not None, (city, gu)
        assert find_place(f"{city} {gu} 날씨") == find_place(f"{gu_en}, {_english(city)}"), gu_en


def _english(city_ko: str) -> str:
    return next(en.split("|")[0] for ko, en, *_ in _CITIES if ko.split("|")[0] == city_ko)


def _forecast_params(spec_yaml: str) -> dict[str, object]:
    workflow = parse_workflow(spec_yaml)
    step = workflow.steps[0].model_dump(by_alias=True)
    return dict(step["request"]["params"])


def test_a_busan_forecast_request_gets_the_busan_grid_and_says_so(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("평일 아침 7시에 부산 날씨를 슬랙으로 보내줘")

    assert result.status == "ready", result.explanation
    assert result.spec is not None
    params = _forecast_params(result.spec)
    assert (params["nx"], params["ny"]) == (98, 76)
    assert any("부산" in a and "nx=98" in a for a in result.assumptions)


def test_an_english_request_for_incheon_gets_the_incheon_grid(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("Every morning at 7 send me the Incheon weather forecast on Slack")

    assert result.status == "ready", result.explanation
    assert result.spec is not None
    assert (_forecast_params(result.spec)["nx"], _forecast_params(result.spec)["ny"]) == (55, 124)


def test_no_place_named_is_seoul_stated_as_an_assumption(settings: Settings, store: Store) -> None:
    svc, _ = service(settings, store)

    result = svc.create("매일 아침 7시에 날씨를 슬랙으로 보내줘")

    assert result.status == "ready", result.explanation
    assert result.spec is not None
    params = _forecast_params(result.spec)
    assert (params["nx"], params["ny"]) == (60, 127)
    assert any("서울" in a and "60,127" in a for a in result.assumptions)


def test_a_place_the_table_lacks_is_asked_and_the_answer_gives_its_grid(
    settings: Settings, store: Store
) -> None:
    svc, _ = service(settings, store)

    asked = svc.create("매일 아침 7시에 양평군 날씨를 슬랙으로 보내줘")

    assert asked.status == "needs_clarification"
    assert [q.slot for q in asked.questions] == ["place"]
    assert "양평군" in asked.questions[0].question
    answered = svc.create("", answers={"place": "대전 유성구"}, session_id=asked.session)
    assert answered.status == "ready", answered.explanation
    assert answered.spec is not None
    params = _forecast_params(answered.spec)
    assert (params["nx"], params["ny"]) == (67, 101)
    assert yaml.safe_load(answered.spec)["steps"][0]["description"].endswith("(대전 유성구 격자 67,101)")
