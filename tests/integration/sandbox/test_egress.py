"""A step with allow_net: its own network namespace, and the egress proxy as the only way out.

A loopback HTTP server stands in for an internal service: the proxy lets a script reach it only
when the network policy names it (by address or by host name), refuses metadata and private
addresses with a 403 the script sees, and the step's error is then a violation. Below the proxy,
the namespace has no route at all, even for code that steps around the audit hook.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mwo.engine.executors.python_script import script_net_access
from mwo.engine.net_policy import system_resolver
from mwo.sandbox import ErrorType, Limits, NetAccess, Sandbox, SandboxResult
from mwo.spec import NetworkPolicy
from tests.integration.sandbox.conftest import script

FETCH = script(
    "import urllib.request",
    "def main(inputs):",
    "    with urllib.request.urlopen(inputs['url'], timeout=5) as answer:",
    "        return {'status': answer.status, 'body': answer.read().decode()}",
)


class _Server:
    """A loopback HTTP server that records the paths it was asked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        seen = self.paths

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                seen.append(self.path)
                body = b"internal data"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    opened = _Server()
    yield opened
    opened.close()


def _net(*allow: str, names: dict[str, str] | None = None) -> NetAccess:
    """The network a step with allow_net gets under a policy allowing `allow`; `names` plays DNS."""

    def resolver(host: str) -> Sequence[str]:
        return [names[host]] if names and host in names else system_resolver(host)

    return script_net_access(NetworkPolicy(allow=list(allow)), True, resolver)


def _fetch(sandbox: Sandbox, url: str, net: NetAccess, code: str = FETCH) -> SandboxResult:
    return sandbox.run(code, {"url": url}, {}, Limits(timeout_s=10), net)


def _refused(result: SandboxResult) -> str:
    assert result.error is not None, result.output
    assert result.error.type is ErrorType.VIOLATION, result.error.as_dict()
    assert "settings.network.allow" in result.error.hint
    assert any("egress proxy refused" in warning for warning in result.warnings)
    return result.error.message


def test_a_loopback_service_the_policy_allows_is_reached_through_the_proxy(
    sandbox: Sandbox, server: _Server
) -> None:
    result = _fetch(sandbox, f"http://127.0.0.1:{server.port}/allowed", _net("127.0.0.1"))
    assert result.output == {"status": 200, "body": "internal data"}, result.error
    assert "/allowed" in server.paths


def test_a_loopback_service_the_policy_does_not_allow_is_refused_with_a_403(
    sandbox: Sandbox, server: _Server
) -> None:
    result = _fetch(sandbox, f"http://127.0.0.1:{server.port}/refused", _net("10.0.0.0/8"))
    message = _refused(result)
    assert "403" in message and "127.0.0.1 is loopback" in message
    assert "/refused" not in server.paths


def test_host_name_entries_allow_that_name_only(sandbox: Sandbox, server: _Server) -> None:
    names = {"intranet.test": "127.0.0.1", "other.test": "127.0.0.1"}
    net = _net("intranet.test", names=names)
    allowed = _fetch(sandbox, f"http://intranet.test:{server.port}/by-name", net)
    assert allowed.output == {"status": 200, "body": "internal data"}, allowed.error
    message = _refused(_fetch(sandbox, f"http://other.test:{server.port}/other-name", net))
    assert "other.test" in message
    assert "/other-name" not in server.paths


def test_localhost_allowed_by_name_works_with_the_system_resolver(sandbox: Sandbox, server: _Server) -> None:
    result = _fetch(sandbox, f"http://localhost:{server.port}/localhost", _net("localhost"))
    assert result.output == {"status": 200, "body": "internal data"}, result.error


def test_the_metadata_address_is_refused_through_the_proxy(sandbox: Sandbox) -> None:
    message = _refused(_fetch(sandbox, "http://169.254.169.254/latest/meta-data/", _net()))
    assert "metadata" in message


