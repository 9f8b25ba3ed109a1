"""The home settings file, `<home>/settings.yaml`: settings saved from the UI's Settings page or
`mwo config set`, so a person who cannot set environment variables can still change them for good.

It is the lowest source above the defaults: init arguments > environment (MWO_*) > `.env` > this
file > defaults, so an environment variable always wins and nothing changes when the file is absent.
The file lives in the MWO home, which itself comes from a higher source (MWO_HOME, `.env`, or the
default ~/.mwo); a `home:` key inside it is ignored. This module imports nothing of MWO but the
error base, so `mwo.settings` can use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from mwo.errors import FixableError

SETTINGS_FILE_NAME = "settings.yaml"
MAX_SETTINGS_FILE_BYTES = 64 * 1024
"""A settings file is a few lines; anything larger is not one (and is not read)."""


class SettingsFileError(FixableError):
    """The home settings file cannot be read as settings."""

    code = "settings_file"


def read_settings_file(path: Path) -> dict[str, Any]:
    """The mapping in `path`; {} when the file does not exist. SettingsFileError when it is not a
    small YAML mapping (a person may have edited it by hand)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsFileError(
            f"cannot read {path}: {exc.strerror}", f"check the permissions of {path}"
        ) from exc
    fix = (
        f"correct or delete {path} (then set the values again on the Settings page or with `mwo config set`)"
    )
    if size > MAX_SETTINGS_FILE_BYTES:
        raise SettingsFileError(f"{path} has {size} bytes, more than {MAX_SETTINGS_FILE_BYTES}", fix)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SettingsFileError(f"{path} is not readable YAML: {_first_line(exc)}", fix) from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise SettingsFileError(f"{path} must be a mapping of setting names to values", fix)
    return data


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class HomeSettingsFile(PydanticBaseSettingsSource):
    """Values from `<home>/settings.yaml`, the home taken from the sources above this one."""

    def __init__(
        self, settings_cls: type[BaseSettings], above: tuple[PydanticBaseSettingsSource, ...]
    ) -> None:
        super().__init__(settings_cls)
        self._above = above

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the whole file at once

    def home(self) -> Path:
        """MWO_HOME as the higher sources give it, else the field's default."""
        for source in self._above:
            given = source().get("home")
            if given:
                return Path(str(given)).expanduser()
        default = self.settings_cls.model_fields["home"].get_default(call_default_factory=True)
        return Path(str(default)).expanduser()

    def __call__(self) -> dict[str, Any]:
        values = read_settings_file(self.home() / SETTINGS_FILE_NAME)
        values.pop("home", None)
        return values


__all__ = [
    "MAX_SETTINGS_FILE_BYTES",
    "SETTINGS_FILE_NAME",
    "HomeSettingsFile",
    "SettingsFileError",
    "read_settings_file",
]
