"""The model's small jobs in authoring: one constrained call per open slot, never a whole plan.

A call that fails (not JSON, cut off, off-schema, the model unavailable) gives None and the caller
keeps its rule-made default: a slot the model could not fill never stops a workflow from being
made, and nothing the model wrote is used unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mwo.authoring import prompts
from mwo.llm import LlmError, LlmRequest, LlmService

_PLACEHOLDER = re.compile(r"[{}<>]|\[[^\]]*\]")
# An instruction that also says where or when to send is the whole request echoed back: the step
# that sends and the trigger already do that, so the rule-made wording is better.
_BEYOND_THE_STEP = re.compile(
    r"메일|보내|전송|발송|슬랙|카톡|카카오|디스코드|수집|매일|매주|아침|저녁|"
    r"\be-?mail|\bsend|\bslack|\bdiscord|\bkakao|\bcollect|\bevery\s+(?:day|morning|week)",
    re.IGNORECASE,
)
_CODE_FENCE = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.DOTALL)


@dataclass
class ModelUse:
    """What the model was asked in one session (for the result and the benchmark)."""

    calls: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    asked: list[str] = field(default_factory=list)


class ModelSlots:
    """Asks `llm` for one slot at a time, with the session's shared prompt prefix."""

    def __init__(self, llm: LlmService, request: str, session_id: str) -> None:
        self._llm = llm
        self._request = request
        self._caller = f"authoring:{session_id}"
        self.use = ModelUse()

    def _ask(self, slot: str, prompt: str, schema: dict[str, Any] | None, max_tokens: int) -> Any:
        self.use.calls += 1
        self.use.asked.append(slot)
        request = LlmRequest(
            prompt=prompt, system=prompts.SYSTEM, schema=schema, temperature=0.0, max_tokens=max_tokens
        )
        try:
            answer = self._llm.ask(request, caller=f"{self._caller}:{slot}")
        except LlmError:
            self.use.failures += 1
            return None
        self.use.prompt_tokens += answer.prompt_tokens
        self.use.completion_tokens += answer.completion_tokens
        return answer.data if schema is not None else answer.text

    def content_kind(self, examples: list[tuple[str, str]] | None = None, answers: str = "") -> str | None:
        """generate | fetch | compute | none, for a request whose content no rule explains; the
        nearest worked examples (request, kind) go first as solved cases; `answers`: what the person
        answered about the content (read with the request)."""
        prompt = prompts.content_prompt(self._request, list(examples or []), answers)
        data = self._ask("content", prompt, prompts.CONTENT_SCHEMA, 16)
        return str(data["kind"]) if isinstance(data, dict) else None

    def instruction(self, role: str, language: str, context: str) -> str | None:
        """One imperative sentence for an LLM_CALL step, or None when the answer is unusable."""
        prompt = prompts.instruction_prompt(self._request, role, language, context)
        data = self._ask(f"instruction:{role}", prompt, prompts.INSTRUCTION_SCHEMA, 80)
        return _sentence(data)

    def judge(self, condition: str, language: str) -> str | None:
        prompt = prompts.judge_prompt(self._request, condition, language)
        return _sentence(self._ask("judge", prompt, prompts.INSTRUCTION_SCHEMA, 80))

    def script(self, task: str, inputs_doc: str) -> str | None:
        """A PYTHON_SCRIPT body; the validator and the healer judge it afterwards."""
        text = self._ask("script", prompts.script_prompt(self._request, task, inputs_doc), None, 400)
        if not isinstance(text, str) or "def main" not in text:
            return None
        fenced = _CODE_FENCE.search(text)
        return (fenced.group(1) if fenced else text).strip() + "\n"

    def edit_kind(self, summary: str) -> str | None:
        data = self._ask("edit", prompts.edit_prompt(self._request, summary), prompts.EDIT_SCHEMA, 16)
        return str(data["change"]) if isinstance(data, dict) else None


def _sentence(data: Any) -> str | None:
    """The instruction, if it is one plain sentence: no template braces, no placeholders."""
    if not isinstance(data, dict):
        return None
    text = " ".join(str(data.get("instruction", "")).split())
    if len(text) < 4 or _PLACEHOLDER.search(text) or _BEYOND_THE_STEP.search(text):
        return None
    return text
