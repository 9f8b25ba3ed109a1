"""API tokens in SQL: one row per token, found by its public id; the secret is only ever a hash here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from mwo.store.abc import TokenStore
from mwo.store.errors import Conflict, NotFound
from mwo.store.records import ApiTokenRecord, TokenScope
from mwo.store.sql_common import SqlBase, insert_or_get
from mwo.store.tables import ApiTokenRow

_LIST_FIX = "list tokens with `mwo tokens list`"


class SqlTokenStore(SqlBase, TokenStore):
    def create_api_token(
        self,
        name: str,
        token_id: str,
        secret_hash: str,
        scope: TokenScope,
        now: datetime,
        expires_at: datetime | None = None,
    ) -> ApiTokenRecord:
        row = ApiTokenRow(
            token_id=token_id,
            name=name,
            secret_hash=secret_hash,
            scope=scope,
            created_at=now,
            expires_at=expires_at,
        )
        taken = select(ApiTokenRow).where(or_(ApiTokenRow.name == name, ApiTokenRow.token_id == token_id))
        with self._db.session_scope() as session:
            existing = session.scalars(taken).first()
            if existing is None:
                existing, created = insert_or_get(session, row, taken.limit(1))  # a racing insert loses
                if created:
                    return _to_token(row)
            raise Conflict(
                f"an API token named {existing.name!r} already exists"
                if existing.name == name
                else "token id collision; create the token again",
                "pick another name (revoked tokens keep theirs); " + _LIST_FIX,
            )

    def find_api_token(self, token_id: str) -> tuple[ApiTokenRecord, str]:
        with self._db.session_scope(read_only=True) as session:
            row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_id == token_id)).one_or_none()
            if row is None:
                raise NotFound(f"no API token with id {token_id!r}", _LIST_FIX)
            return _to_token(row), row.secret_hash

    def list_api_tokens(self) -> list[ApiTokenRecord]:
        with self._db.session_scope(read_only=True) as session:
            return [_to_token(row) for row in session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.name))]

    def revoke_api_token(self, name: str, now: datetime) -> ApiTokenRecord:
        with self._db.session_scope() as session:
            row = session.scalars(
                select(ApiTokenRow).where(ApiTokenRow.name == name).with_for_update()
            ).one_or_none()
            if row is None:
                raise NotFound(f"no API token named {name!r}", _LIST_FIX)
            if row.revoked_at is None:
                row.revoked_at = now
            session.flush()
            return _to_token(row)

    def mark_api_token_used(self, token_id: str, now: datetime) -> None:
        with self._db.connection_scope() as connection:
            connection.execute(
                update(ApiTokenRow).where(ApiTokenRow.token_id == token_id).values(last_used_at=now)
            )


def _to_token(row: ApiTokenRow) -> ApiTokenRecord:
    return ApiTokenRecord(
        id=row.id,
        token_id=row.token_id,
        name=row.name,
        scope=row.scope,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )
