"""Worked examples run for real on the engine, offline: their API calls answered by a loopback
server with responses shaped like the knowledge packs' documented examples, LLM_CALL by the scripted
fake, mail by a loopback SMTP server, Slack/Discord/webhook/Kakao by the loopback HTTP server,
approvals decided through the run service. An example that teaches the model must itself work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mwo.authoring.examples import WorkedExample, load_shipped_examples
from mwo.engine.errors import RunStateError
from mwo.engine.executors.llm_call import LlmCallExecutor
from mwo.llm.fake import FakeChatModel
from mwo.llm.service import LlmService
from mwo.sandbox import Sandbox, SandboxConfig
from mwo.settings import Settings
from mwo.spec import StepType, Workflow
from mwo.store.records import RunRecord, RunStatus, StepStatus

from ...conftest import FIXED_NOW
from ..engine.conftest import Env, Recorder, env, http_server  # noqa: F401 (fixtures used here)
from ..engine.test_notification import free_port

NAVER_NEWS = "/v1/search/news.json"
KMA = "/1360000/VilageFcstInfoService_2.0/getVilageFcst"
KAKAO_MEMO = "/v2/api/talk/memo/default/send"
PAPAGO = "/nmt/v1/translation"
SECRETS = {
    "NAVER_CLIENT_ID": "naver-id-7f3a",
    "NAVER_CLIENT_SECRET": "naver-secret-91cc",
    "KMA_SERVICE_KEY": "kma+key/decoded==",
    "KAKAO_ACCESS_TOKEN": "kakao-token-55e1",
    "KAKAO_REST_API_KEY": "rest-key-0b2d",
    "NCP_CLIENT_ID": "ncp-id-3c1d",
    "NCP_CLIENT_SECRET": "ncp-secret-8e2f",
}


def naver_news(*items: tuple[str, str, str]) -> dict[str, Any]:
    """The news search envelope of the naver pack, one item per (title, description, pubDate)."""
    return {
        "lastBuildDate": "Wed, 25 Nov 2026 09:00:02 +0900",
        "total": 1523340,
        "start": 1,
        "display": len(items),
        "items": [
            {
                "title": title,
                "originallink": f"https://www.example-news.co.kr/article/{i}",
                "link": f"https://n.news.naver.com/mnews/article/001/00{i}",
                "description": description,
                "pubDate": published,
            }
            for i, (title, description, published) in enumerate(items, 1)
        ],
    }


ECONOMY = naver_news(
    (
        "한국은행 기준금리 동결...<b>경제</b> 성장률 전망 하향",
        "한국은행이 기준금리를 연 3.00%로 동결했다.",
        "Wed, 25 Nov 2026 08:41:00 +0900",
    ),
    (
        "<b>경제</b> 수출 14개월 연속 증가",
        "반도체 수출이 늘며 &quot;호조&quot;를 이어갔다.",
        "Wed, 25 Nov 2026 07:10:00 +0900",
    ),
    ("코스피 2,600선 회복", "외국인 매수세에 지수가 올랐다.", "Wed, 25 Nov 2026 06:55:00 +0900"),
)


def kma_forecast(base_date: str, base_time: str, rows: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """The getVilageFcst JSON of the kma pack; rows are (category, fcstDate, fcstTime, fcstValue)."""
    return {
        "response": {
            "header": {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"},
            "body": {
                "dataType": "JSON",
                "pageNo": 1,
                "numOfRows": 1000,
                "totalCount": len(rows),
                "items": {
                    "item": [
                        {
                            "baseDate": base_date,
                            "baseTime": base_time,
                            "category": category,
                            "fcstDate": day,
                            "fcstTime": hour,
                            "fcstValue": value,
                            "nx": 60,
                            "ny": 127,
                        }
                        for category, day, hour, value in rows
                    ]
                },
            },
        }
    }


# --- servers and environment ------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.port = free_port()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.envelopes:
            assert isinstance(envelope.content, bytes)
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def settings(tmp_path: Path, http_server: Recorder, mailbox: Mailbox) -> Settings:  # noqa: F811
    """The engine's settings with mail and Kakao pointed at the loopback servers."""
    return Settings(  # type: ignore[call-arg]
        home=tmp_path / "mwo-home",
        secret_key=None,
        _env_file=None,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        kakao_api_base=http_server.base,
    )


