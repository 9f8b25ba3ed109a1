"""A standard-library name used without its import (`json.dumps` with no `import json`)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import MappingProxyType

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import add_import
from mwo.validation.policy import module_rule

FROM_IMPORTS: Mapping[str, str] = MappingProxyType(
    {
        "date": "datetime",
        "timedelta": "datetime",
        "timezone": "datetime",
        "defaultdict": "collections",
        "Counter": "collections",
        "OrderedDict": "collections",
        "namedtuple": "collections",
        "deque": "collections",
        "Decimal": "decimal",
        "ROUND_HALF_UP": "decimal",
        "Fraction": "fractions",
        "Path": "pathlib",
        "ZoneInfo": "zoneinfo",
        "reduce": "functools",
        "partial": "functools",
        "dataclass": "dataclasses",
        "Any": "typing",
        "Optional": "typing",
        "List": "typing",
        "Dict": "typing",
        "quote": "urllib.parse",
        "urlencode": "urllib.parse",
        "urlparse": "urllib.parse",
        "unescape": "html",
        "median": "statistics",
        "mean": "statistics",
        "StringIO": "io",
        "sha256": "hashlib",
        "pprint": "pprint",
    }
)
"""Names models use bare, with the module they come from."""
_NOT_MODULES = frozenset({"this", "antigravity", "test", "idlelib", "tkinter", "turtle", "code"})


class MissingImportFixer(Fixer):
    """Adds the import of every undefined name that is a standard-library module (or a well-known
    name in one); never a module the sandbox policy forbids."""

    name = "missing_import"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        names = [_quoted(f.message) for f in current.errors if f.code == "script.undefined_name"]
        code, added = current.code, []
        for name in dict.fromkeys(n for n in names if n):
            statement = _import_for(name, code)
            if statement is not None:
                code = add_import(code, statement)
                added.append(statement)
        if not added:
            return None
        listed = ", ".join(f"`{s}`" for s in added)
        return Fix(code, f"added {listed}: the script used the name without importing it")


def _import_for(name: str, code: str) -> str | None:
    if name == "datetime" and _uses_class_methods(code):
        return "from datetime import datetime"
    if name in FROM_IMPORTS:
        return f"from {FROM_IMPORTS[name]} import {name}"
    if name in sys.stdlib_module_names and name not in _NOT_MODULES and not name.startswith("_"):
        return None if module_rule(name) else f"import {name}"
    return None


def _uses_class_methods(code: str) -> bool:
    """`datetime.now()`, `datetime.strptime(...)`: the class, not the module, is meant."""
    methods = ("now(", "strptime(", "fromisoformat(", "today(", "utcnow(", "fromtimestamp(", "combine(")
    return any(f"datetime.{method}" in code for method in methods)


def _quoted(message: str) -> str | None:
    parts = message.split("'")
    return parts[1] if len(parts) >= 3 else None
