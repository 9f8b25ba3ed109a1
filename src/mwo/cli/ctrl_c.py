"""Ctrl-C that is never lost: a latch the long calls of a command can poll.

Python raises Ctrl-C's KeyboardInterrupt in whatever Python code runs next on the main thread. When
that code is a ctypes callback (llama.cpp's log callback while the model loads, its abort callback
while it decodes), ctypes swallows the exception and the command runs on to the end: seen as a chat
that answered 40 s after Ctrl-C and exited 0. The latch remembers the key press, so the model's
interrupt check sees it at the next graph node, and the command ends as interrupted (exit 130).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class CtrlC:
    """Set once Ctrl-C was pressed inside `ctrl_c_latch()`; `reason()` is an Interrupt check."""

    def __init__(self) -> None:
        self._pressed = threading.Event()

    @property
    def pressed(self) -> bool:
        return self._pressed.is_set()

    def press(self) -> None:
        self._pressed.set()

    def reason(self) -> str | None:
        return "Ctrl-C" if self.pressed else None


@contextmanager
def ctrl_c_latch() -> Iterator[CtrlC]:
    """SIGINT both latches and raises KeyboardInterrupt; a press that was swallowed on the way is
    raised again when the block ends, so the command exits 130 either way.

    A KeyboardInterrupt that a ctypes callback swallowed is also reported by Python as "Exception
    ignored in ..." with a traceback on stderr; within the block, that report of a latched press is
    dropped (the latch raises it again): a user pressing Ctrl-C sees no traceback."""
    latch = CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield latch  # signals are delivered to the main thread only; nothing to latch here
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        latch.press()
        raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def unless_latched(unraisable: Any) -> None:
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and latch.pressed):
            previous_hook(unraisable)

    previous = signal.signal(signal.SIGINT, on_sigint)
    sys.unraisablehook = unless_latched
    try:
        yield latch
    finally:
        sys.unraisablehook = previous_hook
        signal.signal(signal.SIGINT, previous)
    if latch.pressed:
        raise KeyboardInterrupt
