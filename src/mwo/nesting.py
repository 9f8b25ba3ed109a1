"""How deeply a JSON-like value nests, measured without recursion.

Values nested hundreds of levels deep pass `json.loads` but break later, far from where they came
in: serializers and validators recurse and fail with a 500 on every later read of the stored value.
Each way in (API bodies, run inputs, specs) bounds the depth with `deeper_than` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_INPUT_DEPTH = 32
"""Deepest run inputs accepted by any way in (API, webhook, CLI, event): 32 levels of objects or
arrays, far beyond real data and far below where serializers fail (~250)."""


def deeper_than(value: Any, limit: int) -> bool:
    """True when `value` has more than `limit` levels of dicts/lists/tuples (a scalar is level 0)."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        todo.extend((child, depth + 1) for child in children)
    return False
