"""Korean places a request may name for the weather ("부산 날씨", "대전 유성구", "Incheon"): a fixed
table of the 17 metropolitan cities/provinces (a province stands for its seat) and the common cities
and districts, in Korean and romanised English, each with the latitude/longitude its KMA grid cell is
computed from (`kma_grid`).

The table is data, not a lookup service: authoring must work offline and give the same grid for the
same words every time. Coordinates are those of the city hall or district office (for the seven
metropolitan cities and Sejong, the representative points of the KMA's grid spreadsheet, which give
the grid the kma pack lists). A district whose name repeats across cities (중구, 서구, 강서구 ...)
is found only with its city ("부산 중구"); a bare name is matched only where it is one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from mwo.authoring.kma_grid import latlon_to_grid


@dataclass(frozen=True)
class Place:
    """One place of the table: its names for people and where it is."""

    ko: str
    en: str
    lat: float
    lon: float

    @property
    def grid(self) -> tuple[int, int]:
        """The KMA forecast grid cell (nx, ny)."""
        return latlon_to_grid(self.lat, self.lon)


# Cities and provinces: Korean names | English names, lat, lon, (label ko, label en) when a
# province stands for its seat.
_CITIES: Final[tuple[tuple[str, str, float, float, str, str], ...]] = (
    ("서울|서울시|서울특별시", "Seoul", 37.5635694, 126.9800083, "서울", "Seoul"),
    ("부산|부산시|부산광역시", "Busan|Pusan", 35.1770194, 129.0769528, "부산", "Busan"),
    ("대구|대구시|대구광역시", "Daegu", 35.8685417, 128.6035528, "대구", "Daegu"),
    ("인천|인천시|인천광역시", "Incheon", 37.4532333, 126.7073528, "인천", "Incheon"),
    ("광주|광주시|광주광역시", "Gwangju", 35.156975, 126.8533639, "광주", "Gwangju"),
    ("대전|대전시|대전광역시", "Daejeon", 36.3471194, 127.3865667, "대전", "Daejeon"),
    ("울산|울산시|울산광역시", "Ulsan", 35.5354083, 129.3136889, "울산", "Ulsan"),
    ("세종|세종시|세종특별자치시", "Sejong", 36.4800121, 127.289069, "세종", "Sejong"),
    ("경기도", "Gyeonggi-do|Gyeonggi", 37.3003, 127.0101, "경기도(수원)", "Gyeonggi-do (Suwon)"),
    ("강원도|강원특별자치도", "Gangwon-do|Gangwon", 37.8813, 127.7298, "강원도(춘천)", "Gangwon (Chuncheon)"),
    ("충청북도|충북", "Chungcheongbuk-do|Chungbuk", 36.6424, 127.4890, "충북(청주)", "Chungbuk (Cheongju)"),
    ("충청남도|충남", "Chungcheongnam-do|Chungnam", 36.6588, 126.6728, "충남(홍성)", "Chungnam (Hongseong)"),
    (
        "전라북도|전북|전북특별자치도",
        "Jeollabuk-do|Jeonbuk",
        35.8242,
        127.1480,
        "전북(전주)",
        "Jeonbuk (Jeonju)",
    ),
    ("전라남도|전남", "Jeollanam-do|Jeonnam", 34.8161, 126.4629, "전라남도(무안)", "Jeonnam (Muan)"),
    ("경상북도|경북", "Gyeongsangbuk-do|Gyeongbuk", 36.5760, 128.5056, "경북(안동)", "Gyeongbuk (Andong)"),
    ("경상남도|경남", "Gyeongsangnam-do|Gyeongnam", 35.2279, 128.6811, "경남(창원)", "Gyeongnam (Changwon)"),
    (
        "제주|제주시|제주도|제주특별자치도",
        "Jeju|Jeju-si|Jeju City|Jeju-do",
        33.4996,
        126.5312,
        "제주시",
        "Jeju",
    ),
    # cities
    ("수원|수원시", "Suwon", 37.3003, 127.0101, "수원", "Suwon"),
    ("성남|성남시", "Seongnam", 37.4200, 127.1267, "성남", "Seongnam"),
    ("분당|분당구", "Bundang", 37.3827, 127.1189, "성남 분당구", "Bundang"),
    ("고양시|일산", "Goyang|Ilsan", 37.6584, 126.8320, "고양", "Goyang"),
    ("용인|용인시", "Yongin", 37.2411, 127.1776, "용인", "Yongin"),
    ("부천|부천시", "Bucheon", 37.5034, 126.7660, "부천", "Bucheon"),
    ("안산|안산시", "Ansan", 37.3219, 126.8309, "안산", "Ansan"),
    ("안양|안양시", "Anyang", 37.3943, 126.9568, "안양", "Anyang"),
    ("남양주|남양주시", "Namyangju", 37.6360, 127.2165, "남양주", "Namyangju"),
    ("화성시", "Hwaseong", 37.1995, 126.8313, "화성", "Hwaseong"),
    ("평택|평택시", "Pyeongtaek", 36.9921, 127.1129, "평택", "Pyeongtaek"),
    ("의정부|의정부시", "Uijeongbu", 37.7381, 127.0338, "의정부", "Uijeongbu"),
    ("파주|파주시", "Paju", 37.7599, 126.7800, "파주", "Paju"),
    ("김포|김포시", "Gimpo", 37.6152, 126.7156, "김포", "Gimpo"),
    ("광명|광명시", "Gwangmyeong", 37.4786, 126.8646, "광명", "Gwangmyeong"),
    ("하남|하남시", "Hanam", 37.5393, 127.2148, "하남", "Hanam"),
    ("이천시", "Icheon", 37.2720, 127.4350, "이천", "Icheon"),
    ("춘천|춘천시", "Chuncheon", 37.8813, 127.7298, "춘천", "Chuncheon"),
    ("원주|원주시", "Wonju", 37.3422, 127.9202, "원주", "Wonju"),
    ("강릉|강릉시", "Gangneung", 37.7519, 128.8761, "강릉", "Gangneung"),
    ("속초|속초시", "Sokcho", 38.2070, 128.5918, "속초", "Sokcho"),
    ("청주|청주시", "Cheongju", 36.6424, 127.4890, "청주", "Cheongju"),
    ("충주|충주시", "Chungju", 36.9910, 127.9259, "충주", "Chungju"),
    ("천안|천안시", "Cheonan", 36.8151, 127.1139, "천안", "Cheonan"),
    ("아산|아산시", "Asan", 36.7898, 127.0019, "아산", "Asan"),
    ("홍성|홍성군", "Hongseong", 36.6588, 126.6728, "홍성", "Hongseong"),
    ("전주|전주시", "Jeonju", 35.8242, 127.1480, "전주", "Jeonju"),
    ("군산|군산시", "Gunsan", 35.9676, 126.7366, "군산", "Gunsan"),
    ("익산|익산시", "Iksan", 35.9483, 126.9576, "익산", "Iksan"),
    ("목포|목포시", "Mokpo", 34.8118, 126.3922, "목포", "Mokpo"),
    ("여수|여수시", "Yeosu", 34.7604, 127.6622, "여수", "Yeosu"),
    ("순천|순천시", "Suncheon", 34.9507, 127.4872, "순천", "Suncheon"),
    ("무안|무안군", "Muan", 34.8161, 126.4629, "무안", "Muan"),
    ("포항|포항시", "Pohang", 36.0190, 129.3435, "포항", "Pohang"),
    ("경주|경주시", "Gyeongju", 35.8562, 129.2247, "경주", "Gyeongju"),
    ("구미|구미시", "Gumi", 36.1195, 128.3446, "구미", "Gumi"),
    ("안동|안동시", "Andong", 36.5684, 128.7294, "안동", "Andong"),
    ("창원|창원시", "Changwon", 35.2279, 128.6811, "창원", "Changwon"),
    ("김해|김해시", "Gimhae", 35.2285, 128.8894, "김해", "Gimhae"),
    ("진주|진주시", "Jinju", 35.1800, 128.1076, "진주", "Jinju"),
    ("양산|양산시", "Yangsan", 35.3350, 129.0373, "양산", "Yangsan"),
    ("거제|거제시", "Geoje", 34.8806, 128.6211, "거제", "Geoje"),
    ("통영|통영시", "Tongyeong", 34.8544, 128.4332, "통영", "Tongyeong"),
    ("서귀포|서귀포시", "Seogwipo", 33.2541, 126.5600, "서귀포", "Seogwipo"),
)

# Districts: city (first Korean/English name of _CITIES), district, short Korean name ("" when the
# short form is a common word), English district, lat, lon, unique (the name is one place only).
_DISTRICTS: Final[tuple[tuple[str, str, str, str, float, float, bool], ...]] = (
    ("서울", "종로구", "종로", "Jongno-gu", 37.5735, 126.9790, True),
    ("서울", "중구", "", "Jung-gu", 37.5641, 126.9979, False),
    ("서울", "용산구", "용산", "Yongsan-gu", 37.5324, 126.9900, True),
    ("서울", "성동구", "", "Seongdong-gu", 37.5634, 127.0369, True),
    ("서울", "광진구", "", "Gwangjin-gu", 37.5385, 127.0823, True),
    ("서울", "동대문구", "", "Dongdaemun-gu", 37.5744, 127.0400, True),
    ("서울", "중랑구", "", "Jungnang-gu", 37.6063, 127.0925, True),
    ("서울", "성북구", "", "Seongbuk-gu", 37.5894, 127.0167, True),
    ("서울", "강북구", "", "Gangbuk-gu", 37.6397, 127.0255, True),
    ("서울", "도봉구", "", "Dobong-gu", 37.6688, 127.0471, True),
    ("서울", "노원구", "", "Nowon-gu", 37.6542, 127.0568, True),
    ("서울", "은평구", "", "Eunpyeong-gu", 37.6027, 126.9291, True),
    ("서울", "서대문구", "", "Seodaemun-gu", 37.5791, 126.9368, True),
    ("서울", "마포구", "마포", "Mapo-gu", 37.5663, 126.9019, True),
    ("서울", "양천구", "", "Yangcheon-gu", 37.5170, 126.8665, True),
    ("서울", "강서구", "", "Gangseo-gu", 37.5509, 126.8495, False),
    ("서울", "구로구", "", "Guro-gu", 37.4955, 126.8875, True),
    ("서울", "금천구", "", "Geumcheon-gu", 37.4569, 126.8956, True),
    ("서울", "영등포구", "영등포", "Yeongdeungpo-gu", 37.5264, 126.8962, True),
    ("서울", "동작구", "", "Dongjak-gu", 37.5124, 126.9393, True),
    ("서울", "관악구", "", "Gwanak-gu", 37.4784, 126.9516, True),
    ("서울", "서초구", "서초", "Seocho-gu", 37.4837, 127.0324, True),
    ("서울", "강남구", "강남", "Gangnam-gu", 37.5172, 127.0473, True),
    ("서울", "송파구", "송파", "Songpa-gu", 37.5145, 127.1059, True),
    ("서울", "강동구", "", "Gangdong-gu", 37.5301, 127.1238, True),
    ("부산", "해운대구", "해운대", "Haeundae-gu", 35.1631, 129.1635, True),
    ("부산", "부산진구", "", "Busanjin-gu", 35.1629, 129.0532, True),
    ("부산", "수영구", "", "Suyeong-gu", 35.1455, 129.1132, True),
    ("부산", "사하구", "", "Saha-gu", 35.1046, 128.9749, True),
    ("부산", "동래구", "동래", "Dongnae-gu", 35.2049, 129.0837, True),
    ("부산", "금정구", "", "Geumjeong-gu", 35.2429, 129.0922, True),
    ("부산", "기장군", "기장", "Gijang-gun", 35.2445, 129.2222, True),
    ("부산", "중구", "", "Jung-gu", 35.1063, 129.0323, False),
    ("부산", "강서구", "", "Gangseo-gu", 35.2122, 128.9805, False),
    ("대구", "수성구", "", "Suseong-gu", 35.8582, 128.6306, True),
    ("대구", "달서구", "", "Dalseo-gu", 35.8298, 128.5327, True),
    ("대구", "중구", "", "Jung-gu", 35.8694, 128.6062, False),
    ("인천", "연수구", "송도", "Yeonsu-gu", 37.4101, 126.6783, True),
    ("인천", "남동구", "", "Namdong-gu", 37.4470, 126.7314, True),
    ("인천", "부평구", "부평", "Bupyeong-gu", 37.5070, 126.7219, True),
    ("인천", "미추홀구", "", "Michuhol-gu", 37.4635, 126.6503, True),
    ("인천", "강화군", "강화", "Ganghwa-gun", 37.7467, 126.4880, True),
    ("인천", "중구", "", "Jung-gu", 37.4738, 126.6216, False),
    ("광주", "광산구", "", "Gwangsan-gu", 35.1396, 126.7937, True),
    ("대전", "유성구", "유성", "Yuseong-gu", 36.3624, 127.3563, True),
    ("대전", "대덕구", "", "Daedeok-gu", 36.3467, 127.4156, True),
    ("대전", "서구", "", "Seo-gu", 36.3554, 127.3838, False),
    ("대전", "중구", "", "Jung-gu", 36.3255, 127.4212, False),
    ("울산", "남구", "", "Nam-gu", 35.5439, 129.3300, False),
)

_FOLLOWERS: Final = re.compile(
    r"(?:의|에서|에|은|는|이랑|이|가|도|쪽|지역|날씨|기온|예보|근처|부근|일대|으로|로|까지|과|와|랑|만|시내|역|청|항|공항)"
)
_HANGUL: Final = re.compile(r"[\uac00-\ud7a3]")
_WEATHER_AFTER: Final = re.compile(r"\s*(?:의\s*)?(?:날씨|일기\s*예보|예보|기온|강수|weather|forecast)", re.I)
_WEATHER_BEFORE: Final = re.compile(r"(?:weather|forecast)\s+(?:in|for|at|of)\s+$", re.I)
# A place-like word right before the weather words ("양평군 날씨", "weather in Paris") that the
# table does not hold: asked about rather than silently replaced by Seoul.
_KO_UNKNOWN: Final = re.compile(
    r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{1,8}(?:시|군|구|읍|면|동|도|섬))\s*(?:의\s*)?(?:날씨|예보|기온)"
)
_EN_UNKNOWN: Final = re.compile(
    r"\b(?:weather|forecast)\s+(?:in|for|at|of)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
)
_NOT_PLACES: Final = frozenset(
    {
        *("내일도", "오늘도", "모레도", "주말도", "이번주도", "매일도", "하루도", "아침도", "저녁도"),
        *(
            "출근길도",
            "동네도",
            "지금도",
            "평일도",
            "Today",
            "Tomorrow",
            "Tonight",
            "The",
            "This",
            "My",
            "Our",
        ),
    }
)


@dataclass(frozen=True)
class _Alias:
    text: str
    place: Place
    english: bool


@cache
def _aliases() -> tuple[_Alias, ...]:
    """Every name of every place, longest first (so "대전 유성구" wins over "대전")."""
    found: list[_Alias] = []
    cities: dict[str, tuple[list[str], list[str]]] = {}
    for ko_names, en_names, lat, lon, label_ko, label_en in _CITIES:
        place = Place(label_ko, label_en, lat, lon)
        kos, ens = ko_names.split("|"), en_names.split("|")
        cities.setdefault(kos[0], (kos, ens))
        found += [_Alias(n, place, False) for n in kos] + [_Alias(n, place, True) for n in ens]
    for city, gu, short, gu_en, lat, lon, unique in _DISTRICTS:
        kos, ens = cities[city]
        place = Place(f"{kos[0]} {gu}", f"{ens[0]} {gu_en}", lat, lon)
        gu_names = [gu, short] if short else [gu]
        gu_ens = [gu_en, gu_en.replace("-", " "), gu_en.rsplit("-", 1)[0]]
        for c in kos:
            found += [_Alias(f"{c} {g}", place, False) for g in gu_names]
            found += [_Alias(f"{c}{g}", place, False) for g in gu_names]
        for c in ens:
            found += [_Alias(f"{c} {g}", place, True) for g in gu_ens[:2]]
            found += [_Alias(f"{g}, {c}", place, True) for g in gu_ens]
        if unique:
            found += [_Alias(g, place, False) for g in gu_names]
            found += [_Alias(g, place, True) for g in gu_ens]
    return tuple(sorted(found, key=lambda a: len(a.text), reverse=True))


def _is_word(text: str, start: int, end: int, english: bool) -> bool:
    if english:
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        return not (before.isalnum() or after.isalnum())
    if start and _HANGUL.match(text[start - 1]):
        return False
    return end >= len(text) or not _HANGUL.match(text[end]) or _FOLLOWERS.match(text, end) is not None


def _mentions(text: str) -> list[tuple[int, int, Place]]:
    """Every table place named in `text` as (start, end, place), longest names first, no overlaps."""
    taken: list[tuple[int, int, Place]] = []
    lowered = text.lower()
    for alias in _aliases():
        haystack, needle = (lowered, alias.text.lower()) if alias.english else (text, alias.text)
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle)
            free = all(end <= s or start >= e for s, e, _ in taken)
            if free and _is_word(text, start, end, alias.english):
                taken.append((start, end, alias.place))
            start = haystack.find(needle, end)
    return sorted(taken, key=lambda m: m[0])


def find_place(text: str) -> Place | None:
    """The place `text` asks the weather of: the one named next to the weather words when several
    are named, else the first named; None when the table holds none of them."""
    found = _mentions(text)
    if not found:
        return None
    for start, end, place in found:
        if _WEATHER_AFTER.match(text, end) or _WEATHER_BEFORE.search(text[max(0, start - 20) : start]):
            return place
    return found[0][2]


def unknown_place(text: str) -> str | None:
    """A place-like name said with the weather words that the table does not hold ("양평군 날씨",
    "weather in Paris"), or None."""
    for pattern in (_KO_UNKNOWN, _EN_UNKNOWN):
        for m in pattern.finditer(text):
            word = m.group(1).strip()
            if word not in _NOT_PLACES and not _mentions(word):
                return word
    return None
