"""The dry run of a whole workflow: its scripts in step order, each on inputs rendered from sample data.

An upstream script's real dry-run output feeds the scripts after it; every other step is stood in for
by its declared `output` or its executor's shape (see samples.py). A script that cannot be dry-run
(errors already found, the network needed, inputs that the samples cannot fill) gets a warning
saying why, never an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mwo.spec import PythonScriptStep, TemplateError, Templates
from mwo.validation.catalogue import finding
from mwo.validation.dry_run import dry_run_script
from mwo.validation.findings import Finding, Severity
from mwo.validation.samples import sample_scope

if TYPE_CHECKING:
    from mwo.validation.checks import Context

_SKIPS = {
    "errors": (
        "the script has errors above",
        "fix the errors first; the dry run follows",
        "위의 오류가 있습니다",
        "오류를 먼저 고치면 시험 실행을 합니다",
    ),
    "network": (
        "the step sets allow_net, and a dry run never reaches the network",
        "try it with `mwo sandbox exec FILE --allow-net --input JSON`",
        "allow_net 단계이며 시험 실행은 네트워크에 접속하지 않습니다",
        "`mwo sandbox exec FILE --allow-net --input JSON`으로 시험하세요",
    ),
}


def dry_run_workflow(ctx: Context) -> Iterator[Finding]:
    """Findings of every script's dry run, in step order."""
    assert ctx.sandbox is not None
    templates = Templates()
    outputs: dict[str, Any] = {}
    for step in ctx.workflow.steps:
        if not isinstance(step, PythonScriptStep):
            continue
        reason = "errors" if ctx.has_errors(step.id) else "network" if step.allow_net else None
        if reason:
            yield _skipped(ctx, step.id, *_SKIPS[reason])
            continue
        scope = sample_scope(ctx.workflow, outputs)
        try:
            inputs = templates.render_tree(step.inputs, scope)
        except TemplateError as exc:
            yield _skipped(
                ctx,
                step.id,
                f"its inputs cannot be made from sample data ({exc})",
                "declare the `output` schema of the steps it reads, so a dry run knows their shape",
                f"샘플 데이터로 입력을 만들 수 없습니다 ({exc})",
                "읽는 단계의 `output` 스키마를 선언하면 시험 실행이 그 모양을 압니다",
            )
            continue
        timeout = min(step.timeout_s or ctx.dry_run_timeout_s, ctx.dry_run_timeout_s)
        result = dry_run_script(
            ctx.sandbox,
            step.code,
            inputs,
            timeout_s=timeout,
            output_schema=step.output,
            step=step.id,
            memory_mb=step.memory_mb,
            secrets={name: scope["secrets"][name] for name in step.secrets},
            language=ctx.language,
        )
        yield from result.findings
        if result.output is not None:
            outputs[step.id] = result.output


def _skipped(ctx: Context, step: str, detail: str, fix: str, detail_ko: str, fix_ko: str) -> Finding:
    return finding(
        "dryrun.skipped",
        Severity.WARNING,
        ctx.language,
        step=step,
        field="code",
        detail=detail,
        fix=fix,
        detail_ko=detail_ko,
        fix_ko=fix_ko,
    )
