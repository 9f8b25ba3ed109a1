"""How a rendered value reads as text: strings as they are, anything else as compact JSON.

Templates may render to lists, dicts or numbers; wherever a step needs text (a header, a prompt, a
message body) or a face shows a value, it is written the same way: UTF-8 kept (Korean stays
readable), values JSON cannot encode (dates) through `str`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["as_text"]


def as_text(value: Any) -> str:
    """`value` itself when it is a string, else its JSON text (non-ASCII kept, other types via str)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
