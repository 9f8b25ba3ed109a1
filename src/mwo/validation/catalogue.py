"""The words of every finding, in English and Korean: one entry per code, message and hint templates.

Checks never write prose themselves: they name a code and its parameters, and `finding()` picks the
language the settings ask for (`MWO_LANGUAGE`). A code missing from the catalogue is a bug the unit
tests catch (every code a check can emit is listed in CODES).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypedDict

from mwo.validation.findings import Finding, Severity

Language = str
"""`en` or `ko` (Settings.language)."""

_Entry = Mapping[Language, tuple[str, str]]


class Where(TypedDict):
    """Where a script's findings point: its step and the field holding the code."""

    step: str | None
    field: str | None


def _entry(en: tuple[str, str], ko: tuple[str, str]) -> _Entry:
    return MappingProxyType({"en": en, "ko": ko})


# Wrapped findings of older checks keep their own English detail as {detail} and {fix}.
_SPEC = {
    "spec.yaml_syntax": _entry(
        ("{detail}", "{fix}"),
        ("YAML 문법 오류: {detail}", "YAML 문법(들여쓰기, 콜론, 따옴표)을 고치세요 ({fix})"),
    ),
    "spec.schema": _entry(
        ("{detail}", "{fix}"), ("스펙 형식 오류: {detail}", "`mwo schema`를 참고해 고치세요 ({fix})")
    ),
    "spec.duplicate_step": _entry(
        ("{detail}", "{fix}"), ("단계 id 중복: {detail}", "단계마다 다른 id를 주세요 ({fix})")
    ),
    "spec.unknown_step": _entry(
        ("{detail}", "{fix}"), ("없는 단계로 이동합니다: {detail}", "있는 단계 id나 'end'를 쓰세요 ({fix})")
    ),
    "spec.cycle": _entry(("{detail}", "{fix}"), ("단계가 순환합니다: {detail}", "순환을 없애세요 ({fix})")),
    "spec.unreachable_step": _entry(
        ("{detail}", "{fix}"),
        ("실행될 수 없는 단계입니다: {detail}", "next나 분기로 연결하거나 지우세요 ({fix})"),
    ),
    "spec.bad_reference": _entry(
        ("{detail}", "{fix}"), ("잘못된 참조: {detail}", "앞서 실행되는 단계만 참조하세요 ({fix})")
    ),
    "spec.unknown_input": _entry(
        ("{detail}", "{fix}"), ("선언되지 않은 입력: {detail}", "`inputs:`에 선언하세요 ({fix})")
    ),
    "spec.template_syntax": _entry(
        ("{detail}", "{fix}"), ("템플릿 문법 오류: {detail}", "중괄호와 식을 확인하세요 ({fix})")
    ),
    "spec.missing_input": _entry(("{detail}", "{fix}"), ("입력 누락: {detail}", "입력을 주세요 ({fix})")),
    "spec.refused_address": _entry(
        ("{detail}", "{fix}"),
        ("접속이 거부될 주소입니다: {detail}", "공개 주소를 쓰거나 허용 목록에 넣으세요 ({fix})"),
    ),
    "spec.missing_folder": _entry(
        ("{detail}", "{fix}"), ("감시할 폴더가 없습니다: {detail}", "폴더를 만들거나 경로를 고치세요 ({fix})")
    ),
    "spec.too_large": _entry(
        ("{detail}", "{fix}"),
        ("스펙이 너무 크거나 깊습니다: {detail}", "별칭(*)과 중첩을 줄여 평이하게 쓰세요 ({fix})"),
    ),
    "trigger.cron": _entry(
        ("{detail}", "{fix}"), ("일정이 한 번도 실행되지 않습니다: {detail}", "cron 식을 고치세요 ({fix})")
    ),
}

_TEMPLATE = {
    "template.unsafe_attribute": _entry(
        (
            "the template reaches for '{attribute}', which the sandbox forbids (it leads out of the data)",
            "read only data fields, e.g. {{{{ steps.fetch.output.json.items }}}}; remove '{attribute}'",
        ),
        (
            "템플릿이 샌드박스에서 금지된 '{attribute}'에 접근합니다 (데이터 밖으로 나가는 경로)",
            "'{attribute}'를 지우고 데이터 필드만 읽으세요. 예: {{{{ steps.fetch.output.json.items }}}}",
        ),
    ),
}

_SECRET = {
    "secret.not_set": _entry(
        (
            "secret '{name}' is not set yet; the workflow is saved, but a run cannot start without it",
            "mwo secrets set {name}",
        ),
        (
            "시크릿 '{name}'이(가) 아직 설정되지 않았습니다. 워크플로는 저장되지만 실행하려면 필요합니다",
            "mwo secrets set {name}",
        ),
    ),
}

