"""Structured output: a JSON Schema in, a checked value out, or a typed error; never half a result.

The models enforce the schema their own way (llama.cpp compiles it to a sampling grammar; an
OpenAI-compatible endpoint gets `response_format: json_schema`), but neither is trusted: an answer
cut off by max_tokens, text that is not JSON, and JSON of the wrong shape each raise their own
error with the fix, before anything reads the value.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from mwo.llm.errors import InvalidJson, LlmConfigError, OutputTruncated, SchemaViolation

MAX_EXCERPT = 120


def check_schema(schema: dict[str, Any]) -> None:
    """LlmConfigError before any tokens are spent when `schema` is not a valid JSON Schema."""
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise LlmConfigError(
            f"output_schema is not a valid JSON Schema: {exc.message}",
            "fix the step's output_schema (see https://json-schema.org/understanding-json-schema/)",
        ) from None


def schema_instruction(schema: dict[str, Any]) -> str:
    """What the model is told, so it writes the right fields (the grammar alone cannot name them well)."""
    compact = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    return f"Answer with only a JSON value that follows this JSON Schema: {compact}"


def check_finished(finish_reason: str | None, max_tokens: int) -> None:
    """OutputTruncated when the model stopped because it ran out of tokens."""
    if finish_reason == "length":
        raise OutputTruncated(
            f"the model's answer was cut off at max_tokens={max_tokens} (finish_reason=length)",
            "raise the step's max_tokens, or ask for a shorter answer",
        )


def parse_structured(text: str, schema: dict[str, Any], finish_reason: str | None, max_tokens: int) -> Any:
    """The answer's JSON value, checked against `schema`."""
    check_finished(finish_reason, max_tokens)
    body = _strip_fence(text.strip())
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidJson(
            f"the model's answer is not JSON ({exc.msg} at character {exc.pos}): {_excerpt(text)}",
            "make the prompt ask for the JSON fields plainly, or simplify output_schema",
        ) from None
    errors = sorted(
        jsonschema.validators.validator_for(schema)(schema).iter_errors(value), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise SchemaViolation(
            f"the model's JSON does not match output_schema at {where}: {first.message}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
            "describe the wanted fields in the prompt, or loosen output_schema",
        )
    return value


def _strip_fence(text: str) -> str:
    """A whole answer wrapped in a ```json fence is still one JSON value; anything else is not touched."""
    if text.startswith("```") and text.endswith("```") and text.count("```") == 2:
        inner = text[3:-3]
        first_line, _, rest = inner.partition("\n")
        return rest if first_line.strip().isalpha() or not first_line.strip() else inner
    return text


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= MAX_EXCERPT else flat[:MAX_EXCERPT] + "...")


__all__ = ["check_finished", "check_schema", "parse_structured", "schema_instruction"]
