"""The SSRF guard decides on resolved addresses; DNS is played by an injected resolver (no network)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence

import httpx
import pytest

from mwo.engine.failures import StepFailed
from mwo.engine.net_policy import AddressRefused, NetGuard, refusal_reason
from mwo.errors import FailureKind
from mwo.spec import NetworkPolicy, RetryPolicy

PUBLIC = "93.184.216.34"


def dns(answers: Mapping[str, Sequence[str]]) -> Callable[[str], Sequence[str]]:
    """A resolver that knows only `answers`; any other name is a test bug."""

    def resolve(host: str) -> Sequence[str]:
        return answers[host]

    return resolve


def guard(
    *allow: str, answers: Mapping[str, Sequence[str]] | None = None, schemes: Sequence[str] = ()
) -> NetGuard:
    policy = NetworkPolicy(allow=list(allow), allow_schemes=list(schemes))
    return NetGuard(policy, dns(answers or {}))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("fc00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 form of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 form of 127.0.0.1
    ],
)
def test_refused_ranges_are_refused_with_their_reason(address: str, reason: str) -> None:
    with pytest.raises(AddressRefused) as caught:
        guard().vet(httpx.URL(f"http://{_host(address)}/x"))
    assert caught.value.kind is FailureKind.REFUSED_ADDRESS
    assert reason in caught.value.message
    assert address in caught.value.message
    assert "settings.network.allow" in caught.value.fix
    assert refusal_reason(ipaddress.ip_address(address)) is not None


def test_a_refused_address_is_never_retried() -> None:
    with pytest.raises(AddressRefused) as caught:
        guard().vet(httpx.URL("http://127.0.0.1/"))
    assert not caught.value.retryable_under(RetryPolicy().retry_on)


def test_a_public_address_is_allowed() -> None:
    target = guard(answers={"example.com": [PUBLIC]}).vet(httpx.URL("https://example.com/page"))
    assert target.addresses == (PUBLIC,)
    assert refusal_reason(ipaddress.ip_address(PUBLIC)) is None
    assert refusal_reason(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None


def test_a_hostname_resolving_to_a_private_address_is_refused_after_resolution() -> None:
    with pytest.raises(AddressRefused) as caught:
        guard(answers={"innocent.example": ["10.0.0.5"]}).vet(httpx.URL("https://innocent.example/"))
    assert caught.value.host == "innocent.example"
    assert caught.value.address == "10.0.0.5"
    assert "innocent.example" in caught.value.message and "10.0.0.5" in caught.value.message
    assert "add 10.0.0.5" in caught.value.fix


def test_one_private_answer_among_public_ones_refuses_the_host() -> None:
    answers = {"mixed.example": [PUBLIC, "127.0.0.1"]}
    with pytest.raises(AddressRefused):
        guard(answers=answers).vet(httpx.URL("http://mixed.example/"))


def test_allowed_by_host_name_whatever_it_resolves_to() -> None:
    answers = {"intranet.local": ["10.0.0.5", "192.168.0.7"]}
    target = guard("Intranet.Local.", answers=answers).vet(httpx.URL("http://intranet.local/api"))
    assert target.addresses == ("10.0.0.5", "192.168.0.7")


def test_allowed_by_ip() -> None:
    assert guard("127.0.0.1").vet(httpx.URL("http://127.0.0.1:8080/")).addresses == ("127.0.0.1",)
    with pytest.raises(AddressRefused):
        guard("127.0.0.1").vet(httpx.URL("http://127.0.0.2/"))


def test_an_allowed_ipv4_also_covers_its_ipv4_mapped_ipv6_form() -> None:
    (address,) = guard("127.0.0.1").vet(httpx.URL("http://[::ffff:127.0.0.1]/")).addresses
    assert ipaddress.ip_address(address) == ipaddress.ip_address("::ffff:127.0.0.1")


def test_allowed_by_cidr() -> None:
    answers = {"db.corp": ["10.20.30.40"], "other.corp": ["10.99.0.1"]}
    allowing = guard("10.20.0.0/16", answers=answers)
    assert allowing.vet(httpx.URL("http://db.corp/")).addresses == ("10.20.30.40",)
    with pytest.raises(AddressRefused):
        allowing.vet(httpx.URL("http://other.corp/"))


def test_allowing_one_host_does_not_allow_the_metadata_address() -> None:
    with pytest.raises(AddressRefused) as caught:
        guard("intranet.local", answers={}).vet(httpx.URL("http://169.254.169.254/latest/meta-data/"))
    assert "metadata" in caught.value.message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused) as caught:
        guard("127.0.0.1", "example.com").vet(httpx.URL(url))
    assert "scheme" in caught.value.message
    assert "allow_schemes" in caught.value.fix


def test_a_scheme_in_allow_schemes_passes_the_scheme_check() -> None:
    target = guard(answers={"files.example": [PUBLIC]}, schemes=["FTP"]).vet(
        httpx.URL("ftp://files.example/")
    )
    assert target.addresses == (PUBLIC,)


def test_an_unresolvable_host_is_a_connection_failure() -> None:
    def no_such_host(host: str) -> Sequence[str]:
        import socket

        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(StepFailed) as caught:
        NetGuard(NetworkPolicy(), no_such_host).vet(httpx.URL("https://nowhere.invalid/"))
    assert caught.value.kind is FailureKind.CONNECTION
    assert "nowhere.invalid" in caught.value.message


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address else address
