"""The egress proxy's HTTP subset and its answers, spoken to over its Unix socket (no network needed)."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence

import pytest

from mwo.sandbox.egress import REFUSAL_MARKER, EgressProxy, EgressRefused, _BadRequest, _CloseResponse, _parse


def test_connect_names_host_and_port_including_ipv6() -> None:
    assert _parse(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").host == "example.com"
    request = _parse(b"CONNECT [2606:2800:220:1::]:8443 HTTP/1.1\r\n\r\n")
    assert (request.host, request.port, request.tunnel) == ("2606:2800:220:1::", 8443, True)


def test_an_absolute_http_request_is_sent_on_in_origin_form_with_connection_close() -> None:
    head = (
        b"POST http://intranet.test:8080/api?q=1 HTTP/1.1\r\nHost: intranet.test:8080\r\n"
        b"Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eA==\r\nConnection: keep-alive\r\n"
        b"Content-Length: 4\r\n\r\nbody"
    )
    request = _parse(head)
    assert (request.host, request.port, request.tunnel) == ("intranet.test", 8080, False)
    assert request.forward == (
        b"POST /api?q=1 HTTP/1.1\r\nHost: intranet.test:8080\r\nContent-Length: 4\r\n"
        b"Connection: close\r\n\r\nbody"
    )
    assert _parse(b"GET http://example.com HTTP/1.0\r\n\r\n").forward.startswith(b"GET / HTTP/1.0\r\n")


@pytest.mark.parametrize(
    "head",
    [
        b"GET https://example.com/ HTTP/1.1\r\n\r\n",  # https goes through CONNECT
        b"GET /relative HTTP/1.1\r\n\r\n",
        b"CONNECT example.com HTTP/1.1\r\n\r\n",  # no port
        b"CONNECT example.com:99999 HTTP/1.1\r\n\r\n",
        b"SSH-2.0-OpenSSH\r\n\r\n",
    ],
)
def test_what_the_proxy_does_not_serve_is_a_bad_request(head: bytes) -> None:
    with pytest.raises(_BadRequest):
        _parse(head)


def test_the_response_head_is_rewritten_to_close_even_when_split_across_reads() -> None:
    rewrite = _CloseResponse()
    parts = [b"HTTP/1.1 200 OK\r\nConnec", b"tion: keep-alive\r\nContent-Length: 2\r\n", b"\r\nok", b"more"]
    sent = b"".join(rewrite.feed(part) for part in parts) + rewrite.flush()
    assert sent == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nokmore"


def _refuse_private(host: str, port: int) -> Sequence[str]:
    if host == "unresolvable.test":
        raise OSError("cannot resolve the host 'unresolvable.test'")
    raise EgressRefused(f"refused to connect to '{host}': its address 10.0.0.1 is private", "")


@pytest.fixture
def proxy() -> Iterator[EgressProxy]:
    opened = EgressProxy(_refuse_private)
    yield opened
    opened.close()


def _ask(proxy: EgressProxy, head: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(str(proxy.socket_path))
        client.sendall(head)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    return answer


def test_a_refused_host_gets_a_403_naming_the_reason_and_is_recorded(proxy: EgressProxy) -> None:
    answer = _ask(proxy, b"CONNECT intranet.test:443 HTTP/1.1\r\n\r\n")
    status = answer.split(b"\r\n", 1)[0].decode()
    assert status.startswith(f"HTTP/1.1 403 {REFUSAL_MARKER}: refused to connect to 'intranet.test'")
    assert "10.0.0.1 is private" in status
    [refusal] = proxy.refusals
    assert (refusal.host, refusal.port) == ("intranet.test", 443)


def test_an_unresolvable_host_is_a_502_not_a_refusal(proxy: EgressProxy) -> None:
    answer = _ask(proxy, b"GET http://unresolvable.test/ HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 502 cannot reach unresolvable.test")
    assert proxy.refusals == ()


def test_garbage_is_a_400(proxy: EgressProxy) -> None:
    assert _ask(proxy, b"\x16\x03\x01 hello\r\n\r\n").startswith(b"HTTP/1.1 400 ")


def test_closing_removes_the_socket_and_its_directory() -> None:
    opened = EgressProxy(_refuse_private)
    directory = opened.directory
    assert opened.socket_path.exists() and directory.stat().st_mode & 0o077 == 0
    opened.close()
    assert not directory.exists()
    opened.close()  # idempotent


def test_connections_over_the_limit_get_a_503_at_once() -> None:
    opened = EgressProxy(_refuse_private, max_connections=2)
    idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(2)]
    try:
        for sock in idle:  # connected, sending nothing: each holds a slot until its head times out
            sock.connect(str(opened.socket_path))
        assert _ask(opened, b"CONNECT example.com:443 HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in idle:
            sock.close()
        opened.close()
