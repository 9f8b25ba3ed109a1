"""Settings > Notification channels: each channel's Send test button, through AppTest on real
services and real loopback receivers (an SMTP server, an HTTP server answering like Slack)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from mwo.clock import utc_now
from mwo.ui.i18n import t
from mwo.ui.state import UiContext
from tests.notification_receivers import HttpReceiver, free_port, http_receiver, smtp_server
from tests.ui.conftest import assert_clean, texts

App = Callable[..., AppTest]
SLACK_SECRET_PATH = "/slack/ok"


@pytest.fixture
def web() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


def send_test(at: AppTest, channel: str) -> AppTest:
    return at.button(key=f"settings.send_test.{channel}").click().run()


def configure(ui_context: UiContext, **changed: Any) -> None:
    services = ui_context.services
    services.settings = services.settings.model_copy(update=changed)


def test_every_channel_has_a_send_test_button_and_says_what_it_needs(app: App) -> None:
    at = app("settings.py")
    assert_clean(at)
    for channel in ("inbox", "email", "slack", "discord", "kakao", "webhook"):
        assert at.button(key=f"settings.send_test.{channel}").label == t("settings.send_test")
    page = texts(at)
    assert t("settings.channel_secret_missing", secret="`SLACK_WEBHOOK_URL`") in page
    assert t("settings.channel_secret_missing", secret="`KAKAO_ACCESS_TOKEN`") in page


def test_send_test_to_the_inbox(app: App, ui_context: UiContext) -> None:
    at = send_test(app("settings.py"), "inbox")
    assert_clean(at)
    assert at.success and t("settings.channel.inbox") in at.success[0].value
    assert ui_context.services.store.list_messages()[0].title == t("settings.test_title")


def test_send_test_email_arrives_in_korean(app: App, ui_context: UiContext) -> None:
    with smtp_server() as (box, port):
        configure(ui_context, smtp_host="127.0.0.1", smtp_port=port)
        at = app("settings.py", language="ko")
        at.text_input(key="settings.test_to").input("minji@example.com")
        at = send_test(at, "email")
    assert_clean(at)
    assert at.success and "이메일 (SMTP)" in at.success[0].value
    message = box.message()
    assert message["To"] == "minji@example.com"
    assert message["Subject"] == t("settings.test_title", "ko")


def test_send_test_email_to_a_closed_port_shows_the_fix(app: App, ui_context: UiContext) -> None:
    configure(ui_context, smtp_host="127.0.0.1", smtp_port=free_port())
    at = send_test(app("settings.py"), "email")
    assert_clean(at)
    [error] = at.error
    assert "cannot reach the SMTP server 127.0.0.1" in error.value
    assert "MWO_SMTP_HOST" in error.value
    assert not at.success


def test_send_test_slack_without_its_secret_says_how_to_set_it(app: App) -> None:
    at = send_test(app("settings.py"), "slack")
    assert_clean(at)
    [error] = at.error
    assert "the secret 'SLACK_WEBHOOK_URL' is not set" in error.value
    assert "mwo secrets set SLACK_WEBHOOK_URL" in error.value


def test_send_test_slack_reaches_an_allowed_private_host(
    app: App, ui_context: UiContext, web: HttpReceiver
) -> None:
    url = f"{web.base}{SLACK_SECRET_PATH}"
    ui_context.services.store.set_secret("SLACK_WEBHOOK_URL", url, utc_now())
    at = app("settings.py")
    assert t("settings.channel_secret_set", secret="`SLACK_WEBHOOK_URL`") in texts(at)
    at.text_input(key="settings.test_allow").input("127.0.0.1")
    at = send_test(at, "slack")
    assert_clean(at)
    assert at.success and "Slack" in at.success[0].value
    assert "status: 200" in texts(at)
    assert web.seen[0].json()["text"].startswith(f"*{t('settings.test_title')}*")
    assert SLACK_SECRET_PATH not in texts(at)  # the URL is the credential: never on the page


def test_send_test_slack_to_a_private_host_is_refused_with_the_hint(
    app: App, ui_context: UiContext, web: HttpReceiver
) -> None:
    ui_context.services.store.set_secret("SLACK_WEBHOOK_URL", f"{web.base}{SLACK_SECRET_PATH}", utc_now())
    at = send_test(app("settings.py"), "slack")
    assert_clean(at)
    [error] = at.error
    assert "refused to connect to '127.0.0.1'" in error.value
    assert t("settings.test_refused_hint") in texts(at)
    assert SLACK_SECRET_PATH not in texts(at)
    assert web.seen == []


def test_send_test_slack_401_says_the_url_is_no_longer_valid(
    app: App, ui_context: UiContext, web: HttpReceiver
) -> None:
    ui_context.services.store.set_secret("SLACK_WEBHOOK_URL", f"{web.base}/slack/revoked", utc_now())
    at = app("settings.py")
    at.text_input(key="settings.test_allow").input("127.0.0.1")
    at = send_test(at, "slack")
    assert_clean(at)
    [error] = at.error
    assert "answered 401" in error.value
    assert "no longer valid" in error.value and "SLACK_WEBHOOK_URL" in error.value
    assert "/slack/revoked" not in texts(at)
