"""Each planned step's config, built deterministically: one builder per step type.

A builder reads the plan, the requirements and the *flow* (what the steps before it produce: a list
of rows, a text), writes its step and moves the flow on. Only the wording of an LLM_CALL's
instruction (and a judge's yes/no question) and a PYTHON_SCRIPT's code come from the model; each
has a rule-made default, kept when the model's answer is unusable or fails validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mwo.authoring import providers
from mwo.authoring.model_slots import ModelSlots
from mwo.authoring.planner import Plan, PlannedStep
from mwo.authoring.requirements import DEFAULT_COUNT, Requirements, said_search
from mwo.authoring.skeletons import PROVIDER_ENDPOINTS, Skeleton, find_skeleton
from mwo.spec import Channel, StepType

if TYPE_CHECKING:
    from mwo.authoring.examples import WorkedExample

Examples = Callable[[], Sequence["WorkedExample"]]
"""The bank's examples, nearest to the request first (retrieved on first use)."""

PLACEHOLDER_EMAIL = "me@example.com"
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"match": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["match"],
}
_NOT_SOURCES = frozenset({"papago", "http_post"})
"""API_CALL providers that process or deliver the content rather than bring it."""
_SKELETON_PROVIDERS = frozenset(PROVIDER_ENDPOINTS.values())
_CHANNEL_FACTS = {"slack": "webhook_url", "discord": "webhook_url", "kakao": "access_token"}
"""The NOTIFICATION field a channel's example supplies (its secret); the rest is the request's own.
A generic webhook's secret names its one destination (ALERT_WEBHOOK_URL ...), so it is not copied."""
_SECRET_REF = re.compile(r"\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}")
"""Only a plain secret is copied (a learned example may read a token its own refresh step got)."""
_TEXT_LIMIT = 6000
"""Characters of fetched text handed to an LLM_CALL (the local model's context is 4096 tokens)."""

_DEFAULT_INSTRUCTIONS = {
    "summarize": ("다음 내용을 핵심만 간결하게 한국어로 요약하세요.", "Summarise the following concisely."),
    "translate": ("다음 내용을 영어로 번역하세요.", "Translate the following into Korean."),
    "classify": (
        "다음 내용을 주제별로 분류하고 각 분류를 한 줄로 설명하세요.",
        "Classify the following by topic, one line per class.",
    ),
    "extract": (
        "다음 내용에서 중요한 사실만 목록으로 뽑으세요.",
        "List only the important facts in the following.",
    ),
    "rewrite": ("다음 내용을 읽기 쉽게 다시 쓰세요.", "Rewrite the following so it reads easily."),
    "analyze": ("다음 내용을 분석해 핵심 의견을 세 줄로 쓰세요.", "Analyse the following in three lines."),
}
_NO_LENGTH = frozenset({"judge", "translate", "classify", "sentiment"})
MODEL_WORDED_ROLES = frozenset({"generate", "analyze"})
"""LLM_CALL roles whose instruction the model words (the others have a rule-made one)."""
_LANGUAGE_NAMES = {
    "en": ("영어", "English"),
    "ko": ("한국어", "Korean"),
    "ja": ("일본어", "Japanese"),
    "zh": ("중국어", "Chinese"),
}


@dataclass
class Flow:
    """What the steps so far produce for the next one."""

    text: str | None = None
    """A template rendering the current content as text."""
    items: str | None = None
    """An expression giving the current list of rows."""
    kind: str = "none"
    """articles | forecast | page | inputs | generated | none: how builders word things."""


@dataclass
class Draft:
    """The spec being written, and what was assumed or filled by the model on the way."""

    steps: list[dict[str, Any]] = field(default_factory=list)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    model_filled: dict[str, str] = field(default_factory=dict)
    """step id -> what the model wrote there (the slot repaired first when that step fails)."""
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    """step id -> the rule-made fields that replace the model's on repair."""
    skeletons: dict[str, str] = field(default_factory=dict)
    """step id -> the worked example whose step it was made from."""


