"""The workflow language: files round-trip, every example is valid, bad specs name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from mwo.spec import (
    SpecError,
    SpecErrorCode,
    check_workflow,
    dump_workflow,
    load_workflow,
    parse_workflow,
    workflow_json_schema,
)

EXAMPLES = sorted((Path(__file__).parents[3] / "examples").glob("*.mwo.yaml"))


def test_there_are_at_least_five_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid_and_round_trip_exactly(path: Path) -> None:
    workflow = load_workflow(path)
    text = dump_workflow(workflow)
    again = parse_workflow(text)
    assert again == workflow
    assert dump_workflow(again) == text
    assert again.content_hash() == workflow.content_hash()


def test_hash_ignores_layout_but_not_content() -> None:
    a = parse_workflow("name: x\nsteps:\n- {id: a, type: APPROVAL}\n")
    b = parse_workflow("# comment\nname: x\nsteps:\n  - type: APPROVAL\n    id: a\n")
    c = parse_workflow("name: x\nsteps:\n- {id: a, type: APPROVAL, message: other}\n")
    assert a.content_hash() == b.content_hash() != c.content_hash()


def _findings(
    text: str, secrets: set[str] | None = None
) -> list[tuple[SpecErrorCode, str | None, str | None]]:
    try:
        workflow = parse_workflow(text, file="bad.mwo.yaml")
    except SpecError as exc:
        return [(f.code, f.step, f.field) for f in exc.findings]
    return [(f.code, f.step, f.field) for f in check_workflow(workflow, secrets)]


def test_malformed_yaml_names_line_and_fix() -> None:
    with pytest.raises(SpecError) as caught:
        parse_workflow("name: x\nsteps:\n  - id: a\n   type: APPROVAL\n", file="bad.mwo.yaml")
    message = str(caught.value)
    assert "bad.mwo.yaml" in message and "line 4" in message and "fix:" in message
    assert caught.value.findings[0].code is SpecErrorCode.YAML_SYNTAX


def test_unknown_step_type() -> None:
    assert _findings("name: x\nsteps:\n- {id: a, type: SEND_FAX}\n") == [(SpecErrorCode.SCHEMA, "a", None)]
    with pytest.raises(SpecError, match="unknown step type 'SEND_FAX'"):
        parse_workflow("name: x\nsteps:\n- {id: a, type: SEND_FAX}\n")


def test_unknown_field_is_named() -> None:
    with pytest.raises(SpecError, match="unknown field 'colour'"):
        parse_workflow("name: x\nsteps:\n- {id: a, type: APPROVAL, colour: red}\n")


def test_cycle() -> None:
    text = "name: x\nsteps:\n- {id: a, type: APPROVAL}\n- {id: b, type: APPROVAL, next: a}\n"
    assert _findings(text) == [(SpecErrorCode.CYCLE, "a", "next")]


def test_step_going_to_a_missing_step_and_branch_leading_nowhere() -> None:
    text = """
name: x
steps:
- {id: a, type: APPROVAL, next: ghost}
- id: b
  type: CONDITION
  branches: [{when: 'true', goto: nowhere}]
"""
    found = _findings(text)
    assert (SpecErrorCode.UNKNOWN_STEP, "a", "next") in found
    assert (SpecErrorCode.UNKNOWN_STEP, "b", "branches.goto") in found


def test_unreachable_step() -> None:
    text = "name: x\nsteps:\n- {id: a, type: APPROVAL, next: end}\n- {id: b, type: APPROVAL}\n"
    assert _findings(text) == [(SpecErrorCode.UNREACHABLE_STEP, "b", None)]


def test_references_to_later_unknown_or_own_steps() -> None:
    text = """
name: x
steps:
- {id: a, type: NOTIFICATION, channel: inbox, body: "{{ steps.b.output }}"}
- {id: b, type: NOTIFICATION, channel: inbox, body: "{{ steps.zzz.output }} {{ steps.b.output }}"}
"""
    assert _findings(text) == [
        (SpecErrorCode.BAD_REFERENCE, "a", "body"),
        (SpecErrorCode.BAD_REFERENCE, "b", "body"),
        (SpecErrorCode.BAD_REFERENCE, "b", "body"),
    ]


def test_reference_across_branches_must_precede() -> None:
    text = """
name: x
steps:
- id: c
  type: CONDITION
  branches: [{when: 'true', goto: left}]
  default: right
- {id: left, type: APPROVAL, next: end}
- {id: right, type: NOTIFICATION, channel: inbox, body: "{{ steps.left.output.by }}"}
"""
    assert _findings(text) == [(SpecErrorCode.BAD_REFERENCE, "right", "body")]


def test_unknown_secret_and_input() -> None:
    text = """
name: x
inputs: {city: {default: Seoul}}
steps:
- id: a
  type: API_CALL
  request: {url: "https://x.example/{{ inputs.town }}", headers: {K: "{{ secrets.KEY }}"}}
  auth: {kind: bearer, secret: TOKEN}
"""
    found = _findings(text, secrets={"KEY"})
    assert found == [
        (SpecErrorCode.UNKNOWN_INPUT, "a", "request.url"),
        (SpecErrorCode.UNKNOWN_SECRET, "a", "auth.secret"),
    ]
    assert (SpecErrorCode.UNKNOWN_SECRET, "a", "request.headers.K") in _findings(text, secrets=set())


def test_template_syntax_error_is_a_finding() -> None:
    text = "name: x\nsteps:\n- {id: a, type: NOTIFICATION, channel: inbox, body: '{{ oops( }}'}\n"
    assert _findings(text) == [(SpecErrorCode.TEMPLATE_SYNTAX, "a", "body")]


def test_channel_requirements_are_checked() -> None:
    with pytest.raises(SpecError, match="needs `webhook_url`"):
        parse_workflow("name: x\nsteps:\n- {id: a, type: NOTIFICATION, channel: slack, body: hi}\n")


def test_cron_and_time_zone_are_checked() -> None:
    with pytest.raises(SpecError, match="5 fields"):
        parse_workflow("name: x\ntrigger: {type: cron, cron: '0 9 * *'}\nsteps:\n- {id: a, type: APPROVAL}\n")
    with pytest.raises(SpecError, match="unknown time zone"):
        parse_workflow(
            "name: x\ntrigger: {type: cron, cron: '@daily', timezone: Mars/Base}\n"
            "steps:\n- {id: a, type: APPROVAL}\n"
        )


def test_json_schema_covers_all_step_types_and_triggers() -> None:
    schema = workflow_json_schema()
    text = str(schema)
    for name in (
        "LLM_CALL",
        "API_CALL",
        "PYTHON_SCRIPT",
        "CONDITION",
        "APPROVAL",
        "NOTIFICATION",
        "DATA_TRANSFORM",
        "cron",
        "webhook",
        "event",
        "manual",
    ):
        assert f"'{name}'" in text
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_every_example_validates_against_the_exported_json_schema() -> None:
    import jsonschema
    import yaml

    schema = workflow_json_schema()
    for path in EXAMPLES:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
