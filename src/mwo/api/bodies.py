"""Reading request bodies the endpoints parse themselves (specs as YAML or JSON, event data), with
a size limit checked while reading: a client cannot make the server buffer more than the limit."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from mwo.api.problems import Problem


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or a 413 problem as soon as it is longer than `limit` bytes."""
    too_large = Problem(413, "Payload too large", f"the body must be at most {limit} bytes", code="too_large")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def utf8_text(body: bytes) -> str:
    """The body as text; a 400 problem (`invalid_utf8`, as the RequestGuard answers) when it is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(
            400,
            "Body is not UTF-8",
            f"the body is not valid UTF-8 (byte {exc.start})",
            code="invalid_utf8",
            fix="send the body encoded as UTF-8",
        ) from None


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """The body as a JSON object (`{}` when empty); a 422 problem naming `what` otherwise."""
    if not body.strip():
        return {}
    try:
        value = json.loads(utf8_text(body))
    except RecursionError:
        raise Problem(
            422,
            "Body nested too deeply",
            f"{what} nests arrays or objects too deeply to be read",
            code="bad_body",
            fix="send a flatter JSON object",
        ) from None
    except json.JSONDecodeError as exc:
        raise Problem(
            422,
            "Body is not JSON",
            f"{what} must be a JSON object: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            code="bad_body",
            fix="send a JSON object with `Content-Type: application/json`",
        ) from None
    ensure_text(value, what)
    if not isinstance(value, dict):
        raise Problem(
            422,
            "Body is not an object",
            f"{what} must be a JSON object, not {type(value).__name__}",
            code="bad_body",
            fix='wrap the value in an object, e.g. {"value": 3}',
        )
    return value


def ensure_text(value: Any, what: str) -> None:
    """422 unless every string in `value` is valid Unicode text. JSON can escape a lone UTF-16
    surrogate (`"\\ud800"`), which parses into a Python string that can be neither stored nor sent back;
    refusing it here keeps it out of runs and answers (whose encoding would fail after the fact)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Problem(
            422,
            "Invalid text",
            f"{what} has a character that is not valid Unicode text (a lone surrogate)",
            code="invalid_text",
            fix="send valid UTF-8 text, without lone surrogate escapes such as \\ud800",
        ) from None
