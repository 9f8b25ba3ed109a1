"""The real embedded model (llama.cpp + Qwen2.5-Coder-1.5B): tiny prompts, few tokens, one load."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mwo.llm.errors import OutputTruncated, PromptTooLong
from mwo.llm.local import LocalChatModel
from mwo.llm.service import LlmAnswer, LlmRequest, LlmService
from mwo.settings import Settings

pytestmark = pytest.mark.slow

SENTIMENT = {
    "type": "object",
    "properties": {"sentiment": {"enum": ["positive", "negative"]}},
    "required": ["sentiment"],
}


@pytest.fixture(scope="module")
def llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlmService]:
    """One service (one loaded model) for the module; the model file is the user's shared cache."""
    home: Path = tmp_path_factory.mktemp("mwo-home")
    service = LlmService(Settings(home=home, _env_file=None), None)  # type: ignore[call-arg]
    yield service
    service.close()


def test_free_text_and_two_callers_at_once(llm: LlmService) -> None:
    assert isinstance(llm.chat_model(), LocalChatModel)
    answers: list[LlmAnswer] = []
    request = LlmRequest("Reply with one word: the capital of France.", max_tokens=6, temperature=0)

    def ask() -> None:
        answers.append(llm.ask(request, caller="test"))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert llm.local.loaded
    assert len(answers) == 2  # serialized by the model's lock: neither crashed
    for answer in answers:
        assert "paris" in answer.text.lower()
        assert answer.prompt_tokens > 5 and answer.completion_tokens >= 1


def test_structured_output_follows_the_schema(llm: LlmService) -> None:
    answer = llm.ask(
        LlmRequest(
            "Sentiment of: 'I love this phone, it is great.'", schema=SENTIMENT, max_tokens=20, temperature=0
        ),
        caller="test",
    )
    assert answer.data == {"sentiment": "positive"}


def test_structured_output_cut_off_by_max_tokens_is_an_error(llm: LlmService) -> None:
    with pytest.raises(OutputTruncated):
        llm.ask(LlmRequest("Sentiment of: 'bad'", schema=SENTIMENT, max_tokens=2), caller="test")


def test_streaming_yields_pieces(llm: LlmService) -> None:
    pieces = list(llm.stream(LlmRequest("Count: 1, 2, 3", max_tokens=8, temperature=0), caller="test"))
    assert len(pieces) >= 2 and "".join(pieces).strip()


def test_a_prompt_longer_than_the_context_is_a_typed_error(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm_context_tokens=512, _env_file=None)  # type: ignore[call-arg]
    small = LlmService(settings, None)
    try:
        with pytest.raises(PromptTooLong) as caught:
            small.ask(LlmRequest("word " * 700, max_tokens=4), caller="test")
    finally:
        small.close()
    assert "MWO_LLM_CONTEXT_TOKENS" in caught.value.fix


def test_the_disk_prompt_cache_is_written_for_other_processes(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm_prompt_cache="disk", _env_file=None)  # type: ignore[call-arg]
    first = LlmService(settings, None)
    try:
        answer = first.ask(LlmRequest("Say OK.", max_tokens=3, temperature=0), caller="test")
    finally:
        first.close()
    assert answer.text
    cache_dir = tmp_path / "llm-prompt-cache"
    assert any(cache_dir.iterdir())
    from llama_cpp.llama_cache import LlamaDiskCache

    assert len(LlamaDiskCache(cache_dir=str(cache_dir)).cache) == 1  # one saved prompt state
