"""API_CALL: one HTTP request, rendered from the step's templates, sent through the network guard.

Output: `{"status", "headers" (lower-case names), "json" (parsed or None), "text" (at most 1 MB),
"url" (after redirects), "elapsed_ms"}`. Credentials come from a named secret and are added after
the rendered request is recorded, so the record names the secret instead of holding a derived form
of it (a Basic header is base64 of the password, which the engine's masking could not recognise).
A request that changes something (not GET or HEAD) carries an `Idempotency-Key` header, stable
across retries and crash-resumes of the step, unless the step sets its own.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from mwo.engine.executor import StepContext
from mwo.engine.executors.http_base import HttpExecutor
from mwo.engine.failures import StepFailed
from mwo.engine.guarded_http import Exchange, describe_url
from mwo.errors import FailureKind
from mwo.spec import ApiCallStep, StepType
from mwo.spec.steps import ApiAuth, AuthKind, HttpMethod, ResponseFormat
from mwo.store.records import LogLevel
from mwo.text import as_text

__all__ = ["MAX_TEXT_CHARS", "ApiCallExecutor"]

MAX_TEXT_CHARS = 1_000_000
"""The `text` output is cut here: it is stored with the step run and copied into later steps' scope."""
_READS = frozenset({HttpMethod.GET, HttpMethod.HEAD})
"""Methods that change nothing: they get no Idempotency-Key header (every other method does, unless
the step sets one: stable across retries and crash-resumes of the step, see `mwo.engine.delivery`)."""


@dataclass
class _Call:
    """The rendered request, before and after credentials are added."""

    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, Any]
    json_body: Any = None
    body: str | None = None
    auth: dict[str, str] | None = None
    """What the record shows of the credentials: kind, secret name, username."""
    secret_headers: dict[str, str] = field(default_factory=dict)
    secret_params: dict[str, str] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The request as recorded on the step run: everything but the credentials' values."""
        data: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "params": dict(self.params),
        }
        if self.json_body is not None:
            data["json"] = self.json_body
        if self.body is not None:
            data["body"] = self.body
        if self.auth is not None:
            data["auth"] = dict(self.auth)
        return data


class ApiCallExecutor(HttpExecutor):
    """Runs API_CALL steps with a sync httpx client (shared client and resolver: HttpExecutor)."""

    step_type = StepType.API_CALL
    step_class = ApiCallStep

    def execute(self, step: ApiCallStep, ctx: StepContext) -> dict[str, Any]:
        """Render, send and parse; raise StepFailed for refusals, transport failures and bad statuses."""
        call = _render(step, ctx)
        if step.auth is not None:
            _authorize(call, step.auth, ctx)
        ctx.rendered_input = call.record()
        timeout_s = step.timeout_s or step.request.timeout_s
        with self.guarded(ctx) as http:
            exchange = http.send(_build(http.client, call, ctx.settings.http_user_agent), timeout_s)
        if step.request.fail_on_status and exchange.response.status_code >= 400:
            raise _status_failure(call.method, exchange, step.auth)
        return _output(exchange, step.request.response, ctx, hide=call.secret_params)


def _render(step: ApiCallStep, ctx: StepContext) -> _Call:
    request = step.request
    url = ctx.render(request.url)
    if not isinstance(url, str):
        raise StepFailed(
            FailureKind.CONFIG,
            f"request.url rendered to a {type(url).__name__}, not text",
            "make request.url a string template, e.g. https://api.example.com/{{ inputs.id }}",
        )
    headers = {str(name): _header_value(name, value) for name, value in ctx.render(request.headers).items()}
    if request.method not in _READS and not any(name.lower() == "idempotency-key" for name in headers):
        headers["Idempotency-Key"] = ctx.idempotency_key
    call = _Call(request.method.value, url, headers, dict(ctx.render(request.params)))
    if request.json_body is not None:
        call.json_body = ctx.render(request.json_body)
    if request.body is not None:
        body = ctx.render(request.body)
        call.body = as_text(body)
    return call


def _header_value(name: str, value: Any) -> str:
    text = as_text(value)
    if "\n" in text or "\r" in text:
        raise StepFailed(
            FailureKind.CONFIG,
            f"header '{name}' contains a line break",
            f"make headers.{name} a single line (a line break could inject another header)",
        )
    return text


