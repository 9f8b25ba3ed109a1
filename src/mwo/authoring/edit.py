"""Edits in natural language: the current version plus one instruction gives a new version that
changes only what the instruction asks, checked the same way as a new workflow.

Rules recognise the usual changes (days to skip, a new schedule, a channel, a recipient, a number of
items, a topic, an approval before sending, how the model writes); the model only picks which kind
of change an instruction is when no rule does (a tiny enum). A readable YAML diff and a one
paragraph summary go with the result.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mwo.authoring.events import EventLog
from mwo.authoring.lexicon import extract_slots, step_intents
from mwo.authoring.model_slots import ModelSlots
from mwo.authoring.particles import ro
from mwo.authoring.providers import CHANNEL_SECRETS
from mwo.authoring.result import AuthoringResult
from mwo.authoring.safety import screen
from mwo.authoring.schedule import parse_schedule, request_language
from mwo.authoring.step_builders import PLACEHOLDER_EMAIL, Draft
from mwo.spec import Workflow, dump_workflow
from mwo.spec.steps import StepType

if TYPE_CHECKING:
    from mwo.authoring.service import AuthoringService

_DAYS = {"일": 0, "월": 1, "화": 2, "수": 3, "목": 4, "금": 5, "토": 6}
_EN_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_NOT = re.compile(
    r"(?:말고|빼|제외|보내지\s*마|하지\s*마|쉬|건너뛰|없이|except|skip|not\s+on|no\s+\w+\s+on|don'?t)", re.I
)
_KO_DAY = re.compile(r"([월화수목금토일])요일")
_EN_DAY = re.compile(r"\b(sun|mon|tue|wed|thu|fri|sat)[a-z]*", re.I)
_WEEKEND = re.compile(r"주말|weekends?", re.I)
_APPROVAL = re.compile(r"승인|결재|허락|approv", re.I)
_INSTEAD = re.compile(r"대신|말고|instead|rather|switch|바꿔|change", re.I)
_COUNT = re.compile(r"(\d+)\s*(?:개|건|items?|articles?|posts?)", re.I)
_PROMPT = re.compile(
    r"요약|번역|문장|짧게|길게|자세히|톤|말투|summar|translat|sentence|shorter|longer|tone", re.I
)
_TOPIC = re.compile(r"(?:주제|검색어|키워드|topic|query|keyword)", re.I)


_NOT_UNDERSTOOD_KO = (
    "수정 요청에서 바꿀 내용을 찾지 못했습니다. "
    "예: '월요일에는 보내지 마', '슬랙으로 보내줘', '매일 오전 8시로 바꿔줘'"
)
_NOT_UNDERSTOOD_EN = (
    "no change could be read from the instruction; "
    "e.g. 'not on Mondays', 'send it to Slack instead', 'run at 8:00 every day'"
)
_EN_DAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


class WorkflowEditor:
    """Applies one instruction to one workflow, for one edit session."""

    def __init__(self, service: AuthoringService, session_id: str, events: EventLog) -> None:
        self._service = service
        self._session = session_id
        self._events = events

    def edit(self, workflow: Workflow, instruction: str) -> AuthoringResult:
        language = request_language(instruction)
        base = AuthoringResult(
            status="failed", session=self._session, workflow=workflow.name, language=language
        )
        ko = language == "ko"
        self._events.emit("understanding", "수정 요청을 이해하는 중" if ko else "understanding the edit")
        refusal = screen(instruction)
        if refusal is not None:
            self._events.emit("refused", refusal.reason(language), rule=refusal.rule)
            return replace(base, explanation=refusal.reason(language))
        spec = copy.deepcopy(workflow.canonical_dict())
        changes = _apply_rules(spec, instruction, language, self._service.settings.timezone)
        if not changes:
            kind = ModelSlots(self._service.llm, instruction, self._session).edit_kind(_outline(workflow))
            changes = (
                _apply_kind(spec, kind, instruction, language, self._service.settings.timezone)
                if kind
                else []
            )
        if not changes:
            text = _NOT_UNDERSTOOD_KO if ko else _NOT_UNDERSTOOD_EN
            self._events.emit("failed", text)
            return replace(base, explanation=text)
        self._events.emit("planning", "; ".join(changes))
        checker = self._service_checker()
        checked = checker.check(
            spec, Draft(), lambda stage, message, **data: self._events.emit(stage, message, **data)
        )
        base = replace(base, attempts=checked.attempts)
        if checked.workflow is None:
            first = checked.report.errors[0].render() if checked.report.errors else "invalid"
            self._events.emit("failed", first)
            return replace(base, explanation=first)
        ready = self._service._ready(base, checked.workflow, language, [], self._events)
        diff = "".join(
            difflib.unified_diff(
                dump_workflow(workflow).splitlines(keepends=True),
                dump_workflow(checked.workflow).splitlines(keepends=True),
                fromfile=f"{workflow.name} (now)",
                tofile=f"{workflow.name} (edited)",
            )
        )
        summary = _summary(changes, language)
        return replace(ready, diff=diff, summary=summary, explanation=f"{summary}\n{ready.explanation}")

    def _service_checker(self) -> Any:
        from mwo.authoring.checking import DraftChecker

        service = self._service
        return DraftChecker(
            service.settings,
            service.llm,
            service.store.list_secret_names(),
            sandbox=service.sandbox,
            subject=f"authoring:{self._session}",
        )


def _apply_rules(spec: dict[str, Any], instruction: str, language: str, zone: str) -> list[str]:
    changes: list[str] = []
    for kind in ("skip_days", "schedule", "channel", "recipient", "count", "topic", "approval", "prompt"):
        if _matches(kind, instruction):
            changes += _apply_kind(spec, kind, instruction, language, zone)
    return list(dict.fromkeys(changes))


def _matches(kind: str, text: str) -> bool:
    if kind == "skip_days":
        return bool(
            _NOT.search(text) and (_KO_DAY.search(text) or _EN_DAY.search(text) or _WEEKEND.search(text))
        )
    if kind == "schedule":
        return not _matches("skip_days", text) and parse_schedule(text, default_timezone="UTC") is not None
    if kind == "channel":
        return any(i.type is StepType.NOTIFICATION and i.channel is not None for i in step_intents(text))
    if kind == "recipient":
        return bool(extract_slots(text).emails)
    if kind == "count":
        return bool(_COUNT.search(text))
    if kind == "topic":
        return bool(_TOPIC.search(text))
    if kind == "approval":
        return bool(_APPROVAL.search(text))
    return kind == "prompt" and bool(_PROMPT.search(text)) and not _COUNT.search(text)


def _apply_kind(spec: dict[str, Any], kind: str, text: str, language: str, zone: str) -> list[str]:
    ko = language == "ko"
    trigger = spec.get("trigger") or {}
    if kind == "skip_days" and trigger.get("type") == "cron":
        return _skip_days(trigger, text, ko)
    if kind == "schedule":
        parsed = parse_schedule(text, default_timezone=trigger.get("timezone") or zone, language=language)
        if parsed is None:
            return []
        spec["trigger"] = {**trigger, "type": "cron", "cron": parsed.cron, "timezone": parsed.timezone}
        return [
            f"실행 시각을 {parsed.cron} ({parsed.timezone})로 바꿈"
            if ko
            else f"schedule changed to {parsed.cron} ({parsed.timezone})"
        ]
    if kind == "channel":
        return _channel(spec, text, ko)
    if kind == "recipient":
        emails = list(extract_slots(text).emails)
        mails = [s for s in spec["steps"] if s["type"] == "NOTIFICATION" and s.get("channel") == "email"]
        for step in mails:
            step["to"] = emails
        return (
            [f"받는 사람을 {', '.join(emails)}(으)로 바꿈" if ko else f"recipient set to {', '.join(emails)}"]
            if mails and emails
            else []
        )
    if kind == "count":
        return _count(spec, text, ko)
    if kind == "topic":
        return _topic(spec, text, ko)
    if kind == "approval":
        return _approval(spec, ko)
    if kind == "prompt":
        return _prompt(spec, text, ko)
    return []


def _skip_days(trigger: dict[str, Any], text: str, ko: bool) -> list[str]:
    skipped = {_DAYS[d] for d in _KO_DAY.findall(text)} | {
        _EN_DAYS[d.lower()[:3]] for d in _EN_DAY.findall(text)
    }
    if _WEEKEND.search(text):
        skipped |= {0, 6}
    fields = str(trigger["cron"]).split()
    if len(fields) != 5 or not skipped:
        return []
    days = sorted(_expand_dow(fields[4]) - skipped)
    if not days:
        return []
    fields[4] = _compact(days)
    trigger["cron"] = " ".join(fields)
    in_week_order = sorted(skipped, key=lambda d: (d - 1) % 7)  # Monday first: "토요일, 일요일"
    names = ", ".join(("일월화수목금토"[d] + "요일") if ko else _EN_DAY_NAMES[d] for d in in_week_order)
    return [
        f"{names}에는 실행하지 않음 (cron {trigger['cron']})"
        if ko
        else f"no runs on {names} (cron {trigger['cron']})"
    ]


def _expand_dow(field: str) -> set[int]:
    if field in ("*", "?"):
        return set(range(7))
    days: set[int] = set()
    for part in field.split(","):
        if "-" in part:
            a, b = (int(x) % 7 if x != "7" else 0 for x in part.split("-"))
            days |= set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
        elif part.isdigit():
            days.add(int(part) % 7)
    return days


def _compact(days: list[int]) -> str:
    runs: list[str] = []
    start = prev = days[0]
    for d in [*days[1:], None]:
        if d is not None and d == prev + 1:
            prev = d
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if d is not None:
            start = prev = d
    return ",".join(runs)


def _channel(spec: dict[str, Any], text: str, ko: bool) -> list[str]:
    wanted = [
        i.channel for i in step_intents(text) if i.type is StepType.NOTIFICATION and i.channel is not None
    ]
    if not wanted:
        return []
    channel = wanted[-1]
    notes = [s for s in spec["steps"] if s["type"] == "NOTIFICATION"]
    if not notes:
        return []
    if _INSTEAD.search(text) or (
        len(wanted) == 1 and len(notes) == 1 and not re.search(r"도\s|also|as well|too", text)
    ):
        target = notes[0]
        _set_channel(target, channel.value)
        return [
            f"{target['id']} 단계를 {channel.value}(으)로 보내도록 바꿈"
            if ko
            else f"step {target['id']} now sends by {channel.value}"
        ]
    new = copy.deepcopy(notes[-1])
    taken = {s["id"] for s in spec["steps"]}
    new["id"] = channel.value if channel.value not in taken else f"{channel.value}_2"
    new.pop("next", None)
    _set_channel(new, channel.value)
    spec["steps"].append(new)
    return [
        f"{channel.value}(으)로도 보내는 단계 추가"
        if ko
        else f"added a step that also sends by {channel.value}"
    ]


def _set_channel(step: dict[str, Any], channel: str) -> None:
    for key in ("to", "webhook_url", "access_token", "link_url", "subject"):
        step.pop(key, None)
    step["channel"] = channel
    if channel == "email":
        step["to"] = [PLACEHOLDER_EMAIL]
        step["subject"] = "MWO"
    elif channel == "inbox":
        step["subject"] = "MWO"
    elif channel == "kakao":
        step["access_token"] = f"{{{{ secrets.{CHANNEL_SECRETS['kakao']} }}}}"
    elif channel in CHANNEL_SECRETS:
        step["webhook_url"] = f"{{{{ secrets.{CHANNEL_SECRETS[channel]} }}}}"


def _count(spec: dict[str, Any], text: str, ko: bool) -> list[str]:
    found = _COUNT.search(text)
    if found is None:
        return []
    n = int(found.group(1))
    changed = False
    for step in spec["steps"]:
        params = (step.get("request") or {}).get("params") or {}
        if "display" in params:
            params["display"] = max(1, min(n, 100))
            changed = True
        for op in step.get("ops") or []:
            if op.get("op") == "limit":
                op["count"] = n
                changed = True
    return [f"가져오는 개수를 {n}개로 바꿈" if ko else f"number of items set to {n}"] if changed else []


def _topic(spec: dict[str, Any], text: str, ko: bool) -> list[str]:
    topic = extract_slots(text).topic_hint
    if not topic:
        return []
    for step in spec["steps"]:
        params = (step.get("request") or {}).get("params") or {}
        if "query" in params:
            params["query"] = topic
            return [f"검색어를 '{topic}'{ro(topic)} 바꿈" if ko else f"search words set to '{topic}'"]
    return []


def _approval(spec: dict[str, Any], ko: bool) -> list[str]:
    steps = spec["steps"]
    if any(s["type"] == "APPROVAL" for s in steps):
        return []
    index = next((i for i, s in enumerate(steps) if s["type"] == "NOTIFICATION"), len(steps))
    taken = {s["id"] for s in steps}
    step_id = "approve" if "approve" not in taken else "approve_2"
    steps.insert(
        index,
        {
            "id": step_id,
            "type": "APPROVAL",
            "message": "보내기 전에 승인해 주세요." if ko else "Approve before it is sent.",
        },
    )
    return ["보내기 전에 승인 단계 추가" if ko else "added an approval before sending"]


def _prompt(spec: dict[str, Any], text: str, ko: bool) -> list[str]:
    for step in spec["steps"]:
        if step["type"] == "LLM_CALL" and "output_schema" not in step:
            head, sep, rest = step["prompt"].partition("\n")
            step["prompt"] = f"{head} ({text.strip()}){sep}{rest}"
            return [
                f"{step['id']} 단계의 지시에 '{text.strip()}' 추가"
                if ko
                else f"step {step['id']} instruction now adds '{text.strip()}'"
            ]
    return []


def _outline(workflow: Workflow) -> str:
    return f"{workflow.description}; steps: " + ", ".join(f"{s.id} {s.type.value}" for s in workflow.steps)


def _summary(changes: list[str], language: str) -> str:
    """What the edit changed, in the request's language. The changes are noun phrases ("...(으)로
    바꿈", "... 추가", "...에는 실행하지 않음"), so they follow a colon rather than take a verb ending
    ("실행하지 않음했습니다" is not Korean)."""
    if language == "ko":
        return "요청에 따라 바꿨습니다: " + "; ".join(changes) + ". 다른 부분은 그대로 두었습니다."
    return "As asked: " + "; ".join(changes) + ". Nothing else was changed."
