"""SSRF protection: the one door through which executors make outbound HTTP requests.

A workflow's URLs come from templates, earlier steps' outputs and secrets, so a run can be steered
toward the machine it runs on (127.0.0.1), the office network (10/8) or a cloud metadata service
(169.254.169.254). The guard refuses those unless the workflow's `settings.network.allow` names them.

Three rules make the check hold:
- the check runs on the addresses DNS returns, not on the host name (a public-looking name may point
  at 10.0.0.5), and if any address is refused the host is refused;
- the request then connects to an address that was checked (the "pin"): the URL's host is replaced
  by that address, while the Host header and TLS server name keep the real name, so a second DNS
  answer (DNS rebinding) cannot switch the target after the check;
- redirects are followed here, one hop at a time, each hop checked like the first.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import NetworkPolicy
from mwo.store.records import LogLevel

__all__ = [
    "MAX_REDIRECTS",
    "AddressRefused",
    "Exchange",
    "GuardedHttp",
    "NetGuard",
    "Resolver",
    "Target",
    "client_scope",
    "describe_origin",
    "describe_url",
    "refusal_reason",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""Host name -> its IP addresses as text; injectable so tests can play DNS without a network."""

MAX_REDIRECTS = 5
_BASE_SCHEMES = frozenset({"http", "https"})
_METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_HEADERS = frozenset({"user-agent", "accept", "accept-encoding", "accept-language"})
"""Headers kept when a redirect leaves the origin: the others may carry the step's credentials."""


def system_resolver(host: str) -> list[str]:
    """Every address the system resolver gives for `host`, in its preference order, without duplicates."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id (fe80::1%eth0)
        if address not in addresses:
            addresses.append(address)
    return addresses


class AddressRefused(StepFailed):
    """A URL the network policy does not let a step reach; never retried."""

    def __init__(self, message: str, fix: str, *, host: str, address: str | None = None) -> None:
        super().__init__(FailureKind.REFUSED_ADDRESS, message, fix)
        self.host = host
        self.address = address


def refusal_reason(address: IPAddress) -> str | None:
    """Why `address` is off-limits by default (e.g. "loopback"), or None for a public address.

    IPv6 forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, NAT64, 6to4, Teredo) are judged by
    the embedded address too, since the packets end up there.
    """
    for embedded in _embedded_ipv4(address):
        reason = refusal_reason(embedded)
        if reason is not None:
            return f"{reason} (embedded in {address})"
    if address in _METADATA:
        return "a cloud metadata address"
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _SHARED, "shared (carrier-grade NAT)"),
        (address.is_reserved, "reserved"),
        (address.is_private, "private"),
        (not address.is_global, "not globally routable"),
    )
    return next((reason for matched, reason in checks if matched), None)


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [embedded for embedded in found if embedded is not None]


def describe_url(url: httpx.URL) -> str:
    """The URL as it may appear in logs and errors: no user info and no query (both may hold secrets)."""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))


def describe_origin(url: httpx.URL) -> str:
    """Only scheme, host and port: for URLs whose path is a secret (Slack and Discord webhooks)."""
    return str(url.copy_with(userinfo=b"", raw_path=b"/", fragment=None))


@dataclass(frozen=True)
class Target:
    """A URL whose host has been checked, with the addresses it may be reached at."""

    url: httpx.URL
    addresses: tuple[str, ...]


class NetGuard:
    """Decides whether a URL may be reached under a workflow's NetworkPolicy."""

    def __init__(self, policy: NetworkPolicy, resolver: Resolver = system_resolver) -> None:
        self._schemes = _BASE_SCHEMES | {scheme.lower() for scheme in policy.allow_schemes}
        self._hosts: set[str] = set()
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in policy.allow:
            self._add_allowed(entry.strip())
        self._resolver = resolver

    def _add_allowed(self, entry: str) -> None:
        try:
            self._networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            self._hosts.add(_normal_host(entry))

    def vet(self, url: httpx.URL) -> Target:
        """Check scheme, host and every resolved address; raise AddressRefused or StepFailed.

        Messages name the scheme and host only: a webhook URL's path is often the secret itself.
        """
        if url.scheme not in self._schemes:
            raise AddressRefused(
                f"{url.scheme}://{url.host}: the scheme '{url.scheme}' is not allowed (only http and https)",
                f"use an http(s) URL, or add '{url.scheme}' to settings.network.allow_schemes in the "
                "workflow if it is really intended",
                host=url.host,
            )
        if not url.host:
            raise StepFailed(
                FailureKind.CONFIG,
                f"the {url.scheme} URL has no host",
                "write a full URL, e.g. https://api.example.com/path",
            )
        return Target(url, self.vet_host(url.host))

    def vet_host(self, host: str) -> tuple[str, ...]:
        """The addresses `host` may be reached at: all it resolves to when the policy names the host,
        else each one checked (AddressRefused for any that is not public and not allowed).

        The egress proxy of PYTHON_SCRIPT steps asks this for every CONNECT and http:// request.
        """
        addresses = self._resolve(host)
        if _normal_host(host) not in self._hosts:
            for address in addresses:
                self._check_address(host, address)
        return tuple(addresses)

    def _resolve(self, host: str) -> list[str]:
        literal = _parse_ip(host)
        if literal is not None:
            return [str(literal)]
        try:
            addresses = list(self._resolver(host))
        except (socket.gaierror, UnicodeError) as exc:
            raise StepFailed(
                FailureKind.CONNECTION,
                f"cannot resolve the host '{host}': {exc}",
                "check the host name in the URL; if it is right, DNS may be unreachable from this machine",
            ) from exc
        if not addresses:
            raise StepFailed(
                FailureKind.CONNECTION, f"the host '{host}' has no address", "check the host name"
            )
        return addresses

    def _check_address(self, host: str, text: str) -> None:
        address = _parse_ip(text)
        if address is None:
            raise AddressRefused(
                f"the host '{host}' resolved to an unreadable address {text!r}",
                "check the DNS records of the host",
                host=host,
                address=text,
            )
        reason = refusal_reason(address)
        if reason is None or any(_unmapped(address) in network for network in self._networks):
            return
        raise AddressRefused(
            f"refused to connect to '{host}': its address {text} is {reason}",
            f"add {_unmapped(address)} (or the host '{host}') to settings.network.allow in the workflow if "
            "this internal address is intended",
            host=host,
            address=text,
        )


