"""KakaoTalk "send to me" (talk/memo) with a text template and a token from a secret."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from mwo.engine.executors.notification.base import Outbox, truncate, with_subject

__all__ = ["KAKAO_MAX_CHARS", "send_kakao"]

KAKAO_MAX_CHARS = 200
"""Kakao's text template shows at most this many characters."""


def send_kakao(box: Outbox) -> dict[str, Any]:
    """KakaoTalk "send to me" (talk/memo) with a text template."""
    token = box.text(box.step.access_token, "access_token")
    url = f"{box.ctx.settings.kakao_api_base.rstrip('/')}/v2/api/talk/memo/default/send"
    template, truncated = _kakao_template(box)
    box.record["template_object"] = template
    response = box.post(
        url,
        _kakao_fix(box.secret_behind(box.step.access_token, "KAKAO_ACCESS_TOKEN")),
        data={"template_object": json.dumps(template, ensure_ascii=False)},
        headers={"Authorization": f"Bearer {token}"},
    )
    result_code = _json_field(response, "result_code")
    return {"status": response.status_code, "result_code": result_code, "truncated": truncated}


def _kakao_template(box: Outbox) -> tuple[dict[str, Any], bool]:
    text, truncated = truncate(box, with_subject(box, ""), KAKAO_MAX_CHARS, "Kakao's text template")
    template: dict[str, Any] = {"object_type": "text", "text": text, "link": {}}
    if box.step.link_url:
        link = box.text(box.step.link_url, "link_url")
        template["link"] = {"web_url": link, "mobile_web_url": link}
        template["button_title"] = "자세히 보기"
    return template, truncated


def _kakao_fix(secret: str) -> Callable[[int], str]:
    def fix(status: int) -> str:
        if status == 401:
            return (
                "the Kakao access token expired or was revoked (they last a few hours): refresh it with "
                f"the refresh token and store the new one with: mwo secrets set {secret}"
            )
        if status == 403:
            return "the token lacks the talk_message permission: consent to it when issuing the token"
        return (
            "Kakao refused the message: check that the link's domain is registered for the Kakao app "
            "(Platform > Web) and read Kakao's answer above"
        )

    return fix


def _json_field(response: httpx.Response, name: str) -> Any:
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None
