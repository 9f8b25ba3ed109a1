"""Preferences: the settings a person changes without touching the environment (language, time zone,
which language model answers), read from and saved to the home settings file (`mwo.settings_file`).

The UI's Settings page and `mwo config` call this; both show the same checks and messages. Values are
checked before anything is written, the file is replaced atomically (a crash leaves the old file or
the new one, never half of one) and keys this service does not edit are kept as they were. The
endpoint's API key never goes into the file: it is stored encrypted as the secret named by
`llm_api_key_secret` (default OPENAI_API_KEY), where the OpenAI-compatible provider reads it.

An environment variable (or `.env`) setting the same key wins over the file; `show` says which, so a
page can tell the person why a saved value has no effect.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import yaml
from pydantic import SecretStr
from pydantic_settings import DotEnvSettingsSource, EnvSettingsSource

from mwo.errors import FixableError
from mwo.settings import Settings
from mwo.settings_file import read_settings_file

if TYPE_CHECKING:
    from mwo.store.abc import SecretStore

__all__ = ["EDITABLE", "LLM_PROVIDERS", "Preference", "PreferenceError", "Preferences"]

EDITABLE: tuple[str, ...] = ("language", "timezone", "llm_provider", "llm_base_url", "llm_model")
"""The settings people edit here, in the order pages and `mwo config show` list them."""
LLM_PROVIDERS: tuple[str, ...] = ("local", "openai")
"""`fake` is for tests: it cannot be chosen here."""
LANGUAGES: tuple[str, ...] = ("en", "ko")
MAX_URL_CHARS = 2000
MAX_MODEL_CHARS = 200
MAX_API_KEY_CHARS = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEADER = (
    "# MWO settings saved by the UI's Settings page and `mwo config set`.\n"
    "# Environment variables (MWO_*) and .env win over these; see docs/configuration.md.\n"
)


class PreferenceError(FixableError):
    """A value that cannot be saved (or a file that cannot be written), with what to enter instead."""

    code = "setting_invalid"


@dataclass(frozen=True)
class Preference:
    """One editable setting: what is in effect, what is saved, and what overrides the saved value."""

    key: str
    value: str | None
    """In effect for a process started now: the override, else the saved value, else the default."""
    saved: str | None
    default: str | None
    overridden_by: str | None
    """The environment variable (or `.env` entry) that wins over the saved value, if one is set."""

    @property
    def env_name(self) -> str:
        return f"MWO_{self.key.upper()}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "saved": self.saved,
            "default": self.default,
            "overridden_by": self.overridden_by,
        }


class Preferences:
    """Read and save the editable settings of the MWO home that `settings` points to."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.resolved_settings_file()

    def show(self) -> list[Preference]:
        """Every editable setting, in EDITABLE order. SettingsFileError if the file is broken."""
        saved = read_settings_file(self.path)
        overrides = _overrides()
        shown = []
        for key in EDITABLE:
            default = _text(Settings.model_fields[key].get_default(call_default_factory=True))
            stored = _text(saved.get(key))
            overridden = f"MWO_{key.upper()}" if key in overrides else None
            value = _text(overrides[key]) if overridden else (stored if stored is not None else default)
            shown.append(Preference(key, value, stored, default, overridden))
        return shown

    def validate(self, changes: Mapping[str, str | None]) -> dict[str, str | None]:
        """The changes checked and normalised; None (or an empty text) clears a saved value."""
        return {key: _check(key, value) for key, value in changes.items()}

    def save(self, changes: Mapping[str, str | None]) -> list[Preference]:
        """Check `changes`, merge them into the file (other keys kept), write it atomically, and
        return what is then in effect. PreferenceError before anything is written if a value is bad,
        or if the result would choose the endpoint provider without an endpoint URL or model."""
        checked = self.validate(changes)
        data = read_settings_file(self.path)
        for key, value in checked.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        self._check_endpoint(data)
        self._write(data)
        return self.show()

    def candidate(self, changes: Mapping[str, str | None], api_key: str | None = None) -> Settings:
        """These settings with `changes` (checked) and the key applied, unsaved: what "test
        connection" tries before the person saves."""
        update: dict[str, Any] = {}
        for key, value in self.validate(changes).items():
            update[key] = value if value is not None else Settings.model_fields[key].get_default()
        if api_key:
            update["llm_api_key"] = SecretStr(_check_api_key(api_key))
        return self.settings.model_copy(update=update)

    def save_api_key(self, secrets: SecretStore, value: str, now: datetime) -> str:
        """Store the endpoint's key encrypted, under the name the provider reads; that name."""
        name = self.settings.llm_api_key_secret
        secrets.set_secret(name, _check_api_key(value), now)
        return name

    def api_key_overridden(self) -> bool:
        """MWO_LLM_API_KEY (environment or .env) wins over the stored secret."""
        return "llm_api_key" in _overrides()

    def _check_endpoint(self, data: Mapping[str, Any]) -> None:
        overrides = _overrides()

        def effective(key: str) -> str | None:
            if key in overrides:
                return _text(overrides[key])
            return _text(data.get(key)) or _text(Settings.model_fields[key].get_default())

        if effective("llm_provider") != "openai":
            return
        if not effective("llm_base_url"):
            raise PreferenceError(
                "an OpenAI-compatible endpoint needs its URL, and none is set",
                "enter the endpoint URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1",
            )
        if not effective("llm_model"):
            raise PreferenceError(
                "an OpenAI-compatible endpoint needs a model name, and none is set",
                "enter the model name the endpoint serves, e.g. gpt-4o-mini or llama3.1",
            )

    def _write(self, data: Mapping[str, Any]) -> None:
        text = _HEADER + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(self.path)
        except OSError as exc:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            raise PreferenceError(
                f"cannot write {self.path}: {exc.strerror}",
                f"check that {self.path.parent} exists and is writable",
            ) from exc


