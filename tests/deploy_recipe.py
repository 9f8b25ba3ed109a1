"""The deployment recipe (deploy/compose.yaml) as data, for the tests that keep it true: the MWO_*
names it sets must be settings, and the process test starts each role with the environment the
Compose file gives it (addresses and paths swapped for this machine's)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
MWO_ROLES = ("serve", "worker", "ui")
"""Services that run MWO itself and share the store, the broker and the secrets key."""

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
_MWO_NAME = re.compile(r"\bMWO_[A-Z0-9_]+\b")


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}`; a required variable that is
    missing raises KeyError (as `docker compose config` refuses the file)."""

    def value(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3) or ""
        if variables.get(name):
            return variables[name]
        if operator in (":-", "-"):
            return argument
        raise KeyError(f"{name}: {argument or 'required'}")

    return _INTERPOLATION.sub(value, text)


def load_compose(variables: dict[str, str] | None = None) -> dict[str, Any]:
    """The Compose file after interpolation and YAML merge keys (`<<: *anchor`)."""
    text = interpolate(COMPOSE.read_text(encoding="utf-8"), variables or {"POSTGRES_PASSWORD": "pw"})
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's `environment` (a mapping or a list of NAME=value) as strings."""
    given = service.get("environment") or {}
    if isinstance(given, list):
        pairs = [item.split("=", 1) for item in given]
        return {name: value for name, value in pairs}
    return {str(name): "" if value is None else str(value) for name, value in given.items()}


def mwo_names(text: str) -> set[str]:
    """Every MWO_* name a file mentions (values, comments, Dockerfile ENV lines)."""
    return set(_MWO_NAME.findall(text))
