"""The SQL backends' schema: what the migrations build is exactly what the table models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from mwo.store.tables import Base
from tests.contract.support import Backend

# --- schema --------------------------------------------------------------------------------------------


def test_migrated_schema_matches_the_models(backend: Backend) -> None:
    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
