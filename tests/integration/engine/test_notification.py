"""NOTIFICATION over real loopback servers: an aiosmtpd SMTP server and a recording HTTP server."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from mwo.engine.executor import StepContext
from mwo.engine.executors.notification import DISCORD_MAX_CHARS, KAKAO_MAX_CHARS, NotificationExecutor
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import NotificationStep, RetryPolicy, Workflow, workflow_from_data
from mwo.store.records import LogLevel
from tests.clocks import ManualClock
from tests.notification_receivers import SMTP_PASSWORD, Mailbox, free_port

SUBJECT = "오늘의 경제 뉴스"
BODY = "코스피가 2% 올랐습니다.\n환율은 1,350원입니다."
KAKAO_PATH = "/v2/api/talk/memo/default/send"
GOOD_TOKEN = "kakao-good-token"


# --- servers --------------------------------------------------------------------------------------


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box, auth_require_tls=False)
    controller.start()
    yield box, port
    controller.stop()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


Reply = tuple[int, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[Seen]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _reply(seen: Seen) -> Reply:
    """Slack-, Discord-, webhook- and Kakao-like answers chosen by path (and by token for Kakao)."""
    if seen.path == KAKAO_PATH:
        if seen.headers.get("authorization") != f"Bearer {GOOD_TOKEN}":
            return 401, json.dumps({"msg": "this access token does not exist", "code": -401})
        return 200, json.dumps({"result_code": 0})
    replies = {"/slack/gone": (404, "no_service"), "/slack/down": (500, "oops"), "/discord": (204, "")}
    return replies.get(seen.path, (200, "ok"))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
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


@pytest.fixture
def web() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def base(web: _Server) -> str:
    return f"http://127.0.0.1:{web.server_address[1]}"


# --- context and steps ----------------------------------------------------------------------------


def workflow(*allow: str) -> Workflow:
    data = {
        "name": "news-digest",
        "steps": [{"id": "noop", "type": "APPROVAL"}],
        "settings": {"network": {"allow": list(allow)}},
    }
    return workflow_from_data(data)


@pytest.fixture
def logs() -> list[tuple[LogLevel, str]]:
    return []


@pytest.fixture
def build_ctx(
    make_ctx: Callable[..., StepContext], logs: list[tuple[LogLevel, str]]
) -> Callable[..., StepContext]:
    """A context whose secrets are `secrets` and whose workflow allows loopback unless told otherwise."""

    def build(
        secrets: dict[str, str] | None = None, allow: tuple[str, ...] = ("127.0.0.1",), **settings: Any
    ) -> StepContext:
        scope = {"inputs": {"headline": SUBJECT}, "steps": {}, "secrets": secrets or {}}
        ctx = make_ctx(scope=scope, workflow=workflow(*allow), logs=logs)
        ctx.current_step_id = "notify"
        ctx.settings = ctx.settings.model_copy(update=settings)
        return ctx

    return build


def notify(channel: str, **config: Any) -> NotificationStep:
    data = {"id": "notify", "type": "NOTIFICATION", "channel": channel, "body": BODY, **config}
    return NotificationStep.model_validate(data)


def send(step: NotificationStep, ctx: StepContext) -> dict[str, Any]:
    result: dict[str, Any] = NotificationExecutor().execute(step, ctx)
    return result


def failure(step: NotificationStep, ctx: StepContext) -> StepFailed:
    with pytest.raises(StepFailed) as caught:
        send(step, ctx)
    return caught.value


# --- email ----------------------------------------------------------------------------------------


def test_email_in_korean_arrives_intact(
    mailbox: tuple[Mailbox, int], build_ctx: Callable[..., StepContext]
) -> None:
    box, port = mailbox
    ctx = build_ctx(smtp_host="127.0.0.1", smtp_port=port, smtp_from="뉴스봇 <bot@example.com>")
    output = send(
        notify("email", to=["me@example.com", "you@example.com"], subject="{{ inputs.headline }}"), ctx
    )

    (envelope,) = box.envelopes
    assert envelope.rcpt_tos == ["me@example.com", "you@example.com"]
    message = box.message()
    assert message["Subject"] == SUBJECT
    assert message["From"] == "뉴스봇 <bot@example.com>"
    assert message.get_content().rstrip("\n") == BODY
    assert output["channel"] == "email" and output["delivered"] is True
    assert output["detail"]["message_id"] == message["Message-ID"]
    assert message["Message-ID"].endswith("@example.com>")
    assert ctx.rendered_input["to"] == ["me@example.com", "you@example.com"]
    assert ctx.rendered_input["subject"] == SUBJECT


def test_the_message_id_is_the_same_when_the_step_is_sent_again(
    mailbox: tuple[Mailbox, int], build_ctx: Callable[..., StepContext]
) -> None:
    box, port = mailbox
    ctx = build_ctx(smtp_host="127.0.0.1", smtp_port=port)
    step = notify("email", to=["me@example.com"])
    send(step, ctx)
    send(step, ctx)
    assert box.message(0)["Message-ID"] == box.message(1)["Message-ID"]
    assert box.message(0)["Subject"] == "news-digest"  # no subject: the workflow's name


def test_email_login_with_the_password_secret(
    mailbox: tuple[Mailbox, int], build_ctx: Callable[..., StepContext]
) -> None:
    box, port = mailbox
    ctx = build_ctx(
        {"SMTP_PASSWORD": SMTP_PASSWORD}, smtp_host="127.0.0.1", smtp_port=port, smtp_username="me"
    )
    assert send(notify("email", to=["me@example.com"]), ctx)["delivered"] is True
    assert len(box.envelopes) == 1


def test_a_refused_smtp_login_is_a_delivery_failure_naming_the_secret(
    mailbox: tuple[Mailbox, int], build_ctx: Callable[..., StepContext]
) -> None:
    box, port = mailbox
    ctx = build_ctx({"SMTP_PASSWORD": "wrong"}, smtp_host="127.0.0.1", smtp_port=port, smtp_username="me")
    failed = failure(notify("email", to=["me@example.com"]), ctx)
    assert failed.kind is FailureKind.DELIVERY
    assert f"127.0.0.1:{port}" in failed.message and "wrong" not in failed.message
    assert "SMTP_PASSWORD" in failed.fix
    assert box.envelopes == []


def test_an_smtp_server_that_is_not_listening_is_a_connection_failure(
    build_ctx: Callable[..., StepContext],
) -> None:
    port = free_port()
    failed = failure(notify("email", to=["me@example.com"]), build_ctx(smtp_host="127.0.0.1", smtp_port=port))
    assert failed.kind is FailureKind.CONNECTION
    assert f"127.0.0.1:{port}" in failed.message
    assert "MWO_SMTP_HOST" in failed.fix and "MWO_SMTP_PORT" in failed.fix
    assert failed.retryable_under(RetryPolicy().retry_on)


# --- chat webhooks --------------------------------------------------------------------------------


def test_slack_posts_the_text_to_the_webhook_from_the_secret(
    web: _Server, build_ctx: Callable[..., StepContext], logs: list[tuple[LogLevel, str]]
) -> None:
    ctx = build_ctx({"SLACK_WEBHOOK_URL": f"{base(web)}/services/T1/B2/XYZ\n"})
    step = notify("slack", subject="{{ inputs.headline }}", webhook_url="{{ secrets.SLACK_WEBHOOK_URL }}")
    output = send(step, ctx)

    (seen,) = web.seen
    assert seen.path == "/services/T1/B2/XYZ"
    assert seen.json() == {"text": f"*{SUBJECT}*\n{BODY}"}
    assert output == {"channel": "slack", "delivered": True, "detail": {"status": 200}}
    assert logs and all("XYZ" not in line for _, line in logs)


def test_a_gone_slack_webhook_is_a_delivery_failure_naming_the_secret(
    web: _Server, build_ctx: Callable[..., StepContext]
) -> None:
    ctx = build_ctx({"SLACK_WEBHOOK_URL": f"{base(web)}/slack/gone"})
    failed = failure(notify("slack", webhook_url="{{ secrets.SLACK_WEBHOOK_URL }}"), ctx)
    assert (failed.kind, failed.status) == (FailureKind.DELIVERY, 404)
    assert "no_service" in failed.message and "/slack/gone" not in failed.message
    assert "SLACK_WEBHOOK_URL" in failed.fix
    assert not failed.retryable_under(RetryPolicy().retry_on)


def test_a_failing_slack_is_an_http_status_failure_that_is_retried(
    web: _Server, build_ctx: Callable[..., StepContext]
) -> None:
    failed = failure(notify("slack", webhook_url=f"{base(web)}/slack/down"), build_ctx())
    assert (failed.kind, failed.status) == (FailureKind.HTTP_STATUS, 500)
    assert failed.retryable_under(RetryPolicy().retry_on)


def test_discord_content_is_cut_to_its_limit_with_a_warning(
    web: _Server, build_ctx: Callable[..., StepContext], logs: list[tuple[LogLevel, str]]
) -> None:
    long_body = "가나다라마바사 " * 400
    output = send(notify("discord", body=long_body, webhook_url=f"{base(web)}/discord"), build_ctx())
    content = web.seen[0].json()["content"]
    assert len(content) == DISCORD_MAX_CHARS and content.startswith("가나다라") and content.endswith("…")
    assert output["detail"] == {"status": 204, "truncated": True}
    assert any(level is LogLevel.WARNING and "2000" in line for level, line in logs)


def test_a_generic_webhook_gets_the_envelope_and_an_idempotency_key(
    web: _Server, build_ctx: Callable[..., StepContext], clock: ManualClock
) -> None:
    ctx = build_ctx()
    send(notify("webhook", subject="제목", webhook_url=f"{base(web)}/hook"), ctx)
    (seen,) = web.seen
    assert seen.headers["idempotency-key"] == ctx.idempotency_key == "run-test:notify"
    payload = seen.json()
    assert {k: payload[k] for k in ("subject", "body", "run_id", "step_id", "workflow")} == {
        "subject": "제목",
        "body": BODY,
        "run_id": "run-test",
        "step_id": "notify",
        "workflow": "news-digest",
    }
    assert payload["idempotency_key"] == "run-test:notify"
    assert payload["sent_at"] == clock.now.isoformat()  # the step context's clock


def test_a_loopback_webhook_without_the_allow_list_is_refused_before_sending(
    web: _Server, build_ctx: Callable[..., StepContext]
) -> None:
    failed = failure(notify("webhook", webhook_url=f"{base(web)}/hook"), build_ctx(allow=()))
    assert failed.kind is FailureKind.REFUSED_ADDRESS
    assert "127.0.0.1" in failed.message and "settings.network.allow" in failed.fix
    assert web.seen == []


# --- Kakao ----------------------------------------------------------------------------------------


def test_kakao_sends_a_text_template_with_the_bearer_token(
    web: _Server, build_ctx: Callable[..., StepContext]
) -> None:
    ctx = build_ctx({"KAKAO_ACCESS_TOKEN": GOOD_TOKEN}, kakao_api_base=base(web) + "/")
    step = notify(
        "kakao", access_token="{{ secrets.KAKAO_ACCESS_TOKEN }}", link_url="https://news.example.com/1"
    )
    output = send(step, ctx)

    (seen,) = web.seen
    assert seen.path == KAKAO_PATH
    assert seen.headers["authorization"] == f"Bearer {GOOD_TOKEN}"
    assert seen.headers["content-type"].startswith("application/x-www-form-urlencoded")
    template = json.loads(seen.form()["template_object"][0])
    assert template["object_type"] == "text"
    assert template["text"] == BODY
    assert template["link"] == {
        "web_url": "https://news.example.com/1",
        "mobile_web_url": "https://news.example.com/1",
    }
    assert template["button_title"]
    assert output["detail"] == {"status": 200, "result_code": 0, "truncated": False}
    assert GOOD_TOKEN not in json.dumps(ctx.rendered_input, ensure_ascii=False)


def test_kakao_text_is_cut_to_200_characters(
    web: _Server, build_ctx: Callable[..., StepContext], logs: list[tuple[LogLevel, str]]
) -> None:
    ctx = build_ctx(kakao_api_base=base(web))
    send(notify("kakao", access_token=GOOD_TOKEN, subject="제목", body="뉴스" * 200), ctx)
    template = json.loads(web.seen[0].form()["template_object"][0])
    assert len(template["text"]) == KAKAO_MAX_CHARS and template["text"].startswith("제목\n뉴스")
    assert template["link"] == {}
    assert any(level is LogLevel.WARNING for level, _ in logs)


def test_an_expired_kakao_token_is_a_delivery_failure_saying_to_refresh_it(
    web: _Server, build_ctx: Callable[..., StepContext]
) -> None:
    ctx = build_ctx({"KAKAO_ACCESS_TOKEN": "expired-token"}, kakao_api_base=base(web))
    failed = failure(notify("kakao", access_token="{{ secrets.KAKAO_ACCESS_TOKEN }}"), ctx)
    assert (failed.kind, failed.status) == (FailureKind.DELIVERY, 401)
    assert "this access token does not exist" in failed.message and "expired-token" not in failed.message
    assert "expired" in failed.fix and "refresh" in failed.fix and "KAKAO_ACCESS_TOKEN" in failed.fix
    assert not failed.retryable_under(RetryPolicy().retry_on)


# --- inbox ----------------------------------------------------------------------------------------


def test_inbox_messages_land_in_the_store(build_ctx: Callable[..., StepContext], store: Any) -> None:
    ctx = build_ctx()
    output = send(notify("inbox", subject="{{ inputs.headline }}"), ctx)
    (message,) = store.list_messages()
    assert (message.title, message.body, message.run_id) == (SUBJECT, BODY, "run-test")
    assert output == {"channel": "inbox", "delivered": True, "detail": {"message_id": message.id}}


def test_an_inbox_message_without_subject_is_titled_with_the_workflow_name(
    build_ctx: Callable[..., StepContext], store: Any
) -> None:
    send(notify("inbox"), build_ctx())
    assert store.list_messages()[0].title == "news-digest"