def test_an_https_tunnel_to_a_private_address_is_refused_in_the_connect(sandbox: Sandbox) -> None:
    tunnel = script(
        "import http.client, os",
        "def main(inputs):",
        "    proxy = os.environ['HTTPS_PROXY'].rsplit(':', 1)[1]",
        "    connection = http.client.HTTPSConnection('127.0.0.1', int(proxy), timeout=5)",
        "    connection.set_tunnel('10.1.2.3', 443)",
        "    connection.request('GET', '/')",
        "    return {}",
    )
    message = _refused(sandbox.run(tunnel, {}, {}, Limits(timeout_s=10), _net()))
    assert "Tunnel connection failed: 403" in message and "10.1.2.3 is private" in message


def test_a_connect_tunnel_to_an_allowed_service_carries_its_bytes(sandbox: Sandbox, server: _Server) -> None:
    tunnel = script(
        "import http.client, os",
        "def main(inputs):",
        "    proxy = os.environ['HTTP_PROXY'].rsplit(':', 1)[1]",
        "    connection = http.client.HTTPConnection('127.0.0.1', int(proxy), timeout=5)",
        "    connection.set_tunnel('127.0.0.1', inputs['port'])",
        "    connection.request('GET', '/tunnelled')",
        "    return {'body': connection.getresponse().read().decode()}",
    )
    result = sandbox.run(tunnel, {"port": server.port}, {}, Limits(timeout_s=10), _net("127.0.0.1"))
    assert result.output == {"body": "internal data"}, result.error
    assert "/tunnelled" in server.paths


def test_a_direct_socket_is_refused_and_has_no_route_below_the_hook(sandbox: Sandbox) -> None:
    direct = script(
        "import socket", "def main(inputs):", "    socket.create_connection(('1.1.1.1', 53), timeout=2)"
    )
    result = sandbox.run(direct, {}, {}, Limits(timeout_s=5), _net())
    assert result.error is not None and result.error.type is ErrorType.VIOLATION
    assert "egress proxy" in result.error.message
    # below the hook (ctypes calls libc directly): the namespace has loopback only, no route out
    raw = script(
        "import ctypes, socket, struct",
        "def main(inputs):",
        "    libc = ctypes.CDLL(None, use_errno=True)",
        "    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)",
        "    address = struct.pack('<H', socket.AF_INET) + struct.pack('!H', 53)",
        "    address += socket.inet_aton('1.1.1.1') + bytes(8)",
        "    return {'rc': libc.connect(fd, address, 16), 'errno': ctypes.get_errno()}",
    )
    below = sandbox.run(raw, {}, {}, Limits(timeout_s=5), _net())
    assert below.output == {"rc": -1, "errno": errno.ENETUNREACH}, below.error


def test_name_lookups_happen_in_the_proxy_not_in_the_sandbox(sandbox: Sandbox) -> None:
    lookup = "import socket\ndef main(inputs):\n    return {'a': socket.gethostbyname('example.com')}\n"
    result = sandbox.run(lookup, {}, {}, Limits(timeout_s=5), _net())
    assert result.error is not None and result.error.type is ErrorType.VIOLATION
    assert "resolved by MWO's egress proxy" in result.error.message


def test_without_a_gate_every_connection_is_refused(sandbox: Sandbox, server: _Server) -> None:
    message = _refused(_fetch(sandbox, f"http://127.0.0.1:{server.port}/no-gate", NetAccess(True)))
    assert "no network policy" in message


def test_the_unix_socket_itself_leads_only_to_the_proxy_and_its_directory_is_read_only(
    sandbox: Sandbox,
) -> None:
    """The forwarder is plumbing: a script speaking to the socket directly meets the same judge."""
    direct = script(
        "import os, socket",
        "def main(inputs):",
        "    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
        "    sock.connect('/run/mwo-egress/proxy.sock')",
        "    sock.sendall(b'CONNECT 10.9.8.7:22 HTTP/1.1\\r\\n\\r\\n')",
        "    answer = sock.recv(4096).decode()",
        "    try:",
        "        open('/run/mwo-egress/other.sock', 'w')",
        "        writable = True",
        "    except OSError:",
        "        writable = False",
        "    return {'status': answer.split('\\r\\n')[0], 'writable': writable}",
    )
    result = sandbox.run(direct, {}, {}, Limits(timeout_s=10), _net())
    assert result.output is not None, result.error
    assert result.output["status"].startswith("HTTP/1.1 403 refused by MWO's network policy")
    assert "10.9.8.7 is private" in result.output["status"] and result.output["writable"] is False
