"""The backend fixtures of the store contract, shared by every contract file in this folder: each
test runs on a fresh SQLite file and on a fresh PostgreSQL schema (dropped afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.settings import Settings
from mwo.store import Store, open_store
from tests.contract.support import LEASE_S, POSTGRES_URL, Backend


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc.orig).__name__}); "
            "start it or point MWO_TEST_POSTGRES_URL at a server"
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield from _open(tmp_path, database_url=None)
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield from _open(tmp_path, database_url=url.render_as_string(hide_password=False))
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))


def _open(tmp_path: Path, database_url: str | None) -> Iterator[Backend]:
    settings = Settings(
        home=tmp_path / "home",
        database_url=database_url,
        run_lease_s=LEASE_S,
        secret_key=None,
        _env_file=None,
    )
    store = open_store(settings)
    try:
        yield Backend(store, settings)
    finally:
        store.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store
