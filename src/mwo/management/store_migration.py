"""Moving an embedded SQLite install to PostgreSQL (`mwo migrate-store --to postgresql+psycopg://...`).

The order of operations, and why:
1. Check the source (a SQLite store at the newest schema revision, holding only tables this module
   knows) and the target (reachable PostgreSQL through psycopg, every MWO table empty).
2. Create the target's schema with the shipped Alembic migrations and the checkpointer's own setup,
   so the copy lands in exactly the schema `mwo serve` would create (empty tables: a failure after
   this step still leaves a target that a second attempt accepts).
3. In ONE transaction, under an advisory lock, check emptiness again, copy every table in
   foreign-key order in batches, keeping ids, timestamps and ciphertexts as they are, then the
   LangGraph checkpoints, then move each id sequence past the copied ids. Any failure rolls all of
   it back.
4. After the commit, re-read the target: per table the row count and an order-independent digest
   of every column must equal the source's.

Secrets and webhook secrets are copied still encrypted: the PostgreSQL install must use the same
key (`MWO_SECRET_KEY` or `$MWO_HOME/secret.key`). The knowledge base is not in the database at all
(`$MWO_HOME/knowledge`: catalog and indexes are files); its documents are counted and reported so
that the operator copies that directory with the key to the hosts that need it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from mwo.engine.checkpoints import SQLITE_CHECKPOINT_TABLES
from mwo.errors import FixableError
from mwo.management.checkpoint_copy import (
    CHECKPOINT_TABLES,
    CheckpointCounts,
    copy_checkpoints,
    count_postgres_checkpoints,
    count_sqlite_checkpoints,
)
from mwo.settings import Settings
from mwo.store.database import SCHEMA_HEAD, Database, create_store_engine
from mwo.store.tables import Base

KNOWN_TABLES: dict[str, str] = {
    "folders": "folders of workflows",
    "tags": "tag names",
    "workflows": "workflows",
    "workflow_tags": "which workflow carries which tag",
    "workflow_versions": "every saved version of every workflow",
    "runs": "runs",
    "step_runs": "step attempts of runs",
    "step_logs": "log lines of runs",
    "outbox": "deliveries of API_CALL and NOTIFICATION attempts (what a resumed step must not send again)",
    "approvals": "approvals asked and decided",
    "secrets": "secrets (Fernet ciphertext, copied still encrypted)",
    "inbox_messages": "the in-app inbox",
    "llm_calls": "traced model calls",
    "schedules": "cron schedules with their stored next fire",
    "schedule_fires": "claimed fires (what makes each fire happen once)",
    "webhook_secrets": "webhook signing secrets (Fernet ciphertext, copied still encrypted)",
    "webhook_deliveries": "received webhook deliveries (deduplication)",
    "api_tokens": "API tokens (their SHA-256, so they keep authenticating)",
    "healing_attempts": "candidates of design-time repairs",
    "repair_proposals": "run-time repairs of failed steps",
    "authoring_sessions": "authoring sessions",
    "authoring_events": "progress events of authoring sessions",
}
"""Every table of the store and what it holds. A table added to `mwo.store.tables` without an entry
here makes `migrate-store` refuse to run (and `tests/unit/management/test_store_migration.py`
fail): deciding how a new table moves is part of adding it."""

DEFAULT_BATCH_SIZE = 500
_SAFETY_LOCK_ID = 0x6D776F6D  # advisory lock: two migrate-store runs into one target take turns


class StoreMigrationError(FixableError):
    """`migrate-store` cannot start or did not verify; nothing or an empty schema was written."""

    code = "migrate_store"


class TargetNotEmpty(StoreMigrationError):
    """The target already holds MWO data (a second run, or a database in use)."""

    code = "target_not_empty"


@dataclass(frozen=True)
class TableCopy:
    """One table: rows in the source, rows in the target after the copy (None in a dry run)."""

    table: str
    source: int
    target: int | None
    verified: bool


@dataclass(frozen=True)
class MigrationReport:
    """What `migrate_store` copied (or, with `dry_run`, would copy) and where things now live."""

    source: str
    target: str
    dry_run: bool
    tables: list[TableCopy]
    checkpoints: CheckpointCounts
    checkpoints_copied: CheckpointCounts | None
    knowledge_documents: int
    knowledge_dir: Path
    secret_key_source: str
    database_url_setting: str

    @property
    def rows(self) -> int:
        return sum(t.source for t in self.tables)


def migrate_store(
    settings: Settings, target_url: str, *, dry_run: bool = False, batch_size: int = DEFAULT_BATCH_SIZE
) -> MigrationReport:
    """Copy the SQLite store of `settings` (and its checkpoints) into the empty PostgreSQL database at
    `target_url`, then verify. Raises StoreMigrationError (TargetNotEmpty when the target holds data);
    with `dry_run` it only reads both sides and writes nothing anywhere."""
    tables = copy_order()
    target = _target_url(target_url)
    source_engine = _source_engine(settings)
    target_engine = create_engine(target, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    try:
        counts = _source_counts(source_engine, tables)
        checkpoint_path = settings.resolved_checkpoint_path()
        checkpoints = _source_checkpoints(settings, dry_run)
        with _reaching(target):
            _refuse_non_empty(target_engine)
        copied: CheckpointCounts | None = None
        results = [TableCopy(t.name, counts[t.name], None, False) for t in tables]
        if not dry_run:
            with _reaching(target):
                _create_schema(settings, target, target_engine)
                sent, checkpoints = _copy_all(
                    source_engine, target_engine, tables, checkpoint_path, batch_size
                )
                results = _verify(target_engine, tables, sent)
                copied = _target_checkpoints(target_engine)
            if copied != checkpoints:
                raise StoreMigrationError(
                    f"the target holds {copied.checkpoints} checkpoints and {copied.writes} pending writes, "
                    f"the source {checkpoints.checkpoints} and {checkpoints.writes}",
                    "something wrote checkpoints to the target during the copy: stop it, drop and create "
                    "the target database and run migrate-store again",
                )
        return MigrationReport(
            source=source_engine.url.render_as_string(hide_password=True),
            target=target.render_as_string(hide_password=True),
            dry_run=dry_run,
            tables=results,
            checkpoints=checkpoints,
            checkpoints_copied=copied,
            knowledge_documents=_knowledge_documents(settings.resolved_knowledge_dir() / "catalog.db"),
            knowledge_dir=settings.resolved_knowledge_dir(),
            secret_key_source="MWO_SECRET_KEY"
            if settings.secret_key
            else str(settings.resolved_home() / "secret.key"),
            database_url_setting=target.render_as_string(hide_password=True),
        )
    finally:
        source_engine.dispose()
        target_engine.dispose()


def copy_order() -> list[Table]:
    """The store's tables, parents before children; refuses a table it does not know how to move."""
    unknown = sorted(set(Base.metadata.tables) - set(KNOWN_TABLES))
    if unknown:
        raise StoreMigrationError(
            f"migrate-store does not know the table(s) {', '.join(unknown)}",
            "add them to KNOWN_TABLES in mwo/management/store_migration.py (a bug of this version)",
        )
    return list(Base.metadata.sorted_tables)


