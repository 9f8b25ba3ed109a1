"""Alembic environment for MWO's shipped migrations.

At run time `mwo.store.database.Database.upgrade_schema` passes an open connection in
`config.attributes["connection"]`. For writing a new migration by hand or with autogenerate, the
connection is built from `Settings()` (the MWO_* environment) instead.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from mwo.settings import Settings
from mwo.store.database import create_store_engine
from mwo.store.tables import Base, EnumText, UtcDateTime


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes our column types as the plain types they store, so a migration never
    imports `mwo.store.tables` and keeps working after the models change."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(item, EnumText):
        return "sa.String(length=20)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the caller's connection, or on one opened from the MWO_* settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_store_engine(Settings())
    try:
        with engine.connect() as own_connection:
            _run(own_connection)
            own_connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("MWO migrations run online only: they need a database connection")
run_migrations_online()