@pytest.fixture(scope="module")
def bank() -> dict[str, WorkedExample]:
    return {e.name: e for e in load_shipped_examples()}


@pytest.fixture
def needs_sandbox() -> None:
    probe = Sandbox(SandboxConfig(pool_size=0))
    if not probe.isolation.isolated:
        pytest.skip(f"no namespace isolation here: {probe.isolation.detail}")


class Bench:
    """Applies shipped examples with every outside address moved to the loopback servers."""

    def __init__(self, env: Env, server: Recorder, bank: dict[str, WorkedExample]) -> None:  # noqa: F811
        self.env = env
        self.server = server
        self.bank = bank
        self.fake = FakeChatModel(script=[])
        service = LlmService(
            env.services.settings.llm, env.services.store, chat_model=self.fake, clock=env.clock
        )
        env.services.registry.register(LlmCallExecutor(service))
        hooks = {
            "SLACK_WEBHOOK_URL": "/slack",
            "DISCORD_WEBHOOK_URL": "/discord",
            "ALERT_WEBHOOK_URL": "/hook",
        }
        for name, value in {**SECRETS, **{k: server.base + p for k, p in hooks.items()}}.items():
            env.services.store.set_secret(name, value, FIXED_NOW)

    def apply(self, name: str, **trigger: Any) -> Workflow:
        """The example's spec, API_CALL hosts replaced by the loopback server, loopback allowed."""
        data = self.bank[name].workflow.canonical_dict()
        for step in data["steps"]:
            if step["type"] == StepType.API_CALL.value:
                url = urlsplit(step["request"]["url"])
                step["request"]["url"] = self.server.base + url.path
        data.setdefault("settings", {})["network"] = {"allow": ["127.0.0.1"]}
        if trigger:
            data["trigger"] = {**data["trigger"], **trigger}
        return self.env.apply(data)

    def reply(self, *texts: str) -> None:
        self.fake.script.extend(texts)

    def calls_to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.server.requests if r["path"].split("?")[0] == path]

    def query_of(self, path: str) -> dict[str, str]:
        [call] = self.calls_to(path)
        return {k: v[0] for k, v in parse_qs(urlsplit(call["path"]).query).items()}

    def steps(self, run: RunRecord) -> dict[str, Any]:
        return {r.step_id: r for r in self.env.services.store.list_step_runs(run.id)}


@pytest.fixture
def bench(env: Env, http_server: Recorder, bank: dict[str, WorkedExample]) -> Bench:  # noqa: F811
    return Bench(env, http_server, bank)


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


# --- the runs ---------------------------------------------------------------------------------------


def test_naver_economy_digest_fetches_summarises_and_mails(bench: Bench, mailbox: Mailbox) -> None:
    bench.server.script[NAVER_NEWS] = [(200, ECONOMY)]
    bench.reply("1. 한국은행이 기준금리를 동결했다. 2. 수출이 늘었다. 3. 코스피가 올랐다.")
    bench.apply("naver-economy-digest")
    run = bench.env.runs.start("naver-economy-digest")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [call] = bench.calls_to(NAVER_NEWS)
    headers = _lower(call["headers"])
    assert (headers["x-naver-client-id"], headers["x-naver-client-secret"]) == (
        "naver-id-7f3a",
        "naver-secret-91cc",
    )
    assert bench.query_of(NAVER_NEWS) == {"query": "경제", "display": "3", "sort": "date"}
    prompt = bench.fake.calls[0]["messages"][-1]["content"]
    assert "- 한국은행 기준금리 동결...경제 성장률 전망 하향: 한국은행이" in prompt  # <b> tags stripped
    [mail] = mailbox.messages()
    assert mail["To"] == "me@example.com" and mail["Subject"] == "오늘의 경제 뉴스"
    assert "기준금리를 동결했다" in mail.get_content()


