"""Inside a sandbox with the network: the bridge from the sandbox's own loopback to the egress proxy.

Standard library only; run by the harness (which receives this file's source with the request)
before the script, in the script's own process, and only for a step with `allow_net`. HTTP clients
speak TCP to a proxy, and the sandbox's network namespace has nothing but loopback, so a thread
listens on a port of 127.0.0.1 (inside the namespace: the host's loopback is another one) and
joins each connection to the egress proxy's Unix socket, bind-mounted from the host (egress.py).
`start` sets HTTP_PROXY/HTTPS_PROXY to that port and returns the rule the harness's audit hook
applies to every connection and name lookup: the proxy port only, no DNS.

It is plumbing, not a guard: whatever a script does to it, the socket leads only to the proxy,
which decides; behind the hook's rule stands the namespace (no route).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds in the sandbox; only the type checker needs it
    from collections.abc import Callable
    from typing import Any

_NAME_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"})
_LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_BUFFER = 256 * 1024
"""Bytes read from one side and not yet written to the other before reading from it pauses."""
_READ, _WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE


def start(socket_path: str, violation: type[Exception]) -> Callable[[str, tuple[Any, ...]], None]:
    """Start forwarding to `socket_path`; the audit rule raising `violation` for any other way out."""
    return _proxy_only(_start_forwarder(socket_path), violation)


def _start_forwarder(socket_path: str) -> int:
    """Forward a port on the sandbox's own loopback to the egress proxy's Unix socket; set the proxy
    variables to it. Started before the hook is installed and before any of the script's code.
    One thread and a select loop: threads count against the process limit.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = int(listener.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ[name] = url
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(name, None)
    threading.Thread(target=_forward, args=(listener, socket_path), daemon=True).start()
    return port


def _forward(listener: socket.socket, socket_path: str) -> None:
    """Accept on `listener`; pair each connection with one to `socket_path`; copy both ways."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    links: dict[socket.socket, _Link] = {}
    while True:
        for key, mask in selector.select():
            if key.fileobj is listener:
                try:
                    client, _ = listener.accept()
                except OSError:  # out of file descriptors: the client retries or gives up
                    continue
                upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    upstream.connect(socket_path)
                except OSError:  # the run is ending and the proxy with it
                    client.close()
                    upstream.close()
                    continue
                for sock in (client, upstream):
                    sock.setblocking(False)
                one, other = _Link(client), _Link(upstream)
                one.peer, other.peer = other, one
                links[client], links[upstream] = one, other
                selector.register(client, selectors.EVENT_READ, one)
                selector.register(upstream, selectors.EVENT_READ, other)
                continue
            key.data.step(mask)
        for link in [link for link in links.values() if link.done and link.peer.done]:
            links.pop(link.sock, None)
            if link.registered:
                selector.unregister(link.sock)
            link.sock.close()
        for sock, link in links.items():
            events = link.events()
            if events and link.registered:
                selector.modify(sock, events, link)
            elif events:
                selector.register(sock, events, link)
            elif link.registered:  # nothing to wait for on this side until its peer changes
                selector.unregister(sock)
            link.registered = bool(events)


class _Link:
    """One socket of a forwarded pair: what it read waits in `peer.outbox` until the peer can take it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.peer: _Link = self
        self.outbox = bytearray()
        self.registered = True
        self.eof = False
        """This socket sent EOF (its data has all been read)."""
        self.done = False
        """Everything this socket will get has been written to it, and then its write side was shut."""

    def events(self) -> int:
        read = _READ if not self.eof and len(self.peer.outbox) < _BUFFER else 0
        return read | (_WRITE if self.outbox else 0)

    def step(self, mask: int) -> None:
        try:
            if mask & _WRITE and self.outbox:
                del self.outbox[: self.sock.send(self.outbox)]
            if mask & _READ and not self.eof:
                chunk = self.sock.recv(65536)
                if chunk:
                    self.peer.outbox += chunk
                else:
                    self.eof = True
        except BlockingIOError:
            pass
        except OSError:
            self.eof = self.done = self.peer.eof = self.peer.done = True
            self.outbox.clear()
            self.peer.outbox.clear()
        self._finish(self.peer)
        self._finish(self)

    def _finish(self, link: _Link) -> None:
        """Pass a half-close on once everything before it was delivered."""
        if link.peer.eof and not link.outbox and not link.done:
            link.done = True
            with contextlib.suppress(OSError):
                link.sock.shutdown(socket.SHUT_WR)


def _proxy_only(port: int, violation: type[Exception]) -> Callable[[str, tuple[Any, ...]], None]:
    """Inside a sandbox with the egress proxy: the script's only way out is the proxy port."""

    def check(event: str, args: tuple[Any, ...]) -> None:
        if event in _NAME_EVENTS:
            host = args[0] if args else None
            if isinstance(host, bytes):
                host = host.decode(errors="replace")
            if host is None or host in _LOCAL_NAMES or _is_ip_literal(host):
                return
            raise violation(
                f"looking up {host!r} is not possible in the sandbox: names are resolved by MWO's egress "
                "proxy; use an HTTP client (requests, httpx, urllib) with http:// or https:// URLs"
            )
        sock, target = args[0], args[-1]
        if int(getattr(sock, "family", 0)) == socket.AF_UNIX:  # stays inside (and leads only to the proxy)
            return
        if target is None:  # sendmsg on a connected socket: its connect was checked
            return
        host, target_port = target[:2] if isinstance(target, tuple) and len(target) >= 2 else (None, None)
        if host in _LOCAL_NAMES and target_port == port:
            return
        raise violation(
            f"a direct connection to {host}:{target_port} is not possible: a step with allow_net reaches "
            "the network only through MWO's egress proxy (HTTP_PROXY/HTTPS_PROXY, set for you); use an "
            "HTTP client (requests, httpx, urllib) with http:// or https:// URLs"
        )

    return check


def _is_ip_literal(text: str) -> bool:
    import ipaddress  # only for a name lookup, which is about to be refused or is a literal

    try:
        ipaddress.ip_address(str(text).split("%", 1)[0])
    except ValueError:
        return False
    return True
