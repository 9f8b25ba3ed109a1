"""The packs' providers as API_CALL steps: the request, its secrets, where the rows are in the answer
and how one row reads as text, so an API_CALL is never left to the model to invent.

A step starts from a *skeleton* when one is given: the matching step of the nearest worked example
(`skeletons.py`), whose provider facts (URL, method, headers and secrets, fixed parameters, retry,
documented response shape) are kept while the request's slots (query, count, place, text, language)
replace the example's values. Without a skeleton (no bank, nothing retrieved, no example of that
provider) the facts written here from the knowledge packs (`knowledge/packs/naver`, `kma`, `kakao`)
are used; a test keeps the two equal, so a step is the same whichever way it was made.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from mwo.authoring.places import Place

NAVER_SECRETS = ("NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET")
KMA_SECRET = "KMA_SERVICE_KEY"
KAKAO_REST_SECRET = "KAKAO_REST_API_KEY"
"""The Kakao REST API key alone: Kakao Local sends it as `KakaoAK <key>`, the token refresh as client_id."""
PAPAGO_SECRETS = ("NCP_CLIENT_ID", "NCP_CLIENT_SECRET")
"""The NAVER Cloud Platform application's Client ID / Secret (Papago is no longer on Naver Developers)."""
CHANNEL_SECRETS = {
    "slack": "SLACK_WEBHOOK_URL",
    "discord": "DISCORD_WEBHOOK_URL",
    "webhook": "WEBHOOK_URL",
    "kakao": "KAKAO_ACCESS_TOKEN",
}
KMA_SEOUL = Place("서울 종로구", "Seoul Jongno-gu", 37.5714, 126.9658)
"""The place used when a request names none the table holds (stated as an assumption): grid 60,127."""
KMA_BASE_TIME = "0500"
"""The issue read: the one of today holding today's 06-24 h rows that the builder's filters select."""
_STEP_FACTS = ("retry", "timeout_s", "auth", "output")
_REQUEST_FACTS = ("method", "url", "headers", "response", "timeout_s")
_EXAMPLE_REFERENCES = ("steps.", "inputs.", "item.")


@dataclass(frozen=True)
class Source:
    """An API_CALL skeleton and how its answer is read by the next step."""

    step: dict[str, Any]
    items: str
    """Expression for the list of rows, e.g. steps.fetch.output.json['items']."""
    row_text: str
    """Template turning one row (`item`) into a line of text."""
    label_ko: str
    label_en: str


def naver_search(
    step_id: str, kind: str, query: str, count: int, skeleton: Mapping[str, Any] | None = None
) -> Source:
    """Naver search (news or blog): `count` rows (the API allows 1-100), newest first unless the
    skeleton's example sorts by relevance."""
    display = max(1, min(count, 100))
    description = f"네이버 {'뉴스' if kind == 'news' else '블로그'} 검색: {query}"
    slots = {"query": query, "display": display}
    if skeleton is not None:
        step = from_skeleton(skeleton, step_id, description, kept_params=("sort",), slots=slots)
    else:
        step = {
            "id": step_id,
            "type": "API_CALL",
            "description": description,
            "retry": {"max_attempts": 3, "backoff": "exponential"},
            "request": {
                "url": f"https://openapi.naver.com/v1/search/{kind}.json",
                "headers": {
                    "X-Naver-Client-Id": "{{ secrets.NAVER_CLIENT_ID }}",
                    "X-Naver-Client-Secret": "{{ secrets.NAVER_CLIENT_SECRET }}",
                },
                "params": {**slots, "sort": "date"},
                "response": "json",
            },
        }
    link = "item.originallink or item.link" if kind == "news" else "item.link"
    return Source(
        step=step,
        items=f"steps.{step_id}.output.json['items']",
        row_text="- {{ item.title | striptags }}: {{ item.description | striptags }} ({{ " + link + " }})",
        label_ko="네이버 뉴스" if kind == "news" else "네이버 블로그",
        label_en="Naver News" if kind == "news" else "Naver blogs",
    )