def test_a_succeeded_digest_starts_the_workflow_chained_to_it(bench: Bench, mailbox: Mailbox) -> None:
    bench.env.runs.on_finished(bench.env.services.events.on_run_finished)
    bench.server.script[NAVER_NEWS] = [(200, ECONOMY)]
    bench.reply("요약")
    bench.apply("naver-economy-digest")
    bench.apply("after-digest-notify-boss")
    run = bench.env.runs.start("naver-economy-digest")
    assert run.status is RunStatus.SUCCEEDED
    mails = {m["To"]: m for m in mailbox.messages()}
    assert set(mails) == {"me@example.com", "manager@example.com"}
    assert run.id in mails["manager@example.com"].get_content()


def test_kma_rain_umbrella_reads_todays_pop_and_sends_kakao(bench: Bench) -> None:
    today, tomorrow = "20261125", "20261126"  # the run's clock: 2026-11-25 09:00 in Seoul
    bench.server.script[KMA] = [
        (
            200,
            kma_forecast(
                today,
                "0500",
                [
                    ("TMP", today, "0600", "3"),
                    ("POP", today, "0600", "20"),
                    ("POP", today, "1200", "70"),
                    ("POP", today, "1800", "30"),
                    ("POP", tomorrow, "0600", "90"),  # tomorrow's is not today's rain
                ],
            ),
        )
    ]
    bench.server.script[KAKAO_MEMO] = [(200, {"result_code": 0})]
    bench.apply("kma-rain-umbrella-kakao")
    run = bench.env.runs.start("kma-rain-umbrella-kakao")
    assert run.status is RunStatus.SUCCEEDED, run.error
    query = bench.query_of(KMA)
    assert query["serviceKey"] == "kma+key/decoded==" and query["dataType"] == "JSON"
    assert (query["base_date"], query["base_time"], query["nx"], query["ny"]) == (today, "0500", "60", "127")
    [memo] = bench.calls_to(KAKAO_MEMO)
    assert _lower(memo["headers"])["authorization"] == "Bearer kakao-token-55e1"
    template = json.loads(parse_qs(memo["body"])["template_object"][0])
    assert template["object_type"] == "text" and "강수확률 70%" in template["text"]
    assert template["link"]["web_url"] == "https://www.weather.go.kr"


def test_kma_rain_umbrella_stays_quiet_on_a_dry_day(bench: Bench) -> None:
    bench.server.script[KMA] = [(200, kma_forecast("20261125", "0500", [("POP", "20261125", "1200", "10")]))]
    bench.apply("kma-rain-umbrella-kakao")
    run = bench.env.runs.start("kma-rain-umbrella-kakao")
    assert run.status is RunStatus.SUCCEEDED
    steps = bench.steps(run)
    assert steps["will_rain"].status is StepStatus.SUCCEEDED and steps["will_rain"].output["goto"] == "end"
    assert "tell_me" not in steps and bench.calls_to(KAKAO_MEMO) == []


@pytest.mark.usefixtures("needs_sandbox")
def test_kma_tomorrow_weather_script_turns_codes_into_words(bench: Bench, mailbox: Mailbox) -> None:
    day = "20261126"
    rows = [
        ("TMN", day, "0600", "-2.0"),
        ("TMX", day, "1500", "7.0"),
        ("SKY", day, "0900", "1"),
        ("SKY", day, "1200", "3"),
        ("SKY", day, "1500", "3"),
        ("PTY", day, "1200", "0"),
        ("PTY", day, "1800", "1"),
        ("POP", day, "1200", "30"),
        ("POP", day, "1800", "60"),
        ("TMP", "20261125", "2100", "4"),
    ]
    bench.server.script[KMA] = [(200, kma_forecast("20261125", "2000", rows))]
    bench.apply("kma-tomorrow-weather-email")
    run = bench.env.runs.start("kma-tomorrow-weather-email")
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert bench.steps(run)["tomorrow"].output == {
        "date": day,
        "low": "-2.0",
        "high": "7.0",
        "sky": "구름많음",
        "rain": "비",
        "pop": 60,
    }
    [mail] = mailbox.messages()
    assert mail["Subject"] == f"내일 서울 날씨 ({day})"
    assert "최저 -2.0℃ / 최고 7.0℃" in mail.get_content()


