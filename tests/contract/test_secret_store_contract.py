"""The SecretStore contract on every backend: values encrypted at rest, names checked, names listed
and never values."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mwo.store import (
    NotFound,
    Store,
)
from mwo.store.abc import SecretStore
from mwo.store.secret_key import load_fernet
from mwo.store.tables import SecretRow
from tests.contract.support import T0, Backend, at

CONTRACT = SecretStore


# --- secrets ---------------------------------------------------------------------------------------


def test_secrets_round_trip_and_listing_shows_names_only(store: Store) -> None:
    store.set_secret("NAVER_CLIENT_SECRET", "s3cr3t-값", T0)
    store.set_secret("A_TOKEN", "first", T0)
    store.set_secret("A_TOKEN", "second", at(1))

    assert store.reveal_secret("NAVER_CLIENT_SECRET") == "s3cr3t-값"
    assert store.reveal_secret("A_TOKEN") == "second"
    assert store.list_secret_names() == ["A_TOKEN", "NAVER_CLIENT_SECRET"]


def test_the_secrets_table_holds_ciphertext_only(backend: Backend) -> None:
    backend.store.set_secret("SMTP_PASSWORD", "hunter2-plaintext", T0)

    engine = backend.raw_engine()
    try:
        with engine.connect() as connection:
            name, ciphertext = connection.execute(select(SecretRow.name, SecretRow.ciphertext)).one()
    finally:
        engine.dispose()

    assert name == "SMTP_PASSWORD"
    assert "hunter2" not in ciphertext
    assert load_fernet(backend.settings).decrypt(ciphertext.encode()) == b"hunter2-plaintext"


def test_secret_names_are_checked_and_deleting_works(store: Store) -> None:
    for bad in ("lower", "1ABC", "WITH-DASH", "", "A B"):
        with pytest.raises(ValueError, match="invalid secret name"):
            store.set_secret(bad, "x", T0)
    store.set_secret("TO_DELETE", "x", T0)

    store.delete_secret("TO_DELETE")

    assert store.list_secret_names() == []
    with pytest.raises(NotFound) as missing:
        store.reveal_secret("TO_DELETE")
    assert "mwo secrets set TO_DELETE" in missing.value.fix
    with pytest.raises(NotFound):
        store.delete_secret("TO_DELETE")
