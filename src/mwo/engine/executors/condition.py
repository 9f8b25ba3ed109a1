"""CONDITION: routes the run to the first branch whose `when` expression is true, else to the default.

The executor only decides; the engine reads `goto` from the output and follows it. Recording which
expressions were evaluated, and with what result, lets a person see why the run went where it went.
"""

from __future__ import annotations

from typing import Any

from mwo.engine.executor import StepContext
from mwo.engine.failures import StepFailed
from mwo.errors import FailureKind
from mwo.spec import ConditionStep, StepType
from mwo.spec.steps import Branch
from mwo.store.records import LogLevel

__all__ = ["ConditionExecutor"]


class ConditionExecutor:
    """Evaluates branches in order and stops at the first true one.

    Output: `{"goto": step id or "end", "branch": index or None (default), "evaluated": [{"when",
    "value"}, ...]}`, the list holding only the branches evaluated up to the match: later branches are
    never evaluated, so they cannot fail on references that only the earlier branches guard.
    """

    step_type = StepType.CONDITION
    step_class = ConditionStep
    side_effects = False

    def execute(self, step: ConditionStep, ctx: StepContext) -> dict[str, Any]:
        """Choose the next step; an expression that cannot be evaluated fails the step (TEMPLATE)."""
        ctx.rendered_input = [branch.when for branch in step.branches]
        evaluated: list[dict[str, Any]] = []
        for index, branch in enumerate(step.branches):
            value = _test(ctx, index, branch)
            evaluated.append({"when": branch.when, "value": value})
            if value:
                ctx.log(LogLevel.INFO, f"branch {index} ({branch.when}) is true: going to '{branch.goto}'")
                return {"goto": branch.goto, "branch": index, "evaluated": evaluated}
        ctx.log(LogLevel.INFO, f"no branch is true: going to the default, '{step.default}'")
        return {"goto": step.default, "branch": None, "evaluated": evaluated}


def _test(ctx: StepContext, index: int, branch: Branch) -> bool:
    """The branch's truth; a template failure is re-raised naming the branch, so the fix is findable."""
    try:
        return bool(ctx.evaluate(branch.when))
    except StepFailed as exc:
        if exc.kind is not FailureKind.TEMPLATE:
            raise
        raise StepFailed(
            FailureKind.TEMPLATE, f"branch {index} (when: {branch.when}): {exc.message}", exc.fix
        ) from exc
