"""The Ctrl-C latch: a press is never lost, even when the KeyboardInterrupt itself is swallowed."""

from __future__ import annotations

import contextlib
import signal

import pytest

from mwo.cli.ctrl_c import ctrl_c_latch


def test_a_press_raises_keyboard_interrupt_and_is_latched() -> None:
    with pytest.raises(KeyboardInterrupt), ctrl_c_latch() as latch:
        assert latch.reason() is None
        signal.raise_signal(signal.SIGINT)
    assert latch.pressed
    assert latch.reason() == "Ctrl-C"


def test_a_swallowed_press_is_raised_again_when_the_block_ends() -> None:
    """What a ctypes callback does to the exception: catches it and goes on."""
    with pytest.raises(KeyboardInterrupt), ctrl_c_latch() as latch:
        with contextlib.suppress(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert latch.reason() == "Ctrl-C"  # what the model's interrupt check sees


def test_no_press_no_interrupt_and_the_previous_handler_is_back() -> None:
    before = signal.getsignal(signal.SIGINT)
    with ctrl_c_latch() as latch:
        assert signal.getsignal(signal.SIGINT) is not before
    assert not latch.pressed
    assert signal.getsignal(signal.SIGINT) is before


def test_a_press_a_ctypes_callback_swallowed_is_not_reported_with_a_traceback() -> None:
    """llama.cpp's log callback runs Python from C: a KeyboardInterrupt raised there is swallowed by
    ctypes and handed to `sys.unraisablehook` (by default: "Exception ignored in ..." and a traceback
    on stderr); the latch already has it, so the hook outside the latch never hears of it."""
    import ctypes
    import sys

    def log_callback() -> None:
        signal.raise_signal(signal.SIGINT)  # Ctrl-C lands while C is calling back into Python

    callback = ctypes.CFUNCTYPE(None)(log_callback)
    reported: list[BaseException | None] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: reported.append(unraisable.exc_value)
    try:
        with pytest.raises(KeyboardInterrupt), ctrl_c_latch() as latch:
            callback()
            assert latch.pressed
        assert reported == []
    finally:
        sys.unraisablehook = hook


def test_other_unraisable_errors_are_still_reported() -> None:
    import sys

    seen: list[BaseException | None] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: seen.append(unraisable.exc_value)
    try:
        with ctrl_c_latch():
            error = RuntimeError("a real problem")
            sys.unraisablehook(type("Args", (), {"exc_value": error})())
    finally:
        sys.unraisablehook = hook
    assert seen == [error]
