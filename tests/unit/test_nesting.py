"""`deeper_than` measures nesting without recursion, at any depth."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.nesting import deeper_than


def nested(depth: int, *, kind: type = list) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value] if kind is list else {"k": value}
    return value


@pytest.mark.parametrize("kind", [list, dict])
@pytest.mark.parametrize(("depth", "limit", "deeper"), [(0, 0, False), (3, 3, False), (4, 3, True)])
def test_depth_is_counted_in_levels(kind: type, depth: int, limit: int, deeper: bool) -> None:
    assert deeper_than(nested(depth, kind=kind), limit) is deeper


def test_a_hundred_thousand_levels_need_no_recursion() -> None:
    assert deeper_than(nested(100_000), 32)


def test_the_deepest_branch_counts_not_the_first() -> None:
    assert deeper_than({"flat": 1, "deep": [1, [2, [3]]]}, 3)
    assert not deeper_than({"flat": 1, "deep": [1, [2, [3]]]}, 4)
