"""The validator's escape check reads the fields the engine renders (spec/templates.py), each of them,
and nothing else: not a script's code, not names, schemas or JMESPath."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.settings import Settings
from mwo.spec import TemplateKind
from tests.unit.spec.test_templates import CASES, COMMON, ESCAPE
from tests.unit.validation.test_validator import check


@pytest.mark.parametrize(
    ("data", "expected"), CASES, ids=[f"{d['type']}-{i}" for i, (d, _) in enumerate(CASES)]
)
def test_an_escape_in_each_rendered_field_is_found_and_none_elsewhere(
    settings: Settings, data: dict[str, Any], expected: set[tuple[str, TemplateKind]]
) -> None:
    report = check(settings, {"id": "s", **COMMON, **data})
    found = {f.field for f in report.findings if f.code == "template.unsafe_attribute"}
    escaping = {path for path, _kind in expected if path != "branches[1].when"}
    assert found == escaping


def test_an_event_filter_escape_is_found_on_the_trigger(settings: Settings) -> None:
    note = {"id": "n", "type": "NOTIFICATION", "channel": "inbox", "body": "b"}
    trigger = {"type": "event", "event": ESCAPE, "filter": "event.__class__"}
    report = check(settings, note, trigger=trigger)
    found = [(f.step, f.field) for f in report.findings if f.code == "template.unsafe_attribute"]
    assert found == [(None, "trigger.filter")]