@pytest.mark.usefixtures("needs_sandbox")
def test_kma_error_answers_fail_the_script_with_the_api_message(bench: Bench) -> None:
    error = {"response": {"header": {"resultCode": "03", "resultMsg": "NODATA_ERROR"}}}
    bench.server.script[KMA] = [(200, error)]
    bench.apply("kma-tomorrow-weather-email")
    run = bench.env.runs.start("kma-tomorrow-weather-email")
    assert run.status is RunStatus.FAILED
    assert "기상청 API 오류 03: NODATA_ERROR" in json.dumps(
        bench.steps(run)["tomorrow"].error, ensure_ascii=False
    )


@pytest.mark.usefixtures("needs_sandbox")
def test_company_mentions_keeps_the_last_hour_and_posts_to_discord(bench: Bench) -> None:
    bench.server.script[NAVER_NEWS] = [
        (
            200,
            naver_news(
                ("<b>한빛전자</b> 신제품 공개", "새 제품을 공개했다.", "Wed, 25 Nov 2026 08:41:00 +0900"),
                ("<b>한빛전자</b> 3분기 실적", "영업이익이 늘었다.", "Wed, 25 Nov 2026 06:10:00 +0900"),
            ),
        )
    ]
    bench.apply("naver-company-mentions-discord")
    run = bench.env.runs.start("naver-company-mentions-discord")
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert bench.steps(run)["recent"].output["count"] == 1
    [post] = bench.calls_to("/discord")
    content = json.loads(post["body"])["content"]
    assert "한빛전자 새 기사 1건" in content and "신제품 공개" in content and "실적" not in content


def test_ticket_triage_routes_by_the_models_structured_answer(bench: Bench) -> None:
    bench.apply("webhook-ticket-triage")
    bench.reply('{"category": "결제", "urgent": true}', '{"category": "배송", "urgent": false}')
    urgent = bench.env.runs.start(
        "webhook-ticket-triage", {"subject": "결제가 두 번 됐어요", "body": "환불 부탁"}
    )
    calm = bench.env.runs.start("webhook-ticket-triage", {"subject": "배송 언제 와요", "body": "주문 1234"})
    assert urgent.status is calm.status is RunStatus.SUCCEEDED
    [post] = bench.calls_to("/slack")
    assert "긴급 문의 [결제] 결제가 두 번 됐어요" in json.loads(post["body"])["text"]
    assert set(bench.steps(urgent)) == {"classify", "route", "urgent"}
    assert set(bench.steps(calm)) == {"classify", "route", "queue"}
    [message] = bench.env.services.store.list_messages()
    assert (message.title, message.body) == ("[배송] 배송 언제 와요", "주문 1234")


def test_newsletter_waits_for_approval_and_mails_once_approved(bench: Bench, mailbox: Mailbox) -> None:
    bench.server.script[NAVER_NEWS] = [(200, ECONOMY)]
    bench.reply("안녕하세요, 이번 주 IT 소식입니다.")
    bench.apply("weekly-it-newsletter-approval")
    waiting = bench.env.runs.start("weekly-it-newsletter-approval")
    assert waiting.status is RunStatus.WAITING_APPROVAL and mailbox.envelopes == []
    done = bench.env.runs.approve(waiting.id, "editor")
    assert done.status is RunStatus.SUCCEEDED
    [mail] = mailbox.messages()
    assert mail["To"] == "team@example.com" and "이번 주 IT 소식" in mail.get_content()


