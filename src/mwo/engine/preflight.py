"""Checks of a workflow that need the engine's knowledge, run by `mwo validate` and `mwo apply`.

The spec's own checks (mwo.spec.checks) cover the language; these add what only the engine knows:
a literal URL that the network guard would refuse at run time is an error before any run.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Collection, Iterator

import httpx

from mwo.engine.errors import MissingSecrets
from mwo.engine.failures import StepFailed
from mwo.engine.net_policy import AddressRefused, NetGuard
from mwo.spec import (
    ApiCallStep,
    NotificationStep,
    SpecErrorCode,
    SpecFinding,
    StepBase,
    Workflow,
    secret_uses,
)


def preflight_findings(workflow: Workflow) -> list[SpecFinding]:
    """Findings for literal URLs (no templates) that point where the workflow may not connect."""
    guard = NetGuard(workflow.settings.network, resolver=_literal_hosts_only)
    findings = []
    for step in workflow.steps:
        for field, url in _literal_urls(step):
            try:
                guard.vet(httpx.URL(url))
            except AddressRefused as refused:
                findings.append(
                    SpecFinding(SpecErrorCode.REFUSED_ADDRESS, refused.message, refused.fix, step.id, field)
                )
            except (StepFailed, httpx.InvalidURL):
                continue  # names are resolved at run time, where DNS answers count
    return findings


def _literal_urls(step: StepBase) -> Iterator[tuple[str, str]]:
    candidates: list[tuple[str, str | None]] = []
    if isinstance(step, ApiCallStep):
        candidates.append(("request.url", step.request.url))
    if isinstance(step, NotificationStep):
        candidates.append(("webhook_url", step.webhook_url))
    for field, url in candidates:
        if url and "{{" not in url and "{%" not in url:
            yield field, url


def _literal_hosts_only(host: str) -> list[str]:
    """No DNS at validation time: only `localhost` is known; other names are left to run time."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain"):
        return ["127.0.0.1"]
    raise socket.gaierror(f"{host} is resolved at run time")


def missing_secrets(workflow: Workflow, known: Collection[str]) -> list[str]:
    """The secrets `workflow` needs that are not in `known`, sorted: a run cannot start without them."""
    return sorted({use.name for use in secret_uses(workflow) if use.name not in known})


def require_secrets(workflow: Workflow, known: Callable[[], Collection[str]]) -> None:
    """MissingSecrets naming every secret `workflow` needs that is not set (saving allows it, a run
    not). `known` lists the names that are set; it is not asked when the workflow needs none (most
    do not, and the check runs before every run)."""
    needed = {use.name for use in secret_uses(workflow)}
    if not needed:
        return
    missing = sorted(needed - set(known()))
    if missing:
        raise MissingSecrets(workflow.name, missing)
