"""Schema errors read as MWO's own words: fields as written in the spec (no union tags such as
`trigger.cron.cron`), no pydantic phrasing ("Value error, ...", "Input should be", "String should
match pattern"), and a fix that says what to write."""

from __future__ import annotations

import pytest

from mwo.spec import SpecError, parse_workflow

PYDANTIC_WORDS = ("Value error", "Input should", "String should", "Field required", "validation error")
APPROVAL = "steps: [{id: a, type: APPROVAL}]\n"


def findings(text: str) -> list[tuple[str | None, str, str]]:
    with pytest.raises(SpecError) as caught:
        parse_workflow(text)
    return [(f.field, f.message, f.fix) for f in caught.value.findings]


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("name: a\ntrigger: {type: cron, cron: '61 * * * *'}\n" + APPROVAL, "trigger.cron", "not valid"),
        ("name: a\ntrigger: {type: cron, cron: '0 9 * * *', timezone: Mars/Base}\n" + APPROVAL,
         "trigger.timezone", "unknown time zone"),
        ("name: Bad Name\n" + APPROVAL, "name", "'Bad Name' is not allowed"),
        ("name: a\nsteps: [{id: a, type: APPROVAL, timeout_s: -1}]\n", "timeout_s", "greater than 0"),
        ("name: a\nsteps: [{id: a, type: API_CALL, request: {url: 3}}]\n", "request.url", "must be text"),
        ("name: a\nsteps: [{id: a, type: API_CALL, request: {method: FOO, url: x}}]\n",
         "request.method", "must be one of"),
        ("name: a\nsteps: [{id: a, type: NOTIFICATION, channel: inbox}]\n", "body", "required"),
        ("name: a\nsteps: [{id: a, type: APPROVAL, retry: {max_attempts: x}}]\n",
         "retry.max_attempts", "whole number"),
    ],
)
def test_schema_errors_are_in_our_words(text: str, field: str, words: str) -> None:
    [(where, message, fix)] = findings(text)
    assert where == field
    assert words in message
    assert fix
    for theirs in PYDANTIC_WORDS:
        assert theirs not in message and theirs not in fix


def test_a_value_error_hint_becomes_the_fix() -> None:
    [(_, message, fix)] = findings("name: a\ntrigger: {type: cron, cron: '61 * * * *'}\n" + APPROVAL)
    assert message == "cron expression '61 * * * *' is not valid"
    assert fix.startswith("e.g. ")
