"""Masks secret values in anything the engine stores or prints (logs, step inputs, outputs, errors)."""

from __future__ import annotations

from typing import Any

MASK = "***"


class Redactor:
    """Knows the secret values revealed during one run and replaces them wherever they appear."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str) -> None:
        # Very short values would mask ordinary text everywhere; they are not secrets worth the name.
        if len(value) >= 4:
            self._values.add(value)

    def text(self, value: str) -> str:
        for secret in sorted(self._values, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def tree(self, value: Any) -> Any:
        """A copy of `value` with every string masked (dict keys included)."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.tree(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.tree(v) for v in value]
        return value