# --- checks ---------------------------------------------------------------------------------------


def _target_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreMigrationError(
            f"{raw!r} is not a database URL", "pass --to postgresql+psycopg://USER@HOST:5432/DATABASE"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise StoreMigrationError(
            f"the target must be PostgreSQL, not {url.get_backend_name()}",
            "pass --to postgresql+psycopg://USER@HOST:5432/DATABASE",
        )
    if url.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2; MWO ships psycopg 3
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise StoreMigrationError(
            f"driver {url.drivername} is not supported", "use postgresql+psycopg://... (psycopg 3)"
        )
    return url


def _source_engine(settings: Settings) -> Engine:
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() != "sqlite":
        raise StoreMigrationError(
            "this install's store is already on "
            f"{url.get_backend_name()} ({url.render_as_string(hide_password=True)})",
            "migrate-store moves an embedded SQLite install: run it with the MWO_HOME (and no "
            "MWO_DATABASE_URL) of that install",
        )
    if not url.database or not Path(url.database).expanduser().is_file():
        raise StoreMigrationError(
            f"there is no store to move at {url.database}",
            "set MWO_HOME to the home of the install to move (it holds mwo.db)",
        )
    engine = create_store_engine(settings)
    revision = Database(engine).schema_revision()
    if revision != SCHEMA_HEAD:
        engine.dispose()
        raise StoreMigrationError(
            f"the store at {url.database} is at schema revision {revision}, "
            f"this version writes {SCHEMA_HEAD}",
            "run `mwo doctor` once with this version (it upgrades the store), then migrate-store again",
        )
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names()) - {"alembic_version"}
    unknown = sorted(present - set(KNOWN_TABLES) - set(SQLITE_CHECKPOINT_TABLES))
    if unknown:
        engine.dispose()
        raise StoreMigrationError(
            f"the store has table(s) this version does not know: {', '.join(unknown)}",
            "run migrate-store with the MWO version that wrote this store",
        )
    return engine


