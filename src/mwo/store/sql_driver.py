"""Core statements run straight on the driver's cursor, for the one write every step makes.

A light step's write transaction (its row and LangGraph's checkpoint, `checkpoint_transaction`) was
mostly SQLAlchemy's execution machinery rather than SQL: building a Connection, dispatching its
events, an execution context per statement, the begin and commit bookkeeping. This module keeps
SQLAlchemy's statements and types (the SQL is SQLAlchemy's compilation for the dialect, each
parameter goes through the column type's own bind processor: UTC timestamps, enums, JSON) and drops
only the machinery: a statement is compiled once per dialect and executed on the DB-API cursor.
Errors come out as SQLAlchemy's (`DBAPIError.instance`), as from a Connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


class DriverStatement:
    """`statement` compiled for `dialect`, with the bind processors of its parameters' types."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        self._dialect = dialect
        self._order: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None
        )
        self._processors: dict[str, Callable[[Any], Any] | None] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }

    def execute(self, driver_connection: Any, values: Mapping[str, Any]) -> Any:
        """Run with `values` (by bind name) on a driver connection; returns the first row or None.
        A value the column type refuses raises its ValueError; a refused statement SQLAlchemy's
        DBAPIError subclass (IntegrityError...)."""
        bound = {
            name: value if processor is None else processor(value)
            for name, processor in self._processors.items()
            for value in (values[name],)
        }
        parameters: Any = bound if self._order is None else tuple(bound[name] for name in self._order)
        cursor = driver_connection.cursor()
        try:
            cursor.execute(self.sql, parameters)
            return cursor.fetchone() if cursor.description is not None else None
        except self._dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                self.sql, parameters, exc, self._dialect.loaded_dbapi.Error, dialect=self._dialect
            ) from exc
        finally:
            cursor.close()


__all__ = ["DriverStatement"]