def test_a_rejected_announcement_is_never_sent(bench: Bench, mailbox: Mailbox) -> None:
    bench.reply("다음 주 월요일은 창립기념일로 휴무입니다.")
    bench.apply("announcement-approval-slack")
    waiting = bench.env.runs.start("announcement-approval-slack", {"draft": "월요일 쉼"})
    assert waiting.status is RunStatus.WAITING_APPROVAL
    assert bench.env.runs.reject(waiting.id, "me", "내일 보내요").status is RunStatus.CANCELLED
    assert bench.calls_to("/slack") == [] and mailbox.envelopes == []


@pytest.mark.usefixtures("needs_sandbox")
def test_expenses_are_grouped_without_code_and_summed_by_the_script(bench: Bench, mailbox: Mailbox) -> None:
    expenses = [
        {"category": "식비", "amount": 12000, "memo": "점심"},
        {"category": "교통", "amount": 1450, "memo": "지하철"},
        {"category": "식비", "amount": 8000, "memo": "커피"},
    ]
    bench.apply("expenses-by-category-email")
    run = bench.env.runs.start("expenses-by-category-email", {"expenses": expenses})
    assert run.status is RunStatus.SUCCEEDED, run.error
    assert bench.steps(run)["totals"].output == {"report": "식비: 2건, 20,000원\n교통: 1건, 1,450원"}
    [mail] = mailbox.messages()
    assert mail["Subject"] == "분류별 지출 합계"


@pytest.mark.usefixtures("needs_sandbox")
def test_a_bad_expense_fails_with_a_message_naming_the_category(bench: Bench) -> None:
    bench.apply("expenses-by-category-email")
    run = bench.env.runs.start(
        "expenses-by-category-email", {"expenses": [{"category": "식비", "amount": "많이"}]}
    )
    assert run.status is RunStatus.FAILED
    error = json.dumps(bench.steps(run)["totals"].error, ensure_ascii=False)
    assert "category '식비': every expense needs a whole-number 'amount'" in error


def test_holidays_of_the_runs_month_go_to_the_inbox(bench: Bench) -> None:
    bench.env.clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)  # 09:00 on Dec 1 in Seoul
    holidays = [
        {"date": "2026-10-03", "localName": "개천절", "name": "National Foundation Day", "countryCode": "KR"},
        {"date": "2026-12-25", "localName": "크리스마스", "name": "Christmas Day", "countryCode": "KR"},
    ]
    bench.server.script["/api/v3/PublicHolidays/2026/KR"] = [(200, holidays)]
    bench.apply("public-holidays-monthly")
    run = bench.env.runs.start("public-holidays-monthly")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [message] = bench.env.services.store.list_messages()
    assert (message.title, message.body) == ("이번 달 공휴일", "2026-12-25 크리스마스")


def test_kakao_local_places_go_to_kakaotalk(bench: Bench) -> None:
    places = {
        "meta": {"total_count": 2, "pageable_count": 2, "is_end": True},
        "documents": [
            {"place_name": "카페 A", "distance": "120", "road_address_name": "서울 강남구 강남대로 1"},
            {"place_name": "카페 B", "distance": "340", "road_address_name": "서울 강남구 테헤란로 2"},
        ],
    }
    bench.server.script["/v2/local/search/keyword.json"] = [(200, places)]
    bench.server.script[KAKAO_MEMO] = [(200, {"result_code": 0})]
    bench.apply("kakao-cafe-near-office")
    run = bench.env.runs.start("kakao-cafe-near-office")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [search] = bench.calls_to("/v2/local/search/keyword.json")
    assert _lower(search["headers"])["authorization"] == "KakaoAK rest-key-0b2d"
    query = bench.query_of("/v2/local/search/keyword.json")
    assert (query["query"], query["sort"], query["size"]) == ("카페", "distance", "5")
    [memo] = bench.calls_to(KAKAO_MEMO)
    text = json.loads(parse_qs(memo["body"])["template_object"][0])["text"]
    assert "카페 A (120m)\n카페 B (340m)" in text