def _authorize(call: _Call, auth: ApiAuth, ctx: StepContext) -> None:
    """Add the credential in the place `auth.kind` says; the record only names the secret."""
    secret = _reveal(ctx, auth.secret)
    call.auth = {"kind": auth.kind.value, "secret": auth.secret}
    if auth.kind is AuthKind.BEARER:
        call.secret_headers["Authorization"] = f"Bearer {secret}"
    elif auth.kind is AuthKind.BASIC:
        username = ctx.render(_required(auth.username, "username", auth))
        token = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
        call.secret_headers["Authorization"] = f"Basic {token}"
        call.auth["username"] = str(username)
    elif auth.kind is AuthKind.HEADER:
        call.secret_headers[_required(auth.name, "name", auth)] = secret
    else:
        call.secret_params[_required(auth.name, "name", auth)] = secret


def _reveal(ctx: StepContext, name: str) -> str:
    try:
        return str(ctx.scope["secrets"][name])
    except KeyError:
        raise StepFailed(
            FailureKind.CONFIG,
            f"secret '{name}' (auth.secret) is not set",
            f"set it with: mwo secrets set {name}",
        ) from None


def _required(value: str | None, attribute: str, auth: ApiAuth) -> str:
    if not value:
        raise StepFailed(
            FailureKind.CONFIG,
            f"auth kind '{auth.kind.value}' needs auth.{attribute}",
            f"add `{attribute}:` to the step's auth block",
        )
    return value


def _build(client: httpx.Client, call: _Call, user_agent: str) -> httpx.Request:
    headers = {"User-Agent": user_agent, **call.headers, **call.secret_headers}
    params = {**call.params, **call.secret_params}
    try:
        return client.build_request(
            call.method,
            call.url,
            headers=headers,
            params=params or None,
            json=call.json_body,
            content=call.body,
        )
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise StepFailed(
            FailureKind.CONFIG,
            f"cannot build the request to {call.url!r}: {exc}",
            "check the URL, params and headers of the request",
        ) from exc


def _status_failure(method: str, exchange: Exchange, auth: ApiAuth | None) -> StepFailed:
    status = exchange.response.status_code
    excerpt = " ".join(exchange.response.text[:200].split())
    message = f"{method} {describe_url(exchange.url)} answered {status} {exchange.response.reason_phrase}"
    return StepFailed(
        FailureKind.HTTP_STATUS,
        f"{message}: {excerpt}" if excerpt else message,
        _status_fix(status, auth),
        status=status,
    )


def _status_fix(status: int, auth: ApiAuth | None) -> str:
    if status in (401, 403):
        where = f"the secret '{auth.secret}'" if auth else "an auth block (none is set)"
        return f"the server refused the credentials: check {where} and the permissions of that key"
    if status == 404:
        return "check the URL path and any ids in it"
    if status == 429:
        return "the server is rate limiting: retry with backoff (retry_on: http_429) or call less often"
    if status >= 500:
        return "the server failed; the retry policy retries 5xx answers, otherwise check the service status"
    return (
        "the server rejected the request: check method, params and body against its API documentation, "
        "or set request.fail_on_status: false to handle the answer in a later step"
    )


def _output(
    exchange: Exchange, wanted: ResponseFormat, ctx: StepContext, hide: dict[str, str]
) -> dict[str, Any]:
    """The step's output; `hide` names query parameters (credentials) left out of the reported URL."""
    response = exchange.response
    url = exchange.url
    for name in hide:
        url = url.copy_remove_param(name)
    text = response.text
    if len(text) > MAX_TEXT_CHARS:
        ctx.log(
            LogLevel.WARNING,
            f"the answer has {len(text)} characters; `text` keeps the first {MAX_TEXT_CHARS}",
        )
    return {
        "status": response.status_code,
        "headers": {name.lower(): value for name, value in response.headers.items()},
        "json": _parse_json(response, wanted, exchange.url, ctx),
        "text": text[:MAX_TEXT_CHARS],
        "url": str(url),
        "elapsed_ms": round(exchange.elapsed_ms, 3),
    }


def _parse_json(response: httpx.Response, wanted: ResponseFormat, url: httpx.URL, ctx: StepContext) -> Any:
    """The body as JSON when asked for (json) or announced (auto); None for text or an empty body."""
    content_type = response.headers.get("content-type", "")
    if wanted is ResponseFormat.TEXT or not response.content.strip():
        return None
    if wanted is ResponseFormat.AUTO and "json" not in content_type.lower():
        return None
    try:
        return json.loads(response.content)
    except ValueError as exc:
        if wanted is ResponseFormat.AUTO:
            ctx.log(
                LogLevel.WARNING,
                f"the answer says {content_type} but is not valid JSON ({exc}); `json` is null",
            )
            return None
        raise StepFailed(
            FailureKind.OUTPUT_SHAPE,
            f"{describe_url(url)} answered {content_type or 'without a content type'}, not JSON: {exc}",
            "set request.response: text (or auto) to accept a non-JSON answer, or check the URL",
        ) from exc
