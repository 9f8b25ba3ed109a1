"""Each deterministic fixer on the breakage it knows: the fix it proposes, what it assumed, and that
the fixed script passes the check and the dry run; and that it stays out of what it does not know."""

from __future__ import annotations

from typing import Any

import pytest

from mwo.healing.evaluation import Evaluation, Evaluator
from mwo.healing.fixers import (
    DateFormatFixer,
    EntryPointFixer,
    Fix,
    Fixer,
    IsoTimestampFixer,
    KeyNameFixer,
    MainParameterFixer,
    MarkdownFenceFixer,
    MissingColonFixer,
    MissingImportFixer,
    MissingReturnFixer,
    ParsedJsonFixer,
    ReturnShapeFixer,
    TabIndentFixer,
)
from mwo.healing.request import ScriptRepairRequest
from mwo.sandbox import Sandbox
from mwo.settings import Settings


@pytest.fixture
def evaluator(settings: Settings, sandbox: Sandbox) -> Evaluator:
    return Evaluator(settings, sandbox)


def propose(
    evaluator: Evaluator, fixer: Fixer, code: str, inputs: dict[str, Any], **request: Any
) -> tuple[Fix | None, Evaluation | None]:
    """The fixer's proposal for `code`, and the evaluation of the fixed code (None without a fix)."""
    asked = ScriptRepairRequest(code=code, inputs=inputs, **request)
    fix = fixer.propose(evaluator.evaluate(code, asked), asked)
    return fix, (evaluator.evaluate(fix.code, asked) if fix else None)


def test_missing_stdlib_imports_are_added_after_the_existing_ones(evaluator: Evaluator) -> None:
    code = 'import re\n\n\ndef main(inputs):\n    return {"n": math.floor(inputs["x"]), "s": json.dumps(1)}\n'

    fix, after = propose(evaluator, MissingImportFixer(), code, {"x": 2.5})

    assert fix is not None and after is not None and after.ok
    assert fix.code.startswith("import re\nimport math\nimport json\n")
    assert after.output == {"n": 2, "s": "1"}
    assert "`import math`" in fix.assumption and "`import json`" in fix.assumption


