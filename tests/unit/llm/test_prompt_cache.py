"""Our prompt-state caches: longest-prefix lookup, slim states, size limits, sharing on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from llama_cpp.llama import LlamaState

from mwo.llm.prompt_cache import DiskPromptCache, RamPromptCache, slim, state_bytes

VOCAB = 1000


def _state(tokens: list[int], kv_bytes: int = 1000) -> LlamaState:
    """A state as Llama.save_state makes it: with a 512-row logits buffer nobody reads."""
    return LlamaState(
        input_ids=np.array(tokens, dtype=np.intc),
        scores=np.ones((512, VOCAB), dtype=np.single),
        n_tokens=len(tokens),
        llama_state=b"k" * kv_bytes,
        llama_state_size=kv_bytes,
        seed=7,
    )


def test_an_empty_cache_is_still_a_cache() -> None:
    """llama-cpp-python consults and fills its cache only `if self.cache:`."""
    assert RamPromptCache(1 << 20)


def test_the_state_with_the_longest_common_prefix_is_found_without_its_logits() -> None:
    cache = RamPromptCache(1 << 30)
    cache[[1, 2, 3, 9]] = _state([1, 2, 3, 9])
    cache[[1, 2, 3, 4, 5, 6]] = _state([1, 2, 3, 4, 5, 6])
    found = cache[[1, 2, 3, 4, 5, 7, 8]]
    assert list(found.input_ids) == [1, 2, 3, 4, 5, 6]
    assert found.scores.shape == (1, VOCAB)  # 1 row kept of 512 (311 MB of 512 for Qwen's vocabulary)
    assert found.llama_state == b"k" * 1000
    assert [1, 2] in cache and [8, 8] not in cache


def test_the_least_recently_used_states_go_first_over_the_limit() -> None:
    one = state_bytes(slim(_state([0, 0])))
    cache = RamPromptCache(2 * one)
    cache[[1, 1]] = _state([1, 1])
    cache[[2, 2]] = _state([2, 2])
    assert cache[[1, 1, 5]] is not None  # [1, 1] is now the most recently used
    cache[[3, 3]] = _state([3, 3])
    assert cache.entries == 2
    assert [1, 1] in cache and [3, 3] in cache and [2, 2] not in cache


def test_a_state_saved_on_disk_is_found_by_another_process_and_kept(tmp_path: Path) -> None:
    writer = DiskPromptCache(tmp_path, 1 << 30)
    writer[[5, 6, 7, 8]] = _state([5, 6, 7, 8], kv_bytes=100_000)
    writer.close()
    for _ in range(2):  # two later processes: a read does not remove the entry
        reader = DiskPromptCache(tmp_path, 1 << 30)
        found = reader[[5, 6, 7, 9]]
        assert list(found.input_ids) == [5, 6, 7, 8] and found.scores.shape == (1, VOCAB)
        assert reader.entries == 1
        reader.close()