def _normal_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 -> 127.0.0.1, so an allow-list entry written as IPv4 covers its mapped form."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class Exchange:
    """The last response of a (possibly redirected) request, with the URL that gave it."""

    response: httpx.Response
    url: httpx.URL
    elapsed_ms: float


class GuardedHttp:
    """Sends requests through the guard: checks each hop, pins it to a checked address, maps failures.

    Transport failures become StepFailed (TIMEOUT, CONNECTION, CONFIG); HTTP statuses are left to the
    caller, which knows what a 401 means for its service. `describe` is how URLs appear in log lines
    and errors (describe_origin when the path is itself a secret).
    """

    def __init__(
        self,
        guard: NetGuard,
        client: httpx.Client,
        log: Callable[[LogLevel, str], None],
        describe: Callable[[httpx.URL], str] = describe_url,
    ) -> None:
        self._guard = guard
        self._client = client
        self._log = log
        self._describe = describe

    def send(self, request: httpx.Request, timeout_s: float) -> Exchange:
        """Send `request`, following up to MAX_REDIRECTS redirects, all within `timeout_s` in total."""
        started = time.perf_counter()
        deadline = time.monotonic() + timeout_s
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send_hop(request, deadline, timeout_s)
            follow = _redirect_request(request, response)
            if follow is None:
                return Exchange(response, request.url, (time.perf_counter() - started) * 1000)
            response.close()
            request = follow
        raise StepFailed(
            FailureKind.HTTP_STATUS,
            f"{request.method} {self._describe(request.url)}: more than {MAX_REDIRECTS} redirects",
            "call the final URL directly, or check the server for a redirect loop",
            status=response.status_code,
        )

    def _send_hop(self, request: httpx.Request, deadline: float, timeout_s: float) -> httpx.Response:
        target = self._guard.vet(request.url)
        shown = f"{request.method} {self._describe(request.url)}"
        started = time.perf_counter()
        remaining = max(deadline - time.monotonic(), 0.001)
        response = self._send_pinned(request, target, remaining, shown, timeout_s)
        elapsed = (time.perf_counter() - started) * 1000
        self._log(LogLevel.INFO, f"{shown} -> {response.status_code} in {elapsed:.0f} ms")
        return response

    def _send_pinned(
        self, request: httpx.Request, target: Target, remaining: float, shown: str, timeout_s: float
    ) -> httpx.Response:
        """Try the checked addresses in order; the next one only if connecting to this one failed."""
        error: httpx.ConnectError | None = None
        for address in target.addresses:
            try:
                return self._client.send(_pinned(request, address, remaining), follow_redirects=False)
            except httpx.ConnectError as exc:
                error = exc
            except httpx.HTTPError as exc:
                raise _transport_failure(exc, shown, timeout_s) from exc
        assert error is not None
        raise _transport_failure(error, shown, timeout_s) from error


