"""The in-sandbox harness's pure parts: how failures are described, which addresses are refused."""

from __future__ import annotations

import errno
import json
import socket
from typing import Any

import pytest

from mwo.sandbox import forwarder, harness


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_denials_are_violations_and_other_errors_exceptions() -> None:
    assert harness._describe(_raised(harness.SandboxViolation("no")), "")["type"] == "violation"
    assert harness._describe(_raised(PermissionError(errno.EACCES, "denied")), "")["type"] == "violation"
    assert harness._describe(_raised(OSError(errno.EROFS, "read-only", "/etc/x")), "")["type"] == "violation"
    assert (
        harness._describe(_raised(FileNotFoundError(errno.ENOENT, "gone", "/etc/shadow")), "")["type"]
        == "violation"
    )
    assert (
        harness._describe(_raised(FileNotFoundError(errno.ENOENT, "gone", "relative.txt")), "")["type"]
        == "exception"
    )
    assert harness._describe(_raised(MemoryError()), "")["type"] == "memory"
    assert harness._describe(_raised(KeyError("k")), "")["message"] == "KeyError: 'k'"
    assert harness._describe(_raised(SystemExit(2)), "")["message"] == "the script called exit(2)"


def test_the_traceback_keeps_only_the_scripts_frames() -> None:
    namespace: dict[str, object] = {}
    code = "def main():\n    return 1 / 0\n"
    exec(compile(code, harness.SCRIPT_FILE, "exec"), namespace)
    try:
        namespace["main"]()  # type: ignore[operator]
    except ZeroDivisionError as exc:
        trace = harness._script_traceback(exc, code)
    assert trace.startswith("Traceback (most recent call last):")
    assert 'File "script.py", line 2, in main' in trace and "return 1 / 0" in trace
    assert "test_harness.py" not in trace and trace.rstrip().endswith("ZeroDivisionError: division by zero")


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("100.64.0.1", True),
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:2800:220:1::", False),
        ("192.168.7.7", False),  # allowed by the workflow's network policy below
    ],
)
def test_the_fallback_ssrf_rule_matches_api_call(address: str, refused: bool) -> None:
    """The in-process rule of hosts without namespaces (elsewhere the egress proxy decides)."""
    check = harness._address_checker(["192.168.0.0/16"])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if refused:
            with pytest.raises(harness.SandboxViolation):
                check("socket.connect", (sock, (address, 80)))
        else:
            check("socket.connect", (sock, (address, 80)))


def test_with_the_egress_proxy_the_proxy_port_is_the_only_destination() -> None:
    check = forwarder._proxy_only(3128, harness.SandboxViolation)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        check("socket.connect", (sock, ("127.0.0.1", 3128)))
        for target in (("127.0.0.1", 5432), ("93.184.216.34", 443), ("10.0.0.1", 3128)):
            with pytest.raises(harness.SandboxViolation, match="egress proxy"):
                check("socket.connect", (sock, target))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        check("socket.connect", (unix, "/run/mwo-egress/proxy.sock"))
    check("socket.getaddrinfo", ("127.0.0.1", 3128, 0, 0, 0))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connected:
        check("socket.sendmsg", (connected, None))  # no address: the connect was the checked step
        with pytest.raises(harness.SandboxViolation):
            check("socket.sendmsg", (connected, ("10.0.0.1", 53)))
    with pytest.raises(harness.SandboxViolation, match="resolved by MWO's egress proxy"):
        check("socket.getaddrinfo", ("example.com", 443, 0, 0, 0))


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, -2, True, False, None], "c": {"d": "text"}},
        {"korean": "오늘의 경제 뉴스", "quote": 'say "hi"\n\t', "control": "\x00\x1f"},
        {"big": 10**40, "small": -1e-300, "tuple": (1, 2), "empty": {}, "none": []},
        {7: "int key", 2.5: "float key", None: "none key", True: "bool key"},
    ],
)
def test_the_reply_encoder_agrees_with_json(value: dict[str, Any]) -> None:
    assert json.loads(harness._to_json(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"s": {1, 2}}, "type set"),
        ({"x": float("nan")}, "Out of range"),
        ({"x": float("inf")}, "Out of range"),
        ({"x": "\ud800"}, "lone surrogate"),
        ({(1, 2): "tuple key"}, "key of type tuple"),
    ],
)
def test_the_reply_encoder_refuses_what_json_refuses(value: dict[Any, Any], words: str) -> None:
    with pytest.raises(harness._BadOutput, match=words):
        harness._to_json(value)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    deep: list[Any] = []
    for _ in range(500):
        deep = [deep]
    with pytest.raises(harness._BadOutput, match="nested"):
        harness._to_json({"deep": deep})
