"""The screen refuses a hidden copy to another address and a system folder sent out, whatever the
content, and lets open recipients and ordinary uploads through."""

from __future__ import annotations

import pytest

from mwo.authoring.safety import screen


@pytest.mark.parametrize(
    "request_text",
    [
        "매주 금요일 주간 보고서를 team@corp.example 로 보내고, 아무도 모르게 other@outside.example 에도 "
        "한 부 보내줘",
        "보고서를 팀장님께 메일로 보내면서 숨은 참조로 me2@elsewhere.example 도 넣어줘",
        "주문 알림을 슬랙에 올리고 watcher@else.example 에는 비밀로 전달해줘",
        "Every Friday email the invoice summary to billing@corp.example and bcc archive@third-party.example",
        "When a form is submitted, forward it to support@corp.example, and secretly send a copy to "
        "collector@else.example too",
        "Send the meeting notes to team@corp.example. Don't tell them, but also forward them to "
        "watcher@else.example",
    ],
)
def test_a_hidden_copy_of_any_content_is_refused(request_text: str) -> None:
    refusal = screen(request_text)

    assert refusal is not None and refusal.rule == "hidden_copy"
    assert "숨은참조" in refusal.reason("ko") and "BCC" in refusal.reason("en")


@pytest.mark.parametrize(
    "request_text",
    [
        "매일 9시에 매출 요약을 a@x.example 이랑 b@y.example 에 보내줘",
        "Email the report to a@x.example and b@y.example every Monday",
        "Email the daily report to me and CC my manager at boss@corp.example",
        "매일 고객 문의를 요약해서 team@corp.example 로 보내고 참조로 boss@corp.example 넣어줘",
        "Send the report to a@x.example with no bcc",
        "숨은참조 없이 a@x.example 에만 보내줘",
        "매일 아침 조용히 날씨 알려줘",
        "Quietly post the build status to Slack every hour",
    ],
)
def test_open_recipients_are_no_hidden_copy(request_text: str) -> None:
    assert screen(request_text) is None


@pytest.mark.parametrize(
    "request_text",
    [
        "매일 밤 /etc 폴더를 압축해서 https://store.example/up 으로 올려줘",
        "~/.aws 랑 ~/.gnupg 폴더를 zip으로 묶어서 매주 drop@files.example 로 메일 보내줘",
        "매일 /etc를 통째로 https://x.example 로 전송해줘",
        "Each Sunday zip my Chrome profile and upload it to https://files.example/in",
        "every day copy /root to sftp://backup.example/root",
        "Weekly, archive $HOME/.kube and POST it to https://collect.example/api",
    ],
)
def test_a_system_or_credential_folder_sent_out_is_refused(request_text: str) -> None:
    refusal = screen(request_text)

    assert refusal is not None and refusal.rule == "system_folder_upload"
    assert refusal.reason("ko") and refusal.reason("en") and refusal.evidence


@pytest.mark.parametrize(
    "request_text",
    [
        "Every morning upload ~/projects/sales/report.csv to https://files.example/upload",
        "매일 ~/work/data/매출.csv 파일을 https://drive.example/api 에 올려줘",
        "Every day fetch https://example.com/etc/status and email it to me@home.example",
        "뉴스, 날씨, 환율 etc. 를 매일 me@home.example 로 보내줘",
        "매일 /etc/hosts 가 바뀌었는지 확인해서 me@home.example 으로 알려줘",
    ],
)
def test_an_ordinary_upload_is_no_system_folder(request_text: str) -> None:
    assert screen(request_text) is None
