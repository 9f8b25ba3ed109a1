"""Which language model answers and in what state it is: what `mwo llm status` prints and the UI's
Settings page shows (without loading the model)."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from mwo.llm.errors import LlmError
from mwo.llm.model_files import MODEL_NAME, MODEL_SHA256, MODEL_SIZE, PART_COUNT, ModelFiles, part_paths
from mwo.settings import LlmSettings


def llm_status(settings: LlmSettings) -> dict[str, Any]:
    """The provider and, for the local model, its file's state; for an endpoint, where and which model."""
    info: dict[str, Any] = {"provider": settings.provider}
    if settings.provider == "openai":
        key = "MWO_LLM_API_KEY" if settings.api_key else f"secret {settings.api_key_secret}"
        info.update(base_url=settings.base_url, model=settings.model, key_from=key)
        return info
    if settings.provider == "fake":
        return info
    files = ModelFiles(settings.model_dir)
    state = files.status()
    try:
        parts = len(part_paths())
    except LlmError:
        parts = 0
    info.update(
        model=MODEL_NAME,
        path=str(state.path),
        assembled=state.exists,
        size=state.size,
        expected_size=MODEL_SIZE,
        sha256=MODEL_SHA256,
        verified=state.verified,
        parts_installed=f"{parts}/{PART_COUNT}",
        llama_cpp_python=package_version("llama-cpp-python"),
        loaded=False,
        loading="in each process on its first call (~1 s; the file is memory-mapped)",
        prompt_cache=settings.prompt_cache,
    )
    return info


def package_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
