"""Real loopback receivers for notification tests: an SMTP server (aiosmtpd) that keeps what it gets
and checks one login, and an HTTP server that records requests and answers like Slack, Discord, a
webhook endpoint or Kakao's talk/memo API (chosen by path, and by token for Kakao)."""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

KAKAO_PATH = "/v2/api/talk/memo/default/send"
KAKAO_GOOD_TOKEN = "kakao-good-token-1234"
SMTP_LOGIN = "me"
SMTP_PASSWORD = "app-password-123"
REPLIES: dict[str, tuple[int, str]] = {
    "/slack/ok": (200, "ok"),
    "/slack/revoked": (401, "invalid_token"),
    "/discord/ok": (204, ""),
    "/hook/ok": (200, '{"received": true}'),
    "/hook/down": (503, "maintenance"),
}
"""Path -> (status, body); any other path answers 404."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """aiosmtpd handler and authenticator: keeps every message; SMTP_LOGIN/SMTP_PASSWORD is right."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_LOGIN.encode(),
            SMTP_PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    def message(self, index: int = 0) -> EmailMessage:
        content = self.envelopes[index].content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server on a free loopback port: (its mailbox, its port)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box, auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpReceiver(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[Seen]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _reply(seen: Seen) -> tuple[int, str]:
    if seen.path == KAKAO_PATH:
        if seen.headers.get("authorization") != f"Bearer {KAKAO_GOOD_TOKEN}":
            return 401, json.dumps({"msg": "this access token does not exist", "code": -401})
        return 200, json.dumps({"result_code": 0})
    return REPLIES.get(seen.path, (404, "no_service"))


class _Handler(BaseHTTPRequestHandler):
    server: HttpReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.server.seen.append(seen)
        status, payload = _reply(seen)
        data = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if payload.startswith("{") else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on `seen`."""


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    """A recording HTTP server on a free loopback port."""
    httpd = HttpReceiver(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