def _overrides() -> dict[str, Any]:
    """Settings the environment or `.env` gives (they win over the file)."""
    found: dict[str, Any] = dict(DotEnvSettingsSource(Settings)())
    found.update(EnvSettingsSource(Settings)())
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        return "********"
    return str(value)


def _check(key: str, value: str | None) -> str | None:
    if key not in EDITABLE:
        raise PreferenceError(
            f"'{key}' is not a setting that can be saved here", f"use one of: {', '.join(EDITABLE)}"
        )
    text = (value or "").strip()
    if not text:
        return None
    if key == "language":
        return _one_of(key, text.lower(), LANGUAGES)
    if key == "llm_provider":
        return _one_of(key, text.lower(), LLM_PROVIDERS)
    if key == "timezone":
        return _zone(text)
    if key == "llm_base_url":
        return _url(text)
    return _model(text)


def _one_of(key: str, text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise PreferenceError(f"{key} cannot be '{text[:40]}'", f"use one of: {', '.join(allowed)}")
    return text


def _zone(text: str) -> str:
    if len(text) > 64 or text not in available_timezones():
        raise PreferenceError(
            f"'{text[:64]}' is not an IANA time zone",
            "use a zone name such as Asia/Seoul, Europe/Berlin, America/New_York or UTC",
        )
    return text


def _url(text: str) -> str:
    example = "e.g. https://api.openai.com/v1 or http://localhost:11434/v1"
    if len(text) > MAX_URL_CHARS or _CONTROL.search(text) or " " in text:
        raise PreferenceError(f"'{text[:80]}' is not a URL", f"enter the endpoint's http(s) URL, {example}")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError as exc:
        raise PreferenceError(
            f"'{text[:80]}' is not a URL", f"enter the endpoint's http(s) URL, {example}"
        ) from exc
    if parts.scheme not in ("http", "https") or not host:
        raise PreferenceError(
            f"'{text[:80]}' is not an http(s) URL",
            f"enter the endpoint's URL with http:// or https://, {example}",
        )
    if parts.username or parts.password:
        raise PreferenceError(
            "the endpoint URL carries a user name or password, which would be saved in plain text",
            "remove it from the URL and enter the key in the API key field (stored encrypted)",
        )
    return text.rstrip("/")


def _model(text: str) -> str:
    if len(text) > MAX_MODEL_CHARS or _CONTROL.search(text):
        raise PreferenceError(
            f"the model name must be one line of at most {MAX_MODEL_CHARS} characters",
            "enter the name the endpoint serves, e.g. gpt-4o-mini or llama3.1",
        )
    return text


def _check_api_key(value: str) -> str:
    key = value.strip()
    if not key or len(key) > MAX_API_KEY_CHARS or _CONTROL.search(key):
        raise PreferenceError(
            f"an API key is one line of 1 to {MAX_API_KEY_CHARS} characters",
            "paste the key the endpoint's provider gave you, without spaces or line breaks",
        )
    return key
