"""The key that encrypts secrets at rest, and the rule for secret names.

The key never goes into the database: it comes from `MWO_SECRET_KEY`, else from `<home>/secret.key`,
which is created (mode 0600) the first time a secret is stored or read. Losing the key loses the
secrets, so the errors below say where the key is looked for.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from mwo.settings import Settings
from mwo.store.errors import InvalidInput, SecretKeyError

SECRET_NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*$")
KEY_FILE_NAME = "secret.key"


def check_secret_name(name: str) -> None:
    """Raise InvalidInput (a ValueError) unless `name` looks like an environment variable."""
    if not SECRET_NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"invalid secret name {name!r}",
            fix="use upper-case letters, digits and underscores, starting with a letter: NAVER_CLIENT_ID",
        )


def key_file_path(settings: Settings) -> Path:
    """Where the key is kept when MWO_SECRET_KEY is not set."""
    return settings.resolved_home() / KEY_FILE_NAME


def load_fernet(settings: Settings) -> Fernet:
    """The Fernet for this installation: settings.secret_key, else the key file (created if absent)."""
    if settings.secret_key:
        return _fernet_from(settings.secret_key.encode(), "MWO_SECRET_KEY")
    path = key_file_path(settings)
    if not path.exists():
        _create_key_file(path)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise SecretKeyError(
            f"cannot read the secrets key {path}: {exc}",
            fix=f"make {path} readable by this user, or set MWO_SECRET_KEY to the key",
        ) from exc
    return _fernet_from(key, str(path))


def _fernet_from(key: bytes, source: str) -> Fernet:
    try:
        return Fernet(key)
    except ValueError as exc:
        raise SecretKeyError(
            f"the secrets key from {source} is not a valid Fernet key ({exc})",
            fix="use a key made by `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`, or restore the original key",
        ) from exc


def _create_key_file(path: Path) -> None:
    """Write a new key with mode 0600 without a window where another process sees a partial file.

    The key is written to a private temporary file and linked into place; if another process won
    the race, its key is kept and ours is discarded.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first: keep theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class SecretKeySource:
    """Encrypts and decrypts secret values; the key is loaded (or created) on first use, then kept.

    Loading lazily means opening a store never creates a key file nobody needs.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._fernet: Fernet | None = None

    def _key(self) -> Fernet:
        if self._fernet is None:
            self._fernet = load_fernet(self._settings)
        return self._fernet

    def encrypt(self, value: str) -> str:
        """A Fernet token (text) for `value`; it also records when it was made, so equal values differ."""
        return self._key().encrypt(value.encode()).decode()

    def decrypt(self, name: str, ciphertext: str) -> str:
        """Decrypt secret `name`; a key that does not match raises SecretKeyError with the fix."""
        fernet = self._key()
        try:
            return fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            source = "MWO_SECRET_KEY" if self._settings.secret_key else str(key_file_path(self._settings))
            raise SecretKeyError(
                f"secret {name} cannot be decrypted with the key from {source}",
                fix=f"restore the key the secrets were stored with (in {source}), "
                f"or store the secret again (e.g. `mwo secrets set {name}`)",
            ) from exc