def kma_forecast(step_id: str, place: Place = KMA_SEOUL, skeleton: Mapping[str, Any] | None = None) -> Source:
    """KMA short-term forecast of today (05:00 issue) for the grid cell of `place`.

    The issue date and time are slots, not the example's: they must give the rows this workflow's
    own filters read (an example's 20:00 issue serves its own "tomorrow" script, not them)."""
    nx, ny = place.grid
    description = f"기상청 단기예보 조회 ({place.ko} 격자 {nx},{ny})"
    slots: dict[str, Any] = {
        "base_date": "{{ run.now | datetime_format('%Y%m%d', 'Asia/Seoul') }}",
        "base_time": KMA_BASE_TIME,
        "nx": nx,
        "ny": ny,
    }
    kept = ("serviceKey", "dataType", "numOfRows", "pageNo")
    if skeleton is not None:
        step = from_skeleton(skeleton, step_id, description, kept_params=kept, slots=slots)
    else:
        step = {
            "id": step_id,
            "type": "API_CALL",
            "description": description,
            "retry": {"max_attempts": 3, "backoff": "exponential"},
            "request": {
                "url": "https://apis.data.go.kr/1360000/VilageFcstInfoService_2.0/getVilageFcst",
                "params": {
                    "serviceKey": "{{ secrets.KMA_SERVICE_KEY }}",
                    "dataType": "JSON",
                    "numOfRows": 1000,
                    "pageNo": 1,
                    **slots,
                },
                "response": "json",
            },
        }
    return Source(
        step=step,
        items=f"steps.{step_id}.output.json.response.body['items'].item",
        row_text="{{ item.fcstDate }} {{ item.fcstTime }} {{ item.category }}={{ item.fcstValue }}",
        label_ko="기상청 단기예보",
        label_en="the KMA short-term forecast",
    )


KMA_TODAY_FILTER = (
    "item.category in ['TMP', 'POP', 'SKY', 'PTY'] and item.fcstTime in ['0900', '1200', '1500', '1800']"
)
"""The rows of a forecast worth telling a person: temperature, rain chance, sky, rain type, 4 times."""


def http_get(step_id: str, url: str, *, tolerate_errors: bool = False) -> Source:
    """A plain GET of a URL the request names; the answer's text is what later steps read."""
    request: dict[str, Any] = {"url": url, "timeout_s": 30}
    step: dict[str, Any] = {"id": step_id, "type": "API_CALL", "request": request}
    if tolerate_errors:
        request["fail_on_status"] = False
        step["on_failure"] = "continue"
    else:
        step["retry"] = {"max_attempts": 3, "backoff": "exponential"}
    return Source(
        step=step,
        items=f"steps.{step_id}.output.json",
        row_text="{{ item }}",
        label_ko=url,
        label_en=url,
    )


def kakao_local_search(
    step_id: str, query: str, count: int, skeleton: Mapping[str, Any] | None = None
) -> Source:
    """Kakao Local keyword search (places: restaurants, cafes ...), `count` rows (the API allows 1-15).

    Uses the REST API key (`Authorization: KakaoAK {{ secrets.KAKAO_REST_API_KEY }}`, the kakao
    pack's auth document), not the KakaoTalk user token. An example's centre point, radius and
    distance order belong to its own place and are not copied."""
    size = max(1, min(count, 15))
    description = f"카카오 로컬 키워드 검색: {query}"
    slots = {"query": query, "size": size}
    if skeleton is not None:
        step = from_skeleton(skeleton, step_id, description, kept_params=(), slots=slots)
    else:
        step = {
            "id": step_id,
            "type": "API_CALL",
            "description": description,
            "retry": {"max_attempts": 3, "backoff": "exponential"},
            "request": {
                "url": "https://dapi.kakao.com/v2/local/search/keyword.json",
                "headers": {"Authorization": f"KakaoAK {{{{ secrets.{KAKAO_REST_SECRET} }}}}"},
                "params": slots,
                "response": "json",
            },
        }
    return Source(
        step=step,
        items=f"steps.{step_id}.output.json.documents",
        row_text=(
            "- {{ item.place_name }} ({{ item.road_address_name or item.address_name }}) {{ item.place_url }}"
        ),
        label_ko="카카오 로컬 검색",
        label_en="Kakao Local search",
    )


