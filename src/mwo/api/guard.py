"""`RequestGuard`: the checks every request body passes before an endpoint parses it.

In this order, each answered as problem+json before the next: the API token (401: a client without
a token learns nothing about its body), the content type (415), the size (413: the declared
`Content-Length` first, then the bytes as they stream in, so nothing past the limit is buffered),
UTF-8 (400) and the JSON nesting depth (422). A plain ASGI middleware, so it runs before FastAPI
reads and validates the body; endpoints then read the body it buffered.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from mwo.api.limits import PUBLIC_PATHS, BodyKind, BodyLimits, body_kind
from mwo.api.problems import problem_response
from mwo.auth import TokenRejected, TokenService
from mwo.nesting import deeper_than

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_SCOPE_KEY = "mwo.token"
"""Where the guard leaves the authenticated token record for the endpoint's auth dependency."""

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"})


class _Refused(Exception):
    """A request the guard answers itself."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


class RequestGuard:
    """Wraps the app; see the module docstring for what it checks."""

    def __init__(self, app: App, limits: BodyLimits, tokens: TokenService) -> None:
        self._app = app
        self._limits = limits
        self._tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self._app(scope, receive, send)
            return
        path = scope["path"]
        kind = body_kind(scope["method"], path)
        if kind is BodyKind.WEBHOOK or path in PUBLIC_PATHS:
            await self._app(scope, receive, send)  # signed, not token-bearing; the intake bounds its body
            return
        try:
            await self._authenticate(scope)
            media = _media_type(scope)
            _check_media(kind, media)
            limit = self._limits.of(kind)
            _check_declared_length(scope, limit)
            if kind is BodyKind.DOCUMENT:
                await self._stream_counted(scope, receive, send, limit)
                return
            body = await _read_at_most(receive, limit)
            self._check_text(kind, media, body)
        except _Refused as refused:
            await refused.response(scope, receive, send)
            return
        await self._app(scope, _replay(body, receive), send)

    async def _authenticate(self, scope: Scope) -> None:
        header = _header(scope, b"authorization") or ""
        scheme, _, credentials = header.partition(" ")
        token = credentials.strip() if scheme.lower() == "bearer" else None
        try:
            scope[TOKEN_SCOPE_KEY] = await run_in_threadpool(self._tokens.authenticate, token or None)
        except TokenRejected as exc:
            response = problem_response(401, "Unauthorized", str(exc), code=exc.code, fix=exc.fix)
            response.headers["WWW-Authenticate"] = "Bearer"
            raise _Refused(response) from None

    def _check_text(self, kind: BodyKind, media: str, body: bytes) -> None:
        """400 unless UTF-8; 422 when a JSON body (other than a spec, which bounds its own depth)
        nests deeper than the limit. Bodies that are not JSON at all are left to the endpoint."""
        if not body:
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Refused(
                problem_response(
                    400,
                    "Body is not UTF-8",
                    f"the body is not valid UTF-8 (byte {exc.start})",
                    code="invalid_utf8",
                    fix="send the body encoded as UTF-8",
                )
            ) from None
        if kind is BodyKind.SPEC or not _is_json(media):
            return
        depth = self._limits.json_depth
        try:
            too_deep = deeper_than(json.loads(text), depth)
        except RecursionError:
            too_deep = True
        except ValueError:  # not JSON: the endpoint answers 422 with the parser's words
            return
        if too_deep:
            raise _Refused(
                problem_response(
                    422,
                    "Body nested too deeply",
                    f"the JSON body nests more than {depth} levels of objects or arrays",
                    code="too_deep",
                    fix=f"send flatter data (at most {depth} levels; setting MWO_API_MAX_JSON_DEPTH)",
                )
            )

    async def _stream_counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass a large (multipart) body through as it streams, stopping it at `limit` bytes."""
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _Refused(_too_large(limit))
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted_receive, tracked_send)
        except _Refused as refused:
            if started:
                raise
            await refused.response(scope, receive, send)


def _has_body(scope: Scope) -> bool:
    if scope["method"] not in _BODY_METHODS:
        return False
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _media_type(scope: Scope) -> str:
    return (_header(scope, b"content-type") or "").split(";")[0].strip().lower()


def _is_json(media: str) -> bool:
    return media in ("", "application/json") or media.endswith("+json")


def _check_media(kind: BodyKind, media: str) -> None:
    """415 for a body of a type the endpoint does not read."""
    if kind is BodyKind.SPEC:
        accepted = _is_json(media) or media in _YAML_TYPES
        wanted = "`application/yaml` or `application/json`"
    elif kind is BodyKind.DOCUMENT:
        accepted = media in ("multipart/form-data", "application/x-www-form-urlencoded")  # a form
        wanted = "`multipart/form-data` (a `file` field)"
    else:
        accepted = _is_json(media)
        wanted = "`application/json`"
    if not accepted:
        raise _Refused(
            problem_response(
                415,
                "Unsupported media type",
                f"this endpoint does not read {media} bodies",
                code="unsupported_media_type",
                fix=f"send {wanted} with `Content-Type` set",
            )
        )


def _too_large(limit: int) -> JSONResponse:
    return problem_response(
        413,
        "Payload too large",
        f"the body must be at most {limit} bytes",
        code="too_large",
        fix="send less; the limits and their settings are in docs/operations.md (Limits)",
    )


def _check_declared_length(scope: Scope, limit: int) -> None:
    declared = _header(scope, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise _Refused(_too_large(limit))


async def _read_at_most(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _Refused(_too_large(limit))
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body to the app once, then the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
