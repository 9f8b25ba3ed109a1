"""PYTHON_SCRIPT: the step's `main(inputs)` run in the sandbox, a fresh isolated process per attempt.

Inputs are rendered templates; secrets are the step's declared names, their values read from the
scope only now and sent on the sandbox's stdin (never in its environment or argv). What the script
prints becomes the step's log; sandbox errors map onto StepFailed kinds, the script's traceback
(trimmed to its own frames) in the message.

A step with `allow_net` reaches the network only through the sandbox's egress proxy, whose gate is
the same NetGuard as API_CALL's, built from the workflow's `settings.network` (see script_net_access).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.engine.net_policy import AddressRefused, NetGuard, Resolver, system_resolver
from mwo.errors import FailureKind
from mwo.sandbox import (
    EgressRefused,
    ErrorType,
    Gate,
    NetAccess,
    Sandbox,
    SandboxError,
    SandboxSettings,
    SandboxUnavailable,
    config_from_settings,
    limits_for,
)
from mwo.spec import NetworkPolicy, PythonScriptStep, StepType
from mwo.store.records import LogLevel

__all__ = ["DEFAULT_TIMEOUT_S", "PythonScriptExecutor", "script_net_access"]

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
    step_class = PythonScriptStep
    side_effects = True

    def __init__(
        self, settings: SandboxSettings, sandbox: Sandbox | None = None, resolver: Resolver = system_resolver
    ) -> None:
        """`settings`: the sandbox part of MWO's settings (`Settings.sandbox`), unless `sandbox` is given."""
        self._resolver = resolver
        self.sandbox = sandbox or Sandbox(config_from_settings(settings))

    def execute(self, step: PythonScriptStep, ctx: StepContext) -> dict[str, Any]:
        inputs = ctx.render(step.inputs)
        ctx.rendered_input = {"inputs": inputs, "secrets": list(step.secrets), "allow_net": step.allow_net}
        secrets = {name: _secret(ctx, name) for name in step.secrets}
        limits = limits_for(ctx.settings.sandbox, step.timeout_s or DEFAULT_TIMEOUT_S, step.memory_mb)
        net = script_net_access(ctx.network, step.allow_net, self._resolver)
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


def script_net_access(
    policy: NetworkPolicy, allow_net: bool, resolver: Resolver = system_resolver
) -> NetAccess:
    """What a script may reach: nothing, or what API_CALL may reach under `policy`, via the egress proxy."""
    if not allow_net:
        return NetAccess()
    return NetAccess(True, tuple(_networks(policy.allow)), _gate(NetGuard(policy, resolver)))


def _gate(guard: NetGuard) -> Gate:
    """The guard as the egress proxy's gate: the checked addresses, or EgressRefused saying why and how."""

    def gate(host: str, port: int) -> Sequence[str]:
        try:
            return guard.vet_host(host)
        except AddressRefused as exc:
            raise EgressRefused(exc.message, exc.fix) from None
        except StepFailed as exc:  # unresolvable: not a refusal, the proxy answers 502
            raise OSError(exc.message) from None

    return gate


def _networks(entries: list[str]) -> list[str]:
    """The CIDR and IP entries of the network policy, for the in-process check of hosts without
    namespaces (there is no egress proxy there, and host names cannot be checked at connect time)."""
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
    return StepFailed(_KINDS[error.type], message, error.fix)