def papago_translate(
    step_id: str, text: str, target: str, skeleton: Mapping[str, Any] | None = None
) -> Source:
    """Papago text translation (NCP gateway, POST, secrets NCP_CLIENT_ID / NCP_CLIENT_SECRET as the
    naver pack's papago document names them): the source language is detected (`auto`)."""
    description = f"파파고 번역 (→ {target})"
    body = {"source": "auto", "target": target, "text": text}
    if skeleton is not None:
        step = from_skeleton(skeleton, step_id, description, kept_params=(), slots={})
        step["request"]["json"] = body
    else:
        step = {
            "id": step_id,
            "type": "API_CALL",
            "description": description,
            "retry": {"max_attempts": 3, "backoff": "exponential"},
            "request": {
                "method": "POST",
                "url": "https://papago.apigw.ntruss.com/nmt/v1/translation",
                "headers": {
                    "X-NCP-APIGW-API-KEY-ID": f"{{{{ secrets.{PAPAGO_SECRETS[0]} }}}}",
                    "X-NCP-APIGW-API-KEY": f"{{{{ secrets.{PAPAGO_SECRETS[1]} }}}}",
                },
                "json": body,
                "response": "json",
            },
        }
    return Source(
        step=step,
        items=f"steps.{step_id}.output.json.message.result",
        row_text="{{ item.translatedText }}",
        label_ko="파파고 번역",
        label_en="Papago translation",
    )


def http_post(step_id: str, url: str, text: str) -> dict[str, Any]:
    """A POST of the workflow's result to a URL the request names as where it goes ("... 에 게시해줘")."""
    return {
        "id": step_id,
        "type": "API_CALL",
        "description": f"결과를 {url} 에 POST",
        "retry": {"max_attempts": 3, "backoff": "exponential"},
        "request": {"method": "POST", "url": url, "json": {"text": text}, "timeout_s": 30},
    }


def from_skeleton(
    skeleton: Mapping[str, Any],
    step_id: str,
    description: str,
    *,
    kept_params: Collection[str],
    slots: Mapping[str, Any],
) -> dict[str, Any]:
    """An API_CALL step made from an example's step: its provider facts, the request's slots.

    Kept: the request's method, URL, headers, response format and timeout, the step's retry,
    timeout, auth and declared output (the API's documented answer), and the `kept_params` the
    example chose (e.g. Naver's sort order). Dropped: the example's id, wording and every other
    parameter (its query, place, count), and any kept value that refers to the example's own steps
    or inputs. `slots` are set last.
    """
    request = skeleton.get("request") or {}
    step: dict[str, Any] = {"id": step_id, "type": "API_CALL", "description": description}
    for key in _STEP_FACTS:
        if key in skeleton and not _refers_to_example(skeleton[key]):
            step[key] = copy.deepcopy(skeleton[key])
    facts = {k: copy.deepcopy(request[k]) for k in _REQUEST_FACTS if k in request}
    params = {
        k: copy.deepcopy(v)
        for k, v in (request.get("params") or {}).items()
        if k in kept_params and not _refers_to_example(v)
    }
    step["request"] = {**facts, "params": {**params, **slots}}
    if not step["request"]["params"]:
        del step["request"]["params"]
    return step


def _refers_to_example(value: Any) -> bool:
    """A template naming the example's own steps, inputs or rows (meaningless in another workflow)."""
    text = repr(value)
    return "{{" in text and any(ref in text for ref in _EXAMPLE_REFERENCES)
