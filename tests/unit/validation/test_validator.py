"""CodeValidator: one test per check, every family reported together, YAML text, Korean words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mwo.settings import Settings
from mwo.spec import workflow_from_data
from mwo.validation import DEFAULT_CHECKS, CodeValidator, Finding, Report, Severity
from tests.clocks import ManualClock


def validator(settings: Settings, secrets: list[str] | None = None, **overrides: Any) -> CodeValidator:
    return CodeValidator(settings.model_copy(update=overrides), known_secrets=secrets, clock=ManualClock())


def note(step_id: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "NOTIFICATION", "channel": "inbox", "body": body, **extra}


def script(step_id: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"id": step_id, "type": "PYTHON_SCRIPT", "code": code, **extra}


def check(
    settings: Settings, *steps: dict[str, Any], secrets: list[str] | None = None, **spec: Any
) -> Report:
    workflow = workflow_from_data({"name": "checked", "steps": list(steps), **spec})
    return validator(settings, secrets).validate(workflow)


def codes(report: Report) -> list[tuple[str, str | None]]:
    return [(f.code, f.step) for f in report.findings]


def test_the_checks_run_cheapest_first_and_the_dry_run_last() -> None:
    names = [c.name for c in DEFAULT_CHECKS]
    assert names == ["spec", "templates", "secrets", "schemas", "preflight", "scripts", "dry_run"]


def test_a_good_workflow_has_no_findings(settings: Settings) -> None:
    report = check(
        settings,
        script(
            "calc",
            "def main(inputs):\n    return {'n': len(inputs['items'])}\n",
            inputs={"items": "{{ inputs.items }}"},
        ),
        note("tell", "{{ steps.calc.output.n }} items"),
        inputs={"items": {"type": "array", "default": []}},
    )
    assert report.ok and report.findings == ()


def test_spec_findings_are_wrapped_with_their_own_code(settings: Settings) -> None:
    report = check(settings, note("a", "{{ steps.nowhere.output }} {{ inputs.who }}"))
    assert codes(report) == [("spec.bad_reference", "a"), ("spec.unknown_input", "a")]
    assert all(f.is_error and f.field == "body" and f.hint for f in report.findings)
    report = check(settings, note("a", "x", next="missing"))
    assert [(f.code, f.field) for f in report.findings] == [("spec.unknown_step", "next")]


def test_every_family_is_reported_not_only_the_first(settings: Settings) -> None:
    report = check(
        settings,
        script("calc", "def main(inputs):\n    return {'a': 1\n"),
        note("tell", "{{ steps.nowhere.output }} {{ steps.calc.output.__class__ }}"),
        {"id": "ask", "type": "LLM_CALL", "prompt": "hi", "output_schema": {"type": "objec"}},
        note("key", "{{ secrets.TOKEN }}"),
        secrets=[],
    )
    assert codes(report) == [
        ("spec.bad_reference", "tell"),
        ("template.unsafe_attribute", "tell"),
        ("secret.not_set", "key"),
        ("llm.bad_output_schema", "ask"),
        ("script.syntax", "calc"),
    ]
    assert [f.code for f in report.warnings] == ["secret.not_set"]


@pytest.mark.parametrize(
    ("template", "attribute"),
    [
        ("{{ steps.a.output.__class__.__name__ }}", "__class__"),
        ("{{ inputs['__globals__'] }}", "__globals__"),
        ("{{ run | attr('__subclasses__') }}", "__subclasses__"),
        ("{% for c in run.mro() %}{{ c }}{% endfor %}", "mro"),
        ("{{ lipsum.__builtins__ }}", "__builtins__"),
    ],
)
def test_template_escapes_are_found_statically(settings: Settings, template: str, attribute: str) -> None:
    report = check(settings, note("a", "x"), note("tell", template))
    found = [f for f in report.errors if f.code == "template.unsafe_attribute"]
    assert [f.step for f in found] == ["tell"] and f"'{attribute}'" in found[0].message
    assert found[0].field == "body" and found[0].got == template


def test_expressions_are_checked_too(settings: Settings) -> None:
    gate = {"id": "gate", "type": "CONDITION", "branches": [{"when": "run.__class__", "goto": "end"}]}
    report = check(settings, gate)
    assert [(f.code, f.field) for f in report.errors] == [("template.unsafe_attribute", "branches[0].when")]


def test_an_unset_secret_is_a_warning_naming_the_fix(settings: Settings) -> None:
    fetch = {
        "id": "fetch",
        "type": "API_CALL",
        "request": {"url": "https://example.com/", "headers": {"X-Key": "{{ secrets.KEY }}"}},
        "auth": {"kind": "bearer", "secret": "TOKEN"},
    }
    report = check(settings, fetch, secrets=["KEY"])
    (warning,) = report.findings
    assert (warning.code, warning.severity, warning.field) == (
        "secret.not_set",
        Severity.WARNING,
        "auth.secret",
    )
    assert warning.hint == "mwo secrets set TOKEN" and report.ok
    assert check(settings, fetch, secrets=None).findings == (), "None: secrets not checked"


def test_declared_output_schemas_must_be_valid(settings: Settings) -> None:
    report = check(settings, note("tell", "x", output={"type": "object", "properties": {"n": {"type": 5}}}))
    (found,) = report.findings
    assert found.code == "step.bad_output_schema" and found.field == "output.properties.n.type"


def test_a_script_step_is_checked_with_its_allow_net(settings: Settings) -> None:
    code = "import socket\n\n\ndef main(inputs):\n    return {'f': int(socket.AF_INET)}\n"
    assert codes(check(settings, script("net", code))) == [("script.forbidden_module", "net")]
    assert check(settings, script("net", code, allow_net=True)).findings == ()


def test_engine_preflight_findings(settings: Settings, tmp_path: Path) -> None:
    refused = {"id": "steal", "type": "API_CALL", "request": {"url": "http://169.254.169.254/latest"}}
    report = check(settings, refused)
    assert (
        codes(report) == [("spec.refused_address", "steal")]
        and "settings.network.allow" in report.errors[0].hint
    )
    never = check(settings, note("a", "x"), trigger={"type": "cron", "cron": "0 0 31 2 *"})
    assert [(f.code, f.field) for f in never.findings] == [("trigger.cron", "trigger.cron")]
    missing = check(settings, note("a", "x"), trigger={"type": "file", "path": str(tmp_path / "gone")})
    assert [f.code for f in missing.findings] == ["spec.missing_folder"]


def test_validate_text_turns_yaml_and_schema_errors_into_findings(settings: Settings) -> None:
    workflow, report = validator(settings).validate_text("name: [unclosed\n")
    assert workflow is None and [f.code for f in report.findings] == ["spec.yaml_syntax"]
    text = yaml.safe_dump(
        {"name": "x", "steps": [{"id": "a", "type": "NOTIFICATION", "channel": "inbox", "bdy": "hi"}]}
    )
    workflow, report = validator(settings).validate_text(text)
    assert workflow is None and {(f.code, f.step) for f in report.findings} >= {("spec.schema", "a")}
    assert any(f.field == "bdy" for f in report.findings)
    workflow, report = validator(settings).validate_text(
        yaml.safe_dump({"name": "x", "steps": [note("a", "hi")]})
    )
    assert workflow is not None and workflow.name == "x" and report.ok


def test_validate_data_reports_schema_errors_with_the_step(settings: Settings) -> None:
    workflow, report = validator(settings).validate_data(
        {"name": "x", "steps": [{"id": "a", "type": "NOPE"}]}
    )
    assert workflow is None and [(f.code, f.step) for f in report.findings] == [("spec.schema", "a")]
    workflow, report = validator(settings).validate_data({"name": "x", "steps": [note("a", "hi")]})
    assert workflow is not None and report.ok


def test_the_dry_run_is_off_unless_asked(settings: Settings) -> None:
    forever = script("loop", "def main(inputs):\n    while True:\n        pass\n    return {}\n")
    assert check(settings, forever).findings == (), "no sandbox started without dry_run"


def test_korean_findings(settings: Settings) -> None:
    workflow = workflow_from_data(
        {
            "name": "ko",
            "steps": [script("calc", "def main(inputs):\n    return [1]\n"), note("t", "{{ secrets.K }}")],
        }
    )
    report = validator(settings, [], language="ko").validate(workflow)
    messages = {f.code: f for f in report.findings}
    assert "dict" in messages["script.bad_return"].message and "반환" in messages["script.bad_return"].message
    assert "설정되지" in messages["secret.not_set"].message


def test_findings_are_plain_data(settings: Settings) -> None:
    report = check(settings, note("tell", "{{ run.__class__ }}"))
    data: dict[str, Any] = report.as_dict()
    finding: dict[str, Any] = data["errors"][0]
    assert set(finding) == {
        "code",
        "severity",
        "path",
        "step",
        "field",
        "line",
        "message",
        "hint",
        "expected",
        "got",
    }
    assert isinstance(report.findings[0], Finding)