@contextmanager
def _reaching(target: URL) -> Iterator[None]:
    """Turns "cannot connect" into a message naming the target and what to check."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StoreMigrationError(
            f"cannot use PostgreSQL at {target.render_as_string(hide_password=True)}: {reason}",
            "check the URL, that the server runs and that the database exists (createdb NAME)",
        ) from None


def _refuse_non_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        _refuse_rows(connection)


def _refuse_rows(connection: Connection) -> None:
    present = set(inspect(connection).get_table_names())
    holding = [
        name
        for name in [*KNOWN_TABLES, *CHECKPOINT_TABLES]
        if name in present and connection.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')).scalar()
    ]
    if holding:
        raise TargetNotEmpty(
            f"the target already holds MWO data (in {', '.join(holding)}); migrate-store copies only "
            "into an empty database",
            "if an earlier migrate-store finished, nothing is left to do: set MWO_DATABASE_URL to it; "
            "otherwise drop and create the target database (or point --to at a new one) and run again",
        )


def _source_checkpoints(settings: Settings, dry_run: bool) -> CheckpointCounts:
    """The source's checkpoints, in its store's file; those an older install kept in a file of
    their own are moved in first (as the engine does when it opens), or only counted in a dry run."""
    legacy = settings.resolved_legacy_checkpoint_path()
    if not dry_run:
        from mwo.engine.checkpoints import open_checkpointer

        open_checkpointer(settings).close()  # sets up the tables and moves a legacy file in
    counts = count_sqlite_checkpoints(settings.resolved_checkpoint_path())
    if dry_run and legacy.is_file():
        kept_apart = count_sqlite_checkpoints(legacy)
        counts = CheckpointCounts(
            counts.checkpoints + kept_apart.checkpoints, counts.writes + kept_apart.writes
        )
    return counts


# --- the copy -------------------------------------------------------------------------------------


def _create_schema(settings: Settings, target: URL, engine: Engine) -> None:
    """The schema `mwo serve` would create: Alembic to head, then the checkpointer's tables."""
    from mwo.engine.checkpoints import open_checkpointer

    Database(engine).upgrade_schema()
    target_settings = settings.model_copy(
        update={"database_url": target.render_as_string(hide_password=False)}
    )
    open_checkpointer(target_settings).close()


def _copy_all(
    source: Engine, target: Engine, tables: Sequence[Table], checkpoint_path: Path, batch_size: int
) -> tuple[dict[str, _Digest], CheckpointCounts]:
    """The copy in one target transaction, read from one source transaction (SQLite's WAL gives it a
    consistent snapshot); returns what was sent, table by table, for the verification."""
    sent: dict[str, _Digest] = {}
    with target.begin() as connection, source.connect() as reader:
        connection.execute(select(func.pg_advisory_xact_lock(_SAFETY_LOCK_ID)))
        _refuse_rows(connection)  # again, under the lock: a concurrent run may have won
        for table in tables:
            sent[table.name] = _copy_table(reader, connection, table, batch_size)
        checkpoints = copy_checkpoints(checkpoint_path, connection.connection.driver_connection, batch_size)
        for table in tables:
            _advance_sequence(connection, table)
    return sent, checkpoints


