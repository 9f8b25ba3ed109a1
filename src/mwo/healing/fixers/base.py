"""A deterministic fixer: one kind of breakage, recognised from the findings and the dry run, repaired
by a small exact edit. The loop keeps a fix only when the re-check improves, so a fixer may guess
narrowly; each says what it assumed."""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from mwo.healing.evaluation import Evaluation
from mwo.healing.request import ScriptRepairRequest


@dataclass(frozen=True)
class Fix:
    """A changed script and the assumption behind the change, in words for the user."""

    code: str
    assumption: str


class Fixer(ABC):
    """Recognises one breakage in an evaluated script and proposes its fix (or None)."""

    name: ClassVar[str]

    @abstractmethod
    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        """A fix of `current.code`, or None when this fixer does not apply."""


def parse(code: str) -> ast.Module | None:
    """The syntax tree, or None when the code does not parse (a syntax fixer's case)."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def main_of(tree: ast.Module) -> ast.FunctionDef | None:
    """The top-level `def main` (the last one, as at run time)."""
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            found = node
    return found


def inputs_name(main: ast.FunctionDef) -> str | None:
    """The name main gives its first parameter (the step's inputs)."""
    positional = [*main.args.posonlyargs, *main.args.args]
    return positional[0].arg if positional else None


def own_returns(function: ast.AST) -> list[ast.Return]:
    """Return statements of `function` itself, not of functions nested in it."""
    found: list[ast.Return] = []
    for child in ast.iter_child_nodes(function):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Return):
            found.append(child)
        found.extend(own_returns(child))
    return found


def error_line(current: Evaluation) -> int | None:
    """The script line the dry run's error points at."""
    return next((f.line for f in current.errors if f.code.startswith("dryrun.") and f.line), None)
