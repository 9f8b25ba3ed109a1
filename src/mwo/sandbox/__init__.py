"""Running untrusted Python: a fresh process per script, namespaces where the host allows, rlimits always.

Use `Sandbox(SandboxConfig(...)).run(code, inputs, secrets, limits, net)`; see runner.py. The package
imports nothing of MWO's other packages but the dependency-free `mwo.errors` (its errors are
FixableErrors), so the engine, the CLI and the validator can all use it; MWO's settings reach it
through its own `SandboxSettings` protocol (the shape of the `Settings.sandbox` view), not `mwo.settings`
(tests/unit/test_import_rules.py holds it to that).
"""

from mwo.sandbox.egress import EgressRefused
from mwo.sandbox.errors import ErrorType, SandboxError, SandboxUnavailable
from mwo.sandbox.policy import Gate, IsolationMode, Limits, NetAccess
from mwo.sandbox.probe import Isolation
from mwo.sandbox.runner import (
    Sandbox,
    SandboxConfig,
    SandboxResult,
    SandboxSettings,
    config_from_settings,
    limits_for,
)

__all__ = [
    "EgressRefused",
    "ErrorType",
    "Gate",
    "Isolation",
    "IsolationMode",
    "Limits",
    "NetAccess",
    "Sandbox",
    "SandboxConfig",
    "SandboxError",
    "SandboxResult",
    "SandboxSettings",
    "SandboxUnavailable",
    "config_from_settings",
    "limits_for",
]
