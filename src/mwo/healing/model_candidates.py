"""Asking the model for repair candidates: one prompt per round, several answers at rising temperature
(the second reuses the first's cached prompt), each read into a script or a finding that rejects it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mwo.healing.answer import parse_answer
from mwo.healing.evaluation import Evaluation
from mwo.healing.notes import note
from mwo.healing.prompt import repair_prompt, system_prompt
from mwo.healing.request import ScriptRepairRequest
from mwo.llm.errors import LlmError
from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.validation.findings import Finding

TEMPERATURES = (0.2, 0.7, 1.0)
"""Candidate i of a round is asked at TEMPERATURES[i] (the last one repeats)."""
CALLER = "healing"


@dataclass(frozen=True)
class ModelCandidate:
    """One answer: the script in it (or None and the finding why not), and what it cost."""

    index: int
    code: str | None
    problem: Finding | None
    model: str
    tokens: int
    seconds: float
    failed: bool = False
    """The call itself failed (model missing, endpoint down): asking again will not help."""

    @property
    def version(self) -> str | None:
        """The script, as the repair loop (`healing.loop.Answer`) reads an answer."""
        return self.code


class ModelRepairer:
    """The model's side of a round: the prompt asked `count` times, each answer read."""

    def __init__(self, llm: LlmService, language: str = "en") -> None:
        self._llm = llm
        self._language = language

    def candidates(
        self,
        current: Evaluation,
        request: ScriptRepairRequest,
        count: int,
        time_left: Callable[[], float],
        on_ask: Callable[[int, float], None] | None = None,
    ) -> Iterator[ModelCandidate]:
        """Up to `count` candidates; stops early when the time is up (the call in flight is stopped).
        `on_ask(index, temperature)` is called before each call (a live view; a cancel check)."""
        prompt = repair_prompt(current, request)
        system = system_prompt(request)
        for index in range(count):
            if time_left() <= 0:
                return
            temperature = TEMPERATURES[min(index, len(TEMPERATURES) - 1)]
            if on_ask is not None:
                on_ask(index, temperature)
            asked = LlmRequest(
                prompt=prompt, system=system, temperature=temperature, max_tokens=answer_budget(current.code)
            )
            yield self._ask(index, asked, time_left)

    def _ask(self, index: int, asked: LlmRequest, time_left: Callable[[], float]) -> ModelCandidate:
        started = time.monotonic()
        interrupt = Interrupt(lambda: "timeout" if time_left() <= 0 else None)
        try:
            answer = self._llm.ask(asked, caller=CALLER, interrupt=interrupt)
        except LlmError as exc:
            problem = note("healing.model_failed", self._language, detail=exc.message, fix=exc.fix)
            return ModelCandidate(
                index, None, problem, self._llm.model_name(), 0, time.monotonic() - started, True
            )
        parsed = parse_answer(answer.text, answer.finish_reason, self._language)
        tokens = answer.prompt_tokens + answer.completion_tokens
        return ModelCandidate(
            index, parsed.code, parsed.problem, answer.model, tokens, time.monotonic() - started
        )


def answer_budget(code: str) -> int:
    """Tokens for the whole script back: about one per 3 bytes of it, plus room, within 256..1536."""
    return max(256, min(1536, len(code.encode("utf-8")) // 3 + 200))
