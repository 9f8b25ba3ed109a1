"""Asking the model to fix the one failing part of a DATA_TRANSFORM step: the `source` expression or
one op, answered as JSON under a schema (the local model's grammar keeps it to that shape), several
answers per round at rising temperature. Everything else of the step stays as it was.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mwo.healing.model_candidates import CALLER, TEMPERATURES
from mwo.healing.prompt import input_sample
from mwo.healing.transform.evaluation import TransformEvaluation, TransformEvaluator, part_name
from mwo.healing.transform.fixers import record_fields
from mwo.healing.transform.request import TransformRepairRequest
from mwo.healing.transform.text import step_text
from mwo.llm.errors import GarbageResponse, InvalidJson, LlmError, OutputTruncated, SchemaViolation
from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.spec import DataTransformStep
from mwo.spec.steps import TransformOp
from mwo.validation.findings import Finding, Severity

SYSTEM = (
    "You fix one part of a DATA_TRANSFORM step of a workflow. The step evaluates `source`, a Jinja "
    "expression over `inputs`, `steps.<id>.output` and `run` (e.g. steps.fetch.output.json.items), "
    "then applies its `ops` in order: select (fields), filter (where: an expression over `item`), "
    "map (fields: name -> expression over `item`), sort (by, descending), limit (count, offset), "
    "group (by), join (with, on, other_on, how), format (template over `item`, join), "
    "jmespath (expression). No Python code, no `secrets`.\n"
    "Change only the part you are asked to fix; keep its meaning and everything else as it is.\n"
    "Answer with only the JSON value asked for."
)
_SOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"source": {"type": "string", "minLength": 1}},
    "required": ["source"],
    "additionalProperties": False,
}
_OPS: TypeAdapter[Any] = TypeAdapter(TransformOp)
_MAX_TOKENS = 256


@dataclass(frozen=True)
class TransformCandidate:
    """One answer: the step with the part replaced (or None and the finding why not), its cost."""

    index: int
    step: DataTransformStep | None
    problem: Finding | None
    model: str
    tokens: int
    seconds: float
    failed: bool = False
    """The call itself failed (model missing, endpoint down): asking again will not help."""

    @property
    def version(self) -> DataTransformStep | None:
        """The step, as the repair loop (`healing.loop.Answer`) reads an answer."""
        return self.step


class TransformModelRepairer:
    """The model's side of a round on one part of the step."""

    def __init__(self, llm: LlmService, evaluator: TransformEvaluator) -> None:
        self._llm = llm
        self._evaluator = evaluator

    def candidates(
        self,
        current: TransformEvaluation,
        request: TransformRepairRequest,
        count: int,
        time_left: Callable[[], float],
        on_ask: Callable[[int, float], None] | None = None,
    ) -> Iterator[TransformCandidate]:
        """Up to `count` candidates for the failing part; stops when the time is up."""
        part = current.failing_part
        prompt = self.prompt(current, request, part)
        schema = part_schema(current.step, part)
        for index in range(count):
            if time_left() <= 0:
                return
            temperature = TEMPERATURES[min(index, len(TEMPERATURES) - 1)]
            if on_ask is not None:
                on_ask(index, temperature)
            asked = LlmRequest(
                prompt=prompt, system=SYSTEM, schema=schema, temperature=temperature, max_tokens=_MAX_TOKENS
            )
            yield self._ask(index, asked, current.step, part, time_left)

    def prompt(self, current: TransformEvaluation, request: TransformRepairRequest, part: int) -> str:
        """Goal, the step, the error, the part to fix and the value that flows into it."""
        step = current.step
        parts = [f"Goal: {request.goal.strip() or '(not given: make the step succeed on its input)'}"]
        parts.append(f"Step:\n```yaml\n{step_text(step).rstrip()}\n```")
        parts.append(f"Error: {current.headline()}")
        findings = [f for f in current.errors if not f.code.startswith("transform.")]
        if findings:
            parts.append("Problems:\n" + "\n".join(f"- {f.message}. Fix: {f.hint}" for f in findings[:4]))
        if part == 0:
            scope = {
                root: self._evaluator.source_value(step, root, request).output for root in ("inputs", "steps")
            }
            readable = {k: (v or {}).get("result") for k, v in scope.items()}
            parts.append(f"Fix only `source` (now: {step.source!r}).")
            parts.append(f"What it can read (sample): {input_sample(readable)}")
            lists = list_paths(readable)
            if lists:
                parts.append("The lists there: " + "; ".join(lists[:8]))
            parts.append('Answer with JSON: {"source": "<the corrected expression>"}')
        else:
            op = step.ops[part - 1]
            value = self._evaluator.value_into(step, part, request)
            now = json.dumps(op.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False)
            parts.append(f"Fix only {part_name(step, part)} (now: {now}).")
            parts.append(f"The value going into it (sample): {input_sample(value)}")
            fields = record_fields(value)
            if fields:
                parts.append(f"Its records have the fields: {', '.join(fields[:30])}")
            parts.append(f"Answer with the corrected {op.op} op as one JSON object.")
        if step.output:
            parts.append(f"The step's output must match this JSON Schema: {json.dumps(step.output)}")
        return "\n\n".join(parts)

    def _ask(
        self,
        index: int,
        asked: LlmRequest,
        step: DataTransformStep,
        part: int,
        time_left: Callable[[], float],
    ) -> TransformCandidate:
        started = time.monotonic()
        interrupt = Interrupt(lambda: "timeout" if time_left() <= 0 else None)
        try:
            answer = self._llm.ask(asked, caller=CALLER, interrupt=interrupt)
        except LlmError as exc:
            failed = not _answer_problem(exc)
            problem = _finding(
                "healing.model_failed" if failed else "healing.not_json", exc.message, exc.fix, step
            )
            return TransformCandidate(
                index, None, problem, self._llm.model_name(), 0, time.monotonic() - started, failed
            )
        tokens = answer.prompt_tokens + answer.completion_tokens
        seconds = time.monotonic() - started
        try:
            fixed = with_part(step, part, answer.data)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            problem = _finding(
                "healing.not_json",
                f"the answer is not a valid {part_name(step, part)}: {exc}",
                "answer with the JSON the schema describes",
                step,
            )
            return TransformCandidate(index, None, problem, answer.model, tokens, seconds)
        return TransformCandidate(index, fixed, None, answer.model, tokens, seconds)


