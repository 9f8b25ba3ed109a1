"""The egress proxy: the only way out of a sandbox whose step may use the network.

Such a sandbox keeps its own, empty network namespace (loopback only), so the kernel, not code in
the script's process, is what stops a direct connection. Its one way out is a Unix socket: this
proxy listens on it on the host side, and the directory holding it is bind-mounted into the
sandbox (Unix sockets are file-system objects, which network namespaces do not separate). Inside,
forwarder.py (run by the harness) joins a TCP port on the sandbox's own 127.0.0.1 to that socket and
points HTTP_PROXY/HTTPS_PROXY at it, so requests, httpx and urllib find their way out unchanged.

The proxy speaks just enough HTTP for that: `CONNECT host:port` (https, and any TLS: it tunnels
bytes), and absolute-URI requests (`GET http://host/path`) for plain http, sent on with
`Connection: close` both ways (the response head says so too, so the client does not reuse the
connection for another request, perhaps to another host). Before connecting it asks the `gate` (the
engine's network guard, the same SSRF rules as API_CALL) about the host name; the gate may allow a
name outright (a host-name allow entry), else resolves it and checks every address; the proxy then
connects only to the addresses the gate returned, so a second DNS answer cannot switch the target.
A refusal is answered `403` with the reason in the status line (clients show it in their error)
and recorded, so the step can report a violation. One proxy serves one run and is closed with it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import socket
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from mwo.errors import FixableError
from mwo.sandbox.policy import NOBODY, Gate

SANDBOX_DIR = "/run/mwo-egress"
"""Where the sandbox sees the proxy's directory (read-only)."""
SOCKET_NAME = "proxy.sock"
REFUSAL_MARKER = "refused by MWO's network policy"
"""Starts every refusal's status line; the runner looks for it in a failed script's error."""
MAX_HEAD_BYTES = 16 * 1024
HEAD_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 32
"""Connections one run may have open through the proxy at once (each costs a host thread)."""
BUSY_READ_S = 0.2
"""How long a connection over the limit may take to send its request before it is turned away."""
MAX_REFUSALS_KEPT = 20
"""Refusals remembered for the step's log; a script hammering a refused host does not grow it further."""
_CHUNK = 65536
_HOP_HEADERS = frozenset({b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive"})


class EgressRefused(FixableError):
    """The network policy does not let a script reach this host: the message says why, the fix how to
    allow it; the script's 403 and the step's log carry both (`reason`)."""

    code = "egress_refused"

    @property
    def reason(self) -> str:
        return f"{self.message}; {self.fix}" if self.fix else self.message


@dataclass(frozen=True)
class Refusal:
    """One connection the proxy refused."""

    host: str
    port: int
    reason: str

    def describe(self) -> str:
        return f"the egress proxy refused {self.host}:{self.port}: {self.reason}"


def refuse_all(host: str, port: int) -> Sequence[str]:
    """The gate of a sandbox given no network policy: fail closed."""
    raise EgressRefused("no network policy was given to this sandbox", "")


class _BadRequest(Exception):
    """The client did not speak the subset of HTTP this proxy serves."""


@dataclass(frozen=True)
class _Request:
    host: str
    port: int
    tunnel: bool
    forward: bytes
    """For plain http: the request head to send on (origin-form, Connection: close) and any body read."""


class EgressProxy:
    """A per-run proxy on a Unix socket in a fresh private directory; a context manager that closes it."""

    def __init__(self, gate: Gate, max_connections: int = MAX_CONNECTIONS) -> None:
        self._gate = gate
        self._max = max_connections
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._refusals: list[Refusal] = []
        self._closed = False
        self.directory = Path(tempfile.mkdtemp(prefix="mwo-egress-"))
        self.socket_path = self.directory / SOCKET_NAME
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._listener.bind(str(self.socket_path))
            if os.geteuid() == 0:  # the sandbox runs as nobody on the host: it must reach the socket
                for path in (self.directory, self.socket_path):
                    os.chown(path, NOBODY, NOBODY)
            self._listener.listen(64)
        except OSError:
            self._listener.close()
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        self._acceptor = threading.Thread(target=self._accept, name="mwo-egress-accept", daemon=True)
        self._acceptor.start()

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        with self._lock:
            return tuple(self._refusals)

    def __enter__(self) -> EgressProxy:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting, cut every open connection, remove the socket's directory."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            live = list(self._open)
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
            wake.connect(str(self.socket_path))  # unblocks accept(); the loop then sees _closed
        self._acceptor.join(timeout=5)
        self._listener.close()
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the serving thread wakes up and closes it
        shutil.rmtree(self.directory, ignore_errors=True)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    client.close()
                    return
                busy = len(self._open) >= self._max
                if not busy:
                    self._open.add(client)
            if busy:
                self._turn_away(client)
                continue
            threading.Thread(target=self._serve, args=(client,), name="mwo-egress", daemon=True).start()

    def _turn_away(self, client: socket.socket) -> None:
        """Answer 503 in the accepting thread (no thread for it). The request is read first, briefly:
        closing a socket with unread data resets it, and the client would see a reset, not the 503."""
        client.settimeout(BUSY_READ_S)
        with contextlib.suppress(OSError, _BadRequest):
            _read_head(client)
        _answer(client, 503, f"more than {self._max} connections open through the proxy at once")
        client.close()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            client.settimeout(HEAD_TIMEOUT_S)
            request = _parse(_read_head(client))
            try:
                addresses = self._gate(request.host, request.port)
            except EgressRefused as exc:
                refusal = Refusal(request.host, request.port, exc.reason)
                with self._lock:
                    if len(self._refusals) < MAX_REFUSALS_KEPT:
                        self._refusals.append(refusal)
                _answer(client, 403, f"{REFUSAL_MARKER}: {exc.reason}")
                return
            except OSError as exc:  # not resolvable: the script gets a 502 saying so
                _answer(client, 502, f"cannot reach {request.host}: {exc}")
                return
            upstream = self._connect(addresses, request.port)
            if upstream is None:
                _answer(client, 502, f"cannot connect to {request.host}:{request.port}")
                return
            if request.tunnel:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                upstream.sendall(request.forward)
            client.settimeout(None)
            _splice(client, upstream, None if request.tunnel else _CloseResponse())
        except _BadRequest as exc:
            _answer(client, 400, str(exc))
        except OSError:
            pass  # the script or the server went away, or the run ended: nothing to report to
        finally:
            with self._lock:
                self._open.discard(client)
                if upstream is not None:
                    self._open.discard(upstream)
            client.close()
            if upstream is not None:
                upstream.close()

    def _connect(self, addresses: Sequence[str], port: int) -> socket.socket | None:
        """The first checked address that answers; registered so `close` can cut it."""
        for address in addresses:
            try:
                upstream = socket.create_connection((address, port), timeout=CONNECT_TIMEOUT_S)
            except OSError:
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._closed:
                    upstream.close()
                    return None
                self._open.add(upstream)
            return upstream
        return None


def _read_head(client: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD_BYTES:
            raise _BadRequest(f"request head longer than {MAX_HEAD_BYTES} bytes")
        chunk = client.recv(_CHUNK)
        if not chunk:
            raise _BadRequest("connection closed before the request head ended")
        data += chunk
    return data


def _parse(data: bytes) -> _Request:
    """CONNECT host:port, or an absolute http:// URI rewritten to origin form for the server."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise _BadRequest("not an HTTP/1.x request")
    method, target, version = (part.decode("latin-1") for part in parts)
    if method == "CONNECT":
        host, port = _authority(target, None)
        return _Request(host, port, True, b"")
    url = urlsplit(target)
    if url.scheme != "http" or not url.netloc:
        raise _BadRequest("send http:// URLs in absolute form, and https:// ones with CONNECT")
    host, port = _authority(url.netloc.rpartition("@")[2], 80)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
    first = f"{method} {path} {version}".encode("latin-1")
    forward = b"\r\n".join([first, *headers, b"Connection: close"]) + b"\r\n\r\n" + body
    return _Request(host, port, False, forward)


def _authority(text: str, default_port: int | None) -> tuple[str, int]:
    """host:port, [v6]:port or (with a default) a bare host, as (host, port)."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not port_text and default_port is not None:
        return host, default_port
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _BadRequest(f"expected host:port, got {text!r}")
    return host, int(port_text)


def _answer(client: socket.socket, status: int, reason: str) -> None:
    """A short HTTP answer whose status line carries the reason (clients put it in their error)."""
    line = " ".join(reason.replace("\r", " ").replace("\n", " ").split())
    body = (line + "\n").encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {line}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        client.sendall(head.encode("latin-1", errors="replace") + body)


class _CloseResponse:
    """Rewrites the first response head from the server to say `Connection: close`; passes the rest."""

    def __init__(self) -> None:
        self._head: bytearray | None = bytearray()

    def feed(self, chunk: bytes) -> bytes:
        if self._head is None:
            return chunk
        self._head += chunk
        end = self._head.find(b"\r\n\r\n")
        if end < 0 and len(self._head) <= MAX_HEAD_BYTES:
            return b""
        data, self._head = bytes(self._head), None
        if end < 0:
            return data  # not a head we understand: passed on as it is
        lines = data[:end].split(b"\r\n")
        kept = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
        return b"\r\n".join([lines[0], *kept, b"Connection: close"]) + data[end:]

    def flush(self) -> bytes:
        data = bytes(self._head or b"")
        self._head = None
        return data


def _splice(first: socket.socket, second: socket.socket, response: _CloseResponse | None = None) -> None:
    """Copy both ways until both sides have finished; a half-close is passed on as a half-close.

    `response` (plain http) rewrites what `second`, the server, sends before it reaches `first`.
    """
    peer = {first: second, second: first}
    with selectors.DefaultSelector() as selector:
        for sock in peer:
            selector.register(sock, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                source = key.fileobj
                assert isinstance(source, socket.socket)
                chunk = source.recv(_CHUNK)
                data = chunk
                if response is not None and source is second:
                    data = response.feed(chunk) if chunk else response.flush()
                if data:
                    peer[source].sendall(data)
                if chunk:
                    continue
                selector.unregister(source)
                with contextlib.suppress(OSError):
                    peer[source].shutdown(socket.SHUT_WR)
