"""A mapping subscripted with a key it lacks is undefined, never one of the dict's own methods: a dry
run on sample data (an API_CALL's empty `json`) must not hand a script `dict.items` as its data."""

from __future__ import annotations

import pytest

from mwo.spec.templating import TemplateError, Templates


@pytest.mark.parametrize("key", ["items", "keys", "values", "get"])
def test_a_missing_key_named_like_a_dict_method_is_undefined(key: str) -> None:
    with pytest.raises(TemplateError):
        Templates().render_tree({"rows": f"{{{{ resp.json['{key}'] }}}}"}, {"resp": {"json": {}}})


def test_a_present_key_and_a_default_still_render() -> None:
    templates = Templates()
    rows = templates.render_tree({"rows": "{{ resp.json['items'] }}"}, {"resp": {"json": {"items": [1]}}})
    assert rows == {"rows": [1]}
    said = templates.render_tree(
        {"rows": "{{ resp.json['items'] | default('none') }}"}, {"resp": {"json": {}}}
    )
    assert said == {"rows": "none"}
