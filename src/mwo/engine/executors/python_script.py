"""PYTHON_SCRIPT: the step's `main(inputs)` run in the sandbox, a fresh isolated process per attempt.

Inputs are rendered templates; secrets are the step's declared names, their values read from the
scope only now and sent on the sandbox's stdin (never in its environment or argv). What the script
prints becomes the step's log; sandbox errors map onto StepFailed kinds, the script's traceback
(trimmed to its own frames) in the message.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.failures import FailureKind, StepFailed
from mwo.sandbox import (
    ErrorType,
    NetAccess,
    Sandbox,
    SandboxError,
    SandboxUnavailable,
    config_from_settings,
    limits_for,
)
from mwo.settings import Settings
from mwo.spec import PythonScriptStep, StepBase, StepType
from mwo.store.records import LogLevel

__all__ = ["DEFAULT_TIMEOUT_S", "PythonScriptExecutor"]

DEFAULT_TIMEOUT_S = 60.0
"""An attempt's time limit when the step sets no timeout_s."""

_KINDS = {
    ErrorType.TIMEOUT: FailureKind.TIMEOUT,
    ErrorType.MEMORY: FailureKind.MEMORY,
    ErrorType.VIOLATION: FailureKind.VIOLATION,
    ErrorType.EXCEPTION: FailureKind.EXCEPTION,
    ErrorType.CRASHED: FailureKind.EXCEPTION,
    ErrorType.BAD_OUTPUT: FailureKind.OUTPUT_SHAPE,
    ErrorType.BAD_SCRIPT: FailureKind.CONFIG,
    ErrorType.UNAVAILABLE: FailureKind.UNSUPPORTED,
    ErrorType.CANCELLED: FailureKind.CANCELLED,
}


class PythonScriptExecutor:
    """Runs the script in a Sandbox owned by this executor (and its warm pool)."""

    step_type = StepType.PYTHON_SCRIPT
    side_effects = True

    def __init__(self, settings: Settings, sandbox: Sandbox | None = None) -> None:
        self._settings = settings
        self.sandbox = sandbox or Sandbox(config_from_settings(settings))

    def execute(self, step: StepBase, ctx: StepContext) -> dict[str, Any]:
        assert isinstance(step, PythonScriptStep)
        inputs = ctx.render(step.inputs)
        ctx.rendered_input = {"inputs": inputs, "secrets": list(step.secrets), "allow_net": step.allow_net}
        secrets = {name: _secret(ctx, name) for name in step.secrets}
        limits = limits_for(ctx.settings, step.timeout_s or DEFAULT_TIMEOUT_S, step.memory_mb)
        net = NetAccess(step.allow_net, tuple(_networks(ctx.network.allow)))
        try:
            result = self.sandbox.run(step.code, inputs, secrets, limits, net, ctx.is_cancelled)
        except SandboxUnavailable as exc:
            raise _failure(exc) from exc
        for warning in result.warnings:
            ctx.log(LogLevel.WARNING, warning)
        if result.log.strip():
            ctx.log(LogLevel.INFO, f"script output:\n{result.log.rstrip()}")
        if result.error is not None:
            raise _failure(result.error)
        assert result.output is not None
        return result.output

    def close(self) -> None:
        self.sandbox.close()


def _secret(ctx: StepContext, name: str) -> str:
    secrets = ctx.scope.get("secrets") or {}
    try:
        return str(secrets[name])
    except KeyError:
        raise StepFailed(
            FailureKind.CONFIG,
            f"the secret '{name}' is not set",
            f"add it with `mwo secrets set {name}`, or remove it from the step's secrets",
        ) from None


def _networks(entries: list[str]) -> list[str]:
    """The CIDR and IP entries of the network policy (host names cannot be checked at connect time)."""
    kept = []
    for entry in entries:
        try:
            kept.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            continue
    return kept


def _failure(error: SandboxError) -> StepFailed:
    message = error.message
    if error.traceback:
        message = f"{message}\n{error.traceback.rstrip()}"
    return StepFailed(_KINDS[error.type], message, error.hint)
