"""The secrets key: where it comes from, how it is created, and what a wrong key looks like."""

from __future__ import annotations

import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from mwo.settings import Settings
from mwo.store import InvalidInput, SecretKeyError, open_store
from mwo.store.secret_key import check_secret_name, key_file_path, load_fernet

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def make_settings(tmp_path: Path, secret_key: str | None = None) -> Settings:
    return Settings(home=tmp_path / "home", database_url=None, secret_key=secret_key, _env_file=None)


def test_key_file_is_created_0600_on_first_use_and_reused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    store = open_store(settings)
    try:
        assert not key_file_path(settings).exists()  # opening a store needs no key
        store.set_secret("API_TOKEN", "value-1", NOW)
    finally:
        store.close()
    path = key_file_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_bytes()

    reopened = open_store(settings)
    try:
        assert reopened.reveal_secret("API_TOKEN") == "value-1"
    finally:
        reopened.close()
    assert path.read_bytes() == key


def test_an_existing_key_file_is_never_replaced(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    key = Fernet.generate_key()
    path = key_file_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(key + b"\n")

    token = load_fernet(settings).encrypt(b"x")

    assert Fernet(key).decrypt(token) == b"x"
    assert path.read_bytes() == key + b"\n"


def test_settings_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    key = Fernet.generate_key()
    settings = make_settings(tmp_path, secret_key=key.decode())

    token = load_fernet(settings).encrypt(b"x")

    assert Fernet(key).decrypt(token) == b"x"
    assert not key_file_path(settings).exists()


def test_a_wrong_key_raises_secret_key_error_with_a_fix(tmp_path: Path) -> None:
    store = open_store(make_settings(tmp_path))
    try:
        store.set_secret("API_TOKEN", "value", NOW)
    finally:
        store.close()

    wrong = open_store(make_settings(tmp_path, secret_key=Fernet.generate_key().decode()))
    try:
        with pytest.raises(SecretKeyError, match="API_TOKEN cannot be decrypted") as caught:
            wrong.reveal_secret("API_TOKEN")
    finally:
        wrong.close()
    assert caught.value.code == "secret_key"
    assert "MWO_SECRET_KEY" in caught.value.fix
    assert "mwo secrets set API_TOKEN" in caught.value.fix


def test_a_malformed_key_raises_secret_key_error(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="not a valid Fernet key") as caught:
        load_fernet(make_settings(tmp_path, secret_key="not-a-key"))
    assert "Fernet.generate_key" in caught.value.fix


@pytest.mark.parametrize("name", ["A", "NAVER_CLIENT_ID", "K2_TOKEN_3"])
def test_valid_secret_names(name: str) -> None:
    check_secret_name(name)


@pytest.mark.parametrize("name", ["", "a", "_A", "9A", "A-B", "A B", "Ä"])
def test_invalid_secret_names(name: str) -> None:
    with pytest.raises(InvalidInput, match="invalid secret name") as caught:
        check_secret_name(name)
    assert isinstance(caught.value, ValueError)
    assert "upper-case letters" in caught.value.fix
