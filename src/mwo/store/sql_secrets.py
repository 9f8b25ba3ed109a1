"""Secrets in SQL: the table holds Fernet tokens only; the key stays outside the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from mwo.store.abc import SecretStore
from mwo.store.errors import NotFound
from mwo.store.secret_key import check_secret_name
from mwo.store.sql_common import SqlBase, insert_or_get
from mwo.store.tables import SecretRow


class SqlSecretStore(SqlBase, SecretStore):
    """Secrets encrypted with the installation's Fernet key before they reach the session."""

    def set_secret(self, name: str, value: str, now: datetime) -> None:
        check_secret_name(name)
        ciphertext = self._secret_key.encrypt(value)
        with self._db.session_scope() as session:
            row = session.get(SecretRow, name, with_for_update=True)
            if row is None:
                candidate = SecretRow(name=name, ciphertext=ciphertext, created_at=now, updated_at=now)
                row, created = insert_or_get(
                    session, candidate, select(SecretRow).where(SecretRow.name == name)
                )
                if created:
                    return
            row.ciphertext = ciphertext
            row.updated_at = now

    def reveal_secret(self, name: str) -> str:
        with self._db.session_scope(read_only=True) as session:
            ciphertext = session.scalar(select(SecretRow.ciphertext).where(SecretRow.name == name))
        if ciphertext is None:
            raise NotFound(f"no secret named {name!r}", fix=f"store it with `mwo secrets set {name}`")
        return self._secret_key.decrypt(name, ciphertext)

    def list_secret_names(self) -> list[str]:
        with self._db.session_scope(read_only=True) as session:
            return list(session.scalars(select(SecretRow.name).order_by(SecretRow.name)))

    def delete_secret(self, name: str) -> None:
        with self._db.session_scope() as session:
            row = session.get(SecretRow, name)
            if row is None:
                raise NotFound(f"no secret named {name!r}", fix="list secret names with `mwo secrets list`")
            session.delete(row)
