"""Stopping an LLM call in flight: a cancelled run or one past its deadline must not wait for minutes.

A local generation on a 2-core CPU takes minutes, and the engine sees a cancel only between steps,
so the call itself must look. The caller (the LLM_CALL executor) passes an `Interrupt` whose check
says why to stop (a reason) or None to go on. The models ask `requested()` often: llama.cpp between
graph nodes and between tokens, the endpoint client while it waits for the next event. The check
itself may cost a database read, so it runs at most every `every_s`; `requested()` is cheap between.

`requested()` is always called on the caller's own thread (llama.cpp calls back on the thread that
called decode; the endpoint client reads in a helper thread and checks here), so a check may use the
caller's database connection.

`relay` reads a blocking iterator (server-sent events) in a helper thread, so the caller can give up
within `every_s` even while the server is silent (prompt processing); `on_stop` then closes the
connection, which makes the server stop generating.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

from mwo.llm.errors import LlmInterrupted

T = TypeVar("T")

_DONE = object()


class Interrupt:
    """Asks `check` (at most every `every_s` seconds) whether the caller still wants the answer."""

    def __init__(self, check: Callable[[], str | None], *, every_s: float = 0.25) -> None:
        self._check = check
        self.every_s = every_s
        self._next_check = 0.0
        self.reason: str | None = None
        """Why the call was stopped (what the check returned), once it was."""
        self.error: BaseException | None = None
        """An error the check raised inside a llama.cpp callback, re-raised by the model after."""

    def requested(self) -> bool:
        if self.reason is not None:
            return True
        now = time.monotonic()
        if now < self._next_check:
            return False
        self._next_check = now + self.every_s
        self.reason = self._check()
        return self.reason is not None

    def raise_if_requested(self) -> None:
        """LlmInterrupted when the call must stop (the caller is asked again only if due)."""
        if self.requested():
            raise self.interrupted()

    def interrupted(self) -> LlmInterrupted:
        reason = self.reason or "stopped"
        return LlmInterrupted(
            f"the model call was stopped before it finished ({reason})",
            "none needed: the caller no longer wanted the answer",
            reason=reason,
        )

    def __repr__(self) -> str:  # what tracing shows among the call's options
        return f"Interrupt(every_s={self.every_s:g}, reason={self.reason!r})"


def relay(source: Iterator[T], interrupt: Interrupt, on_stop: Callable[[], None]) -> Iterator[T]:
    """The items of `source`, read in a helper thread; LlmInterrupted as soon as `interrupt` asks.

    Errors of `source` are re-raised here. When the caller stops early (interrupted, or it closes
    this generator), `on_stop` runs so the helper's blocking read ends (it closes the connection).
    """
    items: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=64)
    stopped = threading.Event()

    def pump() -> None:
        try:
            for item in source:
                if stopped.is_set():
                    return
                items.put((item, None))
            items.put((_DONE, None))
        except BaseException as exc:  # handed to the caller's thread, which re-raises it
            items.put((_DONE, exc))
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()  # here, on the thread that ran it (its finally closes the response)

    helper = threading.Thread(target=pump, name="mwo-llm-relay", daemon=True)
    helper.start()
    finished = False
    try:
        while True:
            interrupt.raise_if_requested()
            try:
                item, error = items.get(timeout=max(interrupt.every_s, 0.01))
            except queue.Empty:
                continue
            if error is not None:
                finished = True
                raise error
            if item is _DONE:
                finished = True
                return
            yield cast("T", item)
    finally:
        if not finished:
            stopped.set()
            on_stop()
            _drain(items)


def _drain(items: queue.Queue[tuple[object, BaseException | None]]) -> None:
    """Unblock a helper waiting to put an item, so it can see `stopped` and end."""
    while True:
        try:
            items.get_nowait()
        except queue.Empty:
            return


__all__ = ["Interrupt", "relay"]
