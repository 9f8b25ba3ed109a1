"""Saved prompt states (llama.cpp KV caches) that a later call with the same prefix starts from.

llama-cpp-python asks its cache for the saved state with the longest common prefix before a
completion and saves the state after it (keyed by prompt + answer tokens). We give it our own
caches rather than its LlamaRAMCache / LlamaDiskCache, because of what those do with this model:
- every state they keep carries a copy of the logits buffer (n_batch x vocabulary floats: 311 MB
  for Qwen's 151,936 tokens at n_batch 512) that nothing reads with logits_all=False, while their
  size limit counts only the KV bytes, so a 1 GB RAM cache could grow to several GB;
- the disk cache removes an entry when it is read (`pop`), so a state one process saved helps one
  other call once, and it prints to stderr on every write.

Here a state keeps one row of that buffer (load_state broadcasts it), the limit counts what is
kept, reading keeps the entry, and the disk cache is a `diskcache.Cache` (SQLite index + one file
per value, safe across processes) evicting the least recently used states.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_cpp.llama import Llama, LlamaState
from llama_cpp.llama_cache import BaseLlamaCache


def slim(state: LlamaState) -> LlamaState:
    """The state without the logits rows sampling never reads (one row stays for load_state)."""
    return LlamaState(
        input_ids=state.input_ids,
        scores=state.scores[:1].copy(),
        n_tokens=state.n_tokens,
        llama_state=state.llama_state,
        llama_state_size=state.llama_state_size,
        seed=state.seed,
    )


def state_bytes(state: LlamaState) -> int:
    return int(state.llama_state_size) + int(state.scores.nbytes) + int(state.input_ids.nbytes)


def _longest(keys: Any, tokens: tuple[int, ...]) -> tuple[int, ...] | None:
    best: tuple[int, ...] | None = None
    best_length = 0
    for key in keys:
        length = Llama.longest_token_prefix(key, tokens)
        if length > best_length:
            best, best_length = key, length
    return best


class RamPromptCache(BaseLlamaCache):
    """States of this process, least recently used dropped first once over `capacity_bytes`."""

    def __init__(self, capacity_bytes: int) -> None:
        super().__init__(capacity_bytes)
        self._states: OrderedDict[tuple[int, ...], LlamaState] = OrderedDict()

    @property
    def cache_size(self) -> int:
        return sum(state_bytes(state) for state in self._states.values())

    def __getitem__(self, key: Sequence[int]) -> LlamaState:
        found = _longest(self._states.keys(), tuple(key))
        if found is None:
            raise KeyError("no saved prompt state shares a prefix")
        self._states.move_to_end(found)
        return self._states[found]

    def __contains__(self, key: Sequence[int]) -> bool:
        return _longest(self._states.keys(), tuple(key)) is not None

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        self._states[tuple(key)] = slim(value)
        self._states.move_to_end(tuple(key))
        while len(self._states) > 1 and self.cache_size > self.capacity_bytes:
            self._states.popitem(last=False)

    @property
    def entries(self) -> int:
        """How many states are kept (not `__len__`: llama-cpp-python tests the cache with `if
        self.cache`, and an empty cache must still be used)."""
        return len(self._states)


class DiskPromptCache(BaseLlamaCache):
    """States shared by every process with the same directory (`mwo serve`, the CLI, workers)."""

    def __init__(self, directory: Path, capacity_bytes: int) -> None:
        super().__init__(capacity_bytes)
        import diskcache  # type: ignore[import-untyped]

        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._cache: Any = diskcache.Cache(
            str(directory), size_limit=capacity_bytes, eviction_policy="least-recently-used"
        )

    @property
    def cache_size(self) -> int:
        return int(self._cache.volume())

    def __getitem__(self, key: Sequence[int]) -> LlamaState:
        found = _longest(self._cache.iterkeys(), tuple(key))
        value = None if found is None else self._cache.get(found)
        if not isinstance(value, LlamaState):  # none shares a prefix, or evicted meanwhile
            raise KeyError("no saved prompt state shares a prefix")
        return value

    def __contains__(self, key: Sequence[int]) -> bool:
        return _longest(self._cache.iterkeys(), tuple(key)) is not None

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        self._cache.set(tuple(key), slim(value))

    @property
    def entries(self) -> int:
        """How many states are kept (not `__len__`, see RamPromptCache.entries)."""
        return len(self._cache)

    def close(self) -> None:
        self._cache.close()


__all__ = ["DiskPromptCache", "RamPromptCache", "slim"]
