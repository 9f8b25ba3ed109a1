"""Preferences: the editable settings checked, saved atomically to <home>/settings.yaml (other keys
kept), read back by Settings, overrides named; the endpoint key goes to the secrets store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mwo.management.preferences import Preference, PreferenceError, Preferences
from mwo.settings import Settings
from tests.conftest import FIXED_NOW

MODEL_KEYS = ("MWO_LANGUAGE", "MWO_TIMEZONE", "MWO_LLM_PROVIDER", "MWO_LLM_BASE_URL", "MWO_LLM_MODEL")


@pytest.fixture
def prefs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Preferences:
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    for name in (*MODEL_KEYS, "MWO_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MWO_HOME", str(tmp_path / "home"))
    return Preferences(Settings())


def shown(prefs: Preferences) -> dict[str, Preference]:
    return {p.key: p for p in prefs.show()}


def test_show_lists_defaults_when_nothing_is_saved(prefs: Preferences) -> None:
    rows = shown(prefs)
    assert list(rows) == ["language", "timezone", "llm_provider", "llm_base_url", "llm_model"]
    assert rows["timezone"].value == "Asia/Seoul" and rows["timezone"].saved is None
    assert rows["llm_base_url"].value is None and rows["llm_provider"].overridden_by is None


def test_save_writes_the_file_settings_read_back(prefs: Preferences) -> None:
    prefs.save(
        {
            "language": "ko",
            "timezone": "Europe/Berlin",
            "llm_provider": "openai",
            "llm_base_url": " http://localhost:11434/v1/ ",
            "llm_model": "llama3.1",
        }
    )
    fresh = Settings()
    assert (fresh.language, fresh.timezone, fresh.llm_provider) == ("ko", "Europe/Berlin", "openai")
    assert fresh.llm_base_url == "http://localhost:11434/v1" and fresh.llm_model == "llama3.1"
    assert shown(prefs)["language"].saved == "ko"
    assert prefs.path.read_text(encoding="utf-8").startswith("# MWO settings")
    assert not [p.name for p in prefs.path.parent.iterdir() if p.name.endswith(".tmp")]


def test_save_keeps_keys_it_does_not_edit_and_clears_with_empty_values(prefs: Preferences) -> None:
    prefs.path.parent.mkdir(parents=True)
    prefs.path.write_text("smtp_host: mail.example.com\nllm_model: old\n", encoding="utf-8")
    prefs.save({"llm_model": "", "language": "ko"})
    data: dict[str, Any] = yaml.safe_load(prefs.path.read_text(encoding="utf-8"))
    assert data == {"smtp_host": "mail.example.com", "language": "ko"}
    assert Settings().smtp_host == "mail.example.com"


def test_an_environment_variable_is_named_as_the_override(
    prefs: Preferences, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefs.save({"timezone": "Europe/Berlin"})
    monkeypatch.setenv("MWO_TIMEZONE", "America/New_York")
    row = shown(prefs)["timezone"]
    assert (row.value, row.saved, row.overridden_by) == ("America/New_York", "Europe/Berlin", "MWO_TIMEZONE")


@pytest.mark.parametrize(
    ("changes", "says", "fix"),
    [
        ({"timezone": "Mars/Olympus"}, "not an IANA time zone", "Asia/Seoul"),
        ({"timezone": "../../etc/passwd"}, "not an IANA time zone", "UTC"),
        ({"language": "fr"}, "language cannot be 'fr'", "en, ko"),
        ({"llm_provider": "fake"}, "llm_provider cannot be 'fake'", "local, openai"),
        ({"llm_base_url": "ftp://example.com/v1"}, "not an http(s) URL", "https://"),
        ({"llm_base_url": "localhost:11434"}, "not an http(s) URL", "http://"),
        ({"llm_base_url": "http://exa mple.com"}, "is not a URL", "http(s) URL"),
        ({"llm_base_url": "http://example.com:port/v1"}, "is not a URL", "http(s) URL"),
        ({"llm_base_url": "https://user:pw@example.com/v1"}, "plain text", "API key"),
        ({"llm_model": "a\nb"}, "one line", "gpt-4o-mini"),
        ({"llm_model": "m" * 201}, "one line", "gpt-4o-mini"),
        ({"llm_api_key_secret": "X"}, "not a setting that can be saved here", "language"),
    ],
)
def test_bad_values_are_refused_with_a_fix_and_nothing_is_written(
    prefs: Preferences, changes: dict[str, str], says: str, fix: str
) -> None:
    with pytest.raises(PreferenceError) as raised:
        prefs.save(changes)
    assert says in raised.value.message and fix in raised.value.fix
    assert raised.value.code == "setting_invalid"
    assert not prefs.path.exists()


def test_the_endpoint_provider_needs_a_url_and_a_model(prefs: Preferences) -> None:
    with pytest.raises(PreferenceError, match="needs its URL"):
        prefs.save({"llm_provider": "openai", "llm_model": "gpt-4o-mini"})
    with pytest.raises(PreferenceError, match="needs a model name"):
        prefs.save({"llm_provider": "openai", "llm_base_url": "https://api.openai.com/v1"})
    assert not prefs.path.exists()


def test_the_endpoint_url_may_come_from_the_environment(
    prefs: Preferences, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MWO_LLM_BASE_URL", "https://api.openai.com/v1")
    prefs.save({"llm_provider": "openai", "llm_model": "gpt-4o-mini"})
    assert Settings().llm_provider == "openai"


def test_a_candidate_is_unsaved_and_carries_the_typed_key(prefs: Preferences) -> None:
    candidate = prefs.candidate(
        {"llm_provider": "openai", "llm_base_url": "https://h.example/v1", "llm_model": "m"}, api_key=" sk-1 "
    )
    assert candidate.llm_provider == "openai" and candidate.llm_base_url == "https://h.example/v1"
    assert candidate.llm_api_key is not None and candidate.llm_api_key.get_secret_value() == "sk-1"
    assert not prefs.path.exists()
    with pytest.raises(PreferenceError):
        prefs.candidate({"llm_base_url": "nope"})


def test_the_api_key_goes_to_the_secrets_store_not_the_file(prefs: Preferences, store: Any) -> None:
    prefs.save({"llm_provider": "openai", "llm_base_url": "https://h.example/v1", "llm_model": "m"})
    name = prefs.save_api_key(store, "sk-secret-123", FIXED_NOW)
    assert name == "OPENAI_API_KEY" and store.reveal_secret(name) == "sk-secret-123"
    assert "sk-secret-123" not in prefs.path.read_text(encoding="utf-8")
    with pytest.raises(PreferenceError, match="API key"):
        prefs.save_api_key(store, "two\nlines", FIXED_NOW)


def test_the_stored_key_reaches_the_openai_provider(prefs: Preferences, store: Any) -> None:
    from mwo.llm.factory import make_chat_model

    prefs.save({"llm_provider": "openai", "llm_base_url": "https://h.example/v1", "llm_model": "m"})
    prefs.save_api_key(store, "sk-secret-123", FIXED_NOW)
    model = make_chat_model(Settings().llm, secrets=store)
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-secret-123"  # type: ignore[attr-defined]
    assert not prefs.api_key_overridden()


def test_a_file_that_cannot_be_written_is_a_fixable_error(prefs: Preferences) -> None:
    import os

    prefs.path.parent.mkdir(parents=True)
    (prefs.path.parent / f".settings.yaml.{os.getpid()}.tmp").mkdir()  # the partial file cannot be made
    with pytest.raises(PreferenceError, match="cannot write") as raised:
        prefs.save({"language": "ko"})
    assert "writable" in raised.value.fix and not prefs.path.exists()
