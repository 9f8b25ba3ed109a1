"""The real embedded model (llama.cpp + Qwen2.5-Coder-1.5B): tiny prompts, few tokens, one load."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from mwo.llm.errors import LlmInterrupted, OutputTruncated, PromptTooLong
from mwo.llm.interrupt import Interrupt
from mwo.llm.local import LocalChatModel
from mwo.llm.prompt_cache import DiskPromptCache
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
    service = LlmService(Settings(home=home, _env_file=None).llm, None)  # type: ignore[call-arg]
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
    small = LlmService(settings.llm, None)
    try:
        with pytest.raises(PromptTooLong) as caught:
            small.ask(LlmRequest("word " * 700, max_tokens=4), caller="test")
    finally:
        small.close()
    assert "MWO_LLM_CONTEXT_TOKENS" in caught.value.fix


def test_a_stop_in_prompt_processing_frees_the_model_for_the_next_call(llm: LlmService) -> None:
    """A 1,500-token prompt takes ~30 s to process here; a stop one second in must end the call,
    leave the context consistent (llama.cpp drops the aborted batch) and release the lock."""
    notes = "\n".join(f"Item {i}: a box that costs {i * 7 % 100} won." for i in range(150))
    wanted = threading.Event()
    timer = threading.Timer(1.0, wanted.set)
    timer.start()
    interrupt = Interrupt(lambda: "cancelled" if wanted.is_set() else None, every_s=0.05)
    with pytest.raises(LlmInterrupted):
        llm.ask(
            LlmRequest("Which item costs the most?", system=notes, max_tokens=200),
            caller="test",
            interrupt=interrupt,
        )
    timer.cancel()
    answer = llm.ask(
        LlmRequest("Reply with one word: the capital of France.", max_tokens=6, temperature=0), caller="test"
    )
    assert "paris" in answer.text.lower()


def test_a_call_waiting_for_the_busy_model_stops_when_asked(llm: LlmService) -> None:
    """Another run's call may hold the model for minutes: a cancel must not wait for it."""
    holding, release, finished = threading.Event(), threading.Event(), threading.Event()

    def busy_check() -> str | None:
        holding.set()  # called from inside llama.cpp: this call holds the model's lock
        return "cancelled" if release.is_set() else None

    def long_call() -> None:
        request = LlmRequest("Write a very long story about a cat.", max_tokens=500)
        with suppress(LlmInterrupted):
            llm.ask(request, caller="test", interrupt=Interrupt(busy_check, every_s=0.05))
        finished.set()

    worker = threading.Thread(target=long_call)
    worker.start()
    try:
        assert holding.wait(120)
        with pytest.raises(LlmInterrupted):
            llm.ask(LlmRequest("hi"), caller="test", interrupt=Interrupt(lambda: "cancelled", every_s=0.05))
        assert not finished.is_set()  # it gave up waiting; it did not wait for the long call to end
    finally:
        release.set()
        worker.join(120)


_CHILD = """
import json, sys
from pathlib import Path
import llama_cpp
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings

home, question = Path(sys.argv[1]), sys.argv[2]
notes = "\\n".join(f"Item {i}: a box that costs {i * 7 % 100} won." for i in range(60))
service = LlmService(Settings(home=home, llm_prompt_cache="disk", _env_file=None).llm, None)
answer = service.ask(LlmRequest(question, system=notes, max_tokens=4, temperature=0), caller="test")
with service.local.session() as llama:
    evaluated = llama_cpp.llama_perf_context(llama._ctx.ctx).n_p_eval
print(json.dumps({"prompt_tokens": answer.prompt_tokens, "evaluated": evaluated}))
service.close()
"""


def _ask_in_a_new_process(home: Path, question: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(home), question], capture_output=True, text=True, check=True
    )
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_disk_prompt_cache_is_reused_by_another_process(tmp_path: Path) -> None:
    first = _ask_in_a_new_process(tmp_path, "Which item costs the most?")
    cache = DiskPromptCache(tmp_path / "llm-prompt-cache", 1 << 30)
    try:
        assert cache.entries == 1  # the first process saved its prompt state
    finally:
        cache.close()
    second = _ask_in_a_new_process(tmp_path, "Which item costs the least?")
    assert first["evaluated"] >= first["prompt_tokens"] - 1  # cold: the whole prompt
    assert second["evaluated"] < second["prompt_tokens"] // 4  # only what follows the shared prefix
