"""Checks of a workflow that need the engine's knowledge, run by `mwo validate` and `mwo apply`.

The spec's own checks (mwo.spec.checks) cover the language; these add what only the engine knows:
a literal URL that the network guard would refuse at run time is an error before any run.
"""

from __future__ import annotations

import socket
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from mwo.engine.errors import MissingSecrets
from mwo.engine.failures import StepFailed
from mwo.engine.net_guard import AddressRefused, NetGuard
from mwo.spec import (
    ApiCallStep,
    NotificationStep,
    PythonScriptStep,
    SpecErrorCode,
    SpecFinding,
    StepBase,
    TemplateError,
    Templates,
    Workflow,
)

_EXPRESSION_KEYS = frozenset({"when", "source", "where", "with"})
_CODE_KEYS = frozenset({"code", "id", "type", "output", "output_schema"})


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


@dataclass(frozen=True)
class SecretUse:
    """A secret a step needs: declared (`auth.secret`, a script's `secrets`) or read by a template."""

    step: str
    field: str
    name: str


def secret_uses(workflow: Workflow) -> list[SecretUse]:
    """Every use of a secret in `workflow`, in step order (a name may appear more than once)."""
    templates = Templates()
    uses: list[SecretUse] = []
    for step in workflow.steps:
        uses.extend(SecretUse(step.id, field, name) for field, name in _declared_secrets(step))
        data = step.model_dump(mode="json", by_alias=True, exclude_none=True)
        for field, text, expression in _strings(data):
            uses.extend(SecretUse(step.id, field, name) for name in _secret_refs(templates, text, expression))
    return uses


def missing_secrets(workflow: Workflow, known: Collection[str]) -> list[str]:
    """The secrets `workflow` needs that are not in `known`, sorted: a run cannot start without them."""
    return sorted({use.name for use in secret_uses(workflow) if use.name not in known})


def require_secrets(workflow: Workflow, known: Collection[str]) -> None:
    """MissingSecrets naming every secret `workflow` needs that is not set (saving allows it, a run not)."""
    missing = missing_secrets(workflow, known)
    if missing:
        raise MissingSecrets(workflow.name, missing)


def _declared_secrets(step: StepBase) -> Iterator[tuple[str, str]]:
    if isinstance(step, ApiCallStep) and step.auth is not None:
        yield "auth.secret", step.auth.secret
    if isinstance(step, PythonScriptStep):
        for name in step.secrets:
            yield "secrets", name


def _strings(data: Any, path: str = "", key: str = "") -> Iterator[tuple[str, str, bool]]:
    """(field path, text, is an expression) for every string of a step's config but its code."""
    if isinstance(data, str):
        yield path, data, key in _EXPRESSION_KEYS or path.split(".")[-2:-1] == ["fields"]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, f"{path}[{i}]", key)
    elif isinstance(data, dict):
        for k, value in data.items():
            if k not in _CODE_KEYS:
                yield from _strings(value, f"{path}.{k}" if path else k, k)


def _secret_refs(templates: Templates, text: str, expression: bool) -> Iterator[str]:
    try:
        refs = templates.references(text, expression=expression)
    except TemplateError:
        return  # a broken template is the spec checks' finding, not a secret
    for ref in refs:
        if ref.root == "secrets" and ref.name is not None:
            yield ref.name
