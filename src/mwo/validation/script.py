"""Static checks of one PYTHON_SCRIPT, cheapest first: compiles, the main contract, policy, error
handling, then ruff's lint. Nothing runs the script (the dry run does, in the sandbox)."""

from __future__ import annotations

import ast
import warnings

from mwo.validation.catalogue import Language, finding
from mwo.validation.contract import contract_findings
from mwo.validation.error_handling import error_handling_findings
from mwo.validation.findings import Finding, Severity
from mwo.validation.lint import lint_findings
from mwo.validation.safety import safety_findings


def check_script(
    code: str,
    *,
    step: str | None = None,
    allow_net: bool = False,
    field: str = "code",
    language: Language = "en",
) -> list[Finding]:
    """Every finding of `code`: a syntax error alone (nothing else can be read), else all the rest.

    `step` and `field` say where the code lives (for paths in the findings); `allow_net` lifts the
    network rules, as the step's `allow_net: true` does; `language` picks the findings' words.
    """
    tree = _parse(code)
    if isinstance(tree, SyntaxError):
        detail = f"{tree.msg} (line {tree.lineno})" if tree.lineno else tree.msg
        return [
            finding(
                "script.syntax",
                Severity.ERROR,
                language,
                step=step,
                field=field,
                line=tree.lineno,
                detail=detail,
                got=(tree.text or "").rstrip() or None,
            )
        ]
    found = [
        *contract_findings(tree, language, step=step, field=field),
        *safety_findings(tree, language, step=step, field=field, allow_net=allow_net),
        *error_handling_findings(tree, language, step=step, field=field),
        *lint_findings(code, language, step=step, field=field),
    ]
    return sorted(found, key=lambda f: (not f.is_error, f.line or 0))


def _parse(code: str) -> ast.Module | SyntaxError:
    """The syntax tree, or the SyntaxError `compile` would raise (what the sandbox would hit)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (`is` with a literal) are ruff's to report
            tree = ast.parse(code, filename="script.py")
            compile(tree, "script.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc
    except ValueError as exc:  # e.g. a NUL byte in the source
        return SyntaxError(str(exc))
    except (RecursionError, MemoryError):  # thousands of nested operators: the parser gives up
        return SyntaxError("the script nests expressions too deeply to be compiled")
    return tree
