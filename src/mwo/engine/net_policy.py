"""SSRF protection, the policy half: which addresses a workflow's steps may reach.

A workflow's URLs come from templates, earlier steps' outputs and secrets, so a run can be steered
toward the machine it runs on (127.0.0.1), the office network (10/8) or a cloud metadata service
(169.254.169.254). The guard refuses those unless the workflow's `settings.network.allow` names them.

Three rules make the check hold:
- the check runs on the addresses DNS returns, not on the host name (a public-looking name may point
  at 10.0.0.5), and if any address is refused the host is refused;
- the request then connects to an address that was checked (the "pin"): the URL's host is replaced
  by that address, while the Host header and TLS server name keep the real name, so a second DNS
  answer (DNS rebinding) cannot switch the target after the check;
- redirects are followed one hop at a time, each hop checked like the first.

The last two are `guarded_http`'s job (the client that sends through this policy); this module only
decides, so the egress proxy of PYTHON_SCRIPT steps and the preflight check can ask it without HTTP.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import NetworkPolicy

__all__ = [
    "AddressRefused",
    "NetGuard",
    "Resolver",
    "Target",
    "parse_ip",
    "refusal_reason",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""Host name -> its IP addresses as text; injectable so tests can play DNS without a network."""

_BASE_SCHEMES = frozenset({"http", "https"})
_METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


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
        literal = parse_ip(host)
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
        address = parse_ip(text)
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


def parse_ip(text: str) -> IPAddress | None:
    """`text` as an IP address (an IPv6 zone id dropped), or None when it is a host name."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 -> 127.0.0.1, so an allow-list entry written as IPv4 covers its mapped form."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
