"""The few questions authoring asks the model: short, constrained by tiny JSON Schemas, and shaped so
the llama.cpp prompt cache reuses their common start (the fixed system text, then the request).

Every prompt starts with `SYSTEM` and `Request: <request>`, so a session's second and later calls
only pay for their last line. Each schema is small enough that a 1.5B model fills it in a few
dozen tokens (~12 tokens/s written on two cores).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SYSTEM = (
    "You help turn a person's request into an automated workflow. You answer one small question "
    "about the request at a time, with JSON only, short and literal. Never add anything the request "
    "did not ask for."
)

CONTENT_KINDS = ("generate", "fetch", "compute", "none")
"""What makes a workflow's content when the rules found no source and no processing."""

CONTENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"kind": {"enum": list(CONTENT_KINDS)}},
    "required": ["kind"],
    "additionalProperties": False,
}

INSTRUCTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"instruction": {"type": "string", "minLength": 4, "maxLength": 200}},
    "required": ["instruction"],
    "additionalProperties": False,
}

EDIT_KINDS = ("schedule", "skip_days", "channel", "recipient", "count", "topic", "approval", "prompt", "none")
EDIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"change": {"enum": list(EDIT_KINDS)}},
    "required": ["change"],
    "additionalProperties": False,
}

_LANGUAGE_NAME = {"ko": "Korean", "en": "English"}


def request_head(request: str) -> str:
    """The shared start of every user prompt of one session."""
    return f"Request: {request.strip()}\n"


def content_prompt(request: str, examples: Sequence[tuple[str, str]] = (), answers: str = "") -> str:
    """`examples`: (request, kind) of the nearest worked examples, shown as solved cases; `answers`:
    what the person said the content is, when asked."""
    shots = "".join(f"Similar request: {text} -> {kind}\n" for text, kind in examples)
    said = f"The content, as the person answered: {answers.strip()}\n" if answers.strip() else ""
    return (
        request_head(request)
        + said
        + shots
        + (
            "Question: what makes the content of the message? "
            "generate = the language model writes it (a quote, a greeting, a poem, tips); "
            "fetch = it comes from a web API or page (news, reports, prices, data); "
            'compute = a calculation in code; none = nothing to make. Answer {"kind": ...}.'
        )
    )


def instruction_prompt(request: str, role: str, language: str, context: str) -> str:
    """Ask for the one-sentence instruction an LLM_CALL step gives the model at run time."""
    lang = _LANGUAGE_NAME.get(language, "English")
    return request_head(request) + (
        f"Question: the workflow has a language-model step that must {role} {context}. "
        f"Write that step's instruction as one short imperative sentence in {lang}, without "
        'placeholders, schedules or recipients. Answer {"instruction": ...}.'
    )


def judge_prompt(request: str, condition: str, language: str) -> str:
    """Ask for the yes/no question a judging LLM_CALL answers for a CONDITION."""
    lang = _LANGUAGE_NAME.get(language, "English")
    return request_head(request) + (
        f'Question: the workflow continues only when this holds: "{condition}". Write one short '
        f"yes/no instruction in {lang} that tells a model how to decide it from the data. "
        'Answer {"instruction": ...}.'
    )


def script_prompt(request: str, task: str, inputs_doc: str) -> str:
    """Ask for a PYTHON_SCRIPT body (plain code, no JSON): the contract first, then the task."""
    return request_head(request) + (
        "Write a Python 3 module with `def main(inputs: dict) -> dict:` that does this step: "
        f"{task}\nInputs: {inputs_doc}\n"
        "Use only the standard library, no network, no files. Handle missing or empty inputs. "
        'Return a dict with the key "result". Answer with the code only.'
    )


def edit_prompt(instruction: str, summary: str) -> str:
    return request_head(instruction) + (
        f"The workflow: {summary}\nQuestion: which one change does the request ask for? "
        "schedule = when it runs; skip_days = days it must not run; channel = where it sends; "
        "recipient = who receives; count = how many items; topic = the subject searched; "
        "approval = ask a person first; prompt = how the model writes; none = unclear. "
        'Answer {"change": ...}.'
    )
