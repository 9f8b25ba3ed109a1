"""An AuthoringService over a real store, with the scripted fake model (its calls are recorded)."""

from __future__ import annotations

from datetime import datetime, timezone

from mwo.authoring import AuthoringService
from mwo.llm import LlmService
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.settings import Settings
from mwo.store.abc import Store

NOW = datetime(2026, 12, 4, 0, 0, tzinfo=timezone.utc)
NEWS_REQUEST = "매일 아침 9시에 네이버 뉴스에서 경제 기사 3개를 수집해서 요약하고 메일로 보내줘"


def service(
    settings: Settings, store: Store, *replies: FakeReply | str
) -> tuple[AuthoringService, FakeChatModel]:
    fake = FakeChatModel(script=list(replies))
    llm = LlmService(settings.llm, store, chat_model=fake)
    return AuthoringService(settings, store, llm, clock=lambda: NOW), fake
