"""The home settings file (<home>/settings.yaml) as a settings source: below init arguments, the
environment and `.env`, above the defaults; absent, nothing changes; broken, a FixableError."""

from __future__ import annotations

from pathlib import Path

import pytest

from mwo.errors import FixableError
from mwo.settings import Settings
from mwo.settings_file import MAX_SETTINGS_FILE_BYTES, SettingsFileError, read_settings_file


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MWO_HOME in a fresh directory, no MWO_* variables about language or the model, no .env."""
    monkeypatch.chdir(tmp_path)
    for name in ("MWO_LANGUAGE", "MWO_TIMEZONE", "MWO_LLM_PROVIDER", "MWO_LLM_BASE_URL", "MWO_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("MWO_HOME", str(path))
    return path


def write(home: Path, text: str) -> None:
    (home / "settings.yaml").write_text(text, encoding="utf-8")


def test_without_a_file_the_defaults_stand(home: Path) -> None:
    settings = Settings()
    assert settings.resolved_settings_file() == home / "settings.yaml"
    assert (settings.language, settings.timezone, settings.llm_provider) == ("en", "Asia/Seoul", "local")


def test_the_file_beats_the_defaults(home: Path) -> None:
    write(home, "language: ko\ntimezone: Europe/Berlin\nllm_provider: openai\nllm_model: qwen\n")
    settings = Settings()
    assert (settings.language, settings.timezone, settings.llm_provider, settings.llm_model) == (
        "ko",
        "Europe/Berlin",
        "openai",
        "qwen",
    )


def test_the_environment_beats_the_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(home, "llm_model: from-file\ntimezone: Europe/Berlin\n")
    monkeypatch.setenv("MWO_LLM_MODEL", "from-env")
    settings = Settings()
    assert settings.llm_model == "from-env"
    assert settings.timezone == "Europe/Berlin"  # keys the environment does not set still come from the file


def test_dotenv_beats_the_file_and_init_arguments_beat_both(home: Path) -> None:
    write(home, "llm_model: from-file\n")
    Path(".env").write_text("MWO_LLM_MODEL=from-dotenv\n", encoding="utf-8")
    assert Settings().llm_model == "from-dotenv"
    assert Settings(llm_model="from-init").llm_model == "from-init"


def test_the_file_is_read_from_the_home_given_as_an_init_argument(home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-home"
    other.mkdir()
    write(other, "language: ko\n")
    assert Settings(home=other).language == "ko"
    assert Settings().language == "en"  # MWO_HOME's file does not exist


def test_a_home_key_in_the_file_is_ignored(home: Path, tmp_path: Path) -> None:
    write(home, f"home: {tmp_path / 'elsewhere'}\n")
    assert Settings().resolved_home() == home


def test_an_invalid_value_in_the_file_fails_validation(home: Path) -> None:
    write(home, "language: fr\n")
    with pytest.raises(ValueError, match="language"):
        Settings()


@pytest.mark.parametrize(
    ("text", "says"),
    [("language: [ko\n", "not readable YAML"), ("- ko\n- en\n", "must be a mapping")],
)
def test_a_broken_file_is_a_fixable_error_naming_it(home: Path, text: str, says: str) -> None:
    write(home, text)
    with pytest.raises(SettingsFileError, match=says) as raised:
        Settings()
    assert isinstance(raised.value, FixableError)
    assert str(home / "settings.yaml") in raised.value.message and "delete" in raised.value.fix


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("# " + "x" * MAX_SETTINGS_FILE_BYTES + "\n", encoding="utf-8")
    with pytest.raises(SettingsFileError, match="more than"):
        read_settings_file(path)


def test_an_empty_file_is_no_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert read_settings_file(path) == {}
    assert read_settings_file(tmp_path / "missing.yaml") == {}
