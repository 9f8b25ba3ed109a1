"""The settings' sub-views (`settings.smtp`, `.llm`, `.kb`, `.sandbox`): the flat fields' values,
from whichever source set them, grouped and frozen; the flat names stay the contract."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from mwo.sandbox import config_from_settings, limits_for
from mwo.settings import KbSettings, LlmSettings, SandboxSettings, Settings, SmtpSettings

RENAMED = {"smtp_from": "sender", "http_user_agent": "user_agent"}
"""Flat fields whose view field has another name than the flat one without its prefix."""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MWO_HOME in a fresh directory, no other MWO_* variable, no .env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("MWO_"):
            monkeypatch.delenv(name)
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("MWO_HOME", str(path))
    return path


@pytest.mark.parametrize(
    ("prefix", "view"),
    [("smtp_", SmtpSettings), ("llm_", LlmSettings), ("kb_", KbSettings), ("sandbox_", SandboxSettings)],
)
def test_every_flat_field_of_a_part_is_in_its_view(prefix: str, view: type) -> None:
    """A new MWO_SMTP_* (or LLM, KB, SANDBOX) setting that the view forgot fails here."""
    names = {f.name for f in dataclasses.fields(view)}
    flat = [name for name in Settings.model_fields if name.startswith(prefix)]
    assert flat
    missing = [name for name in flat if RENAMED.get(name, name.removeprefix(prefix)) not in names]
    assert missing == []


def test_the_environment_reaches_the_views(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MWO_SMTP_HOST": "mail.example.com",
        "MWO_SMTP_PORT": "587",
        "MWO_SMTP_USERNAME": "me",
        "MWO_SMTP_STARTTLS": "true",
        "MWO_SMTP_FROM": "bot@example.com",
        "MWO_LLM_PROVIDER": "openai",
        "MWO_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "MWO_LLM_API_KEY": "sk-very-secret",
        "MWO_KB_FUSION": "convex",
        "MWO_KB_DETECT_THRESHOLD": "0.5",
        "MWO_SANDBOX_POOL_SIZE": "0",
        "MWO_SANDBOX_MAX_OUTPUT_MB": "3",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    smtp = settings.smtp
    assert (smtp.host, smtp.port, smtp.username, smtp.starttls, smtp.ssl, smtp.sender) == (
        "mail.example.com",
        587,
        "me",
        True,
        False,
        "bot@example.com",
    )
    llm = settings.llm
    assert (llm.provider, llm.base_url) == ("openai", "http://127.0.0.1:9/v1")
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(llm)  # a logged view does not give the key away
    assert (settings.kb.fusion, settings.kb.detect_threshold) == ("convex", 0.5)
    assert (settings.sandbox.pool_size, settings.sandbox.max_output_mb) == (0, 3)


def test_the_home_settings_file_reaches_the_views(home: Path) -> None:
    (home / "settings.yaml").write_text(
        "smtp_host: from-file.example.com\nllm_model: qwen\nkb_chunk_chars: 900\n"
        "sandbox_require_isolation: true\n",
        encoding="utf-8",
    )
    settings = Settings()
    assert settings.smtp.host == "from-file.example.com"
    assert settings.llm.model == "qwen"
    assert settings.kb.chunk_chars == 900
    assert settings.sandbox.require_isolation is True


def test_paths_arrive_resolved_against_the_home(home: Path) -> None:
    settings = Settings()
    assert settings.kb.knowledge_dir == home / "knowledge"
    assert settings.llm.prompt_cache_dir == home / "llm-prompt-cache"
    assert settings.llm.model_dir == settings.resolved_llm_model_dir()
    assert settings.llm.user_agent == settings.http_user_agent


def test_a_view_is_frozen_and_follows_a_changed_copy(home: Path) -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.smtp.port = 2525  # type: ignore[misc]
    assert settings.model_copy(update={"smtp_port": 2525}).smtp.port == 2525
    assert settings.smtp.port == 25


def test_the_sandbox_is_built_from_its_view(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mwo.sandbox imports nothing of mwo.settings: its protocol and the view must keep one shape."""
    monkeypatch.setenv("MWO_SANDBOX_POOL_SIZE", "5")
    monkeypatch.setenv("MWO_SANDBOX_PYTHON", "/opt/python3")
    monkeypatch.setenv("MWO_SANDBOX_MAX_OUTPUT_MB", "2")
    view = Settings().sandbox
    config = config_from_settings(view)
    assert (config.pool_size, config.python, config.packages, config.require_isolation) == (
        5,
        Path("/opt/python3"),
        None,
        False,
    )
    assert limits_for(view, timeout_s=3.0, memory_mb=64).max_output_bytes == 2 * 1024 * 1024
