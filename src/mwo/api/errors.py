"""MWO's own errors as problem documents, so a handler raises the domain error and the client gets
the right status with the error's `code` and `fix` as extension members.

| error | status |
|---|---|
| TokenRejected | 401 (with `WWW-Authenticate: Bearer`) |
| ScopeDenied | 403 |
| NotFound | 404 |
| Conflict, RunBusy, RunStateError, other RunError | 409 |
| SpecError and ValidationFailed (with `findings`) | 422 |
| InputError, InvalidInput, InvalidTokenRequest, TriggerError | 422 |
| UnicodeEncodeError (a lone surrogate escaped in JSON) | 422 |
| SecretKeyError | 503: the server's secrets key is missing or wrong, not the client's input |
| UnknownDocument | 404 |
| WebhookUnauthenticated, WebhookMalformed | 401, 400 (`hooks.py` answers with `status_of`) |
| OcrUnavailable, EmbeddingMismatch, EmbeddingUnavailable, PackError | 503: the server's own setup |
| other KnowledgeError (unreadable, empty, password-protected, unsupported file; invalid domain) | 422 |
| anything else | 500, still problem+json (a bug: no input should cause it) |
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mwo.api.problems import problem_response
from mwo.auth import InvalidTokenRequest, ScopeDenied, TokenRejected
from mwo.engine.errors import InputError, RunError
from mwo.knowledge.errors import (
    EmbeddingMismatch,
    EmbeddingUnavailable,
    KnowledgeError,
    OcrUnavailable,
    PackError,
    UnknownDocument,
)
from mwo.spec import SpecError
from mwo.store.errors import Conflict, InvalidInput, NotFound, SecretKeyError
from mwo.triggers.errors import TriggerError
from mwo.triggers.webhooks import WebhookMalformed, WebhookUnauthenticated
from mwo.validation.errors import ValidationFailed

# (error type, status, title); Starlette picks the entry of the error's most specific class (its MRO),
# so InputError answers 422 although it is a RunError.
_MAPPING: tuple[tuple[type[Exception], int, str], ...] = (
    (TokenRejected, 401, "Unauthorized"),
    (ScopeDenied, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (Conflict, 409, "Conflict"),
    (InputError, 422, "Invalid inputs"),
    (RunError, 409, "Run not in a state for this"),
    (InvalidInput, 422, "Invalid value"),
    (InvalidTokenRequest, 422, "Invalid token request"),
    (TriggerError, 422, "Invalid schedule"),
    (SecretKeyError, 503, "Secrets key unavailable"),
    (UnknownDocument, 404, "Knowledge base"),
    (OcrUnavailable, 503, "Knowledge base"),
    (EmbeddingMismatch, 503, "Knowledge base"),
    (EmbeddingUnavailable, 503, "Knowledge base"),
    (PackError, 503, "Knowledge base"),
    (KnowledgeError, 422, "Knowledge base"),
)
# Webhook intake answers with its own titles and without `code`/`fix` members (senders are programs
# that read the status); only the statuses live here.
_WEBHOOK_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (WebhookUnauthenticated, 401),
    (WebhookMalformed, 400),
)


def status_of(error: Exception) -> int:
    """The HTTP status of `error` by its most specific mapped class; 500 when none is mapped."""
    table = [(error_type, status) for error_type, status, _title in _MAPPING] + list(_WEBHOOK_STATUS)
    for cls in type(error).__mro__:
        for error_type, status in table:
            if cls is error_type:
                return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping above and the spec-findings answer on `app`."""
    for error_type, status, title in _MAPPING:
        app.add_exception_handler(error_type, _handler(status, title))
    app.add_exception_handler(SpecError, _on_spec_error)
    app.add_exception_handler(ValidationFailed, _on_validation_failed)
    app.add_exception_handler(UnicodeEncodeError, _on_unencodable_text)
    app.add_exception_handler(Exception, _on_unexpected)


def _handler(status: int, title: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        code = str(getattr(exc, "code", "error"))
        fix = str(getattr(exc, "fix", ""))
        response = problem_response(status, title, str(exc), code=code, fix=fix)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    return handle


async def _on_spec_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SpecError)
    findings = [f.as_dict() for f in exc.findings]
    detail = str(exc) if len(findings) == 1 else f"the spec has {len(findings)} problems (see findings)"
    return problem_response(
        422, "Invalid workflow spec", detail, code=exc.code, fix=exc.fix, findings=findings
    )


async def _on_validation_failed(_request: Request, exc: Exception) -> JSONResponse:
    """The validator's errors as `findings` (each with `fix` too, as spec findings), warnings apart."""
    assert isinstance(exc, ValidationFailed)
    findings = [{**f.as_dict(), "fix": f.hint} for f in exc.report.errors]
    detail = str(exc) if len(findings) == 1 else f"the spec has {len(findings)} problems (see findings)"
    warnings = [{**f.as_dict(), "fix": f.hint} for f in exc.report.warnings]
    return problem_response(
        422, "Invalid workflow spec", detail, code=exc.code, fix=exc.fix, findings=findings, warnings=warnings
    )


async def _on_unencodable_text(_request: Request, exc: Exception) -> JSONResponse:
    """JSON may escape a lone UTF-16 surrogate (`"\\ud800"`): a Python string, but no text that can be
    stored or encrypted. Our own strings are always encodable, so this is the client's input."""
    assert isinstance(exc, UnicodeEncodeError)
    return problem_response(
        422,
        "Invalid text",
        f"the request has a character that is not valid Unicode text (at position {exc.start} of a value)",
        code="invalid_text",
        fix="send valid UTF-8 text, without lone surrogate escapes such as \\ud800",
    )


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    """A bug, still answered as problem+json; the server logs the traceback (Starlette re-raises)."""
    return problem_response(
        500,
        "Internal server error",
        f"an unexpected {type(exc).__name__}; this is a bug in MWO",
        code="internal",
        fix="see the server log and report it",
    )
