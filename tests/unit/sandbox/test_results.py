"""How a process's answer becomes a SandboxResult: each way of ending has its error type."""

from __future__ import annotations

import json
import signal

import pytest

from mwo.sandbox.errors import ErrorType
from mwo.sandbox.policy import Limits
from mwo.sandbox.process import Exchange
from mwo.sandbox.runner import _result

LIMITS = Limits(timeout_s=2, memory_mb=64, max_output_bytes=1000)


def _answer(stdout: object = None, returncode: int = 0, **flags: bool) -> Exchange:
    raw = (
        stdout if isinstance(stdout, bytes) else (json.dumps(stdout).encode() if stdout is not None else b"")
    )
    return Exchange(raw, b"printed\n", returncode, seconds=0.01, **flags)


def test_a_good_reply_is_the_output_with_the_log() -> None:
    result = _result(_answer({"ok": True, "output": {"a": 1}}), LIMITS, ("careful",))
    assert (
        result.ok
        and result.output == {"a": 1}
        and result.log == "printed\n"
        and result.warnings == ("careful",)
    )


@pytest.mark.parametrize(
    ("answer", "type_", "words"),
    [
        (_answer(timed_out=True), ErrorType.TIMEOUT, "longer than 2 s"),
        (_answer(overflowed=True), ErrorType.BAD_OUTPUT, "more than 1000 bytes"),
        (_answer(cancelled=True), ErrorType.CANCELLED, "cancelled"),
        (_answer(returncode=128 + signal.SIGXCPU), ErrorType.TIMEOUT, "CPU"),
        (_answer(returncode=-signal.SIGXCPU), ErrorType.TIMEOUT, "CPU"),
        (_answer(returncode=128 + signal.SIGKILL), ErrorType.MEMORY, "64 MB"),
        (_answer(returncode=128 + signal.SIGSEGV), ErrorType.CRASHED, "SIGSEGV"),
        (_answer(b"not json", returncode=0), ErrorType.CRASHED, "exit status 0"),
        (_answer({"ok": False, "error": {"type": "violation", "message": "no"}}), ErrorType.VIOLATION, "no"),
        (_answer({"ok": False, "error": {"type": "made-up", "message": "?"}}), ErrorType.BAD_OUTPUT, "?"),
        (_answer({"ok": True, "output": [1]}), ErrorType.BAD_OUTPUT, "failed"),
    ],
)
def test_each_ending_has_its_type(answer: Exchange, type_: ErrorType, words: str) -> None:
    result = _result(answer, LIMITS, ())
    assert result.error is not None and result.output is None
    assert result.error.type is type_
    assert words in result.error.message
    assert result.error.hint


def test_a_bwrap_setup_failure_says_the_sandbox_could_not_start() -> None:
    answer = Exchange(b"", b"bwrap: Creating new namespace failed: Operation not permitted\n", 1)
    result = _result(answer, LIMITS, ())
    assert result.error is not None and result.error.type is ErrorType.UNAVAILABLE
    assert "could not start" in result.error.message