def test_a_big_bitcoin_move_posts_a_json_envelope_to_the_webhook(bench: Bench) -> None:
    ticker = [{"market": "KRW-BTC", "trade_price": 152000000.0, "signed_change_rate": -0.0731}]
    bench.server.script["/v1/ticker"] = [(200, ticker)]
    bench.apply("bitcoin-price-webhook")
    run = bench.env.runs.start("bitcoin-price-webhook")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [post] = bench.calls_to("/hook")
    envelope = json.loads(post["body"])
    assert envelope["workflow"] == "bitcoin-price-webhook" and "-7.3%" in envelope["body"]


def test_a_failed_run_raises_the_slack_alert_listening_for_it(bench: Bench) -> None:
    bench.env.runs.on_finished(bench.env.services.events.on_run_finished)
    bench.server.script[KMA] = [(500, {"error": "down"})]
    bench.apply("kma-rain-umbrella-kakao")
    bench.apply("run-failed-slack-alert")
    failed = bench.env.runs.start("kma-rain-umbrella-kakao")
    assert failed.status is RunStatus.FAILED
    [alert] = bench.calls_to("/slack")
    text = json.loads(alert["body"])["text"]
    assert "*kma-rain-umbrella-kakao* 실행 실패" in text and failed.id in text


@pytest.mark.usefixtures("needs_sandbox")
def test_a_report_file_name_becomes_a_discord_notice(bench: Bench, tmp_path: Path) -> None:
    bench.apply("file-report-name-parse", path=str(tmp_path))
    run = bench.env.runs.start("file-report-name-parse", {"name": "sales_2026-11.xlsx"}, trigger="file:x")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [post] = bench.calls_to("/discord")
    assert "2026년 11월 매출 보고서 도착" in json.loads(post["body"])["content"]


def test_papago_translates_the_chip_headlines_in_one_call_and_posts_them_to_discord(bench: Bench) -> None:
    bench.server.script[NAVER_NEWS] = [
        (
            200,
            naver_news(
                ("<b>반도체</b> 수출 회복", "수출이 늘었다.", "Wed, 25 Nov 2026 07:10:00 +0900"),
                ("HBM 증설 경쟁", "증설이 이어진다.", "Wed, 25 Nov 2026 06:55:00 +0900"),
            ),
        )
    ]
    translated = {"srcLangType": "ko", "tarLangType": "en", "translatedText": "- Chip exports recover"}
    bench.server.script[PAPAGO] = [(200, {"message": {"result": translated}})]
    bench.apply("papago-chip-headlines-discord")
    run = bench.env.runs.start("papago-chip-headlines-discord")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [call] = bench.calls_to(PAPAGO)
    headers = _lower(call["headers"])
    assert (headers["x-ncp-apigw-api-key-id"], headers["x-ncp-apigw-api-key"]) == (
        "ncp-id-3c1d",
        "ncp-secret-8e2f",
    )
    assert json.loads(call["body"]) == {
        "source": "ko",
        "target": "en",
        "text": "- 반도체 수출 회복\n- HBM 증설 경쟁",
    }
    [post] = bench.calls_to("/discord")
    assert json.loads(post["body"])["content"] == "Korean chip news today:\n- Chip exports recover"


def test_the_runs_here_cover_every_step_type(bank: dict[str, WorkedExample]) -> None:
    ran = [
        "naver-economy-digest",
        "after-digest-notify-boss",
        "kma-rain-umbrella-kakao",
        "kma-tomorrow-weather-email",
        "naver-company-mentions-discord",
        "webhook-ticket-triage",
        "weekly-it-newsletter-approval",
        "announcement-approval-slack",
        "expenses-by-category-email",
        "public-holidays-monthly",
        "kakao-cafe-near-office",
        "bitcoin-price-webhook",
        "run-failed-slack-alert",
        "file-report-name-parse",
        "berlin-server-report-email",
        "overtime-report-slack",
        "leave-request-approval",
    ]
    covered = {step.type for name in ran for step in bank[name].workflow.steps}
    assert covered == set(StepType)


