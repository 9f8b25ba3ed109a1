"""The backend fixtures of the store contract, shared by every contract file in this folder: each
test runs on a fresh SQLite file and on a fresh PostgreSQL schema (dropped afterwards), and on a fresh
in-memory store when the file's interface (its module's `CONTRACT`) is one `MemoryStore` implements
and the test looks at nothing but the store (a test taking `backend` reads the database itself)."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from mwo.settings import Settings
from mwo.store import Store, open_store
from mwo.store.memory import MemoryState, MemoryStore
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


SQL_BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test using the store runs on each SQL backend, and in memory when the memory store has
    its file's whole interface (`CONTRACT`)."""
    if "backend" not in metafunc.fixturenames:
        return
    contract = getattr(metafunc.module, "CONTRACT", None)
    reads_the_database = "backend" in inspect.signature(metafunc.function).parameters
    in_memory = contract is not None and contract in MemoryStore.__mro__ and not reads_the_database
    metafunc.parametrize("backend", ["memory", *SQL_BACKENDS] if in_memory else SQL_BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        state = MemoryState()
        yield Backend(
            MemoryStore(state, run_lease_s=LEASE_S),
            _settings(tmp_path, None),
            lambda: MemoryStore(state, run_lease_s=LEASE_S),
        )
        return
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


def _settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        run_lease_s=LEASE_S,
        secret_key=None,
        _env_file=None,
    )


def _open(tmp_path: Path, database_url: str | None) -> Iterator[Backend]:
    settings = _settings(tmp_path, database_url)
    store = open_store(settings)
    try:
        yield Backend(store, settings, lambda: open_store(settings))
    finally:
        store.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


@pytest.fixture
def another_store(backend: Backend) -> Callable[[], Store]:
    return backend.open_another
