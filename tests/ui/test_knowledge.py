"""The Knowledge base page on the real knowledge service (the bundled embedding model): domains with
their counts, a text document added through the uploader, and the search tester showing which side
found each passage."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from mwo.ui.i18n import t
from mwo.ui.state import UiContext
from tests.ui.conftest import assert_clean, click, texts

# the embedding model loads and the shipped packs are indexed: seconds
pytestmark = pytest.mark.slow

App = Callable[..., AppTest]
NOTE = "사내 휴가 신청은 HR포털의 휴가 메뉴에서 한다. 팀장 승인 후 확정된다.\n".encode()


def test_upload_then_search_shows_the_fused_ranking(app: App, ui_context: UiContext) -> None:
    at = app("knowledge.py")
    assert_clean(at)
    assert {"naver", "kma", "kakao", "common"} <= set(at.dataframe[0].value["domain"])
    at.file_uploader[0].set_value(("vacation.txt", NOTE, "text/plain"))
    next(w for w in at.text_input if w.label == t("kb.upload_domain")).input("hr")
    at = click(at, t("kb.upload_go"))
    assert_clean(at)
    assert "vacation.txt: added to hr" in texts(at)
    assert any(d.domain == "hr" for d in ui_context.knowledge().domains())
    at.text_input(key="kb.query").input("휴가 신청 방법")
    at = click(at, t("kb.search_go"))
    assert_clean(at)
    ranking = at.dataframe[-1].value
    assert set(ranking["found by"]) <= {"vector", "keyword", "both"} and len(ranking) >= 1
    assert "vacation.txt" in texts(at) or "휴가" in texts(at)
