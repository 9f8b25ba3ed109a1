"""The variables templates see during a run: inputs, earlier step outputs, secrets, run facts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mwo.engine.failures import StepFailed
from mwo.engine.redaction import Redactor
from mwo.errors import FailureKind
from mwo.store.abc import SecretStore
from mwo.store.errors import NotFound


class SecretsView(Mapping[str, str]):
    """Reveals a secret only when a template reads it, and tells the redactor its value."""

    def __init__(self, secrets: SecretStore, redactor: Redactor) -> None:
        self._secrets = secrets
        self._redactor = redactor
        self._cache: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self._cache:
            try:
                value = self._secrets.reveal_secret(name)
            except NotFound:
                raise StepFailed(
                    FailureKind.CONFIG, f"secret '{name}' is not set", f"set it with: mwo secrets set {name}"
                ) from None
            self._redactor.add(value)
            self._cache[name] = value
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._secrets.list_secret_names())

    def __len__(self) -> int:
        return len(self._secrets.list_secret_names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._secrets.list_secret_names()


def build_scope(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], secrets: Mapping[str, str], run: Mapping[str, Any]
) -> dict[str, Any]:
    """Template variables for a step: `steps.<id>.output` holds what earlier steps returned."""
    return {
        "inputs": dict(inputs),
        "steps": {step_id: {"output": output} for step_id, output in outputs.items()},
        "secrets": secrets,
        "run": dict(run),
    }
