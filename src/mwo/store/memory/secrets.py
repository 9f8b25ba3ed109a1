"""Secrets in memory: held as given for the life of the process (there is no rest to encrypt at),
with the SQL store's name rule and errors."""

from __future__ import annotations

from datetime import datetime

from mwo.store.abc import SecretStore
from mwo.store.errors import NotFound
from mwo.store.memory.state import MemoryBase, utc
from mwo.store.secret_key import check_secret_name


class MemorySecretStore(MemoryBase, SecretStore):
    def set_secret(self, name: str, value: str, now: datetime) -> None:
        check_secret_name(name)
        utc(now)  # refused when naive, as everywhere
        with self._state.lock:
            self._state.secrets[name] = value

    def reveal_secret(self, name: str) -> str:
        with self._state.lock:
            value = self._state.secrets.get(name)
        if value is None:
            raise NotFound(f"no secret named {name!r}", fix=f"store it with `mwo secrets set {name}`")
        return value

    def list_secret_names(self) -> list[str]:
        with self._state.lock:
            return sorted(self._state.secrets)

    def delete_secret(self, name: str) -> None:
        with self._state.lock:
            if self._state.secrets.pop(name, None) is None:
                raise NotFound(f"no secret named {name!r}", fix="list secret names with `mwo secrets list`")
