"""api/errors.py is the one place MWO's errors become HTTP statuses: each family answers its status
with the same problem+json members (title, detail, code, fix)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mwo.api.errors import install_error_handlers, status_of
from mwo.errors import FixableError
from mwo.knowledge.errors import (
    EmbeddingMismatch,
    EmptyDocument,
    OcrUnavailable,
    PackError,
    UnknownDocument,
    UnsupportedFileType,
)
from mwo.triggers.webhooks import WebhookMalformed, WebhookUnauthenticated, verify_delivery


def _answer(error: Exception) -> tuple[int, dict[str, object]]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UnknownDocument("no document 7", "see `mwo kb list`"), 404),
        (UnsupportedFileType("cannot read .exe files", "send text, PDF, DOCX, XLSX, CSV or images"), 422),
        (EmptyDocument("nothing to index", "send a document with text"), 422),
        (OcrUnavailable("tesseract is not installed", "install tesseract-ocr"), 503),
        (EmbeddingMismatch("built with another model", "rebuild the index"), 503),
        (PackError("pack kakao is malformed", "reinstall MWO"), 503),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_knowledge_errors_answer_their_status_with_code_and_fix(error: FixableError, status: int) -> None:
    got, body = _answer(error)
    assert got == status
    assert body == {
        "type": "about:blank",
        "title": "Knowledge base",
        "status": status,
        "detail": error.message,
        "code": error.code,
        "fix": error.fix,
    }


def test_webhook_refusals_are_fixable_and_their_statuses_live_in_api_errors() -> None:
    with pytest.raises(WebhookUnauthenticated) as unsigned:
        verify_delivery(b"{}", {}, ["whsec_" + "A" * 32])
    headers = {"webhook-id": "x" * 201, "webhook-timestamp": "1", "webhook-signature": "v1,abc"}
    with pytest.raises(WebhookMalformed) as malformed:
        verify_delivery(b"{}", headers, ["whsec_" + "A" * 32])
    assert (status_of(unsigned.value), status_of(malformed.value)) == (401, 400)
    assert unsigned.value.message.startswith("missing header(s): webhook-id")
    assert unsigned.value.fix and malformed.value.fix and unsigned.value.title == "Missing webhook signature"
    assert status_of(UnknownDocument("no document 7", "")) == 404
    assert status_of(ValueError("not ours")) == 500
