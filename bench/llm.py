"""The embedded model on this machine: load time, time to first token with a cold and a cached
2,000-token prefix, generation speed, structured-output overhead, peak memory.

Target (issue #5): a cached 2,000-token prefix cuts the time to first token by >= 5x.

The prefix stands for what authoring prompts repeat (system prompt, schema, few-shot examples). Three
ways of meeting it again are timed: cold (never seen), right after a call with the same prefix
(llama.cpp keeps the last prompt's KV cache and re-uses the common prefix), and after an unrelated
call pushed it out of the context (restored from the RAM prompt cache, MWO_LLM_PROMPT_CACHE=ram).
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

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
        llm = LlmService(Settings(home=Path(tmp), _env_file=None), None)  # type: ignore[call-arg]
        try:
            _run(llm)
        finally:
            llm.close()


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


def _timed(llm: LlmService, request: LlmRequest) -> tuple[float, int]:
    started = time.perf_counter()
    answer = llm.ask(request, caller="bench")
    return time.perf_counter() - started, answer.completion_tokens


if __name__ == "__main__":
    main()
