"""Stopping a call in flight: the rate-limited check, the relay of a blocking stream, a slow fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mwo.llm.errors import LlmInterrupted
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.interrupt import Interrupt, relay
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings


class Countdown:
    """A check that answers `reason` from its `after`-th call on, counting its calls."""

    def __init__(self, after: int, reason: str = "cancelled") -> None:
        self.after = after
        self.reason = reason
        self.calls = 0

    def __call__(self) -> str | None:
        self.calls += 1
        return self.reason if self.calls >= self.after else None


def test_the_check_runs_at_most_once_per_interval() -> None:
    check = Countdown(after=2)
    interrupt = Interrupt(check, every_s=3600)
    assert [interrupt.requested() for _ in range(50)] == [False] * 50
    assert check.calls == 1  # the other 49 asks cost nothing


def test_once_stopped_it_stays_stopped_with_the_reason() -> None:
    check = Countdown(after=2, reason="timeout")
    interrupt = Interrupt(check, every_s=0)
    assert not interrupt.requested()
    assert interrupt.requested() and interrupt.requested()
    assert check.calls == 2
    with pytest.raises(LlmInterrupted) as caught:
        interrupt.raise_if_requested()
    assert (caught.value.reason, caught.value.kind) == ("timeout", "cancelled")


def test_relay_passes_items_and_errors_through() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("broken stream")

    received = []
    with pytest.raises(ValueError, match="broken stream"):
        for item in relay(source(), Interrupt(lambda: None, every_s=0), on_stop=lambda: None):
            received.append(item)
    assert received == [1, 2]


def test_relay_gives_up_on_a_silent_source_and_unblocks_it() -> None:
    """The source blocks (a server still processing the prompt); the stop must not wait for it."""
    release = threading.Event()
    ended = threading.Event()

    def silent() -> Iterator[str]:
        try:
            yield "first"
            release.wait(30)  # blocks until on_stop releases it (a shut-down socket)
            yield "late"
        finally:
            ended.set()

    seen: list[str] = []
    stop_after_first = Interrupt(lambda: "cancelled" if seen else None, every_s=0)
    with pytest.raises(LlmInterrupted):
        for item in relay(silent(), stop_after_first, on_stop=release.set):
            seen.append(item)
    assert seen == ["first"]
    assert release.is_set()
    assert ended.wait(10)  # the helper thread saw the stop and closed the source


def _service(settings: Settings, store: Any, *script: FakeReply | str) -> tuple[LlmService, FakeChatModel]:
    fake = FakeChatModel(script=list(script))
    return LlmService(settings.llm, store, chat_model=fake), fake


@pytest.mark.parametrize("streamed", [False, True])
def test_a_slow_generation_stops_when_asked_and_the_next_call_works(
    settings: Settings, store: Any, streamed: bool
) -> None:
    long_answer = " ".join(f"w{i}" for i in range(1000))
    service, fake = _service(settings, store, FakeReply(long_answer, pause_s=0.001), "short answer")
    interrupt = Interrupt(Countdown(after=5), every_s=0)
    with pytest.raises(LlmInterrupted) as caught:
        if streamed:
            list(service.stream(LlmRequest("tell me everything"), caller="test", interrupt=interrupt))
        else:
            service.ask(LlmRequest("tell me everything"), caller="test", interrupt=interrupt)
    assert caught.value.reason == "cancelled"
    assert fake.words_produced == 4  # stopped at the fifth check, long before the 1000th word
    assert service.ask(LlmRequest("again"), caller="test").text == "short answer"
    rows = store.list_llm_calls()
    assert sorted(str(row.extra.get("error_code")) for row in rows) == ["None", "llm_interrupted"]


def test_the_interrupt_reaches_the_model_as_a_call_option(settings: Settings, store: Any) -> None:
    service, fake = _service(settings, store, "ok")
    interrupt = Interrupt(lambda: None)
    service.ask(LlmRequest("hi"), caller="test", interrupt=interrupt)
    assert fake.calls[0]["interrupt"] is interrupt
    service.ask(LlmRequest("hi"), caller="test")
    assert "interrupt" not in fake.calls[1]
