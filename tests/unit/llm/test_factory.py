"""The factory picks the chat model by settings; the key comes from a setting or a secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from mwo.llm.errors import LlmConfigError
from mwo.llm.factory import make_chat_model
from mwo.llm.fake import FakeChatModel
from mwo.llm.local import LocalChatModel
from mwo.llm.openai_compat import OpenAICompatChatModel
from mwo.llm.service import LlmService
from mwo.settings import Settings

from ...conftest import FIXED_NOW


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(home=tmp_path, _env_file=None, **values)  # type: ignore[call-arg]


def test_local_is_the_default_and_nothing_is_loaded_yet(tmp_path: Path) -> None:
    settings = _settings(tmp_path, llm_model_dir=tmp_path / "models")
    service = LlmService(settings.llm, None)
    model = service.chat_model()
    assert isinstance(model, LocalChatModel) and isinstance(model, BaseChatModel)
    assert model.host is service.local  # one loaded model per service, shared by its chat models
    assert not service.local.loaded
    assert service.local.files.path.parent == tmp_path / "models"


def test_openai_compatible_by_settings_with_the_key_from_a_secret(tmp_path: Path, store: Any) -> None:
    store.set_secret("OPENAI_API_KEY", "sk-from-secret", FIXED_NOW)
    settings = _settings(
        tmp_path, llm_provider="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="m1"
    )
    model = make_chat_model(settings.llm, secrets=store)
    assert isinstance(model, OpenAICompatChatModel)
    assert model.model_name == "m1" and model.base_url == "http://127.0.0.1:9/v1"
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-from-secret"
    assert make_chat_model(settings.llm, secrets=store, model="m2").model_name == "m2"  # type: ignore[attr-defined]


def test_the_key_setting_wins_over_the_secret(tmp_path: Path, store: Any) -> None:
    store.set_secret("OPENAI_API_KEY", "sk-from-secret", FIXED_NOW)
    settings = _settings(
        tmp_path, llm_provider="openai", llm_base_url="http://x/v1", llm_model="m", llm_api_key="sk-env"
    )
    model = make_chat_model(settings.llm, secrets=store)
    assert isinstance(model, OpenAICompatChatModel)
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-env"
    assert model.key_source == "MWO_LLM_API_KEY"


@pytest.mark.parametrize(
    ("values", "names"),
    [({"llm_model": "m"}, "MWO_LLM_BASE_URL"), ({"llm_base_url": "http://x/v1"}, "MWO_LLM_MODEL")],
)
def test_an_incomplete_endpoint_setting_names_what_to_set(
    tmp_path: Path, values: dict[str, Any], names: str
) -> None:
    with pytest.raises(LlmConfigError) as caught:
        make_chat_model(_settings(tmp_path, llm_provider="openai", **values).llm)
    assert names in caught.value.fix


def test_fake_by_settings(tmp_path: Path) -> None:
    assert isinstance(make_chat_model(_settings(tmp_path, llm_provider="fake").llm), FakeChatModel)
