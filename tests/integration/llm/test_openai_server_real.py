"""The OpenAI-compatible provider against a real server: llama-cpp-python's own `llama_cpp.server`
with the embedded GGUF, on a loopback port. `mwo llm chat` answers through it and is traced, and
structured output reaches it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.llama_server import LlamaServer, running_llama_server

from mwo.llm.model_files import ModelFiles
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings
from mwo.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.real_llm]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    pytest.importorskip("sse_starlette", reason="llama_cpp.server needs the dev extra (sse-starlette)")
    log_dir: Path = tmp_path_factory.mktemp("llama-server")
    model = ModelFiles(Settings(home=log_dir, _env_file=None).resolved_llm_model_dir()).ensure()  # type: ignore[call-arg]
    with running_llama_server(model, log_dir / "server.log", context_tokens=2048) as running:
        yield running


def test_mwo_llm_chat_answers_through_the_server_and_is_traced(server: LlamaServer, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MWO_HOME": str(tmp_path),
        "MWO_LLM_PROVIDER": "openai",
        "MWO_LLM_BASE_URL": server.base_url,
        "MWO_LLM_MODEL": server.model,
    }
    done = subprocess.run(
        [sys.executable, "-m", "mwo", "llm", "chat", "Reply with one word: the capital of France.",
         "--max-tokens", "8", "--temperature", "0"],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr + done.stdout
    assert "paris" in done.stdout.lower()
    assert server.model in done.stdout  # the footer names the endpoint's model, not the local one
    store = open_store(Settings(home=tmp_path, _env_file=None))  # type: ignore[call-arg]
    try:
        [call] = store.list_llm_calls()
    finally:
        store.close()
    assert call.caller == "cli:chat"
    assert call.extra["provider"] == "openai"
    assert call.error is None
    assert "paris" in call.response.lower()


def test_structured_output_through_the_server(server: LlamaServer, tmp_path: Path) -> None:
    """llama_cpp.server knows only `{type: json_object, schema}`: the client's fallback reaches it."""
    settings = Settings(  # type: ignore[call-arg]
        home=tmp_path,
        _env_file=None,
        llm_provider="openai",
        llm_base_url=server.base_url,
        llm_model=server.model,
    )
    schema = {
        "type": "object",
        "properties": {"sentiment": {"enum": ["positive", "negative"]}},
        "required": ["sentiment"],
    }
    request = LlmRequest("Review: 'Broke after one day, awful.' Its sentiment?", schema=schema, max_tokens=16)
    answer = LlmService(settings.llm, None).ask(request, caller="test")
    assert answer.data == {"sentiment": "negative"}
