"""Running untrusted Python: a fresh process per script, namespaces where the host allows, rlimits always.

Use `Sandbox(SandboxConfig(...)).run(code, inputs, secrets, limits, net)`; see runner.py. The package
imports nothing of MWO's other packages but the dependency-free `mwo.errors` (its errors are
FixableErrors), so the engine, the CLI and the validator can all use it.
"""

from mwo.sandbox.egress import EgressRefused, Gate
from mwo.sandbox.errors import ErrorType, SandboxError, SandboxUnavailable
from mwo.sandbox.policy import IsolationMode, Limits, NetAccess
from mwo.sandbox.probe import Isolation
from mwo.sandbox.runner import Sandbox, SandboxConfig, SandboxResult, config_from_settings, limits_for

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
    "SandboxUnavailable",
    "config_from_settings",
    "limits_for",
]
