"""What a PYTHON_SCRIPT step may reach: the egress proxy's gate, built from API_CALL's NetGuard."""

from __future__ import annotations

import re
import socket
from collections.abc import Sequence

import pytest

from mwo.engine.executors.python_script import script_net_access
from mwo.sandbox import EgressRefused, Gate
from mwo.spec import NetworkPolicy

DNS = {
    "intranet.local": ["10.0.0.5"],
    "public.example": ["93.184.216.34"],
    "sneaky.example": ["169.254.169.254"],
}


def _resolver(host: str) -> Sequence[str]:
    name = host.lower().rstrip(".")  # as DNS compares names
    if name not in DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return DNS[name]


def _gate(*allow: str) -> Gate:
    net = script_net_access(NetworkPolicy(allow=list(allow)), True, _resolver)
    assert net.enabled and net.gate is not None
    return net.gate


def test_without_allow_net_there_is_no_network_and_no_gate() -> None:
    net = script_net_access(NetworkPolicy(allow=["10.0.0.0/8"]), False, _resolver)
    assert not net.enabled and net.gate is None


def test_public_hosts_pass_with_their_checked_addresses() -> None:
    assert list(_gate()("public.example", 443)) == ["93.184.216.34"]


def test_a_host_name_entry_allows_that_host_and_no_other_with_an_internal_address() -> None:
    gate = _gate("intranet.local")
    assert list(gate("intranet.local", 80)) == ["10.0.0.5"]
    assert list(gate("INTRANET.local.", 80)) == ["10.0.0.5"]  # names compare as DNS does
    with pytest.raises(EgressRefused, match=re.escape("169.254.169.254 is a cloud metadata address")):
        gate("sneaky.example", 80)


def test_address_and_network_entries_allow_by_resolved_address() -> None:
    assert list(_gate("10.0.0.0/8")("intranet.local", 80)) == ["10.0.0.5"]
    with pytest.raises(EgressRefused, match=r"10\.0\.0\.5 is private") as refused:
        _gate("192.168.0.0/16")("intranet.local", 80)
    assert "settings.network.allow" in refused.value.fix
    assert refused.value.reason == f"{refused.value.message}; {refused.value.fix}"


def test_literal_addresses_are_judged_without_dns() -> None:
    gate = _gate("127.0.0.1")
    assert list(gate("127.0.0.1", 8080)) == ["127.0.0.1"]
    with pytest.raises(EgressRefused, match="loopback"):
        gate("::1", 8080)


def test_an_unresolvable_host_is_an_os_error_not_a_refusal() -> None:
    with pytest.raises(OSError, match=re.escape("cannot resolve the host 'nowhere.invalid'")):
        _gate()("nowhere.invalid", 443)
