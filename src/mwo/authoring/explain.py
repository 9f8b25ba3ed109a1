"""Explain-back: the workflow said in the request's language before it is saved: the trigger in
words with its next three fires, one sentence per step, every assumption and the secrets to set."""

from __future__ import annotations

from datetime import datetime

from mwo.authoring.particles import ro
from mwo.authoring.schedule import describe_schedule, next_fire_times
from mwo.spec import (
    ApiCallStep,
    ApprovalStep,
    ConditionStep,
    CronTrigger,
    DataTransformStep,
    EventTrigger,
    FileTrigger,
    LlmCallStep,
    NotificationStep,
    PythonScriptStep,
    Step,
    Workflow,
)

_CHANNEL_KO = {
    "email": "메일",
    "slack": "슬랙",
    "discord": "디스코드",
    "kakao": "카카오톡",
    "inbox": "MWO 받은편지함",
    "webhook": "웹훅",
}
_CHANNEL_EN = {
    "email": "email",
    "slack": "Slack",
    "discord": "Discord",
    "kakao": "KakaoTalk",
    "inbox": "the MWO inbox",
    "webhook": "a webhook",
}


def trigger_sentence(workflow: Workflow, language: str, now: datetime) -> str:
    """When it runs, in words; for a schedule also its next three fires."""
    ko = language == "ko"
    trigger = workflow.trigger
    if isinstance(trigger, CronTrigger):
        said = describe_schedule(trigger.cron, trigger.timezone, language)
        fires = ", ".join(
            f.strftime("%Y-%m-%d %H:%M") for f in next_fire_times(trigger.cron, trigger.timezone, 3, now)
        )
        return f"실행: {said}. 다음 실행: {fires}" if ko else f"Runs: {said}. Next runs: {fires}"
    if isinstance(trigger, EventTrigger):
        return (
            f"실행: 이벤트 '{trigger.event}'가 오면"
            if ko
            else f"Runs: when the event '{trigger.event}' arrives"
        )
    if isinstance(trigger, FileTrigger):
        return (
            f"실행: {trigger.path}에 파일({trigger.pattern})이 들어오면"
            if ko
            else f"Runs: when a file ({trigger.pattern}) arrives in {trigger.path}"
        )
    if trigger.type == "webhook":
        return (
            f"실행: POST /hooks/{workflow.name} 웹훅이 오면"
            if ko
            else f"Runs: when a webhook is posted to /hooks/{workflow.name}"
        )
    return (
        f"실행: 직접 실행할 때 (mwo run {workflow.name})"
        if ko
        else f"Runs: when started by hand (mwo run {workflow.name})"
    )


def step_sentence(step: Step, language: str) -> str:
    """One sentence saying what a step does."""
    ko = language == "ko"
    if isinstance(step, ApiCallStep):
        what = step.description or step.request.url
        return (
            f"{what} 요청을 보내 결과를 받습니다" if ko else f"calls {step.request.url} and reads the answer"
        )
    if isinstance(step, DataTransformStep):
        ops = ", ".join(op.op for op in step.ops) or "copy"
        return f"받은 데이터를 정리합니다 ({ops})" if ko else f"reshapes the data ({ops})"
    if isinstance(step, LlmCallStep):
        first = step.prompt.strip().splitlines()[0][:200]  # room for a requested length said last
        return f'언어 모델이 처리합니다: "{first}"' if ko else f'the language model does: "{first}"'
    if isinstance(step, PythonScriptStep):
        return "샌드박스에서 파이썬 스크립트를 실행합니다" if ko else "runs a Python script in the sandbox"
    if isinstance(step, ConditionStep):
        branch = step.branches[0]
        return (f"조건 `{branch.when}`이 참이면 {branch.goto}{ro(branch.goto)}, "
                f"아니면 {step.default}{ro(step.default)} 갑니다" if ko
                else f"if `{branch.when}` goes to {branch.goto}, else to {step.default}")  # fmt: skip
    if isinstance(step, ApprovalStep):
        return (
            "사람의 승인을 기다립니다 (mwo approve)" if ko else "waits for a person's approval (mwo approve)"
        )
    if isinstance(step, NotificationStep):
        where = (_CHANNEL_KO if ko else _CHANNEL_EN)[step.channel.value]
        to = f" ({', '.join(step.to)})" if step.to else ""
        return f"결과를 {where}{to}{ro(where)} 보냅니다" if ko else f"sends the result to {where}{to}"
    return step.type.value


def explain(
    workflow: Workflow, language: str, now: datetime, assumptions: list[str], missing_secrets: list[str]
) -> str:
    """The whole explain-back, a few lines of plain text."""
    ko = language == "ko"
    lines = [f"{workflow.name}: {workflow.description}", trigger_sentence(workflow, language, now)]
    for n, step in enumerate(workflow.steps, 1):
        lines.append(f"{n}. {step.id} ({step.type.value}): {step_sentence(step, language)}")
    if assumptions:
        lines.append(("가정: " if ko else "Assumed: ") + "; ".join(assumptions))
    if missing_secrets:
        names = ", ".join(missing_secrets)
        lines.append(
            f"설정할 비밀값: {names} (mwo secrets set NAME)"
            if ko
            else f"Secrets to set: {names} (mwo secrets set NAME)"
        )
    return "\n".join(lines)