def test_hot_servers_are_filtered_sorted_and_mailed_and_a_calm_fleet_sends_nothing(
    bench: Bench, mailbox: Mailbox
) -> None:
    hot = {
        "servers": [{"host": "db-1", "cpu": 93.5}, {"host": "web-1", "cpu": 40}, {"host": "db-2", "cpu": 97}]
    }
    calm = {"servers": [{"host": "web-1", "cpu": 40}]}
    bench.server.script["/api/servers"] = [(200, hot), (200, calm)]
    bench.env.services.store.set_secret("STATUS_API_KEY", "status-key-1", FIXED_NOW)
    bench.apply("berlin-server-report-email")
    first = bench.env.runs.start("berlin-server-report-email")
    second = bench.env.runs.start("berlin-server-report-email")
    assert first.status is second.status is RunStatus.SUCCEEDED, first.error
    assert _lower(bench.calls_to("/api/servers")[0]["headers"])["x-api-key"] == "status-key-1"
    [mail] = mailbox.messages()
    assert mail.get_content().strip() == "db-2: CPU 97%\ndb-1: CPU 93.5%"
    assert "mail" not in bench.steps(second)


@pytest.mark.usefixtures("needs_sandbox")
def test_overtime_is_computed_by_the_script_from_the_hr_records(bench: Bench) -> None:
    records = {
        "records": [
            {"name": "김민수", "in": "09:00", "out": "19:30"},
            {"name": "이지은", "in": "09:10", "out": "17:00"},
        ]
    }
    bench.server.script["/api/attendance/today"] = [(200, records)]
    bench.env.services.store.set_secret("HR_API_TOKEN", "hr-token-3", FIXED_NOW)
    bench.apply("overtime-report-slack")
    run = bench.env.runs.start("overtime-report-slack")
    assert run.status is RunStatus.SUCCEEDED, run.error
    [call] = bench.calls_to("/api/attendance/today")
    assert _lower(call["headers"])["authorization"] == "Bearer hr-token-3"
    [post] = bench.calls_to("/slack")
    assert json.loads(post["body"])["text"] == "*오늘의 초과 근무*\n김민수: 2.5시간"


def test_an_emitted_leave_request_waits_for_the_lead_and_mails_the_employee(
    bench: Bench, mailbox: Mailbox
) -> None:
    bench.apply("leave-request-approval")
    outcome = bench.env.services.events.emit(
        "leave.requested", {"employee": "김민수", "email": "minsu@example.com", "days": 2}
    )
    [waiting] = outcome.runs
    assert waiting.status is RunStatus.WAITING_APPROVAL and mailbox.envelopes == []
    with pytest.raises(RunStateError, match="may not decide"):
        bench.env.runs.approve(waiting.id, "someone-else@example.com")
    done = bench.env.runs.approve(waiting.id, "team-lead@example.com")
    assert done.status is RunStatus.SUCCEEDED
    [mail] = mailbox.messages()
    assert mail["To"] == "minsu@example.com" and "휴가 2일이 승인되었습니다" in mail.get_content()


@pytest.mark.usefixtures("needs_sandbox")
def test_every_script_example_passes_the_validators_dry_run(
    bank: dict[str, WorkedExample], settings: Settings
) -> None:
    """The dry run feeds each script samples of the declared upstream shapes (the API steps that
    scripts read declare their `output`), so a copied skeleton does not start its life failing."""
    from mwo.validation import CodeValidator

    validator = CodeValidator(settings)
    scripted = [e for e in bank.values() if any(s.type is StepType.PYTHON_SCRIPT for s in e.workflow.steps)]
    assert len(scripted) >= 6
    for example in scripted:
        findings = validator.validate(example.workflow, dry_run=True).findings
        assert [f.render() for f in findings if f.code != "spec.missing_folder"] == [], example.name
