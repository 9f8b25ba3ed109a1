"""Typed LLM errors: each names the cause and the fix (a command to run or the setting to change).

`kind` is one of the failure kinds (`mwo.errors.FailureKind`), so the LLM_CALL executor turns any of
these into a StepFailed without a table of cases, and the retry policy treats them like the same
failures of other steps (timeouts and connection errors may be retried, a wrong key or a bad answer
may not).
"""

from __future__ import annotations

from mwo.errors import FailureKind, FixableError


class LlmError(FixableError):
    """Base class: `message` says what went wrong, `fix` what to do about it; `status` is the
    endpoint's HTTP answer when there was one."""

    code = "llm_error"
    kind: FailureKind = FailureKind.INTERNAL

    def __init__(self, message: str, fix: str, *, status: int | None = None) -> None:
        super().__init__(message, fix)
        self.status = status


class LlmInterrupted(LlmError):
    """The caller stopped the call while it ran (a cancelled run, or one past its time limit).

    `reason` is what the caller's check answered (the LLM_CALL executor uses "cancelled" and
    "timeout"), so the caller can tell its own reasons apart.
    """

    code = "llm_interrupted"
    kind = FailureKind.CANCELLED

    def __init__(self, message: str, fix: str, *, reason: str) -> None:
        super().__init__(message, fix)
        self.reason = reason


class ModelFilesMissing(LlmError):
    """A model part package is not installed, or the assembled model file is absent."""

    code = "model_missing"
    kind = FailureKind.CONFIG


class ModelFileCorrupt(LlmError):
    """The assembled model file's size or sha256 is not the pinned one."""

    code = "model_corrupt"
    kind = FailureKind.CONFIG


class ModelLoadFailed(LlmError):
    """llama.cpp could not load the model (or llama-cpp-python is not installed)."""

    code = "model_load_failed"
    kind = FailureKind.CONFIG


class PromptTooLong(LlmError):
    """The prompt and max_tokens do not fit the local model's context window."""

    code = "llm_prompt_too_long"
    kind = FailureKind.CONFIG


class LlmConfigError(LlmError):
    """The LLM settings are inconsistent (unknown provider, no base URL, no key)."""

    code = "llm_config"
    kind = FailureKind.CONFIG


class EndpointUnreachable(LlmError):
    """The OpenAI-compatible endpoint refused or dropped the connection."""

    code = "llm_unreachable"
    kind = FailureKind.CONNECTION


class EndpointTimeout(LlmError):
    """The endpoint did not answer within MWO_LLM_TIMEOUT_S."""

    code = "llm_timeout"
    kind = FailureKind.TIMEOUT


class EndpointAuthFailed(LlmError):
    """The endpoint answered 401 or 403: a wrong or missing key."""

    code = "llm_auth"
    kind = FailureKind.CONFIG


class EndpointRejected(LlmError):
    """The endpoint answered another error status (4xx: not retried; 429 and 5xx: retryable)."""

    code = "llm_http_status"
    kind = FailureKind.HTTP_STATUS


class GarbageResponse(LlmError):
    """The endpoint's answer is not an OpenAI chat completion (HTML, truncated JSON, no choices)."""

    code = "llm_garbage"
    kind = FailureKind.OUTPUT_SHAPE


class OutputTruncated(LlmError):
    """The model stopped at max_tokens (finish_reason=length): the answer is cut off."""

    code = "llm_truncated"
    kind = FailureKind.OUTPUT_SHAPE


class InvalidJson(LlmError):
    """Structured output that is not JSON at all."""

    code = "llm_invalid_json"
    kind = FailureKind.OUTPUT_SHAPE


class SchemaViolation(LlmError):
    """Structured output that is JSON but does not match the requested JSON Schema."""

    code = "llm_schema_violation"
    kind = FailureKind.OUTPUT_SHAPE


__all__ = [
    "EndpointAuthFailed",
    "EndpointRejected",
    "EndpointTimeout",
    "EndpointUnreachable",
    "GarbageResponse",
    "InvalidJson",
    "LlmConfigError",
    "LlmError",
    "LlmInterrupted",
    "ModelFileCorrupt",
    "ModelFilesMissing",
    "ModelLoadFailed",
    "OutputTruncated",
    "PromptTooLong",
    "SchemaViolation",
]