_SCRIPT = {
    "script.syntax": _entry(
        ("the script does not compile: {detail}", "fix the Python syntax at line {line}"),
        ("스크립트 문법 오류: {detail}", "{line}번째 줄의 파이썬 문법을 고치세요"),
    ),
    "script.no_main": _entry(
        (
            "the script defines no top-level function `main`",
            "define `def main(inputs: dict) -> dict:` at the top level and return a dict",
        ),
        (
            "스크립트에 최상위 함수 `main`이 없습니다",
            "최상위에 `def main(inputs: dict) -> dict:`를 정의하고 dict를 반환하세요",
        ),
    ),
    "script.main_signature": _entry(
        (
            "`main` {detail}",
            "write it as `def main(inputs: dict) -> dict:` (or `def main(inputs, secrets):`)",
        ),
        ("`main` 정의가 계약과 다릅니다: {detail}", "`def main(inputs: dict) -> dict:` 형태로 쓰세요"),
    ),
    "script.no_return": _entry(
        (
            "`main` never returns a value, so the step's output would be None",
            "end `main` with `return {{...}}`",
        ),
        (
            "`main`이 값을 반환하지 않아 단계의 출력이 None이 됩니다",
            "`main` 끝에 `return {{...}}`를 넣으세요",
        ),
    ),
    "script.bad_return": _entry(
        ("`main` returns {what}, not a dict", 'return a dict, e.g. `return {{"result": value}}`'),
        (
            "`main`이 dict가 아닌 {what}을(를) 반환합니다",
            'dict를 반환하세요. 예: `return {{"result": value}}`',
        ),
    ),
    "script.undefined_name": _entry(
        ("name '{name}' is used but never defined", "define '{name}', import it, or fix its spelling"),
        (
            "'{name}' 이름이 정의되지 않은 채 쓰입니다",
            "'{name}'을(를) 정의하거나 import 하거나 철자를 고치세요",
        ),
    ),
    "script.unused_import": _entry(
        ("{detail}", "remove the import"),
        ("쓰지 않는 import: {detail}", "import 줄을 지우세요"),
    ),
    "script.lint": _entry(
        ("{detail} (ruff {rule})", "change the code at line {line} as the message says"),
        ("린트 지적: {detail} (ruff {rule})", "{line}번째 줄을 메시지대로 고치세요"),
    ),
    "script.lint_unavailable": _entry(
        ("the linter (ruff) could not run: {detail}", "install ruff in MWO's environment (`uv sync`)"),
        ("린터(ruff)를 실행할 수 없습니다: {detail}", "MWO 환경에 ruff를 설치하세요 (`uv sync`)"),
    ),
    "script.forbidden_module": _entry(
        ("the script imports '{module}', which {why}", "{fix}"),
        ("스크립트가 '{module}' 모듈을 import 합니다 ({why_ko})", "{fix_ko}"),
    ),
    "script.forbidden_call": _entry(
        ("the script uses '{call}', which {why}", "{fix}"),
        ("스크립트가 '{call}'을(를) 사용합니다 ({why_ko})", "{fix_ko}"),
    ),
    "script.forbidden_attribute": _entry(
        (
            "the script reaches for '{attribute}', a way out of the sandbox's rules",
            "work with the data only; remove '{attribute}'",
        ),
        (
            "스크립트가 샌드박스 규칙을 우회하는 '{attribute}'에 접근합니다",
            "'{attribute}'를 지우고 데이터만 다루세요",
        ),
    ),
    "script.swallowed_error": _entry(
        (
            "an `{handler}` ignores the error, so a failure passes silently",
            "handle it (return a clear error value, log it) or let it raise",
        ),
        (
            "`{handler}`가 오류를 무시해 실패가 조용히 지나갑니다",
            "오류를 처리(명확한 오류 값 반환, 출력)하거나 그대로 발생시키세요",
        ),
    ),
    "script.bare_except": _entry(
        (
            "a bare `except:` also catches KeyboardInterrupt and SystemExit",
            "catch `Exception` or a precise error",
        ),
        (
            "`except:`만 쓰면 KeyboardInterrupt, SystemExit까지 잡습니다",
            "`Exception`이나 구체적인 오류를 잡으세요",
        ),
    ),
    "script.unreported_error": _entry(
        (
            "the failure of '{call}' is caught but not reported (neither raised, printed nor returned)",
            'return or print the error (`except OSError as e: return {{"error": str(e)}}`) or let it raise',
        ),
        (
            "'{call}'의 실패를 잡았지만 알리지 않습니다 (오류를 발생·출력·반환하지 않음)",
            '오류를 출력하거나 반환하세요 (예: `except OSError as exc: return {{"error": str(exc)}}`)',
        ),
    ),
}

_LLM = {
    "llm.bad_output_schema": _entry(
        (
            "`output_schema` is not a valid JSON Schema: {detail}",
            "fix the schema (see json-schema.org), e.g. {{type: object, properties: {{...}}}}",
        ),
        (
            "`output_schema`가 올바른 JSON Schema가 아닙니다: {detail}",
            "스키마를 고치세요. 예: {{type: object, properties: {{...}}}}",
        ),
    ),
    "step.bad_output_schema": _entry(
        ("the declared `output` is not a valid JSON Schema: {detail}", "fix the schema, or remove `output`"),
        (
            "선언된 `output`이 올바른 JSON Schema가 아닙니다: {detail}",
            "스키마를 고치거나 `output`을 지우세요",
        ),
    ),
}

