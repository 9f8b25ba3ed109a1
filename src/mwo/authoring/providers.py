"""What MWO knows about the packs' providers, as step skeletons: the request, its secrets, where the
rows are in the answer and how one row reads as text. Written from the knowledge packs
(`knowledge/packs/naver`, `kma`, `kakao`), so an API_CALL is never left to the model to invent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NAVER_SECRETS = ("NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET")
KMA_SECRET = "KMA_SERVICE_KEY"
CHANNEL_SECRETS = {
    "slack": "SLACK_WEBHOOK_URL",
    "discord": "DISCORD_WEBHOOK_URL",
    "webhook": "WEBHOOK_URL",
    "kakao": "KAKAO_ACCESS_TOKEN",
}
KMA_SEOUL_GRID = (60, 127)
"""nx, ny of Seoul Jongno-gu, the grid used when a request names no place (stated as assumption)."""


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


def naver_search(step_id: str, kind: str, query: str, count: int) -> Source:
    """Naver search (news or blog): newest first, `count` rows (the API allows 1-100)."""
    display = max(1, min(count, 100))
    step = {
        "id": step_id,
        "type": "API_CALL",
        "description": f"네이버 {'뉴스' if kind == 'news' else '블로그'} 검색: {query}",
        "retry": {"max_attempts": 3, "backoff": "exponential"},
        "request": {
            "url": f"https://openapi.naver.com/v1/search/{kind}.json",
            "headers": {
                "X-Naver-Client-Id": "{{ secrets.NAVER_CLIENT_ID }}",
                "X-Naver-Client-Secret": "{{ secrets.NAVER_CLIENT_SECRET }}",
            },
            "params": {"query": query, "display": display, "sort": "date"},
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


def kma_forecast(step_id: str) -> Source:
    """KMA short-term forecast of today (05:00 issue) for the Seoul grid."""
    nx, ny = KMA_SEOUL_GRID
    step = {
        "id": step_id,
        "type": "API_CALL",
        "description": "기상청 단기예보 조회 (서울 종로구 격자)",
        "retry": {"max_attempts": 3, "backoff": "exponential"},
        "request": {
            "url": "https://apis.data.go.kr/1360000/VilageFcstInfoService_2.0/getVilageFcst",
            "params": {
                "serviceKey": "{{ secrets.KMA_SERVICE_KEY }}",
                "dataType": "JSON",
                "numOfRows": 1000,
                "pageNo": 1,
                "base_date": "{{ run.now | datetime_format('%Y%m%d', 'Asia/Seoul') }}",
                "base_time": "0500",
                "nx": nx,
                "ny": ny,
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


def kakao_local_search(step_id: str, query: str, count: int) -> Source:
    """Kakao Local keyword search (places: restaurants, cafes ...), `count` rows (the API allows 1-15).

    Uses the REST API key header (`Authorization: KakaoAK ...`), not the KakaoTalk user token."""
    size = max(1, min(count, 15))
    step = {
        "id": step_id,
        "type": "API_CALL",
        "description": f"카카오 로컬 키워드 검색: {query}",
        "retry": {"max_attempts": 3, "backoff": "exponential"},
        "request": {
            "url": "https://dapi.kakao.com/v2/local/search/keyword.json",
            "headers": {"Authorization": "KakaoAK {{ secrets.KAKAO_REST_API_KEY }}"},
            "params": {"query": query, "size": size},
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


def papago_translate(step_id: str, text: str, target: str) -> Source:
    """Papago text translation (NCP gateway, POST): the source language is detected (`auto`)."""
    step = {
        "id": step_id,
        "type": "API_CALL",
        "description": f"파파고 번역 (→ {target})",
        "retry": {"max_attempts": 3, "backoff": "exponential"},
        "request": {
            "method": "POST",
            "url": "https://papago.apigw.ntruss.com/nmt/v1/translation",
            "headers": {
                "X-NCP-APIGW-API-KEY-ID": "{{ secrets.NCP_CLIENT_ID }}",
                "X-NCP-APIGW-API-KEY": "{{ secrets.NCP_CLIENT_SECRET }}",
            },
            "json": {"source": "auto", "target": target, "text": text},
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
