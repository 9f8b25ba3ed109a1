"""One error family: every error MWO shows a person is a FixableError (message, fix, code), failure
kinds are one enum, and runs and attempts store one failure record."""

from __future__ import annotations

import inspect

import pytest

from mwo.engine.errors import StepAborted
from mwo.engine.failures import FailureRecord, StepFailed
from mwo.errors import FailureKind, FixableError
from mwo.knowledge.errors import KnowledgeError, UnknownDocument
from mwo.llm import errors as llm_errors
from mwo.llm.errors import LlmError, PromptTooLong
from mwo.sandbox.egress import EgressRefused
from mwo.sandbox.errors import ErrorType, SandboxError, SandboxUnavailable
from mwo.spec import SpecError, SpecErrorCode, SpecFinding
from mwo.triggers.webhooks import WebhookMalformed, WebhookRejected, WebhookUnauthenticated

FINDING = SpecFinding(
    SpecErrorCode.UNKNOWN_STEP, "goes to step 'x', which does not exist", "use 'end'", "a", "next"
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (LlmError("the model failed", "run `mwo llm pull`"), "llm_error"),
        (PromptTooLong("the prompt is too long", "shorten it"), "llm_prompt_too_long"),
        (KnowledgeError("cannot index", "send text"), "knowledge_error"),
        (UnknownDocument("no document 7", "see `mwo kb list`"), "unknown_document"),
        (SandboxError(ErrorType.TIMEOUT, "the script ran longer than 5 s"), "timeout"),
        (SandboxUnavailable("no bubblewrap", "run `mwo doctor`"), "unavailable"),
        (StepFailed(FailureKind.CONFIG, "`body` rendered to an empty value", "check the body"), "config"),
        (SpecError([FINDING], file="w.yaml"), "spec_invalid"),
        (EgressRefused("refused to connect to '10.0.0.1': private", "allow it"), "egress_refused"),
        (
            WebhookUnauthenticated("Invalid signature", "no matching signature found"),
            "webhook_unauthenticated",
        ),
        (WebhookMalformed("Body is not JSON", "the body must be JSON"), "webhook_malformed"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_every_family_is_fixable_with_message_fix_and_code(error: FixableError, code: str) -> None:
    assert isinstance(error, FixableError)
    assert error.message == str(error) and error.message
    assert error.fix and error.code == code


def test_the_families_keep_their_builtin_bases_and_webhooks_their_title() -> None:
    assert issubclass(SpecError, ValueError) and issubclass(WebhookMalformed, WebhookRejected)
    assert WebhookMalformed("Body is not JSON", "x").title == "Body is not JSON"


def test_a_spec_error_says_every_finding_and_the_first_fix() -> None:
    error = SpecError([FINDING, FINDING], file="w.yaml")
    assert str(error) == "\n".join([FINDING.render("w.yaml")] * 2)
    assert error.fix == "use 'end'" and error.findings == [FINDING, FINDING] and error.file == "w.yaml"
    assert str(SpecError([])) == "invalid workflow spec" and SpecError([]).fix == ""


def test_a_sandbox_errors_hint_is_its_fix_and_its_record_unchanged() -> None:
    error = SandboxError(ErrorType.EXCEPTION, "ValueError: x", traceback="Traceback ...")
    assert error.hint == error.fix and error.fix.startswith("fix the script")
    assert error.as_dict() == {
        "type": "exception",
        "message": "ValueError: x",
        "hint": error.fix,
        "traceback": "Traceback ...",
    }


def test_egress_refusals_read_as_before_in_the_proxy() -> None:
    assert EgressRefused("refused", "allow it").reason == "refused; allow it"
    assert EgressRefused("no network policy", "").reason == "no network policy"


def test_every_llm_error_names_a_failure_kind() -> None:
    classes = [c for _, c in inspect.getmembers(llm_errors, inspect.isclass) if issubclass(c, LlmError)]
    assert len(classes) > 10
    assert all(isinstance(c.kind, FailureKind) for c in classes)


def test_run_level_kinds_are_in_the_one_enum() -> None:
    assert {FailureKind.INTERRUPTED, FailureKind.ABANDONED, FailureKind.MISSING_SECRETS} <= set(FailureKind)
    assert FailureKind("interrupted") is FailureKind.INTERRUPTED


def test_the_failure_record_leaves_out_what_is_not_known() -> None:
    assert FailureRecord(FailureKind.CANCELLED, "cancelled by request").as_dict() == {
        "type": "cancelled",
        "message": "cancelled by request",
    }
    failed = StepFailed(FailureKind.HTTP_STATUS, "answered 503", "retry later", status=503)
    assert failed.as_dict() == {
        "type": "http_status",
        "message": "answered 503",
        "fix": "retry later",
        "status": 503,
    }
    assert StepAborted("fetch", failed).as_dict() == {"step": "fetch", **failed.as_dict()}