_DRYRUN = {
    "dryrun.exception": _entry(
        (
            "on sample inputs the script raised {detail}",
            "fix the script where the traceback points, or handle that input",
        ),
        (
            "샘플 입력으로 실행하자 예외가 발생했습니다: {detail}",
            "traceback이 가리키는 곳을 고치거나 그 입력을 처리하세요",
        ),
    ),
    "dryrun.timeout": _entry(
        (
            "on sample inputs the script did not finish within {seconds:g} s",
            "look for a loop that never ends, or make it faster",
        ),
        (
            "샘플 입력으로 {seconds:g}초 안에 끝나지 않았습니다",
            "끝나지 않는 반복문이 있는지 보거나 더 빠르게 만드세요",
        ),
    ),
    "dryrun.memory": _entry(
        (
            "on sample inputs the script ran out of memory ({detail})",
            "process the data in smaller pieces, or raise the step's memory_mb",
        ),
        ("샘플 입력으로 메모리가 부족했습니다 ({detail})", "데이터를 나눠 처리하거나 memory_mb를 늘리세요"),
    ),
    "dryrun.bad_output": _entry(
        (
            "on sample inputs {detail}",
            "return a dict of JSON values (str, int, float, bool, None, list, dict)",
        ),
        ("샘플 입력으로 실행한 결과가 잘못되었습니다: {detail}", "JSON 값으로 된 dict를 반환하세요"),
    ),
    "dryrun.output_schema": _entry(
        (
            "the output does not match the step's declared `output` schema: {detail}",
            "return what `output` declares, or fix the declaration",
        ),
        (
            "출력이 선언된 `output` 스키마와 맞지 않습니다: {detail}",
            "`output` 선언대로 반환하거나 선언을 고치세요",
        ),
    ),
    "dryrun.violation": _entry(
        (
            "the sandbox stopped the script: {detail}",
            "use only the work dir (the current directory): no processes, no host files, "
            "no network without allow_net",
        ),
        (
            "샌드박스가 스크립트를 막았습니다: {detail}",
            "작업 폴더(현재 폴더)만 쓰세요. 프로세스, 호스트 파일, allow_net 없는 네트워크는 금지입니다",
        ),
    ),
    "dryrun.bad_script": _entry(
        (
            "the sandbox could not start the script: {detail}",
            "define `def main(inputs: dict) -> dict:` at the top level",
        ),
        (
            "샌드박스가 스크립트를 시작하지 못했습니다: {detail}",
            "최상위에 `def main(inputs: dict) -> dict:`를 정의하세요",
        ),
    ),
    "dryrun.crashed": _entry(
        ("the interpreter died on sample inputs: {detail}", "check recursion depth and native extensions"),
        (
            "샘플 입력으로 인터프리터가 비정상 종료했습니다: {detail}",
            "재귀 깊이와 네이티브 확장을 확인하세요",
        ),
    ),
    "dryrun.unavailable": _entry(
        (
            "no dry run: the sandbox is not available here ({detail})",
            "run `mwo doctor` to see how this host can run sandboxed scripts",
        ),
        (
            "샌드박스를 쓸 수 없어 시험 실행을 하지 못했습니다 ({detail})",
            "`mwo doctor`로 이 호스트의 샌드박스 상태를 확인하세요",
        ),
    ),
    "dryrun.skipped": _entry(
        ("not dry-run: {detail}", "{fix}"),
        ("시험 실행을 건너뛰었습니다: {detail_ko}", "{fix_ko}"),
    ),
}

CATALOGUE: Mapping[str, _Entry] = MappingProxyType(
    {**_SPEC, **_TEMPLATE, **_SECRET, **_SCRIPT, **_LLM, **_DRYRUN}
)
CODES = frozenset(CATALOGUE)
"""Every finding code the validator can emit (docs/configuration.md lists them)."""


class _Params(dict[str, Any]):
    """Format parameters; a Korean-only parameter falls back to its English twin (`fix_ko` -> `fix`)."""

    def __missing__(self, key: str) -> Any:
        if key.endswith("_ko") and key[:-3] in self:
            return self[key[:-3]]
        return ""


def finding(
    code: str,
    severity: Severity,
    language: Language = "en",
    *,
    step: str | None = None,
    field: str | None = None,
    line: int | None = None,
    expected: Any = None,
    got: Any = None,
    **params: Any,
) -> Finding:
    """A Finding whose message and hint are the catalogue's words for `code` in `language`."""
    entry = CATALOGUE[code]
    message, hint = entry.get(language, entry["en"])
    values = _Params(params, line=line if line is not None else "?")
    return Finding(
        code=code,
        severity=severity,
        message=message.format_map(values),
        hint=hint.format_map(values),
        step=step,
        field=field,
        line=line,
        expected=expected,
        got=got,
    )
