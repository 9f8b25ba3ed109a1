"""References: sandboxed Jinja2, native values for lone expressions, nothing unsafe."""

from __future__ import annotations

import pytest

from mwo.spec import TemplateError, Templates

SCOPE = {"steps": {"fetch": {"output": {"json": {"items": [{"title": "경제"}]}}}}, "inputs": {"n": 3}}


def test_lone_expression_keeps_the_native_value() -> None:
    t = Templates()
    assert t.render("{{ steps.fetch.output.json.items }}", SCOPE) == [{"title": "경제"}]
    assert t.render("{{ inputs.n }}", SCOPE) == 3
    assert t.render("n={{ inputs.n }}", SCOPE) == "n=3"


def test_dot_items_means_the_key_not_the_dict_method() -> None:
    assert Templates().render("{{ steps.fetch.output.json.items[0].title }}", SCOPE) == "경제"


def test_undefined_reference_is_an_error_with_a_fix() -> None:
    with pytest.raises(TemplateError) as caught:
        Templates().render("{{ steps.nope.output }}", SCOPE)
    assert caught.value.fix


@pytest.mark.parametrize(
    "source", ["inputs.__class__.__mro__", "''.__class__.__subclasses__()", "inputs.update({'n': 4})"]
)
def test_sandbox_refuses_unsafe_access(source: str) -> None:
    with pytest.raises(TemplateError):
        Templates().evaluate(source, SCOPE)


def test_references_are_found_statically() -> None:
    refs = Templates().references("{{ steps.a.output.x }} {{ inputs['city'] }} {{ secrets.K }}")
    assert {(r.root, r.name) for r in refs if r.name} == {
        ("steps", "a"),
        ("inputs", "city"),
        ("secrets", "K"),
    }


def test_datetime_format_filter_in_a_zone() -> None:
    out = Templates().render(
        "{{ t | datetime_format('%Y%m%d %H', 'Asia/Seoul') }}", {"t": "2026-11-25T20:00:00+00:00"}
    )
    assert out == "20261126 05"
