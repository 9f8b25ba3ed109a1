"""The one factory for chat models: which kind answers is a setting (MWO_LLM_PROVIDER).

- `local` (default): the embedded llama.cpp model; no key, no network. The caller passes the
  LocalModel it owns, so the loaded model is shared by every chat model of the process.
- `openai`: any OpenAI-compatible endpoint (MWO_LLM_BASE_URL, MWO_LLM_MODEL); the key is
  MWO_LLM_API_KEY, or the secret named by MWO_LLM_API_KEY_SECRET (a server without keys needs none).
- `fake`: the scripted fake, for tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from mwo.llm.errors import LlmConfigError
from mwo.llm.fake import FakeChatModel, FakeReply
from mwo.llm.local import LocalChatModel, LocalModel
from mwo.llm.model_files import ModelFiles
from mwo.llm.openai_compat import OpenAICompatChatModel
from mwo.settings import LlmSettings
from mwo.store.abc import SecretStore
from mwo.store.errors import NotFound


def local_model(settings: LlmSettings) -> LocalModel:
    """A LocalModel configured by settings (nothing is loaded until its first call)."""
    return LocalModel(
        ModelFiles(settings.model_dir),
        context_tokens=settings.context_tokens,
        threads=settings.threads,
        prompt_cache=settings.prompt_cache,
        prompt_cache_bytes=settings.prompt_cache_mb << 20,
        prompt_cache_dir=settings.prompt_cache_dir,
    )


def make_chat_model(
    settings: LlmSettings,
    *,
    local: LocalModel | None = None,
    secrets: SecretStore | None = None,
    model: str | None = None,
) -> BaseChatModel:
    """The chat model settings ask for; `model` (a step's choice) overrides the endpoint's model name."""
    if settings.provider == "local":
        return LocalChatModel(host=local or local_model(settings))
    if settings.provider == "fake":
        script = [] if settings.fake_script is None else _next_scripted(settings.fake_script)
        return FakeChatModel(script=script)
    if not settings.base_url:
        raise LlmConfigError(
            "MWO_LLM_PROVIDER=openai needs an endpoint, and MWO_LLM_BASE_URL is not set",
            "set MWO_LLM_BASE_URL (e.g. https://api.openai.com/v1), or MWO_LLM_PROVIDER=local",
        )
    name = model or settings.model
    if not name:
        raise LlmConfigError(
            "MWO_LLM_PROVIDER=openai needs a model name, and MWO_LLM_MODEL is not set",
            "set MWO_LLM_MODEL (e.g. gpt-4o-mini), or `model:` on the step",
        )
    key, source = _api_key(settings, secrets)
    return OpenAICompatChatModel(
        base_url=settings.base_url,
        model_name=name,
        api_key=key,
        key_source=source,
        timeout_s=settings.timeout_s,
        user_agent=settings.user_agent,
    )


def _next_scripted(path: Path) -> list[FakeReply | str]:
    """The first reply of the script file, removed from it (a chat model is made per call, so the file
    is what moves the script on, across calls and processes); [] when the file is empty or missing."""
    try:
        replies = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(replies, list) or not replies:
        return []
    first, rest = replies[0], replies[1:]
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(rest, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)
    if isinstance(first, dict):
        reason = str(first.get("finish_reason", "stop"))
        return [FakeReply(text=str(first.get("text", "")), finish_reason=reason)]
    return [str(first)]


def _api_key(settings: LlmSettings, secrets: SecretStore | None) -> tuple[SecretStr | None, str]:
    if settings.api_key is not None:
        return settings.api_key, "MWO_LLM_API_KEY"
    source = f"secret {settings.api_key_secret}"
    if secrets is None:
        return None, source
    try:
        return SecretStr(secrets.reveal_secret(settings.api_key_secret)), source
    except NotFound:
        return None, f"{source} (not set)"


__all__ = ["local_model", "make_chat_model"]
