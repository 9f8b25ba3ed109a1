"""The guarded HTTP client: the one door through which executors make outbound HTTP requests.

Every hop of a request is vetted by `net_policy.NetGuard`, then sent to an address that was checked
(the "pin"): the URL's host is replaced by that address while the Host header and TLS server name keep
the real name, so a second DNS answer (DNS rebinding) cannot switch the target after the check.
Redirects are followed here, one hop at a time, each hop checked like the first; headers that may
carry credentials are dropped when a redirect leaves the origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from mwo.engine.failures import StepFailed
from mwo.engine.net_policy import NetGuard, Target, parse_ip
from mwo.errors import FailureKind
from mwo.store.records import LogLevel

__all__ = ["MAX_REDIRECTS", "Exchange", "GuardedHttp", "client_scope", "describe_origin", "describe_url"]

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_HEADERS = frozenset({"user-agent", "accept", "accept-encoding", "accept-language"})
"""Headers kept when a redirect leaves the origin: the others may carry the step's credentials."""


def describe_url(url: httpx.URL) -> str:
    """The URL as it may appear in logs and errors: no user info and no query (both may hold secrets)."""
    return str(url.copy_with(userinfo=b"", query=None, fragment=None))


def describe_origin(url: httpx.URL) -> str:
    """Only scheme, host and port: for URLs whose path is a secret (Slack and Discord webhooks)."""
    return str(url.copy_with(userinfo=b"", raw_path=b"/", fragment=None))


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

    @property
    def client(self) -> httpx.Client:
        """The httpx client it sends with: callers build their requests on it (same defaults)."""
        return self._client

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
    if parse_ip(url.host) is None:
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
