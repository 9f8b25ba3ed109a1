"""Send test over each notification channel, through the NOTIFICATION executor, against real loopback
receivers: what arrives, and the error and fix when the far end refuses or the setup is missing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mwo.management.channels import CHANNEL_SECRETS, ChannelTester, ChannelTestFailed, ChannelTestResult
from mwo.settings import Settings
from mwo.spec import Channel
from tests.clocks import ManualClock
from tests.notification_receivers import (
    KAKAO_GOOD_TOKEN,
    KAKAO_PATH,
    SMTP_LOGIN,
    SMTP_PASSWORD,
    HttpReceiver,
    Mailbox,
    free_port,
    http_receiver,
    smtp_server,
)

LOOPBACK = ["127.0.0.1"]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as served:
        yield served


@pytest.fixture
def web() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture
def tester(settings: Settings, store: Any, clock: ManualClock) -> Callable[..., ChannelTester]:
    """A tester over the real store, with these secrets and settings changed."""

    def build(secrets: dict[str, str] | None = None, **changed: Any) -> ChannelTester:
        for name, value in (secrets or {}).items():
            store.set_secret(name, value, clock())
        return ChannelTester(settings.model_copy(update=changed), store, clock=clock)

    return build


def refused(run: Callable[[], ChannelTestResult]) -> ChannelTestFailed:
    with pytest.raises(ChannelTestFailed) as caught:
        run()
    return caught.value


# --- email ----------------------------------------------------------------------------------------


def test_email_test_arrives_at_the_smtp_server(
    tester: Callable[..., ChannelTester], mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    result = tester(smtp_host="127.0.0.1", smtp_port=port, smtp_from="mwo@example.com").send_test(
        Channel.EMAIL, to=["me@example.com"], subject="MWO 시험 메시지", body="이메일 알림이 동작합니다."
    )
    message = box.message()
    assert message["Subject"] == "MWO 시험 메시지"
    assert message["To"] == "me@example.com"
    assert message.get_content().strip() == "이메일 알림이 동작합니다."
    assert result.detail["recipients"] == ["me@example.com"]
    assert result.detail["message_id"] == message["Message-ID"]
    assert result.as_dict()["delivered"] is True


def test_email_goes_to_the_sender_address_when_no_one_is_named(
    tester: Callable[..., ChannelTester], mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    tester(smtp_host="127.0.0.1", smtp_port=port, smtp_from="ops@example.com").send_test(Channel.EMAIL)
    assert box.envelopes[0].rcpt_tos == ["ops@example.com"]


def test_email_with_a_login_uses_the_password_secret(
    tester: Callable[..., ChannelTester], mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    chosen = tester(
        {"SMTP_PASSWORD": SMTP_PASSWORD}, smtp_host="127.0.0.1", smtp_port=port, smtp_username=SMTP_LOGIN
    )
    chosen.send_test("email", to=["me@example.com"])
    assert len(box.envelopes) == 1


def test_email_wrong_password_names_the_secret_never_its_value(
    tester: Callable[..., ChannelTester], mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    chosen = tester(
        {"SMTP_PASSWORD": "wrong-password-42"},
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username=SMTP_LOGIN,
    )
    error = refused(lambda: chosen.send_test(Channel.EMAIL, to=["me@example.com"]))
    assert error.kind == "delivery"
    assert "refused the login of 'me'" in str(error)
    assert "mwo secrets set SMTP_PASSWORD" in error.fix
    assert "wrong-password-42" not in str(error.as_dict())
    assert box.envelopes == []


def test_email_login_without_its_secret_says_how_to_set_it(
    tester: Callable[..., ChannelTester], mailbox: tuple[Mailbox, int]
) -> None:
    _, port = mailbox
    chosen = tester(smtp_host="127.0.0.1", smtp_port=port, smtp_username=SMTP_LOGIN)
    error = refused(lambda: chosen.send_test(Channel.EMAIL, to=["me@example.com"]))
    assert error.kind == "config"
    assert "mwo secrets set SMTP_PASSWORD" in error.fix


def test_email_bad_smtp_host_says_to_check_host_and_port(tester: Callable[..., ChannelTester]) -> None:
    chosen = tester(smtp_host="127.0.0.1", smtp_port=free_port())  # nothing listens there
    error = refused(lambda: chosen.send_test(Channel.EMAIL, to=["me@example.com"]))
    assert error.kind == "connection"
    assert "cannot reach the SMTP server 127.0.0.1" in str(error)
    assert "MWO_SMTP_HOST" in error.fix


# --- Slack, Discord, webhook ----------------------------------------------------------------------


def test_slack_test_posts_the_message(tester: Callable[..., ChannelTester], web: HttpReceiver) -> None:
    chosen = tester({"SLACK_WEBHOOK_URL": f"{web.base}/slack/ok"})
    result = chosen.send_test(Channel.SLACK, allow=LOOPBACK, subject="MWO test", body="Slack works.")
    assert [seen.path for seen in web.seen] == ["/slack/ok"]
    assert web.seen[0].json() == {"text": "*MWO test*\nSlack works."}
    assert result.detail == {"status": 200}


def test_slack_401_says_the_url_is_no_longer_valid_without_showing_it(
    tester: Callable[..., ChannelTester], web: HttpReceiver
) -> None:
    chosen = tester({"SLACK_WEBHOOK_URL": f"{web.base}/slack/revoked"})
    error = refused(lambda: chosen.send_test(Channel.SLACK, allow=LOOPBACK))
    assert (error.kind, error.status) == ("delivery", 401)
    assert "answered 401" in str(error)
    assert "SLACK_WEBHOOK_URL" in error.fix
    assert "/slack/revoked" not in str(error.as_dict())  # the URL's path is the credential


def test_discord_test_posts_the_content(tester: Callable[..., ChannelTester], web: HttpReceiver) -> None:
    chosen = tester({"DISCORD_WEBHOOK_URL": f"{web.base}/discord/ok"})
    result = chosen.send_test("discord", allow=LOOPBACK, subject="MWO test", body="Discord works.")
    assert web.seen[0].json() == {"content": "**MWO test**\nDiscord works."}
    assert result.detail == {"status": 204, "truncated": False}


def test_webhook_test_posts_the_envelope(
    tester: Callable[..., ChannelTester], web: HttpReceiver, clock: ManualClock
) -> None:
    chosen = tester({"WEBHOOK_URL": f"{web.base}/hook/ok"})
    result = chosen.send_test(Channel.WEBHOOK, allow=LOOPBACK, body="hook works")
    payload = web.seen[0].json()
    assert payload["body"] == "hook works"
    assert payload["workflow"] == "mwo-channel-test"
    assert payload["sent_at"] == clock.now.isoformat()
    assert web.seen[0].headers["idempotency-key"] == result.detail["idempotency_key"]


def test_two_webhook_tests_are_not_taken_for_one_resent_message(
    tester: Callable[..., ChannelTester], web: HttpReceiver
) -> None:
    chosen = tester({"WEBHOOK_URL": f"{web.base}/hook/ok"})
    chosen.send_test(Channel.WEBHOOK, allow=LOOPBACK)
    chosen.send_test(Channel.WEBHOOK, allow=LOOPBACK)
    keys = {seen.headers["idempotency-key"] for seen in web.seen}
    assert len(keys) == 2


def test_webhook_server_error_is_reported_with_its_status(
    tester: Callable[..., ChannelTester], web: HttpReceiver
) -> None:
    chosen = tester({"WEBHOOK_URL": f"{web.base}/hook/down"})
    error = refused(lambda: chosen.send_test(Channel.WEBHOOK, allow=LOOPBACK))
    assert (error.kind, error.status) == ("http_status", 503)
    assert "maintenance" in str(error)


def test_loopback_url_is_refused_unless_allowed(
    tester: Callable[..., ChannelTester], web: HttpReceiver
) -> None:
    """The egress rules of workflows apply: a private address needs to be allowed explicitly."""
    chosen = tester({"WEBHOOK_URL": f"{web.base}/hook/ok"})
    error = refused(lambda: chosen.send_test(Channel.WEBHOOK))
    assert error.kind == "refused_address"
    assert "127.0.0.1" in str(error)
    assert "/hook/ok" not in str(error.as_dict())
    assert web.seen == []


# --- Kakao ----------------------------------------------------------------------------------------


def test_kakao_test_sends_a_memo(tester: Callable[..., ChannelTester], web: HttpReceiver) -> None:
    chosen = tester({"KAKAO_ACCESS_TOKEN": KAKAO_GOOD_TOKEN}, kakao_api_base=web.base)
    result = chosen.send_test(Channel.KAKAO, allow=LOOPBACK, subject="MWO", body="카카오 알림이 동작합니다.")
    assert web.seen[0].path == KAKAO_PATH
    assert web.seen[0].headers["authorization"] == f"Bearer {KAKAO_GOOD_TOKEN}"
    assert result.detail["result_code"] == 0


def test_kakao_expired_token_says_to_refresh_it_without_showing_it(
    tester: Callable[..., ChannelTester], web: HttpReceiver
) -> None:
    chosen = tester({"KAKAO_ACCESS_TOKEN": "expired-token-9876"}, kakao_api_base=web.base)
    error = refused(lambda: chosen.send_test(Channel.KAKAO, allow=LOOPBACK))
    assert (error.kind, error.status) == ("delivery", 401)
    assert "mwo secrets set KAKAO_ACCESS_TOKEN" in error.fix
    assert "expired-token-9876" not in str(error.as_dict())


# --- setup ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.SLACK, Channel.DISCORD, Channel.WEBHOOK, Channel.KAKAO])
def test_a_missing_secret_says_which_and_how_to_set_it(
    tester: Callable[..., ChannelTester], channel: Channel
) -> None:
    error = refused(lambda: tester().send_test(channel))
    secret = CHANNEL_SECRETS[channel]
    assert error.kind == "config"
    assert f"the secret '{secret}' is not set" in str(error)
    assert f"mwo secrets set {secret}" in error.fix


def test_inbox_test_lands_in_the_inbox(tester: Callable[..., ChannelTester], store: Any) -> None:
    result = tester().send_test(Channel.INBOX, subject="MWO test message", body="inbox works")
    [message] = store.list_messages()
    assert (message.title, message.body) == ("MWO test message", "inbox works")
    assert result.detail == {"message_id": message.id}


def test_an_unknown_channel_lists_the_known_ones(tester: Callable[..., ChannelTester]) -> None:
    error = refused(lambda: tester().send_test("telegram"))
    assert "no notification channel 'telegram'" in str(error)
    assert "slack" in error.fix
    assert error.as_dict()["channel"] is None


def test_setups_say_what_each_channel_needs_without_values(tester: Callable[..., ChannelTester]) -> None:
    setups = {
        s.channel: s
        for s in tester({"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/abcdef"}).setups()
    }
    assert list(setups) == list(Channel)
    assert setups[Channel.SLACK].ready and setups[Channel.SLACK].secret == "SLACK_WEBHOOK_URL"
    assert not setups[Channel.KAKAO].ready
    assert setups[Channel.EMAIL].ready and setups[Channel.INBOX].ready
    assert "hooks.slack.com" not in " ".join(s.summary for s in setups.values())


def test_the_secrets_are_those_the_authoring_service_writes() -> None:
    from mwo.authoring.providers import CHANNEL_SECRETS as AUTHORED

    assert {channel.value: name for channel, name in CHANNEL_SECRETS.items()} == AUTHORED