class StepBuilder:
    """Builds every step of a plan, in order, for one request."""

    def __init__(
        self,
        req: Requirements,
        plan: Plan,
        model: ModelSlots | None,
        default_email: str | None,
        examples: Examples | None = None,
    ) -> None:
        self.req = req
        self.plan = plan
        self.model = model
        self.default_email = default_email
        self.examples = examples
        self.flow = Flow()
        self.draft = Draft()

    def build(self) -> Draft:
        self._trigger_inputs()
        for index, planned in enumerate(self.plan.steps):
            following = self.plan.steps[index + 1].id if index + 1 < len(self.plan.steps) else "end"
            self.draft.steps.append(self._build(planned, following))
        return self.draft

    def _say(self, ko: str, en: str) -> str:
        return self.req.say(ko, en)

    def _assume(self, ko: str, en: str) -> None:
        text = self._say(ko, en)
        if text not in self.draft.assumptions:
            self.draft.assumptions.append(text)

    def _skeleton(self, planned: PlannedStep, structure: str) -> dict[str, Any] | None:
        """The step of the nearest example with `structure`, or None (the builders' own facts)."""
        if self.examples is None:
            return None
        found: Skeleton | None = find_skeleton(self.examples(), structure)
        if found is None:
            return None
        self.draft.skeletons[planned.id] = found.example
        return found.step

    # --- what the trigger brings ----------------------------------------------------------------

    def _trigger_inputs(self) -> None:
        kind = self.req.trigger.kind
        if kind == "webhook":
            self.draft.inputs["message"] = {
                "required": True,
                "description": self._say("보낸 쪽이 보낸 내용", "what the sender posted"),
            }
            self.flow = Flow(text="{{ inputs.message }}", kind="inputs")
            self._assume(
                '웹훅 본문은 {"message": "..."} 형태의 JSON입니다',
                'the webhook body is JSON like {"message": "..."}',
            )
        elif kind == "event":
            self.draft.inputs["event"] = {
                "type": "object",
                "description": self._say("받은 이벤트", "the event received"),
            }
            self.flow = Flow(text="{{ inputs.event | tojson }}", kind="inputs")
        elif kind == "file":
            for name in ("name", "path"):
                self.draft.inputs[name] = {
                    "description": self._say("도착한 파일의 " + name, "the arrived file's " + name)
                }
            self.flow = Flow(
                text=self._say(
                    "새 파일: {{ inputs.name }} ({{ inputs.path }})",
                    "New file: {{ inputs.name }} ({{ inputs.path }})",
                ),
                kind="inputs",
            )
        elif (
            any(
                s.type in (StepType.LLM_CALL, StepType.PYTHON_SCRIPT, StepType.DATA_TRANSFORM)
                or s.provider == "papago"
                for s in self.plan.steps
            )
            and not any(
                s.type is StepType.API_CALL and s.provider not in _NOT_SOURCES for s in self.plan.steps
            )
            and not any(s.role in ("generate", "compute") for s in self.plan.steps)
        ):
            self.draft.inputs["text"] = {
                "required": True,
                "description": self._say("처리할 내용", "the content to process"),
            }
            self.flow = Flow(text="{{ inputs.text }}", kind="inputs")
            self._assume(
                "처리할 내용은 실행할 때 입력 text로 받습니다 (mwo run NAME --input text=...)",
                "the content to process is the run input text (mwo run NAME --input text=...)",
            )

    # --- one builder per step type --------------------------------------------------------------

    def _build(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        builders = {
            StepType.API_CALL: self._api_call,
            StepType.DATA_TRANSFORM: self._transform,
            StepType.LLM_CALL: self._llm_call,
            StepType.PYTHON_SCRIPT: self._script,
            StepType.CONDITION: self._condition,
            StepType.APPROVAL: self._approval,
            StepType.NOTIFICATION: self._notification,
        }
        step = builders[planned.type](planned, following)
        return {"id": planned.id, "type": planned.type.value, **step}

    def _api_call(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        count = self.req.count or DEFAULT_COUNT
        skeleton = (
            self._skeleton(planned, planned.provider) if planned.provider in _SKELETON_PROVIDERS else None
        )
        if planned.provider in ("naver_news", "naver_blog"):
            if self.req.count is None:
                self._assume(
                    f"가져올 개수를 말하지 않아 {DEFAULT_COUNT}개로 했습니다",
                    f"no number was given, so {DEFAULT_COUNT} items are fetched",
                )
            kind = "news" if planned.provider == "naver_news" else "blog"
            source = providers.naver_search(planned.id, kind, self.req.topic or "뉴스", count, skeleton)
            self.flow = Flow(items=source.items, kind="articles")
        elif planned.provider == "kakao_local":
            query = self.req.topic or said_search(self.req.text) or self._say("맛집", "restaurants")
            source = providers.kakao_local_search(planned.id, query, count, skeleton)
            self.flow = Flow(items=source.items, kind="places")
        elif planned.provider == "papago":
            target = self.req.target_language or ("en" if self.req.language == "ko" else "ko")
            source = providers.papago_translate(
                planned.id, self.flow.text or "{{ inputs.text }}", target, skeleton
            )
            self.flow = Flow(
                text=f"{{{{ steps.{planned.id}.output.json.message.result.translatedText }}}}",
                kind="generated",
            )
        elif planned.provider == "http_input":
            self.draft.inputs["url"] = {
                "required": True,
                "description": self._say("읽을 웹 페이지 주소", "the address of the page to read"),
            }
            source = providers.http_get(planned.id, "{{ inputs.url }}")
            self.flow = Flow(
                text=f"{{{{ steps.{planned.id}.output.text | truncate({_TEXT_LIMIT}) }}}}", kind="page"
            )
        elif planned.provider == "http_post":
            step = providers.http_post(planned.id, planned.evidence, self.flow.text or "")
            step.pop("id")
            step.pop("type")
            return step
        elif planned.provider == "kma":
            place = planned.place or providers.KMA_SEOUL
            source = providers.kma_forecast(planned.id, place, skeleton)
            nx, ny = place.grid
            if planned.place is None:
                self._assume(
                    f"지역 표에서 찾은 곳이 없어 서울(종로구 격자 {nx},{ny})의 예보를 씁니다",
                    f"no place of the table was named, so the Seoul forecast (grid {nx},{ny}) is used",
                )
            else:
                self._assume(
                    f"{place.ko}의 예보를 씁니다 (기상청 격자 nx={nx}, ny={ny})",
                    f"the forecast is for {place.en} (KMA grid nx={nx}, ny={ny})",
                )
            self.flow = Flow(items=source.items, kind="forecast")
        else:
            source = providers.http_get(planned.id, self.req.urls[0], tolerate_errors=planned.role == "probe")
            self.flow = Flow(
                text=f"{{{{ steps.{planned.id}.output.text | truncate({_TEXT_LIMIT}) }}}}", kind="page"
            )
        self._row_text = source.row_text
        step = dict(source.step)
        step.pop("id")
        step.pop("type")
        return step

    def _transform(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        items = self.flow.items or "[]"
        row = getattr(self, "_row_text", "{{ item }}")
        ops: list[dict[str, Any]]
        if planned.role == "rain_chance":
            ops = [
                {"op": "filter", "where": "item.category == 'POP'"},
                {"op": "map", "fields": {"pop": "item.fcstValue | int"}},
                {"op": "sort", "by": "pop", "descending": True},
                {"op": "limit", "count": 1},
            ]
            pop = f"steps.{planned.id}.output.result[0].pop"
            self.flow = Flow(
                text=self._say(
                    f"오늘 최고 강수확률은 {{{{ {pop} }}}}%입니다. 우산 챙기세요!",
                    f"Today's highest chance of rain is {{{{ {pop} }}}}%. Take an umbrella!",
                ),
                items=f"steps.{planned.id}.output.result",
                kind="forecast",
            )
            return {"source": items, "ops": ops}
        ops = []
        if planned.role == "weather":
            ops.append({"op": "filter", "where": providers.KMA_TODAY_FILTER})
        elif self.req.count and self.flow.kind not in ("articles",):
            ops.append({"op": "limit", "count": self.req.count})
        ops.append({"op": "format", "template": row, "join": "\n"})
        self.flow = Flow(text=f"{{{{ steps.{planned.id}.output.result }}}}", items=items, kind=self.flow.kind)
        return {"source": items, "ops": ops}

    def _llm_call(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        if planned.role == "judge":
            return self._judge(planned)
        length = self.req.length if self._takes_length(planned) else None
        said = f" {length.sentence(self.req.language)}" if length is not None else ""
        default = self._default_instruction(planned.role) + said  # "세 줄로", "under 100 words": last
        # Only open-ended wording goes to the model; a templated role's wording is better by rule
        # (the 1.5B model tends to echo the whole request, schedule and channel included).
        wrote = (
            self.model.instruction(planned.role, self.req.language, self._context())
            if self.model is not None and planned.role in MODEL_WORDED_ROLES
            else None
        )
        if wrote:
            wrote += said
        instruction = wrote or default
        content = self.flow.text
        prompt = f"{instruction}\n\n{content}" if content else instruction
        if wrote:
            self.draft.model_filled[planned.id] = wrote
            self.draft.defaults[planned.id] = {"prompt": f"{default}\n\n{content}" if content else default}
        self.flow = Flow(text=f"{{{{ steps.{planned.id}.output.text }}}}", kind="generated")
        return {
            "system": self._say(
                "당신은 간결하게 답하는 도우미입니다. 한국어로 답하세요.", "You are a concise assistant."
            ),
            "prompt": prompt,
            "max_tokens": length.max_tokens(400) if length is not None else 400,
        }

    def _takes_length(self, planned: PlannedStep) -> bool:
        """The requested length goes to the first step that writes the result (not a judge, a
        translation or a classification, whose length follows what they are given)."""
        writers = [s for s in self.plan.steps if s.type is StepType.LLM_CALL and s.role not in _NO_LENGTH]
        return self.req.length is not None and bool(writers) and writers[0].id == planned.id

    def _default_instruction(self, role: str) -> str:
        if role == "generate":
            # what to write: the answer to "what should it send?", else the request's own words
            what = self.req.answers.get("topic") or content_phrase(self.req.request, self.req.trigger.phrase)
            return self._say(
                f"{what}: 이것을 한국어로 짧게 쓰세요. 설명 없이 결과만 쓰세요.",
                f"{what}: write this, short. Answer with the result only.",
            )
        if role == "translate":
            target = self.req.target_language or ("en" if self.req.language == "ko" else "ko")
            ko_name, en_name = _LANGUAGE_NAMES.get(target, ("영어", "English"))
            return self._say(
                f"다음 내용을 {ko_name}로 번역하세요.", f"Translate the following into {en_name}."
            )
        if role == "summarize" and self.flow.kind == "articles":
            topic = f"{self.req.topic} " if self.req.topic else ""
            if self.req.length is not None:  # the requested length replaces "two sentences each"
                return self._say(
                    f"다음 {topic}기사들을 요약하세요.", f"Summarise the following {topic}articles."
                )
            return self._say(
                f"다음 {topic}기사들을 각각 두 문장으로 요약하세요.",
                f"Summarise each of the following {topic}articles in two sentences.",
            )
        ko, en = _DEFAULT_INSTRUCTIONS.get(role, _DEFAULT_INSTRUCTIONS["summarize"])
        return self._say(ko, en)

    def _judge(self, planned: PlannedStep) -> dict[str, Any]:
        condition = planned.evidence or self.req.request
        default = self._say(
            f"다음 내용이 조건 '{condition}'에 맞으면 match를 true로, 아니면 false로 답하세요.",
            f"Answer match=true if the following meets the condition '{condition}', else false.",
        )
        wrote = self.model.judge(condition, self.req.language) if self.model else None
        if wrote:
            self.draft.model_filled[planned.id] = wrote
            self.draft.defaults[planned.id] = {"prompt": f"{default}\n\n{self.flow.text or ''}".strip()}
        prompt = f"{wrote or default}\n\n{self.flow.text or ''}".strip()
        return {"prompt": prompt, "output_schema": JUDGE_SCHEMA, "temperature": 0, "max_tokens": 80}

    def _script(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        data = f"{{{{ {self.flow.items} }}}}" if self.flow.items else (self.flow.text or "")
        inputs = {"data": data} if data else {}
        task = planned.evidence or self.req.request
        code = (
            self.model.script(
                task, "inputs['data'] is " + ("a list of rows" if self.flow.items else "a text")
            )
            if self.model
            else None
        )
        fallback = _PASS_THROUGH
        if code:
            self.draft.model_filled[planned.id] = code
        self.draft.defaults[planned.id] = {"code": fallback}
        self.flow = Flow(text=f"{{{{ steps.{planned.id}.output.result }}}}", kind="generated")
        return {"description": task[:200], "inputs": inputs, "code": code or fallback, "timeout_s": 30}

    def _condition(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        previous = self.draft.steps[-1]["id"] if self.draft.steps else None
        if planned.role == "rain":
            self._assume(
                "강수확률 60% 이상이면 비가 온다고 봅니다", "a chance of rain of 60% or more counts as rain"
            )
            when = f"steps.{previous}.output.count > 0 and steps.{previous}.output.result[0].pop >= 60"
            return {"branches": [{"when": when, "goto": following}], "default": "end"}
        if planned.role == "healthy":
            probe = next(s["id"] for s in self.draft.steps if s["type"] == "API_CALL")
            status = f"steps.{probe}.output.status if steps.{probe}.output"
            self.flow = Flow(
                text=self._say(
                    f"⚠️ {self.req.urls[0]} 응답 이상: {{{{ {status} else '연결 실패' }}}}",
                    f"⚠️ {self.req.urls[0]} is not healthy: {{{{ {status} else 'no connection' }}}}",
                ),
                kind="page",
            )
            expected = _EXPECTED_STATUS.search(self.req.text)
            if expected is not None:  # "200이 아니면", "if it does not return 200": that code is healthy
                code = expected.group(1) or expected.group(2)
                when = f"steps.{probe}.output and steps.{probe}.output.status == {code}"
            else:
                when = f"steps.{probe}.output and steps.{probe}.output.status < 400"
            return {"branches": [{"when": when, "goto": "end"}], "default": following}
        # judged: the content before the judge is what the message carries on
        judge = previous or "judge"
        before = [s for s in self.draft.steps if s["id"] != judge]
        if before and before[-1]["type"] == "LLM_CALL":
            self.flow = Flow(text=f"{{{{ steps.{before[-1]['id']}.output.text }}}}", kind="generated")
        return {
            "branches": [{"when": f"steps.{judge}.output.data.match", "goto": following}],
            "default": "end",
        }

    def _approval(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        return {
            "message": self._say(
                "보내기 전에 내용을 확인하고 승인해 주세요.",
                "Check the content and approve before it is sent.",
            )
        }

    def _notification(self, planned: PlannedStep, following: str) -> dict[str, Any]:
        channel = planned.channel or Channel.INBOX
        body = self.flow.text or self.plan.message or self._reminder()
        step: dict[str, Any] = {"channel": channel.value, "body": body}
        if channel in (Channel.EMAIL, Channel.INBOX):
            step["subject"] = self._subject()
        if channel is Channel.EMAIL:
            step["to"] = list(self.req.emails) or [self._default_recipient()]
        secret_ref = f"{{{{ secrets.{providers.CHANNEL_SECRETS.get(channel.value)} }}}}"
        fact = _CHANNEL_FACTS.get(channel.value)
        skeleton = self._skeleton(planned, f"notify:{channel.value}") if fact else None
        if skeleton is not None and fact is not None and _SECRET_REF.fullmatch(str(skeleton.get(fact))):
            secret_ref = str(skeleton[fact])  # the channel's secret, as the example names it
        if channel is Channel.KAKAO:
            step["access_token"] = secret_ref
            step["body"] = (
                f"{{{{ ({body[3:-3] if _is_single(body) else repr(body)}) | truncate(190) }}}}"
                if _is_single(body)
                else body
            )
        elif channel.value in providers.CHANNEL_SECRETS:
            step["webhook_url"] = secret_ref
        return step

    # --- wording ---------------------------------------------------------------------------------

    def _reminder(self) -> str:
        what = content_phrase(self.req.request, self.req.trigger.phrase)
        return self._say(f"알림: {what}", f"Reminder: {what}")

    def _default_recipient(self) -> str:
        if self.default_email:
            self._assume(
                f"받는 사람은 기본 수신자 {self.default_email}입니다",
                f"the mail goes to the default recipient {self.default_email}",
            )
            return self.default_email
        self._assume(
            f"받는 사람 주소가 없어 {PLACEHOLDER_EMAIL}로 두었습니다 "
            "(MWO_DEFAULT_EMAIL을 설정하거나 `mwo edit`로 바꾸세요)",
            f"no address was given, so the mail goes to {PLACEHOLDER_EMAIL} "
            "(set MWO_DEFAULT_EMAIL or change it with `mwo edit`)",
        )
        return PLACEHOLDER_EMAIL

    def _subject(self) -> str:
        topic = self.req.topic
        if self.flow.kind == "articles" or any(s.provider == "naver_news" for s in self.plan.steps):
            return self._say(
                f"오늘의 {topic} 뉴스" if topic else "오늘의 뉴스",
                f"Today's {topic} news" if topic else "Today's news",
            )
        kma = next((s for s in self.plan.steps if s.provider == "kma"), None)
        if kma is not None:
            if kma.place is not None:
                return self._say(f"오늘의 {kma.place.ko} 날씨", f"Today's weather in {kma.place.en}")
            return self._say("오늘의 날씨", "Today's weather")
        return self._say("MWO 알림", "MWO notification")

    def _context(self) -> str:
        return {
            "articles": "news articles",
            "forecast": "a weather forecast",
            "page": "a web page",
            "inputs": "the text the run receives",
        }.get(self.flow.kind, "the request")


_MAKE = re.compile(
    r"\s*(?:을|를)?\s*(?:(?:AI|ai|인공지능|GPT|LLM|모델)\s*(?:로|으로|를\s*써서|를\s*이용해)\s*)?"
    r"(?:만들어|써|작성해|작성하|생성해|생성하|골라|추천해|지어)(?:서|주고|줘|주세요|고)?.*$"
    r"|\s*(?:and\s+)?(?:send|post|mail|email|message|deliver)\b.*$",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^(?:\s|(?:에는|에|마다|과|와|및)(?=\s)|,|(?:at|on|in|and)\b)*", re.IGNORECASE)


_EXPECTED_STATUS = re.compile(
    r"(?<!\d)([1-5]\d{2})\s*(?:이|가)?\s*아니|\bnot\s+(?:return\s+|answer\s+with\s+)?([1-5]\d{2})\b",
    re.IGNORECASE,
)


def content_phrase(request: str, schedule_phrase: str) -> str:
    """What is to be written, from a request like "매일 아침 8시에 오늘의 명언 하나를 만들어서 ...":
    the schedule words and the make/send clause cut away ("오늘의 명언 하나")."""
    text = request
    for word in schedule_phrase.split():
        text = text.replace(word, " ", 1)
    text = _LEAD.sub("", " ".join(text.split()))
    text = _MAKE.sub("", text).strip(" ,.")
    return text or request.strip()


def _is_single(template: str) -> bool:
    return template.startswith("{{ ") and template.endswith(" }}") and template.count("{{") == 1


_PASS_THROUGH = """def main(inputs: dict) -> dict:
    data = inputs.get("data")
    if isinstance(data, list):
        return {"result": "\\n".join(str(row) for row in data)}
    return {"result": "" if data is None else str(data)}
"""
