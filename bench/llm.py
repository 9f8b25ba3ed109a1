"""The embedded model on this machine: load time, time to first token with a cold and a cached
2,000-token prefix, generation speed, structured-output overhead, peak memory.

Target (issue #5): a cached 2,000-token prefix cuts the time to first token by >= 5x.

The prefix stands for what authoring prompts repeat (system prompt, schema, few-shot examples). Three
ways of meeting it again are timed: cold (never seen), right after a call with the same prefix
(llama.cpp keeps the last prompt's KV cache and re-uses the common prefix), and after an unrelated
call pushed it out of the context (restored from the RAM prompt cache, MWO_LLM_PROMPT_CACHE=ram).
Then MWO_LLM_PROMPT_CACHE=disk across two fresh processes, and the cost of making a generation
stoppable (the abort callback that lets a cancel stop it).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mwo.llm.interrupt import Interrupt
from mwo.llm.service import LlmRequest, LlmService
from mwo.settings import Settings

PREFIX_TOKENS = 2000
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "points": {"type": "array", "items": {"type": "string"}}},
    "required": ["title", "points"],
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        llm = LlmService(Settings(home=Path(tmp), _env_file=None).llm, None)  # type: ignore[call-arg]
        try:
            _run(llm)
        finally:
            llm.close()
    with tempfile.TemporaryDirectory() as tmp:
        _disk_cache_across_processes(Path(tmp))


def _disk_cache_across_processes(home: Path) -> None:
    """MWO_LLM_PROMPT_CACHE=disk: process A meets the prefix cold and saves its state, process B (a
    fresh process, the model loaded anew) asks another question after the same prefix."""
    cold = _child_first_token(home, "Which item costs the most? Answer with its number.")
    warm = _child_first_token(home, "Which item costs the least? Answer with its number.")
    size_mb = sum(f.stat().st_size for f in (home / "llm-prompt-cache").rglob("*") if f.is_file()) / 1e6
    print(f"  disk prompt cache across processes ({PREFIX_TOKENS}-token prefix, model load excluded):")
    print(
        f"    process A, cold:                         {cold['first_s']:6.2f} s   "
        f"({cold['evaluated']} prompt tokens evaluated)"
    )
    print(
        f"    process B, state read from disk:         {warm['first_s']:6.2f} s   "
        f"({warm['evaluated']} prompt tokens evaluated, {cold['first_s'] / warm['first_s']:.1f}x faster)"
    )
    print(f"    cache directory after both: {size_mb:.0f} MB")


def _child_first_token(home: Path, question: str) -> dict[str, float]:
    code = "import sys; from bench.llm import first_token_child; first_token_child(sys.argv[1], sys.argv[2])"
    done = subprocess.run(
        [sys.executable, "-c", code, str(home), question], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def first_token_child(home: str, question: str) -> None:
    """In a child process: load the model, then time the first token of `question` after the prefix."""
    import llama_cpp

    settings = Settings(home=Path(home), llm_prompt_cache="disk", _env_file=None)  # type: ignore[call-arg]
    llm = LlmService(settings.llm, None)
    with llm.local.session() as llama:
        prefix = _prefix(lambda text: len(llama.tokenize(text.encode(), special=True)))
    first = _first_token(llm, prefix, question)
    with llm.local.session() as llama:
        evaluated = llama_cpp.llama_perf_context(llama._ctx.ctx).n_p_eval
    llm.close()
    print(json.dumps({"first_s": first, "evaluated": evaluated}))


def _run(llm: LlmService) -> None:
    started = time.perf_counter()
    with llm.local.session() as llama:
        load = time.perf_counter() - started
        prefix = _prefix(lambda text: len(llama.tokenize(text.encode(), special=True)))
    print(
        f"local model: {llm.model_name()}, {llm.local.threads} threads, prompt cache {llm.local.prompt_cache}"
    )
    print(f"  load (first use, file already assembled):  {load:6.2f} s")

    cold = _first_token(llm, prefix, "Which item costs the most? Answer with its number.")
    warm = _first_token(llm, prefix, "Which item costs the least? Answer with its number.")
    _first_token(llm, None, "Say hello.")  # an unrelated prompt replaces the context's KV cache
    restored = _first_token(llm, prefix, "How many items cost 7 won? Answer with a number.")
    print(f"  time to first token, {PREFIX_TOKENS}-token prefix:")
    print(f"    cold:                                    {cold:6.2f} s")
    print(f"    same prefix again (KV reuse):            {warm:6.2f} s   ({cold / warm:.1f}x faster)")
    print(f"    after another prompt (RAM prompt cache): {restored:6.2f} s   ({cold / restored:.1f}x faster)")
    print("    target: >= 5x")

    story = LlmRequest("Write a long story about a cat who learns to cook.", max_tokens=200, temperature=0)
    first, total, tokens = _generate(llm, story)
    print(f"  200-token answer: {tokens} tokens, {tokens / (total - first):.1f} tokens/s after the first")
    _stoppable_cost(llm)

    ask = "List three facts about Seoul as a title and points."
    plain = _timed(llm, LlmRequest(ask, max_tokens=120, temperature=0))
    structured = _timed(llm, LlmRequest(ask, schema=SCHEMA, max_tokens=120, temperature=0))
    print("  structured output (same question, 120 tokens max):")
    print(f"    free text:   {plain[0]:6.2f} s, {plain[1]} tokens, {plain[1] / plain[0]:.1f} tokens/s")
    print(
        f"    JSON Schema: {structured[0]:6.2f} s, {structured[1]} tokens, "
        f"{structured[1] / structured[0]:.1f} tokens/s"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS: {peak_mb:.0f} MB")


def _stoppable_cost(llm: LlmService, pairs: int = 3) -> None:
    """Generation speed with and without an interrupt (llama.cpp's abort callback, which runs Python
    after every graph node), alternating so both meet the same machine load."""
    request = LlmRequest("Count from 1 to 100, one number per line.", max_tokens=40, temperature=0)
    poll_s = Settings(_env_file=None).cancel_poll_s  # type: ignore[call-arg]  # what LLM_CALL steps poll at
    _timed(llm, request)  # the prompt is cached from here on: both sides time generation
    ratios = []
    for _ in range(pairs):
        plain = _timed(llm, request)
        watched = _timed(llm, request, Interrupt(lambda: None, every_s=poll_s))
        ratios.append((watched[1] / watched[0]) / (plain[1] / plain[0]))
        print(
            f"  40-token answer: {plain[1] / plain[0]:5.2f} tokens/s plain, "
            f"{watched[1] / watched[0]:5.2f} stoppable (cancel polled every {poll_s:g} s)"
        )
    print(f"  stoppable / plain, median of {pairs} alternating pairs: {statistics.median(ratios):.2f}x")


def _prefix(count: Any) -> str:
    """Reference notes of about PREFIX_TOKENS tokens, the same every time."""
    lines = ["You answer questions about this price list. Answer briefly.", ""]
    i = 0
    while count("\n".join(lines)) < PREFIX_TOKENS:
        lines.append(f"Item {i}: a {('red', 'blue', 'green')[i % 3]} box, costs {i * 7 % 100} won.")
        i += 1
    return "\n".join(lines[:-1])


def _first_token(llm: LlmService, system: str | None, prompt: str) -> float:
    """Seconds to the first piece of a short answer (read to the end: llama.cpp saves the prompt
    cache entry when a completion finishes)."""
    request = LlmRequest(prompt, system=system, max_tokens=4, temperature=0)
    first, _, _ = _generate(llm, request)
    return first


def _generate(llm: LlmService, request: LlmRequest) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = 0.0
    pieces = 0
    for _ in llm.stream(request, caller="bench"):
        pieces += 1
        if not first:
            first = time.perf_counter() - started
    return first, time.perf_counter() - started, pieces


def _timed(llm: LlmService, request: LlmRequest, interrupt: Interrupt | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    answer = llm.ask(request, caller="bench", interrupt=interrupt)
    return time.perf_counter() - started, answer.completion_tokens


if __name__ == "__main__":
    main()