def test_datetime_used_as_the_class_is_imported_from_its_module(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    return {"y": datetime.strptime(inputs["d"], "%Y-%m-%d").year}\n'

    fix, after = propose(evaluator, MissingImportFixer(), code, {"d": "2026-12-04"})

    assert fix is not None and fix.code.startswith("from datetime import datetime\n\n\ndef main")
    assert after is not None and after.output == {"y": 2026}


def test_a_forbidden_or_unknown_module_is_never_imported(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    return {"a": subprocess.run(["ls"]), "b": requests.get("x"), "c": foo}\n'

    fix, _ = propose(evaluator, MissingImportFixer(), code, {})

    assert fix is None


def test_a_misspelt_key_becomes_the_inputs_nearest_key_on_the_failing_line(evaluator: Evaluator) -> None:
    code = (
        "def main(inputs):\n"
        '    titles = [item["titel"] for item in inputs["items"]]\n'
        '    return {"titles": titles, "titel": 1}\n'
    )

    fix, after = propose(evaluator, KeyNameFixer(), code, {"items": [{"title": "a"}, {"title": "b"}]})

    assert fix is not None and after is not None and after.ok
    assert 'item["title"]' in fix.code and '"titel": 1' in fix.code  # only the failing line changed
    assert after.output == {"titles": ["a", "b"], "titel": 1}
    assert "'titel'" in fix.assumption and "'title'" in fix.assumption


def test_a_key_one_level_down_is_read_from_its_parent(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    return {"n": len(inputs["items"])}\n'

    fix, after = propose(evaluator, KeyNameFixer(), code, {"data": {"items": [1, 2, 3]}, "meta": {}})

    assert fix is not None and 'inputs["data"]["items"]' in fix.code
    assert after is not None and after.output == {"n": 3}


def test_a_key_with_no_near_match_is_left_to_the_model(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    return {"n": inputs["price"]}\n'

    fix, _ = propose(evaluator, KeyNameFixer(), code, {"items": [], "weather": "sunny"})

    assert fix is None


def test_a_bare_list_is_wrapped_under_the_key_the_output_schema_names(evaluator: Evaluator) -> None:
    code = (
        'def main(inputs):\n    if not inputs["xs"]:\n        return []\n'
        '    return [x * 2 for x in inputs["xs"]]\n'
    )
    schema = {"type": "object", "required": ["doubled"], "properties": {"doubled": {"type": "array"}}}

    fix, after = propose(evaluator, ReturnShapeFixer(), code, {"xs": [1, 2]}, output_schema=schema)

    assert fix is not None and after is not None and after.ok
    assert after.output == {"doubled": [2, 4]}
    assert 'return {"doubled": []}' in fix.code


def test_a_returned_string_is_wrapped_as_result_without_a_schema(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    text = ", ".join(inputs["names"])\n    return text\n'

    fix, after = propose(evaluator, ReturnShapeFixer(), code, {"names": ["a", "b"]})

    assert fix is not None and after is not None and after.output == {"result": "a, b"}


def test_the_last_assigned_value_is_returned_when_main_never_returns(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    total = sum(inputs["xs"])\n    result = {"total": total}\n'

    fix, after = propose(evaluator, MissingReturnFixer(), code, {"xs": [1, 2]})

    assert fix is not None and fix.code.endswith('    result = {"total": total}\n    return result\n')
    assert after is not None and after.output == {"total": 3}


def test_a_printed_result_is_returned_instead(evaluator: Evaluator) -> None:
    code = 'import json\n\n\ndef main(inputs):\n    out = {"a": inputs["a"]}\n    print(json.dumps(out))\n'

    fix, after = propose(evaluator, MissingReturnFixer(), code, {"a": 1})

    assert fix is not None and "    return out\n" in fix.code and "print" not in fix.code
    assert after is not None and after.output == {"a": 1}


def test_main_without_a_parameter_gets_inputs(evaluator: Evaluator) -> None:
    code = 'def main():\n    return {"n": len(inputs["xs"])}\n'

    fix, after = propose(evaluator, MainParameterFixer(), code, {"xs": [1]})

    assert fix is not None and fix.code.startswith("def main(inputs: dict):")
    assert after is not None and after.output == {"n": 1}


def test_the_one_entry_function_under_another_name_becomes_main(evaluator: Evaluator) -> None:
    code = 'def helper_free(inputs):\n    return {"n": 1}\n\n\nprint(helper_free({}))\n'

    fix, after = propose(evaluator, EntryPointFixer(), code, {})

    assert fix is not None and "def main(inputs):" in fix.code and "print(main({}))" in fix.code
    assert after is not None and after.ok


def test_markdown_fences_and_prose_around_the_code_are_removed(evaluator: Evaluator) -> None:
    code = 'Here is the script:\n```python\ndef main(inputs):\n    return {"ok": True}\n```\n'

    fix, after = propose(evaluator, MarkdownFenceFixer(), code, {})

    assert fix is not None and fix.code == 'def main(inputs):\n    return {"ok": True}\n'
    assert after is not None and after.ok


def test_a_missing_colon_is_added_where_python_asks(evaluator: Evaluator) -> None:
    code = (
        'def main(inputs):\n    if inputs["x"] > 1\n        return {"big": True}\n    return {"big": False}\n'
    )

    fix, after = propose(evaluator, MissingColonFixer(), code, {"x": 2})

    assert fix is not None and '    if inputs["x"] > 1:\n' in fix.code
    assert after is not None and after.output == {"big": True}


def test_tabs_mixed_with_spaces_become_spaces(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    x = 1\n\treturn {"x": x}\n'

    fix, after = propose(evaluator, TabIndentFixer(), code, {})

    assert fix is not None and "\t" not in fix.code
    assert after is not None and after.output == {"x": 1}


def test_json_loads_of_an_already_parsed_input_is_dropped(evaluator: Evaluator) -> None:
    code = (
        'import json\n\n\ndef main(inputs):\n    data = json.loads(inputs["data"])\n'
        '    return {"keys": len(data)}\n'
    )

    fix, after = propose(evaluator, ParsedJsonFixer(), code, {"data": {"a": 1, "b": 2}})

    assert fix is not None and '    data = inputs["data"]\n' in fix.code
    assert after is not None and after.output == {"keys": 2}
    assert not after.errors  # the unused import is a warning only


def test_fixers_leave_a_script_they_do_not_understand_alone(evaluator: Evaluator) -> None:
    code = 'def main(inputs):\n    return {"avg": sum(inputs["xs"]) / len(inputs["xs"])}\n'
    fixers: list[Fixer] = [
        MissingImportFixer(), KeyNameFixer(), ReturnShapeFixer(), MissingReturnFixer(), MainParameterFixer(),
        EntryPointFixer(), MarkdownFenceFixer(), MissingColonFixer(), TabIndentFixer(), ParsedJsonFixer(),
    ]  # fmt: skip

    proposals = [propose(evaluator, fixer, code, {"xs": []})[0] for fixer in fixers]

    assert proposals == [None] * len(fixers)


def test_an_iso_timestamp_given_to_strptime_is_read_with_fromisoformat(evaluator: Evaluator) -> None:
    code = (
        "from datetime import datetime\n\n\ndef main(inputs):\n"
        '    day = datetime.strptime(inputs["at"], "%Y-%m-%d")\n'
        '    return {"date": day.strftime("%Y.%m.%d")}\n'
    )

    fix, after = propose(evaluator, IsoTimestampFixer(), code, {"at": "2026-12-04T09:30:00"})

    assert fix is not None and 'datetime.fromisoformat(inputs["at"])' in fix.code
    assert after is not None and after.output == {"date": "2026.12.04"}


def test_a_korean_date_given_to_fromisoformat_is_read_with_its_format(evaluator: Evaluator) -> None:
    code = (
        "from datetime import date\n\n\ndef main(inputs):\n"
        '    return {"date": date.fromisoformat(inputs["d"]).isoformat()}\n'
    )

    fix, after = propose(evaluator, DateFormatFixer(), code, {"d": "2026년 12월 4일"})

    assert fix is not None and "datetime.strptime(inputs[\"d\"], '%Y년 %m월 %d일').date()" in fix.code
    assert fix.code.startswith("from datetime import date\nfrom datetime import datetime\n")
    assert after is not None and after.output == {"date": "2026-12-04"}


def test_an_ambiguous_date_is_not_guessed(evaluator: Evaluator) -> None:
    code = (
        "from datetime import date\n\n\ndef main(inputs):\n"
        '    return {"d": str(date.fromisoformat(inputs["d"]))}\n'
    )

    fix, _ = propose(evaluator, DateFormatFixer(), code, {"d": "04/12/2026"})

    assert fix is None


def test_a_bare_none_is_wrapped_under_the_key_mains_other_return_uses(evaluator: Evaluator) -> None:
    code = (
        'def main(inputs):\n    if inputs["posts"]:\n        return {"title": inputs["posts"][0]["title"]}\n'
        "    else:\n        return None\n"
    )

    fix, after = propose(evaluator, ReturnShapeFixer(), code, {"posts": []})

    assert fix is not None and 'return {"title": None}' in fix.code
    assert after is not None and after.output == {"title": None}
