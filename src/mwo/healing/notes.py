"""The repair loop's own findings: about a candidate (truncated, not code, widening permissions) or
about an output that differs from the expected one. English and Korean, as the validator's are."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from mwo.validation.findings import Finding, Severity

_WORDS: Mapping[str, Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "healing.unexpected_output": {
            "en": (
                "main's output is not what the goal asks for",
                "change the code so it does what the goal says",
            ),
            "ko": ("main의 출력이 목표와 다릅니다", "목표대로 동작하도록 코드를 고치세요"),
        },
        "healing.truncated": {
            "en": ("the model's answer was cut off (token limit) before the script ended", "ask again"),
            "ko": ("모델의 답이 토큰 한도에서 잘려 스크립트가 끝나지 않았습니다", "다시 요청하세요"),
        },
        "healing.not_code": {
            "en": ("the model's answer holds no script with `def main`", "answer with the whole script"),
            "ko": ("모델의 답에 `def main`이 있는 스크립트가 없습니다", "스크립트 전체로 답하세요"),
        },
        "healing.empty_answer": {
            "en": ("the model's answer is empty", "ask again"),
            "ko": ("모델의 답이 비어 있습니다", "다시 요청하세요"),
        },
        "healing.unchanged": {
            "en": ("the candidate is the same code as before", "change the failing part"),
            "ko": ("후보 코드가 이전과 같습니다", "실패한 부분을 고치세요"),
        },
        "healing.widens_permissions": {
            "en": ("the candidate asks for more than the script had: {detail}", "never add {detail}"),
            "ko": ("후보가 원래 스크립트보다 많은 권한을 씁니다: {detail}", "{detail}을(를) 추가하지 마세요"),
        },
        "healing.model_failed": {
            "en": ("the model could not answer: {detail}", "{fix}"),
            "ko": ("모델이 답하지 못했습니다: {detail}", "{fix}"),
        },
    }
)


def note(
    code: str,
    language: str = "en",
    *,
    expected: Any = None,
    got: Any = None,
    step: str | None = None,
    **params: str,
) -> Finding:
    """An error finding of the repair loop, in `language` (en or ko)."""
    words = _WORDS[code]
    message, hint = words.get(language, words["en"])
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=message.format(**params),
        hint=hint.format(**params),
        step=step,
        field="code",
        expected=expected,
        got=got,
    )
