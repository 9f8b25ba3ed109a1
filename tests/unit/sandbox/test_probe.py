"""The isolation mode is judged from a real attempt, and says what to do when it is missing."""

from __future__ import annotations

from mwo.sandbox.policy import IsolationMode
from mwo.sandbox.probe import probe_namespaces


def test_no_bwrap_means_rlimits_only_with_the_install_fix() -> None:
    isolation = probe_namespaces(None, lambda: None)
    assert isolation.mode is IsolationMode.RLIMITS_ONLY and not isolation.isolated
    assert "apt-get install bubblewrap" in isolation.fix


def test_a_failed_attempt_names_the_reason() -> None:
    isolation = probe_namespaces("/usr/bin/bwrap", lambda: "bwrap: No permissions to create new namespace")
    assert isolation.mode is IsolationMode.RLIMITS_ONLY
    assert "No permissions" in isolation.detail and "user namespaces" in isolation.fix


def test_a_working_attempt_means_namespaces() -> None:
    isolation = probe_namespaces("/usr/bin/bwrap", lambda: None)
    assert isolation.isolated and "uid 65534" in isolation.detail