def list_paths(value: Any, path: str = "", depth: int = 0) -> list[str]:
    """Every list under `value` as `path (n items: fields)`, so a small model picks a path instead of
    guessing one (its usual mistake: appending to the wrong path)."""
    found: list[str] = []
    if isinstance(value, list) and path:
        fields = record_fields(value)
        found.append(f"{path} ({len(value)} items" + (f": {', '.join(fields[:8])})" if fields else ")"))
    elif isinstance(value, dict) and depth < 6:
        for key, child in value.items():
            if isinstance(key, str) and key.isidentifier():
                found.extend(list_paths(child, f"{path}.{key}" if path else key, depth + 1))
    return found


def part_schema(step: DataTransformStep, part: int) -> dict[str, Any]:
    """The JSON Schema of the answer: `{"source": ...}`, or the failing op's own model (its `op` fixed)."""
    if part == 0:
        return _SOURCE_SCHEMA
    op = step.ops[part - 1]
    return dict(type(op).model_json_schema(by_alias=True))


def with_part(step: DataTransformStep, part: int, data: Any) -> DataTransformStep:
    """`step` with the answered part in place; raises when the answer is not one."""
    if part == 0:
        source = data["source"]
        if not isinstance(source, str) or not source.strip():
            raise ValueError("`source` must be a non-empty expression")
        return step.model_copy(update={"source": source.strip()})
    op = _OPS.validate_python(data)
    if op.op != step.ops[part - 1].op:
        raise ValueError(f"the answer is a {op.op} op, not a {step.ops[part - 1].op} op")
    ops = [*step.ops[: part - 1], op, *step.ops[part:]]
    return step.model_copy(update={"ops": ops})


def _answer_problem(exc: LlmError) -> bool:
    """Whether the call worked and only its answer was wrong (not JSON, off the schema, cut off)."""
    return isinstance(exc, (InvalidJson, SchemaViolation, OutputTruncated, GarbageResponse))


def _finding(code: str, message: str, hint: str, step: DataTransformStep) -> Finding:
    return Finding(code=code, severity=Severity.ERROR, message=message, hint=hint, step=step.id, field="step")
