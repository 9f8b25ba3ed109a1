"""Reading the model's answer: the script in a fence or bare, copied line numbers dropped; empty,
truncated and prose answers rejected with their finding."""

from __future__ import annotations

from mwo.healing.answer import parse_answer

SCRIPT = 'def main(inputs):\n    return {"a": 1}\n'


def test_the_fenced_block_with_main_is_taken() -> None:
    text = f"Fixed:\n```python\nimport json\n```\nand\n```python\n{SCRIPT}```\nDone."

    assert parse_answer(text, "stop").code == SCRIPT


def test_bare_code_is_taken_when_it_parses() -> None:
    assert parse_answer(SCRIPT, "stop").code == SCRIPT


def test_an_unclosed_fence_of_a_finished_answer_is_still_code() -> None:
    assert parse_answer(f"```python\n{SCRIPT}", "stop").code == SCRIPT


def test_line_numbers_copied_from_the_prompt_are_dropped() -> None:
    text = '```python\n1| def main(inputs):\n2|     return {"a": 1}\n```'

    assert parse_answer(text, "stop").code == SCRIPT


def test_empty_truncated_and_prose_answers_are_rejected() -> None:
    cases = {"": "healing.empty_answer", "The code looks right to me.": "healing.not_code"}
    for text, code in cases.items():
        parsed = parse_answer(text, "stop")
        assert parsed.code is None and parsed.problem is not None and parsed.problem.code == code
    truncated = parse_answer(f"```python\n{SCRIPT}", "length")
    assert truncated.code is None and truncated.problem is not None
    assert truncated.problem.code == "healing.truncated"


def test_findings_speak_korean_when_asked() -> None:
    parsed = parse_answer("", "stop", "ko")

    assert parsed.problem is not None and "비어" in parsed.problem.message
