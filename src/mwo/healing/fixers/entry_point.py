"""main as the sandbox calls it: `def main():` gets its `inputs` parameter; a script whose one function
has another name gets a `main` that calls it."""

from __future__ import annotations

import ast

from mwo.healing.evaluation import Evaluation
from mwo.healing.fixers.base import Fix, Fixer, main_of, parse
from mwo.healing.request import ScriptRepairRequest
from mwo.healing.source_edits import Span, replace_spans


class MainParameterFixer(Fixer):
    """`def main():` becomes `def main(inputs):` (the body then reads the inputs it was given)."""

    name = "main_parameter"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if not any(f.code == "script.main_signature" for f in current.errors):
            return None
        tree = parse(current.code)
        main = main_of(tree) if tree is not None else None
        if main is None or main.args.args or main.args.posonlyargs or main.args.vararg:
            return None
        lines = current.code.splitlines(keepends=True)
        header = lines[main.lineno - 1]
        fixed = header.replace("def main()", "def main(inputs: dict)", 1)
        if fixed == header:
            return None
        lines[main.lineno - 1] = fixed
        return Fix("".join(lines), "main took no parameter; it takes the step's `inputs` now")


class EntryPointFixer(Fixer):
    """No `main`, but exactly one top-level function taking one or two parameters: that is the entry
    point under another name (`run`, `process`, `handler`); rename it to main."""

    name = "entry_point"

    def propose(self, current: Evaluation, request: ScriptRepairRequest) -> Fix | None:
        if not any(f.code == "script.no_main" for f in current.errors):
            return None
        tree = parse(current.code)
        if tree is None:
            return None
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        callable_ = [f for f in functions if 1 <= len(f.args.args) <= 2]
        if len(callable_) != 1:
            return None
        old = callable_[0].name
        edits = [
            (Span.of(node), "main")
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == old
        ]
        code = replace_spans(current.code, edits)
        lines = code.splitlines(keepends=True)
        header = callable_[0].lineno - 1
        lines[header] = lines[header].replace(f"def {old}(", "def main(", 1)
        return Fix("".join(lines), f"the script had no `main`; its entry point {old!r} is called main now")
