"""The repair prompt: a fixed system prompt (the same for every call, so llama.cpp reuses its cached
prefix), then what is particular: the goal, the numbered script, the error and trimmed traceback,
the top findings' hints, and a trimmed sample of the failing input. Short on purpose: a 1.5B model
follows a short, specific prompt best, and every prompt token costs time on a CPU."""

from __future__ import annotations

import json
from typing import Any

from mwo.healing.evaluation import Evaluation
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import numbered

SYSTEM = (
    "You fix Python scripts. A script defines `def main(inputs: dict) -> dict` and runs in a sandbox: "
    "no subprocess, no os.environ, no eval or exec, no files outside the current directory, {net}.\n"
    "Rules:\n"
    "- Change only the failing part; keep everything else exactly as it is.\n"
    "- main must return a dict.\n"
    "- Do not add imports the fix does not need.\n"
    "Answer with the whole corrected script in one ```python code block and nothing else."
)
_NO_NET = "no network"
_NET = "network allowed"
_MAX_FINDINGS = 4
_MAX_TRACE_LINES = 8
_MAX_INPUT_CHARS = 900


def system_prompt(request: ScriptRepairRequest) -> str:
    """The fixed part (two variants: with and without the network)."""
    return SYSTEM.format(net=_NET if request.allow_net else _NO_NET)


def repair_prompt(current: Evaluation, request: ScriptRepairRequest) -> str:
    """The particular part: goal, numbered script, error, findings, what main returned, the input."""
    parts = [f"Goal: {request.goal.strip() or '(not given: make main succeed on the input)'}"]
    parts.append(f"Script:\n```\n{numbered(current.code)}\n```")
    if current.error is not None:
        parts.append(f"Error: {current.headline()}\n{_trimmed(current.failure_text)}".rstrip())
    elif request.error:
        parts.append(f"Error seen when it ran:\n{_trimmed(request.error)}")
    if current.output is not None:
        parts.append(f"main returned: {input_sample(current.output)}")
    findings = [f for f in current.errors if not (current.error and f.code.startswith("dryrun."))]
    if findings:
        listed = "\n".join(f"- {_where(f.line)}{f.message}. Fix: {f.hint}" for f in findings[:_MAX_FINDINGS])
        parts.append(f"Problems:\n{listed}")
    if request.output_schema:
        parts.append(
            f"main must return a dict matching this JSON Schema: {json.dumps(request.output_schema)}"
        )
    parts.append(f"Input (sample): {input_sample(request.inputs)}")
    parts.append("Return the whole corrected script.")
    return "\n\n".join(parts)


def input_sample(inputs: Any) -> str:
    """The input as JSON, lists cut to 3 items and long texts cut, at most ~900 characters."""
    text = json.dumps(_trim(inputs), ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_INPUT_CHARS else text[:_MAX_INPUT_CHARS] + " ...(cut)"


def _trim(value: Any, depth: int = 0) -> Any:
    if depth > 5:
        return "..."
    if isinstance(value, dict):
        return {k: _trim(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, list):
        kept = [_trim(v, depth + 1) for v in value[:3]]
        return [*kept, f"... {len(value) - 3} more"] if len(value) > 3 else kept
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "..."
    return value


def _trimmed(trace: str) -> str:
    lines = [line for line in trace.strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback"):
        lines = lines[1:]
    return "\n".join(lines[-_MAX_TRACE_LINES:])


def _where(line: int | None) -> str:
    return f"line {line}: " if line else ""