@contextmanager
def client_scope(shared: httpx.Client | None) -> Iterator[httpx.Client]:
    """The shared client if the executor was given one (its owner closes it), else a fresh one, closed after.

    Redirects are off whatever the client says: GuardedHttp follows them itself, checking each hop.
    """
    if shared is not None:
        yield shared
        return
    with httpx.Client(follow_redirects=False) as client:
        yield client


def _pinned(request: httpx.Request, address: str, timeout_s: float) -> httpx.Request:
    """A copy of `request` that connects to `address` but still presents the original host name."""
    extensions: dict[str, Any] = {**request.extensions, "timeout": httpx.Timeout(timeout_s).as_dict()}
    url = request.url
    if _parse_ip(url.host) is None:
        if url.scheme == "https":
            extensions["sni_hostname"] = url.host
        url = url.copy_with(host=address)
    return httpx.Request(
        request.method, url, headers=request.headers, stream=request.stream, extensions=extensions
    )


def _redirect_request(request: httpx.Request, response: httpx.Response) -> httpx.Request | None:
    """The next hop's request as a browser would make it, or None when `response` is not a redirect."""
    location = response.headers.get("location")
    if response.status_code not in _REDIRECT_STATUSES or not location:
        return None
    url = request.url.join(location).copy_with(fragment=None)
    method = request.method
    if (response.status_code == 303 and method != "HEAD") or (
        response.status_code in (301, 302) and method == "POST"
    ):
        method = "GET"
    headers = httpx.Headers(request.headers)
    headers["host"] = url.netloc.decode("ascii")
    if not _same_origin(request.url, url):
        headers = httpx.Headers(
            {k: v for k, v in headers.items() if k in _CROSS_ORIGIN_HEADERS or k == "host"}
        )
    if method != request.method:
        for name in ("content-type", "content-length", "transfer-encoding"):
            headers.pop(name, None)
        return httpx.Request(method, url, headers=headers, extensions=request.extensions)
    return httpx.Request(method, url, headers=headers, stream=request.stream, extensions=request.extensions)


def _same_origin(first: httpx.URL, second: httpx.URL) -> bool:
    return (first.scheme, first.host, first.port) == (second.scheme, second.host, second.port)


def _transport_failure(exc: httpx.HTTPError, shown: str, timeout_s: float) -> StepFailed:
    """An httpx error as a typed step failure, naming the request and what to change."""
    if isinstance(exc, httpx.TimeoutException):
        return StepFailed(
            FailureKind.TIMEOUT,
            f"{shown} timed out after {timeout_s:g} s ({type(exc).__name__})",
            "raise the step's timeout_s (or request.timeout_s), or check that the server answers",
        )
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return StepFailed(FailureKind.CONFIG, f"{shown}: {exc}", "check the URL (scheme, host and port)")
    if isinstance(exc, httpx.DecodingError):
        return StepFailed(
            FailureKind.OUTPUT_SHAPE,
            f"{shown}: the answer could not be decoded: {exc}",
            "the server sent a malformed body; check the endpoint",
        )
    return StepFailed(
        FailureKind.CONNECTION,
        f"{shown}: connection failed ({type(exc).__name__}: {exc})",
        "check the URL and that the service is up and reachable from this machine",
    )
