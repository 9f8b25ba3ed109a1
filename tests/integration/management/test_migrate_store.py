"""`mwo migrate-store`: an embedded SQLite install moved into a real PostgreSQL (a fresh schema per
test, dropped afterwards), then used by the PostgreSQL-backed services as if nothing happened."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema
from typer.testing import CliRunner

from mwo.auth.tokens import TokenService
from mwo.cli import app
from mwo.clock import utc_now
from mwo.knowledge.catalog import Catalog
from mwo.knowledge.records import Chunk, DocumentRecord
from mwo.management import store_migration
from mwo.management.store_migration import KNOWN_TABLES, TargetNotEmpty, migrate_store
from mwo.services import Services
from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.store.records import RunStatus, TokenScope

POSTGRES_URL = os.environ.get("MWO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

pytestmark = pytest.mark.postgres


@pytest.fixture
def target_url() -> Iterator[str]:
    """A URL into a new, empty schema of the test database."""
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    schema = f"m_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.execute(CreateSchema(schema))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(exc.orig).__name__}")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
        admin.dispose()


def flow(description: str) -> dict[str, Any]:
    return {
        "name": "moving-flow",
        "description": description,
        "trigger": {"type": "cron", "cron": "0 9 * * *", "timezone": "Asia/Seoul"},
        "inputs": {"who": {"default": "세계"}},
        "steps": [
            {"id": "ask", "type": "APPROVAL", "message": "send to {{ inputs.who }}?"},
            {"id": "send", "type": "NOTIFICATION", "channel": "inbox", "body": "안녕 {{ inputs.who }}"},
        ],
    }


@dataclass
class Install:
    """What the SQLite install held before the move."""

    settings: Settings
    waiting_run: str
    token: str
    counts: dict[str, int]


@pytest.fixture
def install(tmp_path: Path) -> Install:
    settings = Settings(home=tmp_path / "home", secret_key=None, _env_file=None)  # type: ignore[call-arg]
    services = Services.open(settings)
    try:
        services.applier.apply_workflow(workflow_from_data(flow("first")))
        services.applier.apply_workflow(workflow_from_data(flow("second")))
        done = services.runs.start("moving-flow")
        services.runs.approve(done.id, "kim")
        rejected = services.runs.start("moving-flow")
        services.runs.reject(rejected.id, "kim")
        waiting = services.runs.retry(rejected.id)  # retry_of points at another run of the same table
        assert waiting.status is RunStatus.WAITING_APPROVAL
        services.store.set_secret("KAKAO_TOKEN", "s3cret-값", utc_now())
        token = TokenService(services.store).issue("ci", TokenScope.WRITE).token
    finally:
        services.close()
    catalog = Catalog(settings.resolved_knowledge_dir() / "catalog.db")
    try:
        catalog.add_document(
            DocumentRecord("doc1", "common", "notes.md", "Notes", "ab" * 32, 1, "md", "2026-12-01T00:00:00Z"),
            [Chunk("doc1:0", "doc1", "common", "hello", "notes.md", "Notes")],
            [["hello"]],
        )
    finally:
        catalog.close()
    engine = create_engine(settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            counts = {
                name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in KNOWN_TABLES
            }
    finally:
        engine.dispose()
    return Install(settings, waiting.id, token, counts)


def on_postgres(install: Install, target_url: str) -> Settings:
    return install.settings.model_copy(update={"database_url": target_url})


def target_counts(target_url: str) -> dict[str, int]:
    engine = create_engine(target_url)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {
                name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in [*KNOWN_TABLES, "checkpoints", "checkpoint_writes"]
                if name in present
            }
    finally:
        engine.dispose()


def test_the_moved_install_works_on_postgres(install: Install, target_url: str) -> None:
    report = migrate_store(install.settings, target_url, batch_size=2)  # several batches per table

    assert {t.table: t.source for t in report.tables} == install.counts
    assert all(t.verified and t.target == t.source for t in report.tables)
    assert report.checkpoints.checkpoints > 0
    assert report.checkpoints_copied == report.checkpoints
    assert report.knowledge_documents == 1
    assert install.counts["runs"] == 3 and install.counts["step_runs"] >= 4
    assert install.counts["workflow_versions"] == 2 and install.counts["schedules"] == 1

    services = Services.open(on_postgres(install, target_url))
    try:
        assert services.store.reveal_secret("KAKAO_TOKEN") == "s3cret-값"  # same key, same ciphertext
        assert TokenService(services.store).authenticate(install.token).name == "ci"
        schedule = services.store.get_schedule("moving-flow")
        assert schedule.spec.cron == "0 9 * * *" and schedule.next_fire_at is not None
        assert services.store.get_version("moving-flow").number == 2
        # The run waiting on SQLite continues on PostgreSQL from its copied checkpoint...
        done = services.runs.approve(install.waiting_run, "lee")
        assert done.status is RunStatus.SUCCEEDED
        assert [r.step_id for r in services.store.list_step_runs(done.id)] == ["ask", "send"]
        assert [m.body for m in services.store.list_messages()] == ["안녕 세계", "안녕 세계"]
        # ...and new rows get ids after the copied ones (the sequences were moved on).
        services.applier.apply_workflow(workflow_from_data({**flow("third"), "name": "another-flow"}))
        assert services.runs.start("another-flow").status is RunStatus.WAITING_APPROVAL
    finally:
        services.close()


def test_mwo_list_and_json_output_after_the_cli_moves_it(
    install: Install, target_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MWO_HOME", str(install.settings.home))
    monkeypatch.delenv("MWO_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    moved = runner.invoke(app, ["migrate-store", "--to", target_url, "--json"])
    assert moved.exit_code == 0, moved.output
    payload = json.loads(moved.stdout)
    assert payload["ok"] is True and payload["dry_run"] is False
    assert {t["table"]: t["target"] for t in payload["tables"]} == install.counts
    assert payload["secrets"]["copied_encrypted"] is True
    assert payload["knowledge"] == {
        "documents": 1,
        "dir": str(install.settings.resolved_knowledge_dir()),
        "in_database": False,
    }

    monkeypatch.setenv("MWO_DATABASE_URL", target_url)
    listed = runner.invoke(app, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [w["name"] for w in json.loads(listed.stdout)["workflows"]] == ["moving-flow"]


def test_a_second_run_is_refused_and_changes_nothing(
    install: Install, target_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    migrate_store(install.settings, target_url)
    before = target_counts(target_url)

    with pytest.raises(TargetNotEmpty) as refused:
        migrate_store(install.settings, target_url)
    assert "already holds MWO data" in str(refused.value) and "drop and create" in refused.value.fix
    assert target_counts(target_url) == before

    monkeypatch.setenv("MWO_HOME", str(install.settings.home))
    monkeypatch.delenv("MWO_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["migrate-store", "--to", target_url])
    assert result.exit_code == 1
    assert "error:" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.output
    as_json = CliRunner().invoke(app, ["migrate-store", "--to", target_url, "--json"])
    assert json.loads(as_json.stdout)["error"]["code"] == "target_not_empty"
    assert target_counts(target_url) == before


def test_a_copy_that_fails_midway_leaves_no_rows_and_can_be_run_again(
    install: Install, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        raise OSError("disk full")  # after every store table was inserted, before the commit

    with monkeypatch.context() as patched:
        patched.setattr(store_migration, "copy_checkpoints", broken)
        with pytest.raises(OSError):
            migrate_store(install.settings, target_url)
    assert set(target_counts(target_url).values()) == {0}  # the schema exists, no row does

    report = migrate_store(install.settings, target_url)
    assert all(t.verified for t in report.tables)


def test_the_verification_compares_contents_not_only_counts(
    install: Install, target_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    advance = store_migration._advance_sequence

    def tampering(connection: Any, table: Any) -> None:
        if table.name == "secrets":  # a ciphertext changed on the way: same count, other bytes
            connection.execute(text("UPDATE secrets SET ciphertext = ciphertext || 'x'"))
        advance(connection, table)

    monkeypatch.setattr(store_migration, "_advance_sequence", tampering)
    with pytest.raises(store_migration.StoreMigrationError) as failed:
        migrate_store(install.settings, target_url)
    assert "table secrets" in str(failed.value) and "different contents" in str(failed.value)


def test_a_dry_run_counts_and_writes_nothing(install: Install, target_url: str) -> None:
    report = migrate_store(install.settings, target_url, dry_run=True)

    assert report.dry_run and {t.table: t.source for t in report.tables} == install.counts
    assert all(t.target is None for t in report.tables)
    assert report.checkpoints_copied is None
    assert target_counts(target_url) == {}  # not even the schema was created


def test_an_unreachable_target_is_one_line_with_a_fix(install: Install) -> None:
    from mwo.management.store_migration import StoreMigrationError

    with pytest.raises(StoreMigrationError) as failed:
        migrate_store(install.settings, "postgresql+psycopg://postgres@127.0.0.1:1/none", dry_run=True)
    assert "cannot use PostgreSQL at" in str(failed.value) and "createdb" in failed.value.fix
