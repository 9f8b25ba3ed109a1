"""Names defined and the like, by ruff (no hand-written linter): its JSON diagnostics become findings.

The script goes to `ruff check` on stdin with ruff's own defaults ignored (`--isolated`), a fixed rule
selection, and no cache; each diagnostic maps onto a finding code: F821 is `script.undefined_name`,
F401 `script.unused_import`, the rest `script.lint`, an error when the code would fail at run time.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mwo.validation.catalogue import Language, Where, finding
from mwo.validation.findings import Finding, Severity

RULES = "F,E9,PLE,B0"
"""pyflakes, syntax-level errors, pylint's errors, bugbear's likely bugs."""
_TIMEOUT_S = 30.0
_ERROR_PREFIXES = ("F82", "F50", "F52", "F7", "E9", "PLE")
"""Diagnostics that mean the code fails when it runs (undefined names, bad format strings, misplaced
return/yield, ...): errors. Everything else (unused names, style bugs) is a warning."""
_QUOTED = re.compile(r"`([^`]+)`")


def find_ruff() -> str | None:
    """The ruff binary: ruff's own locator, then next to this interpreter, then on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        pass
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return str(beside)
    return shutil.which("ruff")


def lint_findings(code: str, language: Language, *, step: str | None, field: str) -> Iterator[Finding]:
    """ruff's diagnostics of `code` as findings; one warning when ruff cannot run."""
    where = Where(step=step, field=field)
    try:
        diagnostics = _run_ruff(code)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        yield finding("script.lint_unavailable", Severity.WARNING, language, detail=str(exc), **where)
        return
    for diagnostic in diagnostics:
        mapped = _mapped(diagnostic, language, where)
        if mapped is not None:
            yield mapped


def _run_ruff(code: str) -> list[dict[str, Any]]:
    ruff = find_ruff()
    if ruff is None:
        raise FileNotFoundError("no `ruff` executable found")
    # ruff exits 1 when it reports diagnostics; only its JSON on stdout matters.
    completed = subprocess.run(  # a fixed command line; the script goes on stdin
        [
            ruff,
            "check",
            "--isolated",
            "--no-cache",
            "--output-format",
            "json",
            "--select",
            RULES,
            "--stdin-filename",
            "script.py",
            "-",
        ],
        input=code.encode("utf-8"),
        capture_output=True,
        timeout=_TIMEOUT_S,
        check=False,
    )
    if completed.returncode not in (0, 1):
        raise ValueError(
            completed.stderr.decode("utf-8", "replace").strip() or f"exit {completed.returncode}"
        )
    data = json.loads(completed.stdout or b"[]")
    if not isinstance(data, list):
        raise ValueError("ruff printed no list of diagnostics")
    return data


def _mapped(diagnostic: dict[str, Any], language: Language, where: Where) -> Finding | None:
    rule = diagnostic.get("code")
    if not rule:  # ruff's own syntax errors: compile() has reported them already
        return None
    message = str(diagnostic.get("message", ""))
    line = (diagnostic.get("location") or {}).get("row")
    if rule == "F821":
        names = _QUOTED.findall(message)
        name = names[0] if names else message
        return finding("script.undefined_name", Severity.ERROR, language, line=line, name=name, **where)
    if rule == "F401":
        return finding("script.unused_import", Severity.WARNING, language, line=line, detail=message, **where)
    severity = Severity.ERROR if rule.startswith(_ERROR_PREFIXES) else Severity.WARNING
    return finding("script.lint", severity, language, line=line, detail=message, rule=rule, **where)
