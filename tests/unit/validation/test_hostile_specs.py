"""The validator answers hostile specs with findings, never a traceback: alias bombs and deep
nesting (`spec.too_large`), a chain of 2,000 steps, a script nesting expressions past what Python's
parser can take."""

from __future__ import annotations

from typing import Any

from mwo.settings import Settings
from mwo.validation import CodeValidator


def validator(settings: Settings) -> CodeValidator:
    return CodeValidator(settings, known_secrets=[])


def test_an_alias_bomb_is_a_too_large_finding(settings: Settings) -> None:
    lines = ["name: bomb", "steps: []", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]" for i in range(1, 9)]
    workflow, report = validator(settings).validate_text("\n".join(lines) + "\n")
    assert workflow is None
    assert [f.code for f in report.errors] == ["spec.too_large"]


def test_a_deep_spec_is_a_too_large_finding(settings: Settings) -> None:
    text = "name: deep\nsteps: []\nx: " + "[" * 500 + "]" * 500 + "\n"
    workflow, report = validator(settings).validate_text(text)
    assert workflow is None and [f.code for f in report.errors] == ["spec.too_large"]


def test_two_thousand_chained_steps_validate(settings: Settings) -> None:
    steps: list[dict[str, Any]] = [
        {"id": f"s{i}", "type": "DATA_TRANSFORM", "source": "inputs.x"} for i in range(2000)
    ]
    data = {"name": "chain", "inputs": {"x": {"type": "string", "default": "a"}}, "steps": steps}
    workflow, report = validator(settings).validate_data(data)
    assert workflow is not None and report.ok, [f.render() for f in report.errors][:3]


def test_a_script_nested_past_the_parser_is_a_syntax_finding(settings: Settings) -> None:
    code = "def main(inputs):\n    return a" + ".b" * 100_000 + "\n"
    data = {"name": "deep-script", "steps": [{"id": "s", "type": "PYTHON_SCRIPT", "code": code}]}
    workflow, report = validator(settings).validate_data(data)
    assert workflow is not None and not report.ok
    assert any("nests" in f.message or "syntax" in f.code for f in report.errors)
