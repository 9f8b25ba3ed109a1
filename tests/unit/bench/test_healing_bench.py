"""The healing set's shape: enough cases, every class the issue names, each case complete; and the
benchmark's selection and its report."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest
from bench.healing import Outcome, _load, _report, _selected

CLASSES = {
    "syntax", "undefined_name", "wrong_key", "type_error", "return_shape", "missing_return",
    "empty_list", "date_format", "zero_division", "korean_text", "forbidden_call",
}  # fmt: skip


def test_the_set_has_25_or_more_complete_cases_in_every_class() -> None:
    cases = _load()

    assert len(cases) >= 25
    assert set(Counter(c["class"] for c in cases)) == CLASSES
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert {"id", "class", "goal", "inputs", "code", "expected", "fix"} <= set(case), case["id"]
        assert isinstance(case["inputs"], dict) and isinstance(case["expected"], dict), case["id"]
        assert case["goal"].strip() and "def main" in case["fix"], case["id"]


def test_cases_are_selected_by_class_id_and_limit() -> None:
    cases = _load()
    only = argparse.Namespace(classes=["syntax"], ids=[], limit=2)

    assert [c["class"] for c in _selected(cases, only)] == ["syntax", "syntax"]
    by_id = argparse.Namespace(classes=[], ids=["korean-keys"], limit=None)
    assert [c["id"] for c in _selected(cases, by_id)] == ["korean-keys"]


def test_the_report_counts_first_round_and_all_rounds(capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = [
        Outcome("a", "syntax", "fixed", True, True, 1, 1.0, 0, 0, ""),
        Outcome("b", "syntax", "fixed", True, False, 2, 3.0, 100, 2, ""),
        Outcome("c", "wrong_key", "failed", False, False, 3, 5.0, 300, 6, "no fix within 3 rounds"),
    ]

    _report("fake", outcomes)

    out = capsys.readouterr().out
    assert "syntax            1 /  2 of  2" in out
    assert "all               1 /  2 of  3: first round 33%, after all rounds 67%" in out
    assert "median 3.0" in out and "tokens: total 400" in out