def _copy_table(reader: Connection, writer: Connection, table: Table, batch_size: int) -> _Digest:
    """Rows go through the table's own column types both ways: timestamps stay the same instants,
    ciphertexts and hashes the same strings. A column pointing at its own table (a retry's original
    run) is filled in afterwards, so the order rows arrive in never breaks its foreign key."""
    self_refs = [fk.parent for fk in table.foreign_keys if fk.column.table is table]
    primary_key = list(table.primary_key.columns)
    later: dict[str, list[dict[str, Any]]] = {column.key: [] for column in self_refs}
    digest = _Digest()
    result = reader.execution_options(yield_per=batch_size).execute(select(table).order_by(*primary_key))
    for batch in result.mappings().partitions():
        rows = [dict(row) for row in batch]
        for row in rows:
            digest.add([row[column.key] for column in table.columns])
        for row, column in ((row, column) for row in rows for column in self_refs):
            if row[column.key] is not None:
                keys = {f"pk_{c.key}": row[c.key] for c in primary_key}
                later[column.key].append({**keys, "value": row[column.key]})
                row[column.key] = None
        writer.execute(insert(table), rows)
    where = [c == bindparam(f"pk_{c.key}") for c in primary_key]
    for key, pending in later.items():
        if pending:
            writer.execute(update(table).where(*where).values({key: bindparam("value")}), pending)
    return digest


def _advance_sequence(connection: Connection, table: Table) -> None:
    """Ids were given explicitly, so PostgreSQL's sequences never moved: start them after the last."""
    column = table.autoincrement_column
    if column is None:
        return
    connection.execute(
        text(
            f'SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX("{column.name}"), 0) + 1, '
            f'false) FROM "{table.name}"'
        ),
        {"table": table.name, "column": column.name},
    )


# --- counting and verifying -----------------------------------------------------------------------


def _source_counts(engine: Engine, tables: Iterable[Table]) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one()) for t in tables
        }


class _Digest:
    """Row count and the sum of each row's SHA-256 (order-free: SQLite and PostgreSQL sort text
    differently), over every column as the table's own types read it."""

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, values: Iterable[Any]) -> None:
        encoded = json.dumps([_comparable(v) for v in values], sort_keys=True, ensure_ascii=False)
        self.total = (self.total + int.from_bytes(hashlib.sha256(encoded.encode()).digest(), "big")) % (
            1 << 256
        )
        self.rows += 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Digest) and (self.rows, self.total) == (other.rows, other.total)

    __hash__ = None  # type: ignore[assignment]


def _verify(target: Engine, tables: Sequence[Table], sent: dict[str, _Digest]) -> list[TableCopy]:
    """Re-read every copied table after the commit and compare it with what was sent."""
    results: list[TableCopy] = []
    with target.connect() as connection:
        for table in tables:
            found = _Digest()
            for row in connection.execution_options(yield_per=DEFAULT_BATCH_SIZE).execute(select(table)):
                found.add(row)
            expected = sent[table.name]
            if found != expected:
                raise StoreMigrationError(
                    f"table {table.name}: the target holds {found.rows} rows, {expected.rows} were copied"
                    + ("" if found.rows != expected.rows else " (same count, different contents)"),
                    "something wrote to the target during the copy: stop it, drop and create the target "
                    "database and run migrate-store again",
                )
            results.append(TableCopy(table.name, expected.rows, found.rows, True))
    return results


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _target_checkpoints(engine: Engine) -> CheckpointCounts:
    with engine.connect() as connection:
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            return count_postgres_checkpoints(cursor)


def _knowledge_documents(catalog: Path) -> int:
    if not catalog.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "KNOWN_TABLES",
    "MigrationReport",
    "StoreMigrationError",
    "TableCopy",
    "TargetNotEmpty",
    "copy_order",
    "migrate_store",
]
